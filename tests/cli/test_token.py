"""``arrears token``: create, list and revoke API tokens."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.audit.models import AuditEvent
from arrears.users.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def gateway(db):
    return User.objects.create_user(username="gateway", password="unused-password-1")


def created_raw(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("arr_"))


def test_create_prints_a_working_token_once(gateway, client):
    raw = created_raw(run("create", "gateway", "--name", "payment gateway"))
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(raw)
    assert (token.user, token.name) == (gateway, "payment gateway")
    assert raw not in run("list")
    response = client.get("/api/v1/accounts/A1", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403  # authenticated; no read permission yet
    assert AuditEvent.objects.filter(action="api_token_create").count() == 1


def test_create_for_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="There is no user ghost"):
        run("create", "ghost", "--name", "x")
    assert not ApiToken.objects.exists()


def test_list_shows_prefix_user_name_and_state(gateway):
    token, _raw = ApiToken.issue(user=gateway, name="payment gateway")
    line = next(line for line in run("list").splitlines() if token.prefix in line)
    assert "gateway" in line and "payment gateway" in line and "live" in line


def test_revoke_stops_the_token(gateway, client):
    raw = created_raw(run("create", "gateway", "--name", "dialer"))
    assert "Revoked" in run("revoke", raw[:8])
    assert ApiToken.objects.get().revoked
    assert "revoked" in run("list")
    response = client.get("/api/v1/accounts/A1", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert AuditEvent.objects.filter(action="api_token_revoke").count() == 1


def test_revoke_with_an_unknown_or_shared_prefix_changes_nothing(gateway):
    run("create", "gateway", "--name", "one")
    run("create", "gateway", "--name", "two")
    with pytest.raises(CommandError, match="no live token"):
        run("revoke", "arr_zzzzzzzz-no")
    with pytest.raises(CommandError, match="More than one"):
        run("revoke", "arr_")
    assert not ApiToken.objects.filter(revoked=True).exists()
    second = ApiToken.objects.get(name="two")
    run("revoke", "arr_", "--id", str(second.pk))
    assert list(ApiToken.objects.filter(revoked=True)) == [second]
