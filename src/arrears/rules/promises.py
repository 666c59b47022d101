"""Promises to pay: kept, partly kept, broken or still pending, from the payments received.

A promise of ``amount`` by ``due_date`` is judged on the payments posted from the day it was
taken up to ``due_date + grace_days`` (the deadline):

- paid in full by the deadline → ``kept`` (as soon as the total is reached);
- the deadline has not passed and the total is not reached → ``pending``;
- after the deadline, something but not all was paid → ``partly_kept``;
- after the deadline, nothing was paid → ``broken``.

Payments after the deadline do not turn a broken promise into a kept one; they are reported
as ``paid_late_minor`` so that the collector sees them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

PROMISE_OUTCOMES = ("pending", "kept", "partly_kept", "broken")


@dataclass(frozen=True)
class PromiseEvaluation:
    status: str
    paid_minor: int  # received on or before the deadline
    paid_late_minor: int  # received after the deadline
    deadline: date


def promise_evaluation(
    amount_minor: int,
    due_date: date,
    payments: Iterable[tuple[date, int]],
    grace_days: int = 0,
    *,
    as_of: date | None = None,
    taken_on: date | None = None,
) -> PromiseEvaluation:
    """The promise's status on ``as_of`` (None: once the deadline has passed)."""
    deadline = due_date + timedelta(days=grace_days)
    counted = [(d, a) for d, a in payments
               if (taken_on is None or d >= taken_on) and (as_of is None or d <= as_of)]
    paid = sum(a for d, a in counted if d <= deadline)
    late = sum(a for d, a in counted if d > deadline)
    if paid >= amount_minor:
        status = "kept"
    elif as_of is not None and as_of <= deadline:
        status = "pending"
    elif paid > 0:
        status = "partly_kept"
    else:
        status = "broken"
    return PromiseEvaluation(status, paid, late, deadline)


def promise_outcome(
    amount_minor: int,
    due_date: date,
    payments: Iterable[tuple[date, int]],
    grace_days: int = 0,
    *,
    as_of: date | None = None,
    taken_on: date | None = None,
) -> str:
    """The status alone: pending, kept, partly_kept or broken (see promise_evaluation)."""
    return promise_evaluation(
        amount_minor, due_date, payments, grace_days, as_of=as_of, taken_on=taken_on
    ).status
