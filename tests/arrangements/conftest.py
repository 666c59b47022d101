"""Fixtures: users in each role, and an account that owes principal, interest and fees."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User

from arrears.arrangements.services import account_today
from arrears.ledger.services import PostingRequest, posting_create
from arrears.users.services import role_groups_ensure
from tests.factories import give_work, make_account, make_statement

PRINCIPAL = 1_000_000
INTEREST = 30_000
FEES = 60_000


@pytest.fixture
def users(db):
    """collector, collector2, team_lead, manager (collections_manager)."""
    role_groups_ensure()
    roles = {"collector": "collector", "collector2": "collector", "team_lead": "team_lead",
             "manager": "collections_manager"}
    users = {}
    for name, role in roles.items():
        users[name] = User.objects.create(username=name)
        users[name].groups.set([Group.objects.get(name=role)])
    return users


def post(account, external_id: str, kind: str, amount: int, day: date, component: str = ""):
    request = PostingRequest(account, external_id, kind, amount, day, day, component=component)
    return posting_create(request=request, source="import")[0]


@pytest.fixture
def owing(db, product, users):
    """An account that owes 10,000.00 principal, 300.00 interest and 600.00 fees, past due,
    in the pool of a team where every user of ``users`` has a seat (the access policy lets
    them work it)."""
    account = make_account(product=product)
    for user in users.values():
        give_work(user, account, pooled=True)
    today = account_today(account)
    start = today - timedelta(days=400)
    post(account, f"{account.external_id}-P", "purchase", PRINCIPAL, start)
    post(account, f"{account.external_id}-I", "interest", INTEREST, start + timedelta(days=40))
    post(account, f"{account.external_id}-F", "late_fee", FEES, start + timedelta(days=40))
    make_statement(account=account, cycle_date=start + timedelta(days=5),
                   due_date=start + timedelta(days=30), balance=PRINCIPAL, minimum=100_000)
    return account
