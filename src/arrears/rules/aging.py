"""Delinquency aging: days past due from the oldest unpaid minimum payment, and buckets.

Each statement's minimum due includes the minimums still unpaid from earlier statements, so
the new obligation a statement adds is its minimum less what is already past due. Payments
settle obligations oldest first. An account is past due when an obligation whose due date has
passed is still unpaid beyond the product's tolerance; it is then as many days past due as
days have passed since that oldest unpaid due date (the oldest one beyond the tolerance).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate


@dataclass(frozen=True)
class StatementDue:
    cycle_date: date
    due_date: date
    minimum_due: int


@dataclass(frozen=True)
class Payment:
    date: date
    amount: int


@dataclass(frozen=True)
class Bucket:
    code: str
    min_days: int


# Ordered; the last bucket whose min_days the account has reached is its bucket.
DEFAULT_BUCKETS: tuple[Bucket, ...] = (
    Bucket("M0", 0),
    Bucket("M1", 1),
    Bucket("M2", 30),
    Bucket("M3", 60),
    Bucket("M4", 90),
    Bucket("M5", 120),
    Bucket("M6", 150),
    Bucket("M7+", 180),
)
BUCKET_CODES: tuple[str, ...] = tuple(b.code for b in DEFAULT_BUCKETS)


@dataclass(frozen=True)
class Delinquency:
    days_past_due: int
    cycles_delinquent: int
    past_due_amount: int
    oldest_unpaid_due_date: date | None
    bucket: str


@dataclass
class _Obligation:
    due_date: date
    remaining: int


def bucket_for(days_past_due: int, buckets: Sequence[Bucket] = DEFAULT_BUCKETS) -> str:
    """The bucket code for a number of days past due (``0`` → ``M0``, ``45`` → ``M2``)."""
    if days_past_due < 0:
        raise ValueError("days past due cannot be negative")
    code = buckets[0].code
    for bucket in buckets:
        if days_past_due >= bucket.min_days:
            code = bucket.code
    return code


def _settle(obligations: list[_Obligation], amount: int) -> None:
    for obligation in obligations:
        if amount <= 0:
            return
        paid = min(obligation.remaining, amount)
        obligation.remaining -= paid
        amount -= paid


def open_obligations(
    statements: Iterable[StatementDue], payments: Iterable[Payment], as_of: date
) -> list[_Obligation]:
    """Replay statements and payments up to ``as_of``; payments settle the oldest first.

    A payment dated on a cycle date counts towards the obligations before that statement.
    Payments beyond every open obligation reduce the balance but prepay no future minimum.
    """
    events: list[tuple[date, int, object]] = [
        (p.date, 0, p) for p in payments if p.date <= as_of and p.amount > 0
    ]
    events += [(s.cycle_date, 1, s) for s in statements if s.cycle_date <= as_of]
    events.sort(key=lambda e: (e[0], e[1]))
    obligations: list[_Obligation] = []
    for _, order, item in events:
        if order == 0:
            _settle(obligations, item.amount)
        else:
            carried = sum(o.remaining for o in obligations if o.due_date < item.cycle_date)
            new_part = max(0, item.minimum_due - carried)
            obligations.append(_Obligation(item.due_date, new_part))
    return obligations


def delinquency(
    statements: Iterable[StatementDue],
    payments: Iterable[Payment],
    as_of: date,
    *,
    tolerance: int = 0,
    buckets: Sequence[Bucket] = DEFAULT_BUCKETS,
) -> Delinquency:
    """How late the account is on ``as_of``, counting only what is dated on or before it.

    An unpaid remainder within ``tolerance`` counts as paid on time (容差), so lateness runs
    from the due date at which the unpaid total first went beyond it: a small remainder left
    from an earlier cycle never throws an account several buckets at once.
    """
    overdue = sorted(
        (
            o for o in open_obligations(statements, payments, as_of)
            if o.due_date < as_of and o.remaining > 0
        ),
        key=lambda o: o.due_date,
    )
    past_due_amount = sum(o.remaining for o in overdue)
    if past_due_amount <= tolerance:
        return Delinquency(0, 0, past_due_amount, None, buckets[0].code)
    running = accumulate(o.remaining for o in overdue)
    first_late = next(i for i, unpaid in enumerate(running) if unpaid > tolerance)
    since = overdue[first_late].due_date
    days = (as_of - since).days
    return Delinquency(
        days, len(overdue) - first_late, past_due_amount, since, bucket_for(days, buckets)
    )
