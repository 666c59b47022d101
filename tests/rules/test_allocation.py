"""A payment is split over fees, interest and principal in the product's order."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.rules.allocation import (
    COMPONENTS,
    AllocationOrderError,
    Balances,
    allocate,
    parse_allocation_order,
)

OWED = Balances(principal=500_000, interest=20_000, fees=30_000)


def test_a_payment_pays_fees_then_interest_then_principal_by_default():
    assert allocate(100_000, OWED) == {"fees": 30_000, "interest": 20_000, "principal": 50_000}


def test_a_small_payment_only_reaches_the_first_components():
    assert allocate(40_000, OWED) == {"fees": 30_000, "interest": 10_000, "principal": 0}


def test_a_product_can_pay_principal_first():
    order = ("principal", "interest", "fees")
    assert allocate(510_000, OWED, order) == {"fees": 0, "interest": 10_000, "principal": 500_000}


def test_an_overpayment_becomes_a_credit_on_principal():
    parts = allocate(600_000, OWED)
    assert parts == {"fees": 30_000, "interest": 20_000, "principal": 550_000}
    assert OWED.plus({c: -v for c, v in parts.items()}) == Balances(principal=-50_000)


def test_a_component_in_credit_takes_nothing():
    assert allocate(1_000, Balances(principal=5_000, fees=-300)) == {
        "fees": 0,
        "interest": 0,
        "principal": 1_000,
    }


def test_a_negative_payment_is_refused():
    with pytest.raises(ValueError, match="negative"):
        allocate(-1, OWED)


@pytest.mark.parametrize(
    "order",
    [
        ("fees", "fees", "principal"),
        ("fees", "interest"),
        ("fees", "interest", "principal", "x"),
        ("fees", "interest", "penalty"),
    ],
)
def test_an_order_that_does_not_name_each_component_once_is_refused(order):
    # ("fees", "fees", "principal") used to pay the fees twice over
    with pytest.raises(AllocationOrderError):
        allocate(100, Balances(fees=50, principal=1_000), order)


def test_parse_allocation_order_reads_the_product_setting():
    assert parse_allocation_order(" interest, fees ,principal") == ("interest", "fees", "principal")
    with pytest.raises(AllocationOrderError, match="once"):
        parse_allocation_order("fees,fees,principal")
    with pytest.raises(AllocationOrderError):
        parse_allocation_order("")


component_amounts = st.integers(min_value=-(10**7), max_value=10**9)
balances = st.builds(
    Balances, principal=component_amounts, interest=component_amounts, fees=component_amounts
)
orders = st.permutations(COMPONENTS).map(tuple)


@settings(max_examples=200)
@given(amount=st.integers(min_value=0, max_value=2 * 10**9), owed=balances, order=orders)
def test_allocation_neither_creates_nor_loses_a_cent(amount, owed, order):
    parts = allocate(amount, owed, order)
    assert sum(parts.values()) == amount
    assert all(part >= 0 for part in parts.values())
    for component in ("fees", "interest"):
        assert parts[component] <= max(owed.get(component), 0)
    after = owed.plus({c: -v for c, v in parts.items()})
    assert after.total == owed.total - amount
    for component in COMPONENTS:
        assert after.get(component) <= owed.get(component)


@settings(max_examples=200)
@given(amount=st.integers(min_value=0, max_value=2 * 10**9), owed=balances, order=orders)
def test_a_component_is_paid_only_once_those_before_it_are_paid_off(amount, owed, order):
    parts = allocate(amount, owed, order)
    for position, component in enumerate(order):
        if parts[component] > 0:
            for earlier in order[:position]:
                assert parts[earlier] >= max(owed.get(earlier), 0)
    leftover = amount - sum(max(owed.get(c), 0) for c in COMPONENTS)
    if leftover > 0:
        assert parts["principal"] == max(owed.principal, 0) + leftover
