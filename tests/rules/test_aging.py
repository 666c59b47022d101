"""Days past due, cycles delinquent and buckets (账龄)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.rules.aging import (
    BUCKET_CODES,
    Bucket,
    Payment,
    StatementDue,
    bucket_for,
    delinquency,
    open_obligations,
)
from arrears.rules.ledger import Entry, payments_net_of_reversals
from tests.rules.strategies import day, payments, statement_schedules

FEBRUARY = StatementDue(date(2026, 1, 20), date(2026, 2, 14), 10_000)
MARCH = StatementDue(date(2026, 2, 20), date(2026, 3, 14), 25_000)  # includes February's 100.00


def test_an_unpaid_minimum_is_15_days_past_due_two_weeks_after_its_due_date():
    late = delinquency([FEBRUARY], [], date(2026, 3, 1))
    assert late.days_past_due == 15
    assert late.bucket == "M1"
    assert late.past_due_amount == 10_000
    assert late.oldest_unpaid_due_date == date(2026, 2, 14)
    assert late.cycles_delinquent == 1


def test_the_due_date_itself_is_not_late_and_the_day_after_is():
    assert delinquency([FEBRUARY], [], date(2026, 2, 14)).days_past_due == 0
    assert delinquency([FEBRUARY], [], date(2026, 2, 15)).days_past_due == 1


def test_nothing_is_late_before_the_statement_is_cut():
    assert delinquency([FEBRUARY], [], date(2026, 1, 19)).past_due_amount == 0


def test_paying_the_full_minimum_on_the_due_date_keeps_the_account_current():
    late = delinquency([FEBRUARY], [Payment(date(2026, 2, 14), 10_000)], date(2026, 3, 1))
    assert (late.days_past_due, late.bucket, late.past_due_amount) == (0, "M0", 0)
    assert late.oldest_unpaid_due_date is None


def test_a_partial_payment_leaves_the_rest_past_due_from_the_due_date():
    late = delinquency([FEBRUARY], [Payment(date(2026, 2, 10), 6_000)], date(2026, 3, 1))
    assert (late.days_past_due, late.past_due_amount) == (15, 4_000)


def test_a_late_payment_cures_the_account_from_the_day_it_is_paid():
    paid = [Payment(date(2026, 2, 20), 10_000)]
    assert delinquency([FEBRUARY], paid, date(2026, 2, 19)).days_past_due == 5
    assert delinquency([FEBRUARY], paid, date(2026, 2, 20)).days_past_due == 0


def test_a_bounced_payment_re_ages_the_account_to_the_original_due_date():
    entries = [
        Entry(1, "purchase", 100_000, date(2026, 1, 5)),
        Entry(2, "payment", 10_000, date(2026, 2, 14)),
        Entry(3, "reversal", 10_000, date(2026, 2, 20), reverses=2),
    ]

    def late_on(as_of: date):
        net = payments_net_of_reversals(entries, as_of + timedelta(days=1))
        return delinquency([FEBRUARY], [Payment(d, a) for d, a in net], as_of)

    assert late_on(date(2026, 2, 19)).days_past_due == 0
    bounced = late_on(date(2026, 2, 20))
    assert (bounced.days_past_due, bounced.past_due_amount) == (6, 10_000)
    assert bounced.oldest_unpaid_due_date == date(2026, 2, 14)


def test_the_new_obligation_of_a_statement_is_its_minimum_less_what_is_already_past_due():
    obligations = open_obligations([FEBRUARY, MARCH], [], date(2026, 3, 1))
    assert [(o.due_date, o.remaining) for o in obligations] == [
        (date(2026, 2, 14), 10_000),
        (date(2026, 3, 14), 15_000),
    ]
    late = delinquency([FEBRUARY, MARCH], [], date(2026, 3, 15))
    assert late.past_due_amount == 25_000  # not 350.00: March's minimum already holds February's
    assert late.cycles_delinquent == 2
    assert (late.days_past_due, late.bucket) == (29, "M1")
    assert delinquency([FEBRUARY, MARCH], [], date(2026, 3, 16)).bucket == "M2"


def test_a_statement_whose_minimum_is_all_carried_over_adds_no_new_obligation():
    small = StatementDue(date(2026, 2, 20), date(2026, 3, 14), 8_000)
    obligations = open_obligations([FEBRUARY, small], [], date(2026, 3, 1))
    assert [o.remaining for o in obligations] == [10_000, 0]


def test_payments_settle_the_oldest_obligation_first():
    paid = [Payment(date(2026, 3, 1), 10_000)]
    late = delinquency([FEBRUARY, MARCH], paid, date(2026, 3, 20))
    assert late.oldest_unpaid_due_date == date(2026, 3, 14)
    assert (late.days_past_due, late.past_due_amount, late.cycles_delinquent) == (6, 15_000, 1)


def test_a_payment_on_a_cycle_date_counts_towards_the_earlier_statements():
    obligations = open_obligations(
        [FEBRUARY, MARCH], [Payment(date(2026, 2, 20), 10_000)], date(2026, 3, 1)
    )
    assert [o.remaining for o in obligations] == [0, 25_000]


def test_paying_ahead_reduces_no_future_minimum():
    late = delinquency([FEBRUARY], [Payment(date(2026, 1, 10), 50_000)], date(2026, 2, 15))
    assert late.days_past_due == 1


def test_payments_dated_after_the_as_of_date_are_not_seen():
    late = delinquency([FEBRUARY], [Payment(date(2026, 3, 2), 10_000)], date(2026, 3, 1))
    assert late.days_past_due == 15


def test_an_unpaid_remainder_within_the_tolerance_counts_as_paid():
    late = delinquency(
        [FEBRUARY], [Payment(date(2026, 2, 14), 9_500)], date(2026, 3, 1), tolerance=1_000
    )
    assert (late.days_past_due, late.bucket, late.past_due_amount) == (0, "M0", 500)


def test_a_small_remainder_from_last_cycle_does_not_throw_the_account_two_buckets():
    # 5.00 of February left within a 10.00 tolerance, then March not paid at all: the
    # account is one day late on 15 March, not 29 days (it used to be counted from February).
    paid = [Payment(date(2026, 2, 14), 9_500)]
    late = delinquency([FEBRUARY, MARCH], paid, date(2026, 3, 15), tolerance=1_000)
    assert (late.days_past_due, late.bucket) == (1, "M1")
    assert late.past_due_amount == 25_000
    assert late.oldest_unpaid_due_date == date(2026, 3, 14)
    assert late.cycles_delinquent == 1


def test_a_minimum_not_yet_due_when_the_next_statement_is_cut_is_not_carried_into_it():
    long_grace = StatementDue(date(2026, 1, 1), date(2026, 2, 20), 10_000)
    next_one = StatementDue(date(2026, 2, 1), date(2026, 2, 25), 12_000)
    obligations = open_obligations([long_grace, next_one], [], date(2026, 2, 1))
    assert [o.remaining for o in obligations] == [10_000, 12_000]


def test_days_past_due_count_from_the_earliest_due_date_whatever_the_statement_order():
    early_due = StatementDue(date(2026, 2, 1), date(2026, 2, 5), 10_000)
    late_due = StatementDue(date(2026, 1, 1), date(2026, 2, 20), 10_000)
    late = delinquency([late_due, early_due], [], date(2026, 2, 21))
    assert late.oldest_unpaid_due_date == date(2026, 2, 5)
    assert late.days_past_due == 16


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "M0"),
        (1, "M1"),
        (29, "M1"),
        (30, "M2"),
        (59, "M2"),
        (60, "M3"),
        (89, "M3"),
        (90, "M4"),
        (119, "M4"),
        (120, "M5"),
        (149, "M5"),
        (150, "M6"),
        (179, "M6"),
        (180, "M7+"),
        (181, "M7+"),
        (2_000, "M7+"),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert bucket_for(days) == bucket


def test_buckets_are_data_a_product_can_change():
    assert bucket_for(45, (Bucket("current", 0), Bucket("late", 1), Bucket("severe", 40))) == (
        "severe"
    )


def test_negative_days_have_no_bucket():
    with pytest.raises(ValueError, match="negative"):
        bucket_for(-1)


tolerances = st.sampled_from([0, 0, 100, 1_000, 5_000])
AGING_DAYS = 220


def daily_aging(statements, paid, tolerance):
    return [
        delinquency(statements, paid, day(offset), tolerance=tolerance)
        for offset in range(AGING_DAYS)
    ]


@settings(max_examples=60, deadline=None)
@given(statements=statement_schedules(), tolerance=tolerances)
def test_while_nothing_is_paid_aging_moves_one_day_at_a_time(statements, tolerance):
    history = daily_aging(statements, [], tolerance)
    for today, tomorrow in zip(history, history[1:], strict=False):
        if today.days_past_due == 0:
            assert tomorrow.days_past_due in (0, 1)
        else:
            assert tomorrow.days_past_due == today.days_past_due + 1
        step = BUCKET_CODES.index(tomorrow.bucket) - BUCKET_CODES.index(today.bucket)
        assert step in (0, 1)
        assert tomorrow.past_due_amount >= today.past_due_amount


@settings(max_examples=60, deadline=None)
@given(
    statements=statement_schedules(),
    paid=st.lists(payments, max_size=5),
    extra=payments,
    tolerance=tolerances,
)
def test_adding_a_payment_never_makes_the_account_later(statements, paid, extra, tolerance):
    """Only lateness is monotonic. The past-due amount is not: statements are fixed data, and
    a payment that clears an old minimum turns the part of a later minimum that carried it
    into a new obligation of its own."""
    without = daily_aging(statements, paid, tolerance)
    with_extra = daily_aging(statements, [*paid, extra], tolerance)
    for before, after in zip(without, with_extra, strict=True):
        assert after.days_past_due <= before.days_past_due


@settings(max_examples=100)
@given(
    statements=statement_schedules(),
    paid=st.lists(payments, max_size=5),
    offset=st.integers(0, AGING_DAYS),
    tolerance=tolerances,
)
def test_the_reported_aging_is_self_consistent(statements, paid, offset, tolerance):
    as_of = day(offset)
    late = delinquency(statements, paid, as_of, tolerance=tolerance)
    assert late.bucket == bucket_for(late.days_past_due)
    if late.days_past_due:
        assert late.oldest_unpaid_due_date + timedelta(days=late.days_past_due) == as_of
        assert late.past_due_amount > tolerance
        assert late.cycles_delinquent >= 1
    else:
        assert late.past_due_amount <= tolerance
        assert late.cycles_delinquent == 0
    owed = sum(s.minimum_due for s in statements if s.due_date < as_of)
    assert 0 <= late.past_due_amount <= owed


@settings(max_examples=100)
@given(
    statements=statement_schedules(),
    paid=st.lists(payments, max_size=5),
    offset=st.integers(0, AGING_DAYS),
    permutation=st.randoms(use_true_random=False),
)
def test_the_order_payments_arrive_in_does_not_matter(statements, paid, offset, permutation):
    shuffled = list(paid)
    permutation.shuffle(shuffled)
    as_of = day(offset)
    assert delinquency(statements, paid, as_of) == delinquency(statements, shuffled, as_of)
