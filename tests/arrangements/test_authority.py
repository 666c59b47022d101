"""The authority matrix: who may grant what at once, and who may approve what goes beyond."""

from datetime import timedelta

import pytest

from arrears.arrangements.models import ApprovalRequest, AuthorityLimit, Plan, Waiver
from arrears.arrangements.services import (
    ArrangementError,
    account_today,
    approval_decide,
    approvals_pending_for,
    authority_for,
    plan_propose,
    plan_quote,
    settlement_propose,
    waiver_propose,
)
from arrears.ledger.selectors import account_summary
from tests.arrangements.conftest import FEES, INTEREST, PRINCIPAL

BALANCE = PRINCIPAL + INTEREST + FEES


def balances(account):
    return account_summary(account=account, as_of=account_today(account)).balances


def test_a_collector_waives_fees_up_to_500_at_once_and_the_ledger_shows_it(owing, users):
    waiver = waiver_propose(owing, kind="fee", amount_minor=50_000, actor=users["collector"],
                            note="first late fee")
    assert waiver.status == Waiver.Status.APPLIED
    assert balances(owing).fees == FEES - 50_000
    assert not ApprovalRequest.objects.exists()


def test_a_fee_waiver_above_500_waits_for_a_team_lead(owing, users):
    waiver = waiver_propose(owing, kind="fee", amount_minor=50_001, actor=users["collector"])
    assert waiver.status == Waiver.Status.PENDING_APPROVAL
    assert balances(owing).fees == FEES
    request = ApprovalRequest.objects.get()
    assert list(approvals_pending_for(users["team_lead"])) == [request]
    assert list(approvals_pending_for(users["collector2"])) == []
    with pytest.raises(ArrangementError, match="beyond your authority"):
        approval_decide(request, actor=users["collector2"], approve=True)
    approval_decide(request, actor=users["team_lead"], approve=True, note="first arrears")
    waiver.refresh_from_db()
    assert (waiver.status, waiver.approved_by) == (Waiver.Status.APPLIED, users["team_lead"])
    assert balances(owing).fees == FEES - 50_001


def test_a_collector_may_not_waive_interest_at_all(owing, users):
    waiver = waiver_propose(owing, kind="interest", amount_minor=100, actor=users["collector"])
    assert waiver.status == Waiver.Status.PENDING_APPROVAL


def test_a_waiver_cannot_exceed_what_is_owed(owing, users):
    with pytest.raises(ArrangementError, match="more than the fees owed"):
        waiver_propose(owing, kind="fee", amount_minor=FEES + 1, actor=users["manager"])


def test_nobody_approves_their_own_request(owing, users):
    waiver = waiver_propose(owing, kind="interest", amount_minor=INTEREST,
                            actor=users["team_lead"])
    assert waiver.status == Waiver.Status.APPLIED  # within 20 % of the balance
    settlement = settlement_propose(owing, settle_for_minor=BALANCE // 2,
                                    due_date=account_today(owing) + timedelta(days=10),
                                    actor=users["team_lead"])
    request = ApprovalRequest.objects.get(subject_id=settlement.pk)
    assert list(approvals_pending_for(users["team_lead"])) == []
    with pytest.raises(ArrangementError, match="own request"):
        approval_decide(request, actor=users["team_lead"], approve=True)
    approval_decide(request, actor=users["manager"], approve=True)
    settlement.refresh_from_db()
    assert settlement.status == Waiver.Status.APPROVED  # waived once the half is paid


def test_a_team_lead_settles_up_to_20_percent_of_the_balance(owing, users):
    due = account_today(owing) + timedelta(days=10)
    within = settlement_propose(owing, settle_for_minor=BALANCE - BALANCE // 5, due_date=due,
                                actor=users["team_lead"])
    assert within.status == Waiver.Status.APPROVED
    beyond = settlement_propose(owing, settle_for_minor=BALANCE - BALANCE // 5 - 1,
                                due_date=due, actor=users["collector"])
    assert beyond.status == Waiver.Status.PENDING_APPROVAL
    assert list(approvals_pending_for(users["team_lead"])) == []
    assert [r.subject_id for r in approvals_pending_for(users["manager"])] == [beyond.pk]


def test_a_collector_offers_instalments_up_to_12_months(owing, users):
    plan = plan_propose(owing, kind="instalment", months=12, actor=users["collector"])
    assert plan.status == Plan.Status.ACTIVE
    assert plan.instalments.count() == 12
    assert sum(i.principal_minor for i in plan.instalments.all()) == BALANCE


def test_a_longer_plan_goes_to_the_team_lead_who_approves_it(owing, users):
    plan = plan_propose(owing, kind="instalment", months=24, actor=users["collector"])
    assert plan.status == Plan.Status.PENDING_APPROVAL
    request = approvals_pending_for(users["team_lead"]).get()
    assert (request.subject_type, request.months) == ("plan", 24)
    with pytest.raises(ArrangementError, match="already has a plan"):
        plan_propose(owing, kind="instalment", months=6, actor=users["collector"])
    approval_decide(request, actor=users["team_lead"], approve=True)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by) == (Plan.Status.ACTIVE, users["team_lead"])
    with pytest.raises(ArrangementError, match="already been decided"):
        approval_decide(request, actor=users["manager"], approve=False)


def test_a_rejected_plan_is_closed(owing, users):
    plan = plan_propose(owing, kind="instalment", months=48, actor=users["collector"])
    request = ApprovalRequest.objects.get()
    assert list(approvals_pending_for(users["team_lead"])) == []  # beyond 36 months
    approval_decide(request, actor=users["manager"], approve=False, note="income too low")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.REJECTED


def test_plans_over_60_months_are_refused_with_a_reason(owing, users):
    with pytest.raises(ArrangementError, match="at most 60 months"):
        plan_propose(owing, kind="personalised", months=61, actor=users["manager"])
    assert not Plan.objects.exists()


def test_a_quote_writes_nothing_and_shows_cost_and_rate(owing):
    quote = plan_quote(owing, kind="instalment", months=12)
    assert quote.schedule.cost_minor > 0 and quote.schedule.apr > 0
    assert quote.balance_minor == BALANCE
    assert not Plan.objects.exists()


def test_an_extension_defers_only_the_past_due_amount(owing):
    quote = plan_quote(owing, kind="extension", months=3)
    assert 0 < quote.schedule.financed_minor < BALANCE
    assert len(quote.schedule.instalments) == 1


def test_authority_comes_from_the_roles_and_is_data(users):
    assert authority_for(users["collector"], "fee_waiver").covers(amount_minor=50_000)
    assert not authority_for(users["collector"], "fee_waiver").covers(amount_minor=50_001)
    assert not authority_for(users["collector"], "plan_personalised").granted
    AuthorityLimit.objects.filter(group_name="collector", kind="fee_waiver").update(
        max_amount_minor=100_000)
    assert authority_for(users["collector"], "fee_waiver").covers(amount_minor=50_001)
    assert not authority_for(None, "fee_waiver").granted
