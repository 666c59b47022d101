"""Balances folded from the append-only ledger; a reversal undoes exactly its target."""

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from arrears.rules.allocation import COMPONENTS, DEFAULT_ALLOCATION_ORDER, Balances
from arrears.rules.ledger import (
    Entry,
    LedgerError,
    fold,
    fold_order,
    payments_net_of_reversals,
)
from tests.rules.strategies import day, ledgers

JAN = date(2026, 1, 5)
FEB = date(2026, 2, 14)
SPENT = [
    Entry(1, "purchase", 100_000, JAN),
    Entry(2, "cash", 20_000, JAN),
    Entry(3, "interest", 3_000, FEB),
    Entry(4, "late_fee", 5_000, FEB),
]


def balances(entries, order=DEFAULT_ALLOCATION_ORDER, **kwargs) -> Balances:
    return fold(entries, order, **kwargs).balances


def test_charges_land_on_their_component():
    assert balances(SPENT) == Balances(principal=120_000, interest=3_000, fees=5_000)


def test_a_payment_is_split_in_the_product_order():
    paid = [*SPENT, Entry(5, "payment", 10_000, FEB)]
    assert balances(paid) == Balances(principal=118_000, interest=0, fees=0)
    principal_first = ("principal", "interest", "fees")
    assert balances(paid, principal_first) == Balances(
        principal=110_000, interest=3_000, fees=5_000
    )


def test_a_bounced_payment_puts_back_exactly_what_it_paid():
    paid = [*SPENT, Entry(5, "payment", 10_000, FEB)]
    bounced = [*paid, Entry(6, "reversal", 10_000, date(2026, 2, 20), reverses=5)]
    assert balances(bounced) == balances(SPENT)


def test_a_fee_charged_in_error_is_reversed():
    assert balances([*SPENT, Entry(5, "reversal", 5_000, FEB, reverses=4)]).fees == 0


def test_waiver_adjustment_and_write_off():
    entries = [
        *SPENT,
        Entry(5, "waiver", 2_000, FEB, component="fees"),
        Entry(6, "adjustment", -1_000, FEB, component="interest"),
        Entry(7, "adjustment", 500, FEB, component="principal"),
        Entry(8, "write_off", 125_500, FEB),
    ]
    assert balances(entries) == Balances(principal=0, interest=0, fees=0)


def test_a_ledger_folds_through_a_date():
    assert balances(SPENT, through=JAN) == Balances(principal=120_000)


def test_interest_of_a_day_is_folded_before_that_days_payment_whatever_the_key():
    entries = [
        Entry(1, "purchase", 100_000, JAN),
        Entry(2, "payment", 1_000, FEB),
        Entry(9, "interest", 1_000, FEB),
    ]
    assert balances(entries) == Balances(principal=100_000, interest=0)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (Entry(9, "reversal", 5_000, FEB, reverses=4), "already been reversed"),
        (Entry(9, "reversal", 5_000, FEB, reverses=77), "earlier posting"),
        (Entry(9, "waiver", 9_000, FEB, component="interest"), "cannot exceed the interest"),
        (Entry(9, "waiver", 100, FEB), "must name the component"),
        (Entry(9, "adjustment", 100, FEB, component="penalty"), "must name the component"),
        (Entry(9, "adjustment", 0, FEB, component="fees"), "cannot be zero"),
        (Entry(9, "write_off", 130_001, FEB), "cannot exceed what is owed"),
        (Entry(9, "payment", 0, FEB), "greater than zero"),
        (Entry(9, "purchase", -5, FEB), "greater than zero"),
        (Entry(9, "refund", 5, FEB), "unknown posting kind"),
    ],
)
def test_the_ledger_refuses_entries_it_cannot_take(entry, reason):
    reversed_fee = [*SPENT, Entry(5, "reversal", 5_000, FEB, reverses=4)]
    with pytest.raises(LedgerError, match=reason):
        fold([*reversed_fee, entry])


def test_a_reversal_cannot_come_before_its_target():
    with pytest.raises(LedgerError, match="earlier posting"):
        fold([Entry(2, "reversal", 100, JAN, reverses=1), Entry(1, "purchase", 100, FEB)])


