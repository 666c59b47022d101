"""Exact money: integer minor units inside, ``Decimal`` at the edges."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents for the currencies a card issuer here is likely to use;
# every other code defaults to 2.
CURRENCY_EXPONENTS = {"CNY": 2, "TWD": 2, "HKD": 2, "USD": 2, "EUR": 2, "JPY": 0, "KRW": 0}

MAX_ABS_MINOR = 10**17  # fits a signed 64-bit column with room to add many of them


class AmountError(ValueError):
    """An amount that is not a valid money value for its currency."""


def exponent_for(currency: str) -> int:
    return CURRENCY_EXPONENTS.get(currency.upper(), 2)


def round_half_up(value: Decimal) -> int:
    """Round a Decimal number of minor units to a whole minor unit, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount(text: str, currency: str = "CNY") -> int:
    """Parse a money amount written in major units ("1234.56", "5e+05") into minor units.

    Scientific notation is accepted because card-system exports written by spreadsheets use
    it; an amount with more decimals than the currency allows is rejected, never rounded.
    """
    cleaned = str(text).strip().replace(",", "")
    if not cleaned:
        raise AmountError("amount is empty")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise AmountError(f"{text!r} is not a finite number")
    minor = value.scaleb(exponent_for(currency))
    if minor != minor.to_integral_value():
        raise AmountError(
            f"{text!r} has more decimals than {currency} allows ({exponent_for(currency)})"
        )
    if abs(minor) >= MAX_ABS_MINOR:
        raise AmountError(f"{text!r} is too large")
    return int(minor)


def to_decimal(minor: int, currency: str = "CNY") -> Decimal:
    """Minor units to a Decimal in major units with the currency's number of decimals."""
    exponent = exponent_for(currency)
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def format_amount(minor: int, currency: str = "CNY") -> str:
    """``123456`` CNY → ``"1,234.56"``."""
    return f"{to_decimal(minor, currency):,}"
