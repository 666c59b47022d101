"""Daily overdue interest, late fees and the payoff quote: one projection serves all three.

The nightly cycle posts what :func:`accrue` returns for its day; the payoff quote adds what
:func:`accrue` would post between the last accrued day and the payoff date. Because both use
the same function, paying the quoted payoff on its date leaves exactly zero.

Interest for a day is computed on the state at the start of that day (entries posted before
it), so a payment that arrives before or after the batch on the same day changes nothing.

While a repayment plan stops interest (停息挂账, ``interest_stops``: first and last day, the
last None while the plan runs), no interest accrues at all: nothing is posted, so nothing has
to be waived afterwards.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.rules.aging import Payment, StatementDue, delinquency
from arrears.rules.charges import ProductTerms, daily_interest, late_fee
from arrears.rules.ledger import (
    Entry,
    LedgerState,
    apply,
    fold_order,
    payments_net_of_reversals,
)


@dataclass(frozen=True)
class Accrual:
    """A charge the cycle posts: ``kind`` is ``interest`` or ``late_fee``."""

    kind: str
    amount: int
    posting_date: date
    statement_cycle_date: date | None = None


@dataclass(frozen=True)
class PayoffQuote:
    payoff_date: date
    principal: int
    interest: int
    fees: int
    projected_interest: int
    projected_fees: int

    @property
    def total(self) -> int:
        return max(self.principal + self.interest + self.fees, 0)


InterestStops = Sequence[tuple[date, date | None]]


def interest_stopped(day: date, stops: InterestStops) -> bool:
    """Whether a plan stops interest on ``day`` (each stop runs from its first to its last
    day inclusive; a last day of None is open-ended)."""
    return any(first <= day and (last is None or day <= last) for first, last in stops)


def _fee_day(statement: StatementDue, terms: ProductTerms) -> date | None:
    return _shifted(statement.due_date, terms.grace_days + 1)


def _shifted(day: date, days: int) -> date | None:
    """``day`` plus ``days``, or None beyond the last date Python can hold."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


@dataclass(frozen=True)
class _Run:
    """Days ``first``..``last`` on which nothing that the rules look at changes: the same
    interest every day, and the late fees that fall on days of the run."""

    first: date
    last: date
    daily_interest: int
    fees: tuple[Accrual, ...]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass
class _Projection:
    runs: list[_Run]
    state: LedgerState  # every entry posted up to ``end`` and every accrual projected


def _breakpoints(
    entries: Sequence[Entry], statements: Sequence[StatementDue], terms: ProductTerms,
    start: date, end: date, stops: InterestStops = (),
) -> list[date]:
    """The days from which the state, the aging or a fee may differ from the day before.

    An entry changes the state from the day after it is posted; a statement from its cycle
    date; an obligation becomes past due the day after its due date; a late fee falls on its
    fee day. Between two of these days every day accrues the same, so the work is per
    breakpoint, never per day.
    """
    days = {start}
    candidates = [_shifted(e.posting_date, 1) for e in entries if e.posting_date < end]
    for statement in statements:
        candidates += [statement.cycle_date, _fee_day(statement, terms)]
        if statement.due_date < end:
            candidates.append(_shifted(statement.due_date, 1))
    for first, last in stops:
        candidates += [first, _shifted(last, 1) if last is not None else None]
    days.update(d for d in candidates if d is not None and start < d <= end)
    return sorted(days)


