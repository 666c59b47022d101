"""The first, day-by-day projection of interest and fees, kept as the oracle that the
breakpoint projection in :mod:`arrears.rules.accrual` must agree with, accrual for accrual.

It folds the whole ledger again for every day, so its cost grows with the square of the days;
the product never runs it.
"""

from collections.abc import Sequence
from datetime import date, timedelta

from arrears.rules.accrual import Accrual, PayoffQuote
from arrears.rules.aging import Payment, StatementDue, delinquency
from arrears.rules.charges import ProductTerms, daily_interest, late_fee
from arrears.rules.ledger import Entry, LedgerState, fold, payments_net_of_reversals


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _fee_day(statement: StatementDue, terms: ProductTerms) -> date:
    return statement.due_date + timedelta(days=terms.grace_days + 1)


def accrue_day_by_day(
    *,
    entries: Sequence[Entry],
    statements: Sequence[StatementDue],
    terms: ProductTerms,
    start: date,
    end: date,
    fees_charged_for: frozenset[date] = frozenset(),
) -> list[Accrual]:
    """The interest and late fees due for each day from ``start`` to ``end`` inclusive.

    ``fees_charged_for`` holds the cycle dates of statements that already carry a late fee,
    so a fee is never charged twice for one statement.
    """
    accruals: list[Accrual] = []
    projected: list[Entry] = []
    charged = set(fees_charged_for)
    for day in _days(start, end):
        before_today = [e for e in entries if e.posting_date < day]
        state = fold(before_today + projected, terms.allocation_order)
        payments = [Payment(d, a) for d, a in payments_net_of_reversals(entries, day)]
        late = delinquency(statements, payments, day, tolerance=terms.past_due_tolerance)
        todays = []
        if late.days_past_due >= 1:
            interest = daily_interest(state.balances.principal, terms)
            if interest:
                todays.append(Accrual("interest", interest, day))
        for statement in statements:
            if _fee_day(statement, terms) == day and statement.cycle_date not in charged:
                fee = late_fee(late.past_due_amount, terms) if late.days_past_due else 0
                if fee:
                    todays.append(Accrual("late_fee", fee, day, statement.cycle_date))
                    charged.add(statement.cycle_date)
        for accrual in todays:
            projected.append(Entry(-(len(projected) + 1), accrual.kind, accrual.amount, day))
        accruals += todays
    return accruals


def payoff_quote_day_by_day(
    *,
    entries: Sequence[Entry],
    statements: Sequence[StatementDue],
    terms: ProductTerms,
    accrued_through: date | None,
    payoff_date: date,
    fees_charged_for: frozenset[date] = frozenset(),
) -> PayoffQuote:
    """What pays the account off in full on ``payoff_date``.

    Everything posted up to that date, plus the interest and fees the nightly cycle will post
    for the days after ``accrued_through`` up to and including ``payoff_date``.
    """
    posted = [e for e in entries if e.posting_date <= payoff_date]
    projected: list[Accrual] = []
    if accrued_through is not None and payoff_date > accrued_through:
        projected = accrue_day_by_day(
            entries=posted,
            statements=statements,
            terms=terms,
            start=accrued_through + timedelta(days=1),
            end=payoff_date,
            fees_charged_for=fees_charged_for,
        )
    # Folded in their place among the postings, as the nightly cycle will post them, so that
    # payments made meanwhile are allocated to them and the parts match the ledger to come.
    state: LedgerState = fold(
        posted + [Entry(-n, a.kind, a.amount, a.posting_date) for n, a in enumerate(projected, 1)],
        terms.allocation_order,
    )
    projected_interest = sum(a.amount for a in projected if a.kind == "interest")
    projected_fees = sum(a.amount for a in projected if a.kind == "late_fee")
    b = state.balances
    return PayoffQuote(payoff_date, b.principal, b.interest, b.fees, projected_interest,
                       projected_fees)