def test_payments_net_of_reversals_drop_bounced_payments_from_the_bounce_on():
    entries = [
        Entry(1, "payment", 100, JAN),
        Entry(2, "payment", 200, JAN),
        Entry(3, "reversal", 200, FEB, reverses=2),
    ]
    assert payments_net_of_reversals(entries, FEB) == [(JAN, 100), (JAN, 200)]
    assert payments_net_of_reversals(entries, date(2026, 2, 15)) == [(JAN, 100)]
    assert payments_net_of_reversals(entries, JAN) == []


orders = st.permutations(COMPONENTS).map(tuple)
SIMPLE_KINDS = ("purchase", "cash", "interest", "late_fee", "payment", "adjustment")
DEBIT_KINDS = ("purchase", "cash", "interest", "late_fee")


@st.composite
def ledger_and_order(draw, kinds=None):
    order = draw(orders)
    return draw(ledgers(order=order, kinds=kinds)), order


@settings(max_examples=75)
@given(case=ledger_and_order(), shuffle=st.randoms(use_true_random=False))
def test_fold_does_not_depend_on_the_order_entries_arrive_in(case, shuffle):
    entries, order = case
    shuffled = list(entries)
    shuffle.shuffle(shuffled)
    folded, refolded = fold(entries, order), fold(shuffled, order)
    assert folded.balances == refolded.balances
    assert folded.effects == refolded.effects


@settings(max_examples=75)
@given(
    case=ledger_and_order(kinds=SIMPLE_KINDS),
    kind=st.sampled_from(DEBIT_KINDS),
    amount=st.integers(1, 100_000),
    posted=st.integers(0, 60),
    later=st.integers(0, 30),
)
def test_reversing_a_charge_restores_the_balances_as_if_it_never_was(
    case, kind, amount, posted, later
):
    entries, order = case
    charge = Entry(1_000, kind, amount, day(posted))
    reversal = Entry(1_001, "reversal", amount, day(posted + later), reverses=1_000)
    with_both = [*entries, charge, reversal]
    folded, without = balances(with_both, order), balances(entries, order)
    assert folded.total == without.total
    between = [
        e
        for e in entries
        if e.kind == "payment" and fold_order(charge) < fold_order(e) < fold_order(reversal)
    ]
    if not between:
        assert folded == without


@settings(max_examples=75)
@given(
    case=ledger_and_order(kinds=SIMPLE_KINDS),
    amount=st.integers(1, 300_000),
    posted=st.integers(0, 60),
    later=st.integers(0, 30),
)
def test_reversing_a_payment_restores_the_total_balance(case, amount, posted, later):
    entries, order = case
    payment = Entry(1_000, "payment", amount, day(posted))
    reversal = Entry(1_001, "reversal", amount, day(posted + later), reverses=1_000)
    assert balances([*entries, payment, reversal], order).total == balances(entries, order).total


@settings(max_examples=75)
@given(
    case=ledger_and_order(),
    kind=st.sampled_from(("purchase", "cash", "payment", "adjustment")),
    amount=st.integers(1, 300_000),
    posted=st.integers(0, 60),
)
def test_a_reversal_straight_after_its_target_leaves_every_balance_as_if_it_never_was(
    case, kind, amount, posted
):
    entries, order = case
    target = Entry(1_000, kind, amount, day(posted), component="fees")
    reversal = Entry(1_001, "reversal", amount, day(posted), reverses=1_000)
    assert balances([*entries, target, reversal], order) == balances(entries, order)


@settings(max_examples=75)
@given(case=ledger_and_order(), amount=st.integers(1, 500_000))
def test_a_payment_never_creates_money(case, amount):
    entries, order = case
    before = balances(entries, order)
    after = balances([*entries, Entry(1_000, "payment", amount, day(61))], order)
    assert after.total == before.total - amount
    for component in COMPONENTS:
        assert after.get(component) <= before.get(component)


@settings(max_examples=60)
@given(case=ledger_and_order(), through=st.integers(0, 60))
def test_folding_through_a_date_is_folding_what_was_posted_by_then(case, through):
    entries, order = case
    assume(entries)
    posted = [e for e in entries if e.posting_date <= day(through)]
    assert balances(entries, order, through=day(through)) == balances(posted, order)
