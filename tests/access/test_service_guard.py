"""The services that act on an account check the access policy themselves, so that no shell
(a page, the API, a command, a future endpoint) can go around it."""

from datetime import timedelta

import pytest

from arrears.access.policy import AccessDenied
from arrears.arrangements.services import plan_propose, promise_take, waiver_propose
from arrears.workbench.services import account_today, note_add, outcome_record
from tests.factories import give_work

pytestmark = pytest.mark.django_db

ACTIONS = {
    "outcome": lambda account, actor: outcome_record(account, outcome="no_answer", actor=actor),
    "note": lambda account, actor: note_add(account, text="called", actor=actor),
    "promise": lambda account, actor: promise_take(
        account, amount_minor=100, due_date=account_today(account) + timedelta(days=3),
        actor=actor),
    "plan": lambda account, actor: plan_propose(account, kind="instalment", months=3,
                                               actor=actor),
    "waiver": lambda account, actor: waiver_propose(account, kind="fee", amount_minor=100,
                                                   actor=actor),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", ["collector", "auditor", "compliance_officer", "administrator"])
def test_a_person_cannot_act_through_a_service_on_an_account_they_do_not_work(
    world, role, action
):
    account = world.accounts["other"] if role == "collector" else world.accounts["own"]
    with pytest.raises(AccessDenied):
        ACTIONS[action](account, world.users[role])


def test_the_collector_acts_on_their_own_account_and_on_one_dealt_to_them(world):
    outcome_record(world.accounts["own"], outcome="no_answer", actor=world.users["collector"])
    with pytest.raises(AccessDenied):
        note_add(world.accounts["placed"], text="called", actor=world.users["collector"])
    give_work(world.users["collector"], world.accounts["placed"])
    note_add(world.accounts["placed"], text="called", actor=world.users["collector"])
