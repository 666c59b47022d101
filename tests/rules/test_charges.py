"""Minimum payment, daily overdue interest and the late fee (违约金)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.rules.charges import ProductTerms, daily_interest, late_fee, minimum_payment

TERMS = ProductTerms()  # 0.05% a day, 5% late fee, 10% of principal, floor 100.00


def minimum(principal=0, interest=0, fees=0, past_due=0, terms=TERMS) -> int:
    return minimum_payment(
        principal=principal, interest=interest, fees=fees, past_due=past_due, terms=terms
    )


def test_minimum_is_a_tenth_of_the_principal():
    assert minimum(principal=500_000) == 50_000


def test_minimum_adds_all_interest_and_fees():
    assert minimum(principal=500_000, interest=3_000, fees=5_000) == 58_000


def test_minimum_includes_what_is_past_due_and_takes_the_share_on_the_rest():
    # 10% of (5,000.00 - 1,000.00) + the 1,000.00 still past due
    assert minimum(principal=500_000, past_due=100_000) == 140_000


def test_minimum_is_at_least_the_floor():
    assert minimum(principal=20_000) == 10_000


def test_minimum_is_never_above_the_balance():
    assert minimum(principal=5_000) == 5_000
    assert minimum(principal=5_000, interest=100, fees=200, past_due=5_000) == 5_300


def test_nothing_is_due_on_a_zero_or_credit_balance():
    assert minimum(principal=0) == 0
    assert minimum(principal=-20_000, fees=500) == 0


def test_minimum_share_rounds_half_up():
    terms = ProductTerms(min_payment_rate=Decimal("0.10"), min_payment_floor=0)
    assert minimum(principal=12_345, terms=terms) == 1_235  # 1234.5 -> 1235
    assert minimum(principal=12_344, terms=terms) == 1_234


def test_a_credit_in_interest_or_fees_does_not_lower_the_minimum():
    assert minimum(principal=500_000, interest=-1_000, fees=-500) == 50_000


@pytest.mark.parametrize(
    ("principal", "interest"),
    [(12_345, 6), (13_000, 7), (100_000, 50), (1, 0), (1_000, 1), (999, 0), (0, 0), (-5_000, 0)],
)
def test_daily_interest_is_half_a_per_mille_rounded_half_up(principal, interest):
    # 0.05% of 123.45 = 6.1725 fen -> 6; of 130.00 = 6.5 fen -> 7; nothing on a credit
    assert daily_interest(principal, TERMS) == interest


def test_late_fee_is_a_share_of_the_unpaid_minimum():
    assert late_fee(10_000, TERMS) == 500
    assert late_fee(12_350, TERMS) == 618  # 617.5 -> 618


def test_late_fee_has_a_minimum_and_a_cap():
    terms = ProductTerms(late_fee_min=1_000, late_fee_max=5_000)
    assert late_fee(10_000, terms) == 1_000
    assert late_fee(50_000, terms) == 2_500
    assert late_fee(1_000_000, terms) == 5_000


def test_no_late_fee_within_the_tolerance():
    terms = ProductTerms(past_due_tolerance=1_000, late_fee_min=1_000)
    assert late_fee(0, TERMS) == 0
    assert late_fee(1_000, terms) == 0
    assert late_fee(1_001, terms) == 1_000


rates = st.decimals(min_value=0, max_value=Decimal("0.5"), places=4)
amounts = st.integers(min_value=-(10**9), max_value=10**9)


@settings(max_examples=150)
@given(
    principal=amounts,
    interest=amounts,
    fees=amounts,
    past_due=st.integers(min_value=0, max_value=10**9),
    rate=rates,
    floor=st.integers(min_value=0, max_value=10**6),
)
def test_minimum_is_between_the_floor_and_the_balance(
    principal, interest, fees, past_due, rate, floor
):
    terms = ProductTerms(min_payment_rate=rate, min_payment_floor=floor)
    due = minimum(principal=principal, interest=interest, fees=fees, past_due=past_due, terms=terms)
    balance = principal + interest + fees
    if balance <= 0:
        assert due == 0
    else:
        assert min(floor, balance) <= due <= balance
        assert due >= min(max(past_due, 0) + max(interest, 0) + max(fees, 0), balance)


@settings(max_examples=150)
@given(
    unpaid=st.integers(min_value=0, max_value=10**9),
    rate=rates,
    fee_min=st.integers(min_value=0, max_value=10**5),
    extra=st.integers(min_value=0, max_value=10**6),
    tolerance=st.integers(0, 10**4),
)
def test_late_fee_stays_within_its_bounds(unpaid, rate, fee_min, extra, tolerance):
    terms = ProductTerms(
        late_fee_rate=rate,
        late_fee_min=fee_min,
        late_fee_max=fee_min + extra,
        past_due_tolerance=tolerance,
    )
    fee = late_fee(unpaid, terms)
    if unpaid <= tolerance:
        assert fee == 0
    else:
        assert fee_min <= fee <= fee_min + extra


@settings(max_examples=150)
@given(principal=st.integers(min_value=-(10**12), max_value=10**12), rate=rates)
def test_daily_interest_is_the_rounded_exact_product(principal, rate):
    interest = daily_interest(principal, ProductTerms(daily_interest_rate=rate))
    if principal <= 0:
        assert interest == 0
    else:
        exact = Decimal(principal) * rate
        assert abs(Decimal(interest) - exact) <= Decimal("0.5")
        assert Decimal(interest) - exact != Decimal("-0.5")  # a half goes up, never down
