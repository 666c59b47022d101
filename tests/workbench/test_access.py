"""Who sees which account on the workbench: seats, pools, team leads, overseeing roles."""

import pytest
from django.http import Http404

from arrears.access.policy import accounts_readable as accounts_visible_to
from arrears.access.web import account_readable_or_404
from arrears.workbench.models import Collector, QueueEntry, Team
from tests.factories import make_account
from tests.workbench.factories import make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor(role_user, product):
    """Two teams; Ann and Bob collect in team A, Cy in team B; Lee leads team A."""
    run = make_run()
    team_a = Team.objects.create(name="A", channel="call")
    team_b = Team.objects.create(name="B", channel="call")
    users = {name: role_user("collector", name) for name in ("ann", "bob", "cy")}
    users["lee"] = role_user("team_lead", "lee")
    seats = {
        "ann": Collector.objects.create(user=users["ann"], team=team_a),
        "bob": Collector.objects.create(user=users["bob"], team=team_a),
        "cy": Collector.objects.create(user=users["cy"], team=team_b),
        "lee": Collector.objects.create(user=users["lee"], team=team_a, daily_capacity=0),
    }
    accounts = {}
    for rank, (key, team, seat) in enumerate(
        (("ann1", team_a, "ann"), ("bob1", team_a, "bob"), ("pool_a", team_a, None),
         ("cy1", team_b, "cy"), ("pool_b", team_b, None)), start=1
    ):
        accounts[key] = make_account(product=product, external_id=f"AC-{key}")
        QueueEntry.objects.create(
            run=run, account=accounts[key], team=team, rank=rank, treatment="call",
            collector=seats[seat] if seat else None,
        )
    accounts["unqueued"] = make_account(product=product, external_id="AC-none")
    return users, accounts


def visible(user, accounts):
    ids = set(accounts_visible_to(user).values_list("pk", flat=True))
    return {key for key, account in accounts.items() if account.pk in ids}


def test_a_collector_sees_their_own_accounts_and_their_teams_pool(floor):
    users, accounts = floor
    assert visible(users["ann"], accounts) == {"ann1", "pool_a"}
    assert visible(users["cy"], accounts) == {"cy1", "pool_b"}


def test_a_team_lead_sees_every_account_queued_to_the_team_they_lead(floor):
    users, accounts = floor
    assert visible(users["lee"], accounts) == {"ann1", "bob1", "pool_a"}


@pytest.mark.parametrize(
    "role", ["compliance_officer", "auditor", "administrator", "collections_manager",
             "strategy_manager"]
)
def test_overseeing_roles_see_every_account(floor, role_user, role):
    _users, accounts = floor
    assert visible(role_user(role), accounts) == set(accounts)


@pytest.mark.parametrize("role", ["legal_officer", "agency_manager", "field_agent"])
def test_other_roles_see_nothing(floor, role_user, role):
    _users, accounts = floor
    assert visible(role_user(role), accounts) == set()


def test_only_the_latest_run_counts(floor):
    users, accounts = floor
    make_run()
    assert visible(users["ann"], accounts) == set()


def test_another_collectors_account_is_a_404(floor):
    users, accounts = floor
    assert _open(users["ann"], accounts["ann1"].pk) == accounts["ann1"]
    for key in ("bob1", "cy1", "unqueued"):
        with pytest.raises(Http404):
            _open(users["ann"], accounts[key].pk)
    with pytest.raises(Http404):
        _open(users["ann"], "not-a-number")


def _open(user, pk):
    return account_readable_or_404(user, pk=pk)