def _project(
    *,
    entries: Sequence[Entry],
    statements: Sequence[StatementDue],
    terms: ProductTerms,
    start: date | None,
    end: date,
    fees_charged_for: frozenset[date],
    interest_stops: InterestStops = (),
) -> _Projection:
    """Walk from ``start`` to ``end`` breakpoint by breakpoint, folding the ledger once.

    Interest for a day is on the principal at the start of that day, with the accruals of
    earlier days in the ledger; a statement gets at most one late fee. Without ``start``
    nothing is projected: the state is the ledger through ``end``.
    """
    order = terms.allocation_order
    posted = sorted(entries, key=fold_order)
    fees_on: dict[date, list[StatementDue]] = {}
    for statement in statements:
        fee_day = _fee_day(statement, terms)
        if fee_day is not None:
            fees_on.setdefault(fee_day, []).append(statement)
    charged = set(fees_charged_for)
    state, runs, applied, key = LedgerState(), [], 0, 0
    projecting = start is not None and start <= end
    points = (_breakpoints(entries, statements, terms, start, end, interest_stops)
              if projecting else [])
    for index, first in enumerate(points):
        last = points[index + 1] - timedelta(days=1) if index + 1 < len(points) else end
        while applied < len(posted) and posted[applied].posting_date < first:
            apply(state, posted[applied], order)
            applied += 1
        payments = [Payment(d, a) for d, a in payments_net_of_reversals(entries, first)]
        late = delinquency(statements, payments, first, tolerance=terms.past_due_tolerance)
        interest = (daily_interest(state.balances.principal, terms)
                    if late.days_past_due and not interest_stopped(first, interest_stops)
                    else 0)
        fees = []
        fee_days = sorted(d for d in fees_on if first <= d <= last) if late.days_past_due else []
        for day in fee_days:
            for statement in fees_on[day]:
                fee = late_fee(late.past_due_amount, terms)
                if fee and statement.cycle_date not in charged:
                    fees.append(Accrual("late_fee", fee, day, statement.cycle_date))
                    charged.add(statement.cycle_date)
        run = _Run(first, last, interest, tuple(fees))
        runs.append(run)
        # The run's accruals go before the entries posted on its last day, as the nightly
        # cycle posts them; no entry is posted on its earlier days (each starts a new run).
        for amount, kind in ((interest * run.days, "interest"),
                             *((f.amount, "late_fee") for f in fees)):
            if amount:
                key -= 1
                apply(state, Entry(key, kind, amount, last), order)
    for entry in posted[applied:]:
        if entry.posting_date > end:
            break
        apply(state, entry, order)
    return _Projection(runs, state)


def accrue(
    *,
    entries: Sequence[Entry],
    statements: Sequence[StatementDue],
    terms: ProductTerms,
    start: date,
    end: date,
    fees_charged_for: frozenset[date] = frozenset(),
    interest_stops: InterestStops = (),
) -> list[Accrual]:
    """The interest and late fees due for each day from ``start`` to ``end`` inclusive.

    ``fees_charged_for`` holds the cycle dates of statements that already carry a late fee,
    so a fee is never charged twice for one statement. The list has one interest accrual per
    day with interest (none on the days of ``interest_stops``); computing it costs work per
    breakpoint (postings, statements, stops), not per day.
    """
    projection = _project(entries=entries, statements=statements, terms=terms, start=start,
                          end=end, fees_charged_for=fees_charged_for,
                          interest_stops=interest_stops)
    accruals: list[Accrual] = []
    for run in projection.runs:
        fees_by_day: dict[date, list[Accrual]] = {}
        for fee in run.fees:
            fees_by_day.setdefault(fee.posting_date, []).append(fee)
        for offset in range(run.days):
            day = run.first + timedelta(days=offset)
            if run.daily_interest:
                accruals.append(Accrual("interest", run.daily_interest, day))
            accruals += fees_by_day.get(day, [])
    return accruals


def payoff_quote(
    *,
    entries: Sequence[Entry],
    statements: Sequence[StatementDue],
    terms: ProductTerms,
    accrued_through: date | None,
    payoff_date: date,
    fees_charged_for: frozenset[date] = frozenset(),
    interest_stops: InterestStops = (),
) -> PayoffQuote:
    """What pays the account off in full on ``payoff_date``.

    Everything posted up to that date, plus the interest and fees the nightly cycle will post
    for the days after ``accrued_through`` up to and including ``payoff_date``, folded in their
    place among the postings (so that payments made meanwhile pay them first, as the ledger
    will). The work is per breakpoint, not per day of the horizon.
    """
    posted = [e for e in entries if e.posting_date <= payoff_date]
    start = None
    if accrued_through is not None and payoff_date > accrued_through:
        start = accrued_through + timedelta(days=1)
    projection = _project(entries=posted, statements=statements, terms=terms, start=start,
                          end=payoff_date, fees_charged_for=fees_charged_for,
                          interest_stops=interest_stops)
    projected_interest = sum(run.daily_interest * run.days for run in projection.runs)
    projected_fees = sum(fee.amount for run in projection.runs for fee in run.fees)
    b = projection.state.balances
    return PayoffQuote(payoff_date, b.principal, b.interest, b.fees, projected_interest,
                       projected_fees)


__all__ = ["Accrual", "PayoffQuote", "accrue", "interest_stopped", "payoff_quote",
           "fold_order"]
