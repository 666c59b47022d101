from datetime import timedelta

import pytest
from django.utils import timezone

from arrears.access.policy import AccessDenied
from arrears.audit.models import AuditEvent
from arrears.channels.adapters import adapter_for
from arrears.channels.models import OutboxMessage
from arrears.compliance.services import hold_place
from arrears.dialer.models import SkipTraceTask, VisitTask
from arrears.dialer.services import DialerError, visit_approve, visit_task_create
from tests.dialer.conftest import make_role_user
from tests.factories import give_work

HOME = "上海市徐汇区漕溪北路100号"


@pytest.fixture
def people(db, debtor):
    """Two field agents, a team lead whose team has the debtor's account, a field agent who is
    not on the visit, an auditor and a compliance officer."""
    lead = make_role_user("lead", "team_lead")
    give_work(lead, debtor)
    return {
        "zhao": make_role_user("zhao", "field_agent"),
        "qian": make_role_user("qian", "field_agent"),
        "lead": lead,
        "other": make_role_user("other", "field_agent"),
        "auditor": make_role_user("auditor", "auditor"),
        "officer": make_role_user("officer", "compliance_officer"),
    }


def yesterday_afternoon():
    now = timezone.localtime()
    return (now - timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)


def tomorrow_afternoon():
    return yesterday_afternoon() + timedelta(days=2)


@pytest.fixture
def approved(debtor, people):
    """An approved visit for the page tests. Until ``gate_ask`` takes the collectors, the gate
    blocks every visit on CN-17, so the fixture puts it in front of the team lead itself."""
    visit = visit_task_create(debtor, scheduled_for=yesterday_afternoon(),
                              collectors=[people["zhao"], people["qian"]])
    VisitTask.objects.filter(pk=visit.pk).update(status=VisitTask.Status.AWAITING_APPROVAL)
    visit.refresh_from_db()
    return visit_approve(visit, actor=people["lead"])


@pytest.fixture
def under_way(approved):
    """The approved visit, happening now: inside its collectors' time box."""
    VisitTask.objects.filter(pk=approved.pk).update(
        scheduled_for=timezone.now() - timedelta(minutes=30))
    approved.refresh_from_db()
    return approved


def test_a_visit_needs_two_collectors(debtor, people):
    with pytest.raises(DialerError, match="at least 2 collectors"):
        visit_task_create(debtor, scheduled_for=yesterday_afternoon(),
                          collectors=[people["zhao"], people["zhao"]])
    assert not VisitTask.objects.exists()


def test_a_visit_goes_to_the_home_address_and_waits_for_a_team_lead(debtor, people):
    visit = visit_task_create(debtor, scheduled_for=yesterday_afternoon(),
                              collectors=[people["zhao"], people["qian"]])

    assert visit.address == HOME and visit.status == "awaiting_approval"
    assert visit.gate_verdict == "block" and "CN-17" in visit.gate_rule_ids  # needs approval
    with pytest.raises(DialerError, match="only a team lead"):
        visit_approve(visit, actor=people["zhao"])
    approved = visit_approve(visit, actor=people["lead"])
    assert approved.approved_by == people["lead"] and approved.status == "approved"
    assert approved.gate_verdict == "allow"


def test_a_visit_with_one_collector_is_refused_before_the_gate(debtor, people):
    with pytest.raises(DialerError, match="at least 2 collectors"):
        visit_task_create(debtor, scheduled_for=yesterday_afternoon(),
                          collectors=[people["zhao"]])


def test_the_gate_blocks_a_visit_to_a_debtor_who_asked_for_no_contact(debtor, people):
    hold_place(debtor, "cease_contact")  # in force from now: the visit is planned for tomorrow
    visit = visit_task_create(debtor, scheduled_for=tomorrow_afternoon(),
                              collectors=[people["zhao"], people["qian"]])

    assert visit.status == "blocked" and visit.gate_rule_ids


def test_the_visit_channel_plans_a_visit_waiting_for_collectors(debtor):
    message = OutboxMessage.objects.create(idempotency_key="run:1:2:visit", account=debtor,
                                           channel="visit", template_code="visit")
    result = adapter_for("visit").send(message)

    visit = VisitTask.objects.get()
    assert result.status == "sent" and result.provider_id == f"visit:{visit.pk}"
    assert visit.status == "unassigned"


def test_collectors_see_their_visit_and_the_full_address(client, under_way, people):
    client.force_login(people["zhao"])
    listing = client.get("/dialer/visits/")
    page = client.get(f"/dialer/visits/{under_way.pk}/")

    assert f'data-visit="{under_way.pk}"' in listing.content.decode()
    assert HOME in page.content.decode()
    assert 'id="result-form"' in page.content.decode()
    event = AuditEvent.objects.get(action="pii.view", actor=people["zhao"])
    assert event.details["fields"] == ["address"]


