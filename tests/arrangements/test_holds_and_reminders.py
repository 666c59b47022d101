"""Compliance holds follow promises and personalised plans; reminders reach the outbox once."""

from datetime import timedelta

import pytest

from arrears.arrangements.evaluation import arrangements_evaluate
from arrears.arrangements.models import ApprovalRequest, Plan, PlanInstalment
from arrears.arrangements.services import (
    ArrangementError,
    account_today,
    approval_decide,
    plan_propose,
    promise_take,
)
from arrears.batch.snapshot import snapshot_row
from arrears.channels.models import OutboxMessage
from arrears.compliance.services import holds_active
from arrears.ledger.services import payment_post

DAY = timedelta(days=1)


def hold_kinds(account):
    return {h.kind for h in holds_active(account)}


def test_a_promise_holds_collection_until_it_is_kept(owing, users):
    today = account_today(owing)
    promise_take(owing, amount_minor=50_000, due_date=today + 5 * DAY, actor=users["collector"])
    assert hold_kinds(owing) == {"promise"}
    row = snapshot_row(owing, today)
    assert (row["promise_status"], row["hold"]) == ("active", "promise")
    payment_post(account=owing, external_id="P1", amount_minor=50_000, posting_date=today)
    arrangements_evaluate(today)
    assert hold_kinds(owing) == set()
    assert snapshot_row(owing, today)["promise_status"] == "kept"


def test_a_promise_reminder_is_queued_three_days_before_and_only_once(owing, users):
    today = account_today(owing)
    promise = promise_take(owing, amount_minor=50_000, due_date=today + 3 * DAY,
                           actor=users["collector"])
    arrangements_evaluate(today)
    arrangements_evaluate(today + DAY)
    message = OutboxMessage.objects.get()
    assert (message.idempotency_key, message.template_code, message.purpose) == (
        f"reminder:promise:{promise.pk}", "PROMISE-REMINDER", "reminder")


def test_a_personalised_plan_always_needs_approval_even_from_a_manager(owing, users):
    plan = plan_propose(owing, kind="personalised", months=48, actor=users["manager"],
                        waive_interest=True, recording_ref="REC-2026-0001")
    assert plan.status == Plan.Status.PENDING_APPROVAL
    request = ApprovalRequest.objects.get()
    with pytest.raises(ArrangementError, match="beyond your authority"):
        approval_decide(request, actor=users["team_lead"], approve=True)
    with pytest.raises(ArrangementError, match="own request"):
        approval_decide(request, actor=users["manager"], approve=True)


def test_a_current_personalised_plan_blocks_collection_until_breached(owing, users):
    today = account_today(owing)
    plan = plan_propose(owing, kind="personalised", months=48, actor=users["collector"],
                        waive_interest=True)
    approval_decide(ApprovalRequest.objects.get(), actor=users["manager"], approve=True)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    assert hold_kinds(owing) == {"plan"}
    first = PlanInstalment.objects.get(plan=plan, seq=1)
    arrangements_evaluate(first.due_date - 3 * DAY)
    assert OutboxMessage.objects.filter(template_code="PLAN-REMINDER").count() == 1
    arrangements_evaluate(first.due_date + 35 * DAY)  # COMPLIANCE.md case 20 (d)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.BREACHED
    assert hold_kinds(owing) == set()
    assert today <= plan.activated_on


def test_a_request_for_a_72_month_plan_is_refused(owing, users):
    with pytest.raises(ArrangementError, match="at most 60 months"):
        plan_propose(owing, kind="personalised", months=72, actor=users["manager"])


def test_a_plan_with_interest_stopped_accrues_no_interest_until_it_closes(owing, users):
    """No accrue-then-waive: the cycle posts no interest while the plan runs, so the
    evaluation has nothing to waive; once the plan is breached interest runs again."""
    from arrears.ledger.cycle import cycle_run
    from arrears.ledger.models import InterestStop, Posting

    today = account_today(owing)
    cycle_run(as_of=today - DAY)
    assert Posting.objects.filter(account=owing, kind="interest", source="cycle").exists()
    plan = plan_propose(owing, kind="personalised", months=24, actor=users["collector"],
                        waive_interest=True)
    approval_decide(ApprovalRequest.objects.get(), actor=users["manager"], approve=True)
    stop = InterestStop.objects.get(account=owing)
    assert (stop.first_day, stop.last_day, stop.reference) == (today, None, f"plan:{plan.pk}")
    cycle_run(as_of=today + 2 * DAY)
    assert not Posting.objects.filter(account=owing, kind="interest",
                                      posting_date__gte=today).exists()
    report = arrangements_evaluate(today + 2 * DAY)
    assert report.ledger_postings == 0
    assert not Posting.objects.filter(account=owing, kind="waiver").exists()
    breach = plan.instalments.order_by("seq").first().due_date + timedelta(days=plan.breach_days)
    arrangements_evaluate(breach)
    stop.refresh_from_db()
    assert stop.last_day == breach
    cycle_run(as_of=breach + DAY)
    interest = Posting.objects.filter(account=owing, kind="interest", posting_date__gt=today)
    assert sorted(interest.values_list("posting_date", flat=True)) == [
        breach + DAY * n for n in range(1, 2)]
