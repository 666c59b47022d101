"""The business rules of card collections as pure functions over plain values.

Nothing here touches the database, the clock or HTTP. Money is in integer minor units
(分, cents) so that every sum is exact; rates are ``Decimal``; rounding is ROUND_HALF_UP.
The nightly cycle, the API, the CLI and the payoff quote all call these same functions.
"""