def test_the_full_address_only_within_the_visits_time_box(client, approved, people):
    """COMPLIANCE.md b.4: a field agent's access is one visit, valid for 24 hours."""
    VisitTask.objects.filter(pk=approved.pk).update(
        scheduled_for=timezone.now() - timedelta(hours=30))
    client.force_login(people["zhao"])
    body = client.get(f"/dialer/visits/{approved.pk}/").content.decode()
    assert HOME not in body and 'id="result-form"' not in body
    assert client.get(f"/work/accounts/{approved.account_id}/").status_code == 404


def test_others_see_the_address_masked_or_not_at_all(client, under_way, people):
    client.force_login(people["other"])
    assert client.get(f"/dialer/visits/{under_way.pk}/").status_code == 404
    assert 'id="no-visits"' in client.get("/dialer/visits/").content.decode()

    for oversight in ("auditor", "officer", "lead"):
        client.force_login(people[oversight])
        body = client.get(f"/dialer/visits/{under_way.pk}/").content.decode()
        assert HOME not in body and "上海市徐汇区****" in body and 'id="result-form"' not in body
    assert not AuditEvent.objects.filter(action="pii.view").exists()


def post_result(client, visit, **overrides):
    visited_at = timezone.localtime() - timedelta(minutes=10)
    data = {"result": "met_debtor", "visited_at": visited_at.strftime("%Y-%m-%dT%H:%M"),
            "id_shown": "on", "entry_consent": "on", "notes": "承诺周五还款"}
    data.update(overrides)
    return client.post(f"/dialer/visits/{visit.pk}/", data)


def test_the_result_form_checks_what_it_is_given(client, under_way, people):
    approved = under_way
    client.force_login(people["zhao"])
    future = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")

    no_id = post_result(client, approved, id_shown="")
    in_future = post_result(client, approved, visited_at=future)
    bad_result = post_result(client, approved, result="abducted")

    assert "must show their ID" in no_id.content.decode()
    assert "cannot be in the future" in in_future.content.decode()
    assert "Select a valid choice" in bad_result.content.decode()
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.result == ""


def test_a_recorded_result_closes_the_visit(client, under_way, people):
    approved = under_way
    client.force_login(people["qian"])
    response = post_result(client, approved, result="moved", id_shown="")

    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.status, approved.result) == ("done", "moved")
    assert SkipTraceTask.objects.get().reason == "moved"


def test_only_the_collectors_may_record_a_result(client, approved, people):
    client.force_login(people["auditor"])
    assert post_result(client, approved).status_code == 403


def test_the_result_form_needs_the_csrf_token(under_way, people):
    approved = under_way
    from django.test import Client

    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["zhao"])
    assert post_result(client, approved).status_code == 403


def test_the_night_worker_plans_visits_and_calls_that_ask_the_gate_when_carried_out(debtor):
    """At 23:00 in Shanghai no contact is lawful (CN-05), yet planning a call or a visit is
    not a contact: the worker turns both into tasks without a gate answer of its own; the
    visit is then gated when collectors are named, the call when it is exported."""
    from datetime import UTC, datetime

    from arrears.channels.worker import outbox_send
    from arrears.compliance.models import GateCheck
    from arrears.dialer.models import CallTask

    night = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    for channel in ("visit", "call"):
        OutboxMessage.objects.create(idempotency_key=f"night:{channel}", account=debtor,
                                     channel=channel, template_code=channel,
                                     next_attempt_at=night)
    report = outbox_send(now=night)

    assert report.sent == 2 and report.blocked == report.delayed == 0
    assert VisitTask.objects.get().status == "unassigned"
    assert CallTask.objects.get(account=debtor).status == "queued"
    assert not GateCheck.objects.exists()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_team_lead_approves_only_their_own_teams_visits(client, debtor, people):
    visit = visit_task_create(debtor, scheduled_for=tomorrow_afternoon(),
                              collectors=[people["zhao"], people["qian"]])
    VisitTask.objects.filter(pk=visit.pk).update(status=VisitTask.Status.AWAITING_APPROVAL)
    stranger = make_role_user("stranger", "team_lead")
    client.force_login(stranger)
    assert client.post(f"/dialer/visits/{visit.pk}/approve/").status_code == 404
    client.force_login(people["lead"])
    assert client.post(f"/dialer/visits/{visit.pk}/approve/").status_code == 302
    visit.refresh_from_db()
    assert visit.approved_by == people["lead"]


def test_a_team_lead_approves_only_visits_to_accounts_of_their_own_teams(debtor, people):
    """The service checks the account itself, not only the pages that call it."""
    stranger = make_role_user("stranger_lead", "team_lead")
    visit = visit_task_create(debtor, scheduled_for=yesterday_afternoon(),
                              collectors=[people["zhao"], people["qian"]])
    with pytest.raises(AccessDenied):
        visit_approve(visit, actor=stranger)
    visit.refresh_from_db()
    assert visit.status == "awaiting_approval" and visit.approved_by is None
