"""Field visits on the workbench: a field agent's "Today's work" holds their visits (not a
queue of accounts they cannot open), and a team lead names the collectors of the visits the
night planned and approves them, within their teams only."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from arrears.dialer.models import VisitTask
from arrears.dialer.services import visit_task_create
from arrears.portfolio.models import ContactPoint
from arrears.workbench.models import Collector, QueueEntry, Team
from tests.factories import make_product
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_decision, make_run, make_worked_account

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUEUED = 8


def next_ten_oclock() -> datetime:
    """10:00 in Shanghai, the next time it comes: inside the lawful hours and less than a
    day away, so the approved visit is within its collectors' time box."""
    local = timezone.now().astimezone(SHANGHAI)
    ten = datetime.combine(local.date(), time(10), SHANGHAI)
    return ten if ten > local else ten + timedelta(days=1)


@pytest.fixture
def field_floor(role_user):
    """A field-visit team of two field agents led by a team lead; the night dealt eight visit
    accounts to the first agent's seat and planned a visit (no collectors yet) for two of
    them. An account of another team has a planned visit too."""
    product = make_product(currency="CNY", time_zone="Asia/Shanghai")
    lead, zhao, qian = (role_user("team_lead", "lead"), role_user("field_agent", "zhao"),
                        role_user("field_agent", "qian"))
    team = Team.objects.create(name="外访一组", channel="field_visit")
    seats = {user.username: Collector.objects.create(user=user, team=team, daily_capacity=8)
             for user in (zhao, qian)}
    Collector.objects.create(user=lead, team=team, daily_capacity=0)
    run = make_run(as_of=timezone.now().date())
    accounts = []
    for n in range(QUEUED):
        account = make_worked_account(product=product, external_id=f"AC-V{n}")
        ContactPoint.objects.create(external_id=f"HOME-{n}", cardholder=account.cardholder,
                                    kind="home_address", value=f"上海市黄浦区南京东路{n + 1}号")
        make_decision(run=run, account=account, treatment="field_visit")
        QueueEntry.objects.create(run=run, account=account, team=team, collector=seats["zhao"],
                                  rank=n + 1, treatment="field_visit")
        accounts.append(account)
    planned = [visit_task_create(account, scheduled_for=timezone.now())
               for account in accounts[:2]]
    elsewhere = make_worked_account(product=product, external_id="AC-ELSEWHERE")
    ContactPoint.objects.create(external_id="HOME-X", cardholder=elsewhere.cardholder,
                                kind="home_address", value="上海市静安区南京西路1号")
    foreign = visit_task_create(elsewhere, scheduled_for=timezone.now())
    return {"lead": lead, "zhao": zhao, "qian": qian, "team": team, "accounts": accounts,
            "planned": planned, "foreign": foreign}


def _login(client, username):
    client.logout()
    assert client.login(username=username, password=PASSWORD)
    return client


def _links(html: str) -> list[str]:
    main = html[html.index('<main id="content">'):]
    return [link for link in re.findall(r'href="(/[^"#]*)', main) if "/static/" not in link]


def test_a_field_agents_work_holds_no_accounts_they_cannot_open(client, field_floor):
    """Issue 11: the field agent's queue held eight visit accounts the access policy does not
    let them open, while the visits page said there were none."""
    html = _login(client, "zhao").get("/work/").text
    assert "data-account=" not in html
    assert 'id="empty-queue"' in html
    for link in _links(html):
        assert client.get(link).status_code == 200, link
    assert client.get("/decisions/queue/").text.count("AC-V") == 0


def test_a_team_lead_names_two_collectors_and_approves_then_the_agent_works_the_visit(
        client, field_floor):
    visit = field_floor["planned"][0]
    lead = _login(client, "lead")
    page = lead.get("/work/team/visits/").text
    assert f'data-visit="{visit.pk}"' in page
    assert f'data-visit="{field_floor["foreign"].pk}"' not in page
    when = next_ten_oclock()
    response = lead.post(f"/work/team/visits/{visit.pk}/assign/", {
        "collectors": [field_floor["zhao"].pk, field_floor["qian"].pk],
        "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitTask.Status.AWAITING_APPROVAL
    assert visit.scheduled_for == when
    assert set(visit.collectors.values_list("username", flat=True)) == {"zhao", "qian"}

    response = lead.post(f"/dialer/visits/{visit.pk}/approve/",
                         {"next": f"/work/team/visits/#visit-{visit.pk}"})
    assert response.status_code == 302 and response["Location"].startswith("/work/team/visits/")
    visit.refresh_from_db()
    assert visit.status == VisitTask.Status.APPROVED and visit.approved_by == field_floor["lead"]

    html = _login(client, "zhao").get("/work/").text
    row = html[html.index(f'data-visit="{visit.pk}"'):]
    row = row[:row.index("</tr>")]
    assert f'href="/dialer/visits/{visit.pk}/"' in row and "not yet open" not in row
    assert "data-account=" not in html
    for link in _links(html):
        assert client.get(link).status_code == 200, link
    detail = client.get(f"/dialer/visits/{visit.pk}/").text
    assert "上海市黄浦区南京东路1号" in detail  # the full address, inside the time box
    assert client.get(f"/work/accounts/{visit.account_id}/").status_code == 200


def test_one_collector_is_not_enough(client, field_floor):
    visit = field_floor["planned"][0]
    response = _login(client, "lead").post(f"/work/team/visits/{visit.pk}/assign/", {
        "collectors": [field_floor["zhao"].pk],
        "scheduled_for": next_ten_oclock().strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 400
    assert "at least 2 collectors" in response.text
    visit.refresh_from_db()
    assert visit.status == VisitTask.Status.UNASSIGNED and not visit.collectors.exists()


def test_only_the_leads_field_collectors_can_be_named_and_only_for_their_teams_visits(
        client, field_floor, role_user):
    stranger = role_user("field_agent", "stranger")
    visit = field_floor["planned"][1]
    lead = _login(client, "lead")
    page = lead.get("/work/team/visits/").text
    assert f'value="{stranger.pk}"' not in page
    assert f'value="{field_floor["lead"].pk}"' not in page  # who approves does not go
    response = lead.post(f"/work/team/visits/{visit.pk}/assign/", {
        "collectors": [field_floor["zhao"].pk, stranger.pk],
        "scheduled_for": next_ten_oclock().strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 400
    foreign = field_floor["foreign"]
    response = lead.post(f"/work/team/visits/{foreign.pk}/assign/", {
        "collectors": [field_floor["zhao"].pk, field_floor["qian"].pk],
        "scheduled_for": next_ten_oclock().strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == VisitTask.Status.UNASSIGNED


def test_a_collector_cannot_staff_visits(client, field_floor, role_user):
    role_user("collector", "caller")
    client = _login(client, "caller")
    assert client.get("/work/team/visits/").status_code == 403
    visit = field_floor["planned"][0]
    response = client.post(f"/work/team/visits/{visit.pk}/assign/", {
        "collectors": [field_floor["zhao"].pk, field_floor["qian"].pk],
        "scheduled_for": next_ten_oclock().strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 403
