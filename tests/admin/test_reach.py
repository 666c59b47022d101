"""Review findings (the admin around the access policy):

- a team lead saw in the admin every account of the portfolio, its postings, statements and
  outbox messages, while the policy gives them only their teams' accounts;
- a list page filtered by a personal field given in the URL
  (``/admin/channels/outboxmessage/?recipient__startswith=138``) told a masked phone number,
  ID number or name digit by digit, to every role that reaches the admin.
"""

import pytest

from arrears.channels.models import OutboxMessage
from arrears.ledger.models import Posting
from arrears.portfolio.models import Account
from tests.admin.conftest import logged_in
from tests.admin.seed import MOBILE, NAME, NATIONAL_ID, seed_every_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(superuser):
    return seed_every_model(superuser)


def _count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.context["cl"].result_count


def test_a_team_lead_finds_in_the_admin_only_the_accounts_of_their_teams(role_user, seeded):
    """The seeded account is queued to no team: out of a team lead's reach."""
    account = seeded["account"]
    client = logged_in(role_user("team_lead"))
    for url in ("/admin/portfolio/account/", "/admin/ledger/posting/",
                "/admin/portfolio/statement/", "/admin/channels/outboxmessage/",
                "/admin/dialer/visittask/", "/admin/arrangements/waiver/"):
        assert _count(client, url) == 0, url
    change = client.get(f"/admin/portfolio/account/{account.pk}/change/", follow=True)
    assert account.external_id not in change.content.decode().split("<main")[-1]
    posting = Posting.objects.get(external_id="PO-ADMIN")
    assert client.get(f"/admin/ledger/posting/{posting.pk}/change/").status_code == 302
    message = seeded["message"]
    assert client.get(f"/admin/channels/outboxmessage/{message.pk}/change/").status_code == 302


def test_a_role_that_sees_every_account_still_finds_them_all(role_user, seeded):
    client = logged_in(role_user("collections_manager"))
    assert _count(client, "/admin/portfolio/account/") == Account.objects.count() == 1
    assert _count(client, "/admin/channels/outboxmessage/") == OutboxMessage.objects.count()


@pytest.mark.parametrize("role", ["administrator", "compliance_officer", "auditor"])
def test_no_filter_in_the_url_looks_into_personal_data(role, role_user, seeded):
    client = logged_in(role_user(role))
    probes = [
        f"/admin/channels/outboxmessage/?recipient__startswith={MOBILE[:4]}",
        f"/admin/channels/outboxmessage/?recipient={MOBILE}",
        f"/admin/channels/outboxmessage/?body__contains={NAME}",
        f"/admin/channels/simulatedsms/?to__startswith={MOBILE[:4]}",
        f"/admin/letters/letter/?recipient_name={NAME}",
        f"/admin/compliance/gatecheck/?request__contains={MOBILE}",
        f"/admin/portfolio/cardholder/?national_id__startswith={NATIONAL_ID[:3]}",
    ]
    answered = {}
    for url in probes:
        response = client.get(url)
        answered[url] = response.status_code
        if response.status_code == 200:
            assert response.context["cl"].result_count == 0, url
    assert all(status in (400, 403) for status in answered.values()), answered
    # Filters on other fields still work.
    assert client.get("/admin/channels/outboxmessage/?channel=sms").status_code == 200


def test_a_team_lead_cannot_seat_anyone_in_a_team_they_do_not_lead(role_user):
    """A seat is a reach: a team lead who seated themselves in another team through the admin
    would then open (and reveal) that team's accounts."""
    from arrears.workbench.access import teams_led_by
    from arrears.workbench.models import Collector, Team

    lead = role_user("team_lead")
    collector = role_user("collector")
    own = Team.objects.create(name="Own calls", channel="call")
    other = Team.objects.create(name="Other calls", channel="call")
    Collector.objects.create(user=lead, team=own)
    seat_elsewhere = Collector.objects.create(user=collector, team=other)
    client = logged_in(lead)

    for user in (lead, collector):
        response = client.post("/admin/workbench/collector/add/", {
            "user": user.pk, "team": other.pk, "daily_capacity": 60, "active": "on"})
        assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Collector.objects.filter(team=other, user=lead).exists()
    assert list(teams_led_by(lead)) == [own]
    # Moving an existing seat of theirs into the other team is refused the same way.
    own_seat = Collector.objects.get(user=lead, team=own)
    client.post(f"/admin/workbench/collector/{own_seat.pk}/change/", {
        "user": lead.pk, "team": other.pk, "daily_capacity": 60, "active": "on"})
    assert Collector.objects.get(pk=own_seat.pk).team == own
    # The other team and its seats are not theirs to see or change, nor is a new team.
    assert _count(client, "/admin/workbench/team/") == 1
    assert _count(client, "/admin/workbench/collector/") == 1
    assert client.get(f"/admin/workbench/collector/{seat_elsewhere.pk}/change/").status_code == 302
    assert client.get("/admin/workbench/team/add/").status_code == 403
    # Within their own team they still staff it.
    response = client.post("/admin/workbench/collector/add/", {
        "user": collector.pk, "team": own.pk, "daily_capacity": 60, "active": "on"})
    assert response.status_code == 302
    assert Collector.objects.filter(team=own, user=collector).exists()
