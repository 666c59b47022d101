"""Fixtures for the API: users with tokens, an account billed and past due as of today."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User

from arrears.api.selectors import product_today
from arrears.ledger.services import PostingRequest, posting_create
from arrears.users.models import ApiToken
from tests.factories import make_statement


def purchase(account, amount_minor, on, external_id):
    request = PostingRequest(account, external_id, "purchase", amount_minor, on, on)
    return posting_create(request=request, source="import")[0]


def user_with(username: str, *permissions: str) -> User:
    """A system user of the API (role api_client) holding ``permissions``."""
    user = User.objects.create_user(username=username, password="unused-password-1")
    user.groups.add(Group.objects.get_or_create(name="api_client")[0])
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def poster_token(db) -> str:
    """A payment gateway's token: may post and read."""
    user = user_with("gateway", "ledger.add_posting", "portfolio.view_account")
    return ApiToken.issue(user=user, name="payment gateway")[1]


@pytest.fixture
def reader_token(db) -> str:
    """A dialer's token: may read accounts, not post."""
    user = user_with("dialer", "portfolio.view_account")
    return ApiToken.issue(user=user, name="dialer")[1]


@pytest.fixture
def today(product):
    return product_today(product)


@pytest.fixture
def billed(account, today):
    """1,000.00 bought 60 days ago; the statement 50 days ago asked 100.00 by 25 days ago."""
    purchase(account, 100_000, today - timedelta(days=60), "BUY1")
    make_statement(account=account, cycle_date=today - timedelta(days=50),
                   due_date=today - timedelta(days=25), balance=100_000, minimum=10_000)
    return account


class Api:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self._headers())

    def post(self, path: str, body):
        """``body`` is a dict sent as JSON, or a string sent as it is."""
        return self.client.post(path, body, content_type="application/json",
                                headers=self._headers())


@pytest.fixture
def poster(client, poster_token) -> Api:
    return Api(client, poster_token)


@pytest.fixture
def reader(client, reader_token) -> Api:
    return Api(client, reader_token)
