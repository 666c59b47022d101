"""Commission arithmetic, pure: sliding levels over an amount collected, exact in Decimal and
rounded once per tier to the minor unit (ROUND_HALF_UP)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Level:
    collected_from_minor: int
    rate: Decimal


def credited(agency_minor: int, direct_minor: int, direct_share: Decimal) -> Decimal:
    """What counts towards the commission: the agency's own collections in full, payments made
    directly to the bank at the plan's share (netted against the agency's claim)."""
    return Decimal(agency_minor) + Decimal(direct_minor) * direct_share


def sliding(amount: Decimal, levels: Sequence[Level]) -> Decimal:
    """Marginal levels, like tax brackets: the part of ``amount`` between one level's start and
    the next earns that level's rate. A negative amount (more clawed back than collected) gives
    the negative of the same calculation."""
    if amount < 0:
        return -sliding(-amount, levels)
    ordered = sorted(levels, key=lambda level: level.collected_from_minor)
    total = Decimal(0)
    for index, level in enumerate(ordered):
        start = Decimal(level.collected_from_minor)
        end = (Decimal(ordered[index + 1].collected_from_minor) if index + 1 < len(ordered)
               else None)
        if amount <= start:
            break
        part = (amount if end is None else min(amount, end)) - start
        total += part * level.rate
    return total


def to_minor(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
