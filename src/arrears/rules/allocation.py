"""Allocating a payment across the parts of a balance in the product's order."""

from collections.abc import Sequence
from dataclasses import dataclass

COMPONENTS: tuple[str, ...] = ("fees", "interest", "principal")
DEFAULT_ALLOCATION_ORDER: tuple[str, ...] = ("fees", "interest", "principal")


class AllocationOrderError(ValueError):
    """An allocation order that does not name each balance component exactly once."""


@dataclass(frozen=True)
class Balances:
    """What is owed, by component, in minor units. A negative principal is a credit balance."""

    principal: int = 0
    interest: int = 0
    fees: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fees

    def get(self, component: str) -> int:
        return getattr(self, component)

    def plus(self, changes: dict[str, int]) -> "Balances":
        values = {c: self.get(c) + changes.get(c, 0) for c in COMPONENTS}
        return Balances(**values)


def parse_allocation_order(text: str) -> tuple[str, ...]:
    """``"fees,interest,principal"`` → a validated tuple."""
    order = tuple(part.strip() for part in text.split(",") if part.strip())
    if sorted(order) != sorted(COMPONENTS):
        raise AllocationOrderError(
            f"allocation order must name each of {', '.join(COMPONENTS)} once, got {text!r}"
        )
    return order


def allocate(
    amount: int, balances: Balances, order: Sequence[str] = DEFAULT_ALLOCATION_ORDER
) -> dict[str, int]:
    """Split a payment of ``amount`` minor units over the components, first in ``order`` first.

    Each component takes at most what it owes; whatever is left over goes to principal as a
    credit balance, so the parts always add up to the payment exactly.
    """
    if amount < 0:
        raise ValueError("a payment cannot be negative")
    if len(order) != len(COMPONENTS) or set(order) != set(COMPONENTS):
        raise AllocationOrderError(
            f"allocation order must name each of {', '.join(COMPONENTS)} once, got {order!r}"
        )
    remaining = amount
    parts = dict.fromkeys(COMPONENTS, 0)
    for component in order:
        owed = max(balances.get(component), 0)
        taken = min(owed, remaining)
        parts[component] += taken
        remaining -= taken
    parts["principal"] += remaining
    return parts
