"""Promise outcomes from the payments received: kept, partly kept, broken, pending."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from arrears.rules.promises import promise_evaluation, promise_outcome

DUE = date(2026, 3, 10)
TAKEN = date(2026, 3, 1)


def outcome(payments, as_of=None, grace=2):
    return promise_outcome(50_000, DUE, payments, grace, as_of=as_of, taken_on=TAKEN)


def test_paid_in_full_by_the_due_date_is_kept():
    assert outcome([(date(2026, 3, 9), 50_000)]) == "kept"


def test_several_payments_that_add_up_keep_the_promise_even_before_it_is_due():
    assert outcome([(date(2026, 3, 2), 20_000), (date(2026, 3, 4), 30_000)],
                   as_of=date(2026, 3, 4)) == "kept"


def test_paid_within_the_grace_days_is_kept():
    assert outcome([(date(2026, 3, 12), 50_000)]) == "kept"


def test_before_the_deadline_an_unpaid_promise_is_pending():
    assert outcome([(date(2026, 3, 2), 10_000)], as_of=date(2026, 3, 12)) == "pending"


def test_part_paid_by_the_deadline_is_partly_kept():
    assert outcome([(date(2026, 3, 5), 10_000)], as_of=date(2026, 3, 13)) == "partly_kept"


def test_nothing_paid_by_the_deadline_is_broken():
    assert outcome([], as_of=date(2026, 3, 13)) == "broken"


def test_a_late_payment_does_not_keep_a_broken_promise_but_is_reported():
    result = promise_evaluation(50_000, DUE, [(date(2026, 3, 20), 50_000)], 2,
                                as_of=date(2026, 3, 21), taken_on=TAKEN)
    assert (result.status, result.paid_minor, result.paid_late_minor) == ("broken", 0, 50_000)


def test_payments_before_the_promise_was_taken_do_not_count():
    assert outcome([(date(2026, 2, 28), 50_000)], as_of=date(2026, 3, 13)) == "broken"


def test_payments_after_the_evaluation_date_are_not_seen_yet():
    assert outcome([(date(2026, 3, 9), 50_000)], as_of=date(2026, 3, 8)) == "pending"


payments = st.lists(st.tuples(st.dates(date(2026, 3, 1), date(2026, 4, 30)),
                              st.integers(1, 60_000)), max_size=6)


@given(payments=payments, days=st.integers(0, 60), grace=st.integers(0, 5))
def test_more_time_never_turns_a_kept_promise_into_anything_else(payments, days, grace):
    as_of = TAKEN + timedelta(days=days)
    if outcome(payments, as_of, grace) == "kept":
        assert outcome(payments, as_of + timedelta(days=1), grace) == "kept"
        assert outcome(payments, None, grace) == "kept"


@given(payments=payments, grace=st.integers(0, 5))
def test_after_the_deadline_the_outcome_is_final_and_adds_up(payments, grace):
    result = promise_evaluation(50_000, DUE, payments, grace, taken_on=TAKEN)
    assert result.status in ("kept", "partly_kept", "broken")
    assert result.paid_minor + result.paid_late_minor == sum(a for _d, a in payments)
    assert (result.status == "broken") == (result.paid_minor == 0)
