"""Daily overdue interest, late fees and the payoff quote: one projection serves all three."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.rules.accrual import Accrual, PayoffQuote, accrue, payoff_quote
from arrears.rules.aging import StatementDue
from arrears.rules.charges import ProductTerms
from arrears.rules.ledger import Entry, fold
from tests.rules.strategies import day, ledgers, statement_schedules, terms

TERMS = ProductTerms(min_payment_floor=0)  # 0.05% a day, late fee 5% of the unpaid minimum
BOUGHT = Entry(1, "purchase", 100_000, date(2026, 1, 5))
FEBRUARY = StatementDue(date(2026, 1, 20), date(2026, 2, 14), 10_000)


def accruals(entries, start, end, terms=TERMS, **kwargs):
    return accrue(
        entries=entries, statements=[FEBRUARY], terms=terms, start=start, end=end, **kwargs
    )


def test_overdue_interest_starts_the_day_after_the_due_date_with_the_late_fee():
    assert accruals([BOUGHT], date(2026, 2, 12), date(2026, 2, 17)) == [
        Accrual("interest", 50, date(2026, 2, 15)),
        Accrual("late_fee", 500, date(2026, 2, 15), date(2026, 1, 20)),
        Accrual("interest", 50, date(2026, 2, 16)),
        Accrual("interest", 50, date(2026, 2, 17)),
    ]


def test_interest_is_charged_on_the_principal_only():
    entries = [BOUGHT, Entry(2, "late_fee", 50_000, date(2026, 1, 6))]
    assert accruals(entries, date(2026, 2, 16), date(2026, 2, 16)) == [
        Accrual("interest", 50, date(2026, 2, 16))
    ]


def test_no_interest_or_fee_when_the_minimum_is_paid_on_time():
    paid = [BOUGHT, Entry(2, "payment", 10_000, date(2026, 2, 14))]
    assert accruals(paid, date(2026, 2, 1), date(2026, 3, 10)) == []


def test_a_payment_stops_interest_from_the_next_day():
    paid = [BOUGHT, Entry(2, "payment", 10_000, date(2026, 2, 16))]
    posted = accruals(paid, date(2026, 2, 15), date(2026, 2, 20))
    assert [(a.kind, a.posting_date.day) for a in posted] == [
        ("interest", 15),
        ("late_fee", 15),
        ("interest", 16),
    ]


def test_paying_within_the_grace_days_avoids_the_late_fee_but_not_the_interest():
    terms = ProductTerms(min_payment_floor=0, grace_days=3)
    paid = [BOUGHT, Entry(2, "payment", 10_000, date(2026, 2, 16))]
    posted = accruals(paid, date(2026, 2, 15), date(2026, 2, 20), terms)
    assert [(a.kind, a.posting_date.day) for a in posted] == [("interest", 15), ("interest", 16)]
    unpaid = accruals([BOUGHT], date(2026, 2, 15), date(2026, 2, 20), terms)
    assert [a.posting_date for a in unpaid if a.kind == "late_fee"] == [date(2026, 2, 18)]


def test_a_statement_is_charged_one_late_fee_only():
    again = accruals(
        [BOUGHT],
        date(2026, 2, 15),
        date(2026, 2, 15),
        fees_charged_for=frozenset({date(2026, 1, 20)}),
    )
    assert [a.kind for a in again] == ["interest"]


def test_the_late_fee_respects_its_minimum_and_cap():
    low = ProductTerms(min_payment_floor=0, late_fee_min=2_000)
    high = ProductTerms(min_payment_floor=0, late_fee_rate=1, late_fee_max=3_000)
    for product, fee in ((low, 2_000), (high, 3_000)):
        posted = accruals([BOUGHT], date(2026, 2, 15), date(2026, 2, 15), product)
        assert [a.amount for a in posted if a.kind == "late_fee"] == [fee]


def test_a_bounced_payment_brings_interest_back():
    entries = [
        BOUGHT,
        Entry(2, "payment", 10_000, date(2026, 2, 14)),
        Entry(3, "reversal", 10_000, date(2026, 2, 20), reverses=2),
    ]
    posted = accruals(entries, date(2026, 2, 15), date(2026, 2, 22))
    assert [a.posting_date.day for a in posted] == [21, 22]
    assert {a.amount for a in posted} == {50}


def quote(entries, accrued_through, payoff_date, **kwargs) -> PayoffQuote:
    return payoff_quote(
        entries=entries,
        statements=[FEBRUARY],
        terms=TERMS,
        accrued_through=accrued_through,
        payoff_date=payoff_date,
        **kwargs,
    )


def test_the_payoff_quote_adds_interest_and_fees_the_cycle_has_yet_to_post():
    assert quote([BOUGHT], date(2026, 2, 14), date(2026, 2, 18)) == PayoffQuote(
        payoff_date=date(2026, 2, 18),
        principal=100_000,
        interest=200,
        fees=500,
        projected_interest=200,
        projected_fees=500,
    )
    assert quote([BOUGHT], date(2026, 2, 14), date(2026, 2, 18)).total == 100_700


def test_the_payoff_quote_of_an_accrued_account_is_its_balance():
    posted = [BOUGHT, Entry(2, "interest", 50, date(2026, 2, 15))]
    assert quote(posted, date(2026, 2, 15), date(2026, 2, 15)).total == 100_050
    assert quote(posted, None, date(2026, 3, 30)).total == 100_050
    assert quote(posted, date(2026, 3, 1), date(2026, 2, 1)).total == 100_000


def test_a_credit_balance_quotes_nothing_to_pay():
    overpaid = [BOUGHT, Entry(2, "payment", 150_000, date(2026, 1, 10))]
    assert quote(overpaid, date(2026, 1, 31), date(2026, 3, 1)).total == 0


def test_the_payoff_quote_splits_a_payment_made_meanwhile_as_the_ledger_will():
    # Interest and the fee of 15-17 Feb are posted before the payment of the 17th, so the
    # payment pays them first; the quote used to show them as still owed.
    entries = [BOUGHT, Entry(2, "payment", 10_000, date(2026, 2, 17))]
    payoff = quote(entries, date(2026, 2, 14), date(2026, 2, 18))
    assert (payoff.principal, payoff.interest, payoff.fees) == (90_650, 0, 0)
    assert (payoff.projected_interest, payoff.projected_fees) == (150, 500)


def as_entries(accrued: list[Accrual], first_key: int) -> list[Entry]:
    return [Entry(first_key + n, a.kind, a.amount, a.posting_date) for n, a in enumerate(accrued)]


@st.composite
def accounts(draw):
    """A product, a ledger, its statements, the day the cycle accrued through and a payoff day."""
    product = draw(terms)
    entries = draw(ledgers(order=product.allocation_order, max_entries=10, last_day=90))
    statements = draw(statement_schedules(max_statements=3))
    accrued_through = day(draw(st.integers(20, 90)))
    payoff_date = accrued_through + timedelta(days=draw(st.integers(0, 25)))
    charged = frozenset(
        s.cycle_date for s in statements if draw(st.booleans()) and draw(st.booleans())
    )
    return product, entries, statements, accrued_through, payoff_date, charged


@settings(max_examples=60, deadline=None)
@given(account=accounts())
def test_paying_the_quoted_payoff_on_its_date_leaves_nothing_owed(account):
    product, entries, statements, accrued_through, payoff_date, charged = account
    payoff = payoff_quote(
        entries=entries,
        statements=statements,
        terms=product,
        accrued_through=accrued_through,
        payoff_date=payoff_date,
        fees_charged_for=charged,
    )
    nightly = accrue(
        entries=entries,
        statements=statements,
        terms=product,
        start=accrued_through + timedelta(days=1),
        end=payoff_date,
        fees_charged_for=charged,
    )
    ledger = entries + as_entries(nightly, 10_000)
    assert payoff.projected_interest == sum(a.amount for a in nightly if a.kind == "interest")
    assert payoff.projected_fees == sum(a.amount for a in nightly if a.kind == "late_fee")
    owed = fold(ledger, product.allocation_order, through=payoff_date).balances
    assert (payoff.principal, payoff.interest, payoff.fees) == (
        owed.principal,
        owed.interest,
        owed.fees,
    )
    if payoff.total > 0:
        paid_off = [*ledger, Entry(20_000, "payment", payoff.total, payoff_date)]
        assert fold(paid_off, product.allocation_order, through=payoff_date).balances.total == 0
    else:
        assert owed.total <= 0


@settings(max_examples=40, deadline=None)
@given(account=accounts())
def test_the_cycle_run_night_by_night_posts_what_the_projection_foresaw(account):
    product, entries, statements, accrued_through, payoff_date, charged = account
    foreseen = accrue(
        entries=entries,
        statements=statements,
        terms=product,
        start=accrued_through + timedelta(days=1),
        end=payoff_date,
        fees_charged_for=charged,
    )
    ledger, posted, night = list(entries), [], accrued_through + timedelta(days=1)
    while night <= payoff_date:
        tonight = accrue(
            entries=ledger,
            statements=statements,
            terms=product,
            start=night,
            end=night,
            fees_charged_for=charged,
        )
        ledger += as_entries(tonight, 10_000 + len(posted))
        charged |= {a.statement_cycle_date for a in tonight if a.kind == "late_fee"}
        posted += tonight
        night += timedelta(days=1)
    assert posted == foreseen


@settings(max_examples=40, deadline=None)
@given(account=accounts())
def test_accruals_are_positive_and_a_statement_gets_at_most_one_fee(account):
    product, entries, statements, accrued_through, payoff_date, charged = account
    accrued = accrue(
        entries=entries,
        statements=statements,
        terms=product,
        start=accrued_through - timedelta(days=20),
        end=payoff_date,
        fees_charged_for=charged,
    )
    fee_cycles = [a.statement_cycle_date for a in accrued if a.kind == "late_fee"]
    assert len(fee_cycles) == len(set(fee_cycles))
    assert not set(fee_cycles) & charged
    assert all(a.amount > 0 for a in accrued)
    days = [a.posting_date for a in accrued if a.kind == "interest"]
    assert len(days) == len(set(days))


def test_no_interest_accrues_on_the_days_a_plan_stops_it_and_the_quote_projects_none():
    stops = ((date(2026, 2, 20), date(2026, 2, 24)),)
    charged = accrue(entries=[BOUGHT], statements=[FEBRUARY], terms=TERMS,
                     start=date(2026, 2, 15), end=date(2026, 2, 28), interest_stops=stops)
    days = {a.posting_date for a in charged if a.kind == "interest"}
    assert days == ({date(2026, 2, 15) + timedelta(days=n) for n in range(14)}
                    - {date(2026, 2, 20) + timedelta(days=n) for n in range(5)})
    assert any(a.kind == "late_fee" for a in charged)  # fees are not stopped
    open_ended = ((date(2026, 2, 15), None),)
    quote = payoff_quote(entries=[BOUGHT], statements=[FEBRUARY], terms=TERMS,
                         accrued_through=date(2026, 2, 14), payoff_date=date(2026, 3, 31),
                         interest_stops=open_ended)
    assert quote.projected_interest == 0 and quote.interest == 0
