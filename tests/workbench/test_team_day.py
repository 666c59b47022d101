"""The team lead's "team's day" (/work/team/): the team's local business day, what the
collectors really did on it, and a chart a person can read."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from arrears.workbench.models import Outcome
from arrears.workbench.selectors import team_day, team_today
from tests.factories import make_product
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_floor

pytestmark = pytest.mark.django_db

PROMISES = 8


def zone_where_the_date_is_not_utcs() -> str:
    """A time zone whose date differs from the UTC date right now (UTC+14 from 10:00 UTC on,
    UTC-12 before), so that a page dated by the server's UTC day is always caught."""
    return "Etc/GMT-14" if timezone.now().hour >= 10 else "Etc/GMT+12"


@pytest.fixture
def team_floor(role_user):
    product = make_product(currency="CNY", time_zone=zone_where_the_date_is_not_utcs())
    users = {"collector": role_user("collector"), "team_lead": role_user("team_lead")}
    run, team, seats, accounts = make_floor(users=users, product=product, accounts=PROMISES)
    return users, run, team, seats, accounts, product


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def _day_card(html: str, team) -> str:
    card = html[html.index(f'id="day-{team.pk}"'):]
    return card[:card.index("</section>")]


def _metric(card: str, seat, metric: str) -> str:
    row = card[card.index(f'data-collector="{seat.pk}"'):]
    cell = row[row.index(f'data-metric="{metric}"'):]
    return cell[cell.index(">") + 1:cell.index("</td>")].strip()


def test_the_teams_day_counts_the_promises_taken_today_in_the_teams_time_zone(
        client, team_floor):
    """Issue 11: after a collector took eight promises the team's day showed zeros, for the
    server's UTC date."""
    users, _run, team, seats, accounts, product = team_floor
    collector = _login(client, "collector")
    local_today = timezone.now().astimezone(ZoneInfo(product.time_zone)).date()
    due = local_today + timedelta(days=3)
    for account in accounts:
        response = collector.post(f"/work/accounts/{account.pk}/outcome/",
                                  {"outcome": "promise", "amount": "250.00",
                                   "due_date": due.isoformat()})
        assert response.status_code == 302
    collector.logout()

    html = _login(client, "team_lead").get("/work/team/").text
    card = _day_card(html, team)
    assert local_today.isoformat() in card
    seat = seats["collector"]
    assert _metric(card, seat, "attempts") == str(PROMISES)
    assert _metric(card, seat, "right_party") == str(PROMISES)
    assert _metric(card, seat, "promises_taken") == str(PROMISES)
    assert _metric(card, seat, "promised") == "2,000.00 CNY"
    chart = card[card.index("<svg"):card.index("</svg>")]
    assert 'class="bar-label"' in chart and 'data-metric="promises_taken"' in chart
    bar = chart[chart.index(f'data-collector="{seat.pk}" data-metric="promises_taken"'):]
    assert f'>{PROMISES}</text>' in bar[bar.index('class="value"'):bar.index("</g>")]


def test_a_day_without_work_shows_an_empty_state_not_a_chart_of_zeros(client, team_floor):
    _users, _run, team, *_rest = team_floor
    card = _day_card(_login(client, "team_lead").get("/work/team/").text, team)
    assert f'id="day-empty-{team.pk}"' in card
    assert "<svg" not in card


def test_another_day_can_be_chosen(client, team_floor):
    _users, _run, team, *_rest, product = team_floor
    yesterday = team_today(team) - timedelta(days=1)
    html = _login(client, "team_lead").get("/work/team/", {"day": yesterday.isoformat()}).text
    assert yesterday.isoformat() in _day_card(html, team)
    assert _login(client, "team_lead").get("/work/team/", {"day": "not-a-day"}).status_code == 200


def test_the_day_runs_from_local_midnight_to_midnight(team_floor):
    """An outcome recorded at 23:59 local time belongs to that day, one at 00:00 to the next."""
    users, _run, team, seats, accounts, product = team_floor
    zone = ZoneInfo(product.time_zone)
    day = team_today(team) - timedelta(days=2)
    moments = (datetime.combine(day, time(0, 0), zone),
               datetime.combine(day, time(23, 59), zone),
               datetime.combine(day + timedelta(days=1), time(0, 0), zone))
    for moment in moments:
        outcome = Outcome.objects.create(account=accounts[0], actor=users["collector"],
                                         kind="no_answer")
        Outcome.objects.filter(pk=outcome.pk).update(created_at=moment)
    rows = {row.collector.pk: row for row in team_day(team=team, day=day)}
    assert rows[seats["collector"].pk].attempts == 2
    assert rows[seats["collector"].pk].right_party == 0
    following = {row.collector.pk: row for row in team_day(team=team, day=day + timedelta(1))}
    assert following[seats["collector"].pk].attempts == 1


def test_a_day_at_the_ends_of_the_calendar_is_not_a_server_error(client, team_floor):
    """Review finding: ``?day=0001-01-01`` ended in HTTP 500 (OverflowError when the day's
    midnight was converted to UTC); such a day is not a team's day, so today is shown."""
    _users, _run, team, *_rest = team_floor
    lead = _login(client, "team_lead")
    for day in ("0001-01-01", "0001-01-02", "1899-12-31"):
        response = lead.get("/work/team/", {"day": day})
        assert response.status_code == 200, day
        assert team_today(team).isoformat() in _day_card(response.text, team)
