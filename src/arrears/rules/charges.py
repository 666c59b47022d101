"""Minimum payment, daily overdue interest and the late fee (违约金)."""

from dataclasses import dataclass
from decimal import Decimal

from arrears.rules.money import round_half_up


@dataclass(frozen=True)
class ProductTerms:
    """The contract terms of a card product that the rules need, in minor units and rates."""

    daily_interest_rate: Decimal = Decimal("0.0005")
    late_fee_rate: Decimal = Decimal("0.05")
    late_fee_min: int = 0
    late_fee_max: int | None = None
    min_payment_rate: Decimal = Decimal("0.10")
    min_payment_floor: int = 10000
    grace_days: int = 0
    past_due_tolerance: int = 0
    allocation_order: tuple[str, ...] = ("fees", "interest", "principal")


def minimum_payment(
    *, principal: int, interest: int, fees: int, past_due: int, terms: ProductTerms
) -> int:
    """The minimum due on a statement.

    A share of the principal plus all fees and interest plus minimums still past due, at least
    the product's floor, and never more than the whole balance.
    """
    balance = principal + interest + fees
    if balance <= 0:
        return 0
    share = round_half_up(Decimal(max(principal - past_due, 0)) * terms.min_payment_rate)
    minimum = share + max(interest, 0) + max(fees, 0) + max(past_due, 0)
    return min(max(minimum, terms.min_payment_floor), balance)


def daily_interest(principal: int, terms: ProductTerms) -> int:
    """One day of overdue interest on the unpaid principal; nothing on a credit balance."""
    if principal <= 0:
        return 0
    return round_half_up(Decimal(principal) * terms.daily_interest_rate)


def late_fee(unpaid_minimum: int, terms: ProductTerms) -> int:
    """The late fee for a minimum payment left unpaid: a share of it, within the min and max."""
    if unpaid_minimum <= terms.past_due_tolerance:
        return 0
    fee = round_half_up(Decimal(unpaid_minimum) * terms.late_fee_rate)
    fee = max(fee, terms.late_fee_min)
    if terms.late_fee_max is not None:
        fee = min(fee, terms.late_fee_max)
    return fee
