"""Plan schedules: exact sums, month-end dates, the 60-month ceiling and the annualised rate."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.rules.plans import PlanError, add_months, equal_parts, monthly_irr, schedule

START = date(2026, 1, 31)


def test_instalments_are_equal_with_the_remainder_on_the_last():
    plan = schedule("personalised", 1_000_000, 0, 1, 3, START, waive_interest=True)
    assert [i.principal_minor for i in plan.instalments] == [333_333, 333_333, 333_335]
    assert plan.total_minor == 1_000_001
    assert plan.cost_minor == 0
    assert plan.apr == 0


def test_due_dates_keep_the_day_and_clamp_to_the_end_of_shorter_months():
    plan = schedule("personalised", 400_000, 0, 0, 4, START, waive_interest=True)
    assert [i.due_date for i in plan.instalments] == [
        date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)


def test_an_instalment_plan_charges_its_monthly_fee_on_the_amount_financed():
    plan = schedule("instalment", 1_200_000, 0, 0, 12, START, monthly_rate=Decimal("0.006"))
    assert {i.charge_minor for i in plan.instalments} == {7_200}
    assert plan.cost_minor == 86_400
    assert plan.total_minor == 1_286_400
    # A 0.6 % monthly fee on the original principal is about 13 % a year, not 7.2 %.
    assert Decimal("0.129") < plan.apr < Decimal("0.132")


def test_the_annualised_rate_is_the_internal_rate_of_return_times_twelve():
    plan = schedule("instalment", 1_200_000, 0, 0, 12, START, monthly_rate=Decimal("0.006"))
    rate = plan.apr / 12
    present = sum(Decimal(i.amount_minor) / (1 + rate) ** i.seq for i in plan.instalments)
    assert abs(present - plan.financed_minor) < 100  # within a yuan at rounded 4 decimals


def test_personalised_interest_runs_on_the_principal_still_owed():
    plan = schedule("personalised", 300_000, 0, 0, 3, START, monthly_rate=Decimal("0.01"))
    assert [i.charge_minor for i in plan.instalments] == [3_000, 2_000, 1_000]
    assert plan.apr == Decimal("0.1200")


def test_an_extension_is_one_payment_with_interest_continuing():
    plan = schedule("extension", 100_000, 5_000, 2_000, 3, START, monthly_rate=Decimal("0.015"))
    (only,) = plan.instalments
    assert only.due_date == date(2026, 4, 30)
    assert only.principal_minor == 107_000
    assert only.charge_minor == 4_815  # 107,000 × 1.5 % × 3, half up


def test_a_down_payment_is_instalment_zero_on_the_start_date():
    plan = schedule("personalised", 1_000_000, 0, 0, 10, START, waive_interest=True,
                    down_payment_minor=100_000)
    assert plan.instalments[0].seq == 0 and plan.instalments[0].due_date == START
    assert plan.financed_minor == 900_000
    assert plan.total_minor == 1_000_000


@pytest.mark.parametrize("kind", ["instalment", "personalised"])
def test_more_than_60_months_is_refused(kind):
    with pytest.raises(PlanError, match="at most 60 months"):
        schedule(kind, 1_000_000, 0, 0, 61, START)


def test_an_extension_runs_at_most_six_months():
    with pytest.raises(PlanError, match="1 to 6 months"):
        schedule("extension", 1_000_000, 0, 0, 7, START)


@pytest.mark.parametrize("down_payment", [1_000_000, 2_000_000, -1])
def test_a_down_payment_must_leave_something_to_plan_and_not_be_negative(down_payment):
    with pytest.raises(PlanError):
        schedule("personalised", 1_000_000, 0, 0, 12, START, down_payment_minor=down_payment)


def test_an_unknown_kind_is_refused():
    with pytest.raises(PlanError, match="Unknown plan kind"):
        schedule("balloon", 1_000_000, 0, 0, 12, START)


def test_no_cost_means_no_rate():
    assert monthly_irr(100, [(1, 50), (2, 50)]) == 0


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["extension", "instalment", "personalised"]),
    principal=st.integers(1, 10**10), interest=st.integers(0, 10**8),
    fees=st.integers(0, 10**7), months=st.integers(1, 60),
    rate=st.decimals(0, "0.03", places=4), waive=st.booleans(),
    down_share=st.integers(0, 90),
    start=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
)
def test_schedules_add_up_exactly(kind, principal, interest, fees, months, rate, waive,
                                  down_share, start):
    months = min(months, 6) if kind == "extension" else months
    owed = principal + interest + fees
    down = owed * down_share // 100
    plan = schedule(kind, principal, interest, fees, months, start, monthly_rate=rate,
                    waive_interest=waive, down_payment_minor=down)
    assert sum(i.principal_minor for i in plan.instalments) == owed
    assert plan.total_minor == owed + plan.cost_minor
    assert sum(i.amount_minor for i in plan.instalments) == plan.total_minor
    assert all(i.principal_minor >= 0 and i.charge_minor >= 0 for i in plan.instalments)
    dates = [i.due_date for i in plan.instalments]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert plan.apr >= 0
    if plan.cost_minor == 0:
        assert plan.apr == 0


@given(total=st.integers(0, 10**12), count=st.integers(1, 60))
def test_equal_parts_differ_only_on_the_last(total, count):
    parts = equal_parts(total, count)
    assert sum(parts) == total and len(set(parts[:-1])) <= 1 and parts[-1] >= parts[0]
