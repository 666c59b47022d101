"""Plausibility limits: what no real posting, payment or promise looks like.

A card system, a payment gateway or a collector's form may send an amount or a date that no
bank would ever book — a payment of a hundred trillion, a posting dated 1900 or 2099. Those are
refused with a message in money, whatever the boundary (API, workbench, file import), by the
same functions here. The product says how generous the limits are (``PostingLimits``); the
hard ceiling below cannot be raised by any product, so sums of amounts can never overflow a
signed 64-bit column (PostgreSQL ``bigint``, SQLite ``INTEGER``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from arrears.rules.money import format_money, round_half_up

# No posting, and no balance, may go beyond this many minor units (a trillion yuan): ninety
# thousand accounts at the ceiling still add up within a signed 64-bit integer (9.2e18).
HARD_MAX_AMOUNT_MINOR = 10**14
# A payoff quote (or any look ahead) may not reach further than this many days, whatever the
# product says: the projection of interest and fees is work per day of the horizon.
HARD_MAX_HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class PostingLimits:
    """A product's plausibility limits.

    A payment may exceed what is owed by ``overpayment_percent`` percent plus
    ``overpayment_margin_minor`` (a cardholder rounds up, or pays the interest to come); no
    posting may be larger than ``max_amount_minor`` (capped by the hard ceiling); a quote may
    look at most ``horizon_days`` ahead.
    """

    max_amount_minor: int = 10**10
    overpayment_percent: Decimal = Decimal("10")
    overpayment_margin_minor: int = 100_000
    horizon_days: int = 366

    @property
    def amount_ceiling(self) -> int:
        return min(self.max_amount_minor, HARD_MAX_AMOUNT_MINOR)

    @property
    def horizon(self) -> int:
        return max(0, min(self.horizon_days, HARD_MAX_HORIZON_DAYS))

    def payment_ceiling(self, owed_minor: int) -> int:
        """The largest plausible payment on a balance of ``owed_minor`` (a credit owes 0)."""
        owed = max(owed_minor, 0)
        share = round_half_up(Decimal(owed) * self.overpayment_percent / 100)
        return min(owed + share + self.overpayment_margin_minor, self.amount_ceiling)


@dataclass(frozen=True)
class LimitProblem:
    """A value beyond the limits: the field it is in, a stable code and a message for people."""

    field: str
    code: str
    message: str

    @property
    def labelled(self) -> str:
        """The message after the field's name, for answers that are not next to a form field."""
        return f"{self.field}: {self.message}"


def amount_problem(
    amount_minor: int, limits: PostingLimits, currency: str, field: str = "amount"
) -> LimitProblem | None:
    """An amount (positive or negative) larger than any posting may be."""
    if abs(amount_minor) <= limits.amount_ceiling:
        return None
    return LimitProblem(field, "amount_too_large", _(
        "%(amount)s is more than any posting may be (at most %(ceiling)s)."
    ) % {"amount": format_money(abs(amount_minor), currency),
         "ceiling": format_money(limits.amount_ceiling, currency)})


def payment_problem(
    amount_minor: int, owed_minor: int, limits: PostingLimits, currency: str,
    field: str = "amount", what: str | None = None,
) -> LimitProblem | None:
    """A payment (or a promise to pay) far beyond what is owed."""
    ceiling = limits.payment_ceiling(owed_minor)
    if amount_minor <= ceiling:
        return None
    return LimitProblem(field, "amount_exceeds_balance", _(
        "%(what)s of %(amount)s is more than the %(owed)s owed allows (at most %(ceiling)s)."
    ) % {"what": what or _("A payment"),
         "amount": format_money(amount_minor, currency),
         "owed": format_money(max(owed_minor, 0), currency),
         "ceiling": format_money(ceiling, currency)})


def date_problem(day: date, *, opened: date, today: date, field: str) -> LimitProblem | None:
    """A posting date before the account was opened or after today (the product's today)."""
    if day < opened:
        return LimitProblem(field, "date_before_open", _(
            "%(date)s is before the account was opened (%(opened)s)."
        ) % {"date": day.isoformat(), "opened": opened.isoformat()})
    if day > today:
        return LimitProblem(field, "date_in_future", _(
            "%(date)s is after today (%(today)s); postings cannot be dated ahead."
        ) % {"date": day.isoformat(), "today": today.isoformat()})
    return None


def posting_problems(
    *,
    kind: str,
    amount_minor: int,
    posting_date: date,
    value_date: date | None,
    opened: date,
    today: date,
    limits: PostingLimits,
    currency: str,
    owed_minor: int | None = None,
) -> list[LimitProblem]:
    """Every limit a posting breaks. ``owed_minor`` (the balance before it) is checked against
    payments when it is known; a file import that does not fold each ledger leaves it out."""
    problems = [
        amount_problem(amount_minor, limits, currency),
        date_problem(posting_date, opened=opened, today=today, field="posting_date"),
    ]
    if value_date is not None and value_date != posting_date:
        problems.append(date_problem(value_date, opened=opened, today=today, field="value_date"))
    if kind == "payment" and owed_minor is not None and problems[0] is None:
        problems.append(payment_problem(amount_minor, owed_minor, limits, currency))
    return [problem for problem in problems if problem is not None]
