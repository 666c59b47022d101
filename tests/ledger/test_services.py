"""The ledger services against a real database: payments, reversals, idempotency, the cycle."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.batch.models import Decision
from arrears.ledger.cycle import cycle_run
from arrears.ledger.models import AccountPosition, BucketChange, CycleRun, Posting
from arrears.ledger.selectors import account_summary
from arrears.ledger.services import (
    CycleError,
    PostingRejected,
    PostingRequest,
    payment_post,
    posting_create,
    reversal_post,
)
from arrears.scoring.services import scorecard_ensure_default
from arrears.strategy.services import strategy_ensure_default
from tests.factories import make_statement

pytestmark = pytest.mark.django_db

JAN20, FEB14 = date(2026, 1, 20), date(2026, 2, 14)


def purchase(account, amount, on=date(2026, 1, 5), external_id="P1"):
    request = PostingRequest(account, external_id, "purchase", amount, on, on)
    return posting_create(request=request, source="import")[0]


@pytest.fixture
def billed(account):
    """An account with a 1,000.00 purchase and a statement asking 100.00 by 14 February."""
    purchase(account, 100_000)
    make_statement(account=account, cycle_date=JAN20, due_date=FEB14, balance=100_000,
                   minimum=10_000)
    return account


def test_unpaid_minimum_makes_the_account_past_due(billed):
    summary = account_summary(account=billed, as_of=date(2026, 3, 1))
    assert summary.delinquency.days_past_due == 15
    assert summary.delinquency.bucket == "M1"
    assert summary.balances.total == 100_000


def test_payment_of_the_minimum_on_the_due_date_keeps_the_account_current(billed):
    payment_post(account=billed, external_id="PAY1", amount_minor=10_000, posting_date=FEB14)
    summary = account_summary(account=billed, as_of=date(2026, 3, 1))
    assert summary.delinquency.days_past_due == 0
    assert summary.balances.total == 90_000


def test_a_repeated_payment_is_booked_once_and_returns_the_first_result(billed):
    first, created = payment_post(account=billed, external_id="PAY1", amount_minor=10_000,
                                  posting_date=FEB14)
    again, created_again = payment_post(account=billed, external_id="PAY1",
                                        amount_minor=10_000, posting_date=FEB14)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Posting.objects.filter(kind="payment").count() == 1


def test_same_external_id_with_another_amount_is_a_conflict(billed):
    payment_post(account=billed, external_id="PAY1", amount_minor=10_000, posting_date=FEB14)
    with pytest.raises(PostingRejected) as error:
        payment_post(account=billed, external_id="PAY1", amount_minor=9_000, posting_date=FEB14)
    assert error.value.code == "conflict"


def test_a_bounced_payment_reversed_re_ages_the_account(billed):
    payment_post(account=billed, external_id="PAY1", amount_minor=10_000, posting_date=FEB14)
    reversal_post(external_id="REV1", reverses_external_id="PAY1",
                  posting_date=date(2026, 2, 20), reason="cheque returned")
    summary = account_summary(account=billed, as_of=date(2026, 3, 1))
    assert summary.delinquency.days_past_due == 15
    assert summary.balances.total == 100_000
    with pytest.raises(PostingRejected) as error:
        reversal_post(external_id="REV2", reverses_external_id="PAY1",
                      posting_date=date(2026, 2, 21), reason="again")
    assert error.value.code == "already_reversed"


def test_a_waiver_larger_than_the_fees_owed_is_rejected(billed):
    request = PostingRequest(billed, "W1", "waiver", 500, date(2026, 2, 1), date(2026, 2, 1),
                             component="fees")
    with pytest.raises(PostingRejected) as error:
        posting_create(request=request, source="web")
    assert error.value.code == "invalid_posting"
    assert not Posting.objects.filter(external_id="W1").exists()


def test_cycle_posts_interest_and_late_fee_and_is_idempotent(billed):
    cycle_run(as_of=date(2026, 2, 14))
    run = cycle_run(as_of=date(2026, 2, 16))
    assert run.interest_postings == 2  # 15 and 16 February, 0.05% of 1,000.00 = 0.50 each
    assert run.fee_postings == 1       # 5% of the unpaid 100.00 minimum, on 15 February
    interest = Posting.objects.filter(kind="interest")
    assert sorted(p.amount_minor for p in interest) == [50, 50]
    assert Posting.objects.get(kind="late_fee").amount_minor == 500
    position = AccountPosition.objects.get(account=billed)
    assert (position.bucket, position.days_past_due) == ("M1", 2)
    assert position.balance_minor == 100_000 + 100 + 500
    again = cycle_run(as_of=date(2026, 2, 16))
    assert (again.interest_postings, again.fee_postings) == (0, 0)
    assert Posting.objects.count() == 4
    assert BucketChange.objects.filter(account=billed).count() == 1


def test_cycle_without_a_live_strategy_ages_but_says_no_decision_was_made(billed):
    with pytest.raises(CommandError, match="no decisions were made"):
        call_command("cycle", "--as-of", "2026-03-01")
    assert AccountPosition.objects.get(account=billed).bucket == "M1"
    call_command("cycle", "--as-of", "2026-03-02", "--no-decisions")
    assert not Decision.objects.exists()


def test_cycle_refuses_an_earlier_date(billed):
    cycle_run(as_of=date(2026, 2, 16))
    with pytest.raises(CycleError):
        cycle_run(as_of=date(2026, 2, 15))


def test_paying_the_payoff_quote_after_the_cycles_leaves_zero(billed):
    cycle_run(as_of=date(2026, 2, 14))
    payoff_on = date(2026, 3, 10)
    quote = account_summary(account=billed, as_of=date(2026, 2, 14), payoff_date=payoff_on).payoff
    cycle_run(as_of=payoff_on)
    payment_post(account=billed, external_id="PAYOFF", amount_minor=quote.total,
                 posting_date=payoff_on)
    assert account_summary(account=billed, as_of=payoff_on).balances.total == 0


def test_cycle_command_ages_then_decides_and_rejects_a_bad_date(billed, capsys):
    scorecard_ensure_default()
    strategy_ensure_default()
    call_command("cycle", "--as-of", "2026-03-01")
    out = capsys.readouterr().out
    assert "M1" in out
    assert CycleRun.objects.count() == 1
    decision = Decision.objects.get(account=billed)
    assert decision.run.as_of == date(2026, 3, 1) and decision.rule_id
    assert decision.treatment in out
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("cycle", "--as-of", "01/03/2026")
