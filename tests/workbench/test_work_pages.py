"""The workbench pages through the test client: access by URL, outcomes, notes, plans, team."""

from datetime import timedelta

import pytest
from django.utils import timezone

from arrears.arrangements.models import ApprovalRequest, Plan, Promise
from arrears.audit.models import AuditEvent
from arrears.workbench.models import AccountWork, Note, Outcome, QueueEntry
from tests.factories import make_product
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_floor, make_worked_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor(role_user):
    product = make_product(currency="CNY", time_zone="Asia/Shanghai")
    users = {"collector": role_user("collector"), "team_lead": role_user("team_lead")}
    run, team, seats, accounts = make_floor(users=users, product=product)
    return users, run, team, seats, accounts, product


def logged_in(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_queue_lists_the_collectors_accounts_best_first(client, floor):
    users, *_rest, accounts, _product = floor
    page = logged_in(client, "collector").get("/work/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("AC-900") < html.index("AC-901")
    assert "keys.js" in html and "M2" in html


def test_the_account_screen_shows_every_panel_masked(client, floor):
    *_rest, accounts, _product = floor
    page = logged_in(client, "collector").get(f"/work/accounts/{accounts[0].pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    for panel in ("balances", "decision", "contacts", "outcome", "arrangements", "holds",
                  "notes", "history", "sent", "aging-chart"):
        assert f'id="{panel}"' in html, panel
    assert "13812345678" not in html and "138****5678" in html
    assert "13900001111" not in html  # a third party's number is never shown
    assert "王小明" not in html and "early-call-3" in html
    assert f'href="/work/accounts/{accounts[1].pk}/" data-key="next"' in html


def test_a_collector_editing_the_url_to_another_account_gets_404(client, floor, role_user):
    *_rest, product = floor
    elsewhere = make_worked_account(product=product, external_id="AC-OTHER")
    client = logged_in(client, "collector")
    for url in (f"/work/accounts/{elsewhere.pk}/", f"/work/accounts/{elsewhere.pk}/?kind=x"):
        assert client.get(url).status_code == 404
    for action in ("outcome", "note", "plan", "waiver", "call"):
        response = client.post(
            f"/work/accounts/{elsewhere.pk}/{action}/",
            {"outcome": "no_answer", "text": "x", "kind": "fee", "months": 3, "amount": "1"},
        )
        assert response.status_code == 404, action
    assert not Outcome.objects.exists() and not Note.objects.exists()


def test_no_answer_sets_tomorrow_and_a_promise_the_day_after_it_is_due(client, floor):
    users, *_rest, accounts, _product = floor
    client = logged_in(client, "collector")
    account = accounts[0]
    response = client.post(f"/work/accounts/{account.pk}/outcome/", {"outcome": "no_answer"})
    assert response.status_code == 302
    work = AccountWork.objects.get(account=account)
    assert work.last_outcome == "no_answer"
    assert work.next_action_on > timezone.now().date() - timedelta(days=1)

    due = timezone.now().date() + timedelta(days=5)
    client.post(
        f"/work/accounts/{account.pk}/outcome/",
        {"outcome": "promise", "amount": "300.00", "due_date": due.isoformat()},
    )
    promise = Promise.objects.get(account=account)
    assert promise.amount_minor == 30_000
    work.refresh_from_db()
    assert (work.last_outcome, work.next_action_on) == ("promise", due + timedelta(days=1))
    assert Outcome.objects.get(kind="promise").promise_id == promise.pk
    assert AuditEvent.objects.filter(action="outcome_record").count() == 2


def test_a_promise_without_an_amount_is_refused_and_nothing_is_written(client, floor):
    *_rest, accounts, _product = floor
    response = logged_in(client, "collector").post(
        f"/work/accounts/{accounts[0].pk}/outcome/", {"outcome": "promise", "amount": ""}
    )
    assert response.status_code == 400
    assert "A promise to pay needs an amount." in response.content.decode()
    assert not Outcome.objects.exists() and not Promise.objects.exists()


@pytest.mark.parametrize("outcome,hold", [("dispute", "dispute"), ("hardship", "hardship"),
                                          ("cease_contact", "cease_contact"),
                                          ("complaint", "complaint")])
def test_outcomes_that_place_a_hold(client, floor, outcome, hold):
    from arrears.compliance.services import holds_active

    *_rest, accounts, _product = floor
    logged_in(client, "collector").post(
        f"/work/accounts/{accounts[0].pk}/outcome/", {"outcome": outcome}
    )
    assert hold in {h.kind for h in holds_active(accounts[0])}


def test_a_wrong_number_opens_a_skip_trace_task(client, floor):
    from arrears.dialer.models import SkipTraceTask

    *_rest, accounts, _product = floor
    point = accounts[0].cardholder.contact_points.get()
    logged_in(client, "collector").post(
        f"/work/accounts/{accounts[0].pk}/outcome/",
        {"outcome": "wrong_number", "contact_point": point.pk},
    )
    task = SkipTraceTask.objects.get()
    assert (task.contact_point, task.reason) == (point, "wrong_number")


def test_a_note_is_scrubbed_of_personal_data(client, floor):
    *_rest, accounts, _product = floor
    logged_in(client, "collector").post(
        f"/work/accounts/{accounts[0].pk}/note/", {"text": "新号码 13912345678 请回电"}
    )
    note = Note.objects.get()
    assert "13912345678" not in note.text and note.findings


def test_the_call_button_shows_the_gates_answer(client, floor):
    *_rest, accounts, _product = floor
    point = accounts[0].cardholder.contact_points.get()
    page = logged_in(client, "collector").post(
        f"/work/accounts/{accounts[0].pk}/call/", {"contact_point": point.pk}
    )
    html = page.content.decode()
    assert 'id="gate-answer"' in html
    verdict = html.split('data-verdict="')[1].split('"')[0]
    assert verdict in {"allow", "delay", "block"}
    assert ('id="dial"' in html) == (verdict == "allow")


def test_the_plan_calculator_and_a_proposal_above_authority(client, floor):
    users, *_rest, accounts, _product = floor
    client = logged_in(client, "collector")
    url = f"/work/accounts/{accounts[0].pk}/"
    page = client.get(url, {"kind": "instalment", "months": 24})
    assert 'id="quote-result"' in page.content.decode()
    assert not Plan.objects.exists()
    client.post(url + "plan/", {"kind": "instalment", "months": 24})
    plan = Plan.objects.get()
    assert plan.status == "pending_approval"

    client.logout()
    client = logged_in(client, "team_lead")
    team_page = client.get("/work/team/").content.decode()
    request = ApprovalRequest.objects.get(subject_id=plan.pk)
    assert f'data-approval="{request.pk}"' in team_page
    client.post(f"/work/team/approvals/{request.pk}/", {"approve": "1", "note": "ok"})
    plan.refresh_from_db()
    assert plan.status == "active"


def test_a_team_lead_of_another_team_neither_sees_nor_decides_the_request(
        client, floor, role_user):
    from arrears.workbench.models import Collector, Team

    users, *_rest, accounts, _product = floor
    logged_in(client, "collector").post(f"/work/accounts/{accounts[0].pk}/plan/",
                                        {"kind": "instalment", "months": 24})
    request = ApprovalRequest.objects.get()
    elsewhere = Team.objects.create(name="Elsewhere", channel="call")
    Collector.objects.create(user=role_user("team_lead", "lead2"), team=elsewhere,
                             daily_capacity=0)
    client.logout()
    page = logged_in(client, "lead2").get("/work/team/").content.decode()
    assert f'data-approval="{request.pk}"' not in page
    response = client.post(f"/work/team/approvals/{request.pk}/", {"approve": "1", "note": "x"})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


def test_a_collector_cannot_use_the_team_page(client, floor):
    logged_in(client, "collector")
    assert client.get("/work/team/").status_code == 403
    assert client.post("/work/team/reassign/", {"to_collector": 1}).status_code == 403


def test_a_team_lead_reassigns_by_filter_and_it_is_audited(client, floor, role_user):
    users, run, team, seats, accounts, _product = floor
    from arrears.workbench.models import Collector

    other = Collector.objects.create(user=role_user("collector", "bo"), team=team)
    logged_in(client, "team_lead").post(
        "/work/team/reassign/",
        {"to_collector": other.pk, "bucket": "M2", "from_collector": seats["collector"].pk},
    )
    assert QueueEntry.objects.filter(run=run, collector=other).count() == len(accounts)
    assert AuditEvent.objects.filter(action="queue_reassign").count() == 1
    page = client.get("/work/team/").content.decode()
    assert "bo" in page


def test_the_call_script_masks_the_name_like_the_rest_of_the_screen(client, floor):
    """Issue 10: the script printed "请问您是施淑珍本人吗" on a screen that masks the name."""
    from arrears.batch.models import Decision

    *_rest, accounts, _product = floor
    Decision.objects.filter(account=accounts[0]).update(template="CN-CALL-M1")
    client = logged_in(client, "collector")
    html = client.get(f"/work/accounts/{accounts[0].pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    script = html[html.index('id="script"'):]
    script = script[:script.index("</div>")]
    assert "请问您是王*本人吗" in script
    assert "王小明" not in html


@pytest.mark.parametrize("role", ["auditor", "compliance_officer", "collections_manager"])
def test_oversight_roles_read_but_never_write(client, floor, role_user, role):
    """Issue 10: auditors, compliance officers and administrators could record outcomes and
    notes on any account. They read the screen without its forms; every POST is refused."""
    *_rest, accounts, _product = floor
    role_user(role)
    client = logged_in(client, role)
    html = client.get(f"/work/accounts/{accounts[0].pk}/").text
    writes = role == "collections_manager"
    assert ('id="outcome-form"' in html) is writes
    assert ('id="read-only"' in html) is not writes
    if writes:
        return
    for action in ("outcome", "note", "plan", "waiver", "call"):
        response = client.post(
            f"/work/accounts/{accounts[0].pk}/{action}/",
            {"outcome": "no_answer", "text": "a note", "kind": "fee", "months": 3,
             "amount": "1", "note": "x"},
        )
        assert response.status_code == 403, action
    assert not Outcome.objects.exists() and not Note.objects.exists()


def test_malformed_ids_in_the_call_and_outcome_forms_are_refused_not_a_server_error(
        client, floor):
    """Review finding: ``contact_point=abc`` on the call button and ``check_id=10**26`` on the
    outcome form were HTTP 500."""
    *_rest, accounts, _product = floor
    account = accounts[0]
    collector = logged_in(client, "collector")
    huge = "9" * 26
    for value in ("abc", huge, "-1", "１２"):
        page = collector.post(f"/work/accounts/{account.pk}/call/", {"contact_point": value})
        assert page.status_code in (200, 400), value
        for field in ("contact_point", "third_party", "check_id"):
            response = collector.post(f"/work/accounts/{account.pk}/outcome/",
                                      {"outcome": "no_answer", field: value})
            assert response.status_code == 400, (field, value, response.status_code)
    assert not Outcome.objects.exists()


def test_an_outcome_cites_only_a_compliance_check_of_this_accounts_calls(client, floor):
    """Review finding: the outcome form's ``check_id`` was stored as given. Citing another
    account's check (or an SMS reminder's, whose purpose is not counted by the frequency
    rules) made the call count as that check's purpose."""
    from arrears.compliance.models import ContactAttempt
    from arrears.compliance.services import gate_ask

    *_rest, accounts, _product = floor
    mine, other = accounts[0], accounts[1]
    collector = logged_in(client, "collector")
    foreign = gate_ask(other, channel="call", actor=None, reference="test").check_id
    sms = gate_ask(mine, channel="sms", purpose="reminder", actor=None,
                   reference="test").check_id
    for check_id in (foreign, sms):
        response = collector.post(f"/work/accounts/{mine.pk}/outcome/",
                                  {"outcome": "no_answer", "check_id": check_id})
        assert response.status_code == 400, check_id
    assert not ContactAttempt.objects.filter(account=mine).exists()
    own = gate_ask(mine, channel="call", actor=None, reference="test").check_id
    response = collector.post(f"/work/accounts/{mine.pk}/outcome/",
                              {"outcome": "no_answer", "check_id": own})
    assert response.status_code == 302
    assert ContactAttempt.objects.get(account=mine).check_id == own
