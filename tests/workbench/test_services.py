"""Teams and collectors in the database, publishing queues, the demo teams."""

import ibis
import pyarrow as pa
import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError

from arrears.workbench.compile import collectors_table, queue_columns
from arrears.workbench.models import Collector, QueueEntry, Team
from arrears.workbench.selectors import collector_rows, queue_for_collector, queue_for_team
from arrears.workbench.services import queues_publish, teams_ensure_demo
from tests.factories import make_account
from tests.workbench.factories import make_run

pytestmark = pytest.mark.django_db


def _user(name):
    return User.objects.create_user(name, password="x")


def test_codes_are_normalised_and_checked():
    team = Team.objects.create(name="Early", channel="call", buckets=" M1, M2,M1 ,")
    assert team.buckets == "M1,M2"
    team.buckets = "M1,M9"
    with pytest.raises(ValidationError, match="M9"):
        team.full_clean()
    team.buckets, team.languages = "", "fr"
    with pytest.raises(ValidationError, match="fr"):
        team.full_clean()


def test_collector_rows_put_specialists_first_and_keep_empty_teams():
    calls = Team.objects.create(name="Calls", channel="call", routing_order=5, buckets="M1")
    Team.objects.create(name="Visits", channel="field_visit")
    generalist = Collector.objects.create(user=_user("g"), team=calls, daily_capacity=40)
    specialist = Collector.objects.create(
        user=_user("s"), team=calls, daily_capacity=10, languages="en", buckets="M1"
    )
    Collector.objects.create(user=_user("off"), team=calls, active=False)

    rows = collector_rows()
    seats = sorted((r for r in rows if r["collector_id"]), key=lambda r: r["collector_order"])
    assert [r["collector_id"] for r in seats] == [specialist.pk, generalist.pk]
    assert seats[0] == {
        "team_id": calls.pk,
        "team_channel": "call",
        "team_routing_order": 5,
        "team_languages": "",
        "team_regions": "",
        "team_buckets": "M1",
        "collector_id": specialist.pk,
        "collector_order": 0,
        "capacity": 10,
        "languages": "en",
        "regions": "",
        "buckets": "M1",
    }
    empty = [r for r in rows if r["collector_id"] is None]
    assert [(r["team_channel"], r["capacity"]) for r in empty] == [("field_visit", 0)]


def test_database_teams_to_published_queues(product):
    team = Team.objects.create(name="Calls", channel="call")
    alice = Collector.objects.create(user=_user("alice"), team=team, daily_capacity=2)
    accounts = [make_account(product=product) for _ in range(5)]
    decisions = pa.Table.from_pylist(
        [
            {
                "account_id": a.pk,
                "treatment": "call",
                "priority": 3,
                "expected_recovery_minor": 1000 * (i + 1),
                "bucket": "M1",
                "language": "zh-hans",
                "region": "",
            }
            for i, a in enumerate(accounts)
        ]
    )
    queue = queue_columns(ibis.memtable(decisions), collectors_table(collector_rows()))
    run = make_run()
    con = ibis.duckdb.connect()
    assert queues_publish(run=run, assignments=con.to_pyarrow_batches(queue)) == 5

    mine = list(queue_for_collector(user=alice.user, run=run))
    assert [(e.account, e.rank) for e in mine] == [(accounts[4], 1), (accounts[3], 2)]
    pool = list(queue_for_team(team=team, run=run, pool_only=True))
    assert [(e.account, e.rank, e.collector) for e in pool] == [
        (accounts[2], 1, None),
        (accounts[1], 2, None),
        (accounts[0], 3, None),
    ]
    assert queue_for_collector(user=alice.user).count() == 2  # the latest run by default

    # Publishing again replaces the run's queues rather than adding to them.
    assert queues_publish(run=run, assignments=con.to_pyarrow(queue)) == 5
    assert QueueEntry.objects.filter(run=run).count() == 5


def test_publish_rows_from_any_iterable_and_name_a_missing_column(product):
    team = Team.objects.create(name="Calls", channel="call")
    account = make_account(product=product)
    run = make_run()
    row = {
        "account_id": account.pk,
        "treatment": "call",
        "priority": 1,
        "expected_recovery_minor": 5,
        "team_id": team.pk,
        "collector_id": None,
        "queue_rank": 1,
    }
    assert queues_publish(run=run, assignments=iter([row])) == 1
    entry = QueueEntry.objects.get(run=run)
    assert (entry.team, entry.collector, entry.rank, entry.expected_recovery_minor) == (
        team,
        None,
        1,
        5,
    )
    with pytest.raises(ValueError, match="queue_rank"):
        queues_publish(run=run, assignments=[{k: v for k, v in row.items() if k != "queue_rank"}])
    assert QueueEntry.objects.filter(run=run).count() == 1  # a failed publish changes nothing


def test_demo_teams_are_created_once():
    created = teams_ensure_demo(password="demo-pass")
    assert "collector" in created
    seat = Collector.objects.get(user__username="collector")
    assert seat.team.channel == "call" and seat.team.buckets == "M1,M2"
    assert Team.objects.filter(channel="field_visit").exists()
    assert User.objects.get(username="collector").check_password("demo-pass")
    counts = (Team.objects.count(), Collector.objects.count())

    assert teams_ensure_demo(password="other") == []
    assert (Team.objects.count(), Collector.objects.count()) == counts
    lead = Group.objects.get(name="team_lead")
    assert lead.permissions.filter(codename="change_collector").exists()
    assert lead.permissions.filter(codename="add_team").exists()
