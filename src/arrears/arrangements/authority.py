"""The authority matrix: what a user may grant without approval, from the limits of their roles.

A user may grant an arrangement when the limit of one of their roles (groups) covers it; an
empty dimension of a limit is unlimited; no row for any of their groups means they may not
grant that kind at all.
"""

from dataclasses import dataclass
from decimal import Decimal

from arrears.arrangements.models import AuthorityLimit

AUTHORITY_KINDS = tuple(AuthorityLimit.Kind.values)
PLAN_AUTHORITY = {"extension": "plan_extension", "instalment": "plan_instalment",
                  "personalised": "plan_personalised"}
WAIVER_AUTHORITY = {"fee": "fee_waiver", "interest": "interest_waiver",
                    "settlement": "settlement_discount"}


@dataclass(frozen=True)
class LimitRule:
    """One role's limit: an empty dimension is unlimited."""

    group_name: str
    max_amount_minor: int | None = None
    max_share_of_balance: Decimal | None = None
    max_months: int | None = None

    def covers(self, amount_minor: int, balance_minor: int, months: int | None) -> bool:
        if self.max_amount_minor is not None and amount_minor > self.max_amount_minor:
            return False
        if (self.max_share_of_balance is not None
                and Decimal(amount_minor) > self.max_share_of_balance * Decimal(balance_minor)):
            return False
        return not (self.max_months is not None and months is not None
                    and months > self.max_months)


@dataclass(frozen=True)
class Limit:
    """What a user may grant of one kind: covered when one of their roles' rules covers it."""

    kind: str
    rules: tuple[LimitRule, ...] = ()

    @property
    def granted(self) -> bool:
        return bool(self.rules)

    def covers(self, *, amount_minor: int = 0, balance_minor: int = 0,
               months: int | None = None) -> bool:
        """True when an arrangement of this size is within the user's authority."""
        return any(rule.covers(amount_minor, balance_minor, months) for rule in self.rules)


def authority_for(user, kind: str) -> Limit:
    """The limit of ``user`` for ``kind`` (one of :data:`AUTHORITY_KINDS`)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Limit(kind)
    groups = list(user.groups.values_list("name", flat=True))
    rows = AuthorityLimit.objects.filter(kind=kind, group_name__in=groups).order_by("group_name")
    return Limit(kind, tuple(
        LimitRule(r.group_name, r.max_amount_minor, r.max_share_of_balance, r.max_months)
        for r in rows
    ))
