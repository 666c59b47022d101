"""The projection of interest and fees costs work per breakpoint (postings, statements), not per
day: a payoff quote ten years ahead used to take ~28 s of CPU (the whole ledger folded again
for every day). It must agree with the day-by-day projection accrual for accrual."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.rules import accrual, ledger
from arrears.rules.accrual import accrue, payoff_quote
from arrears.rules.aging import StatementDue
from arrears.rules.charges import ProductTerms
from arrears.rules.ledger import Entry
from arrears.rules.limits import HARD_MAX_HORIZON_DAYS
from tests.rules.reference_accrual import accrue_day_by_day, payoff_quote_day_by_day
from tests.rules.strategies import day, ledgers, statement_schedules, terms


@st.composite
def projections(draw):
    product = draw(terms)
    entries = draw(ledgers(order=product.allocation_order, max_entries=12, last_day=120))
    statements = draw(statement_schedules(max_statements=4))
    start = day(draw(st.integers(0, 120)))
    end = start + timedelta(days=draw(st.integers(-2, 90)))
    charged = frozenset(s.cycle_date for s in statements if draw(st.booleans()))
    return product, entries, statements, start, end, charged


@settings(max_examples=150, deadline=None)
@given(case=projections())
def test_the_breakpoint_projection_posts_what_the_day_by_day_one_posts(case):
    product, entries, statements, start, end, charged = case
    kwargs = {"entries": entries, "statements": statements, "terms": product,
              "start": start, "end": end, "fees_charged_for": charged}
    assert accrue(**kwargs) == accrue_day_by_day(**kwargs)


@settings(max_examples=150, deadline=None)
@given(case=projections(), accrued=st.booleans())
def test_the_breakpoint_payoff_quote_is_the_day_by_day_one(case, accrued):
    product, entries, statements, start, end, charged = case
    kwargs = {"entries": entries, "statements": statements, "terms": product,
              "accrued_through": start - timedelta(days=1) if accrued else None,
              "payoff_date": end, "fees_charged_for": charged}
    assert payoff_quote(**kwargs) == payoff_quote_day_by_day(**kwargs)


TERMS = ProductTerms(min_payment_floor=0)
TODAY = date(2026, 3, 1)


def busy_account(months: int = 24):
    """Two years of monthly purchases, payments (some bounced) and statements."""
    entries, statements, key = [], [], 0
    for month in range(months):
        cycle = date(2024, 1, 20) + timedelta(days=30 * month)
        for kind, offset, amount in (("purchase", 3, 50_000), ("payment", 25, 8_000),
                                     ("purchase", 12, 7_000)):
            key += 1
            entries.append(Entry(key, kind, amount, cycle + timedelta(days=offset)))
        if month % 5 == 0:
            key += 1
            entries.append(Entry(key, "reversal", 8_000, cycle + timedelta(days=27),
                                 reverses=key - 2))
        statements.append(StatementDue(cycle, cycle + timedelta(days=25), 20_000))
    return entries, statements


class Counter:
    """Counts the calls of a real rule function while passing them through."""

    def __init__(self, monkeypatch, module, name):
        self.calls, real = 0, getattr(module, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)


@pytest.fixture
def work(monkeypatch):
    return {"aging": Counter(monkeypatch, accrual, "delinquency"),
            "folds": Counter(monkeypatch, accrual, "apply"),
            "ledger_applies": Counter(monkeypatch, ledger, "apply")}


def quote_ahead(days: int):
    entries, statements = busy_account()
    return payoff_quote(entries=entries, statements=statements, terms=TERMS,
                        accrued_through=TODAY, payoff_date=TODAY + timedelta(days=days))


def test_the_worst_allowed_quote_costs_work_per_posting_not_per_day(work):
    entries, statements = busy_account()
    quote = quote_ahead(HARD_MAX_HORIZON_DAYS)
    assert quote.projected_interest > 0
    breakpoints = 1 + len(entries) + 3 * len(statements)
    assert work["aging"].calls <= breakpoints
    # Each posting is folded once, plus at most one interest and a fee per breakpoint.
    assert work["folds"].calls <= len(entries) + 2 * breakpoints
    assert work["ledger_applies"].calls == 0  # the ledger is not folded again per day


def test_a_quote_ten_times_further_ahead_costs_no_more_aging(work):
    quote_ahead(30)
    near = work["aging"].calls
    quote_ahead(10 * 366)
    assert work["aging"].calls == 2 * near


def test_dates_at_the_end_of_the_calendar_do_not_overflow():
    entries = [Entry(1, "purchase", 100_000, date.max - timedelta(days=3))]
    statements = [StatementDue(date.max - timedelta(days=2), date.max, 10_000)]
    quote = payoff_quote(entries=entries, statements=statements, terms=TERMS,
                         accrued_through=date.max - timedelta(days=5), payoff_date=date.max)
    assert quote.principal == 100_000
