"""Bearer tokens: who may call the API at all, and who may post."""

import pytest
from django.contrib.auth.models import User

from arrears.ledger.models import Posting
from arrears.users.models import ApiToken
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    return body


def test_no_token_is_401(client, billed):
    response = Api(client, None).get(f"/api/v1/accounts/{billed.external_id}")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(client, billed):
    response = Api(client, "arr_not-a-real-token").get(f"/api/v1/accounts/{billed.external_id}")
    assert_error(response, 401, "unauthorized")


def test_revoked_token_is_401(client, billed, reader_token):
    ApiToken.objects.update(revoked=True)
    response = Api(client, reader_token).get(f"/api/v1/accounts/{billed.external_id}")
    assert_error(response, 401, "unauthorized")


def test_token_of_an_inactive_user_is_401(client, billed, reader_token):
    User.objects.filter(username="dialer").update(is_active=False)
    response = Api(client, reader_token).get(f"/api/v1/accounts/{billed.external_id}")
    assert_error(response, 401, "unauthorized")


def test_a_used_token_records_when(reader, billed):
    assert ApiToken.objects.get().last_used_at is None
    assert reader.get(f"/api/v1/accounts/{billed.external_id}").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_posting_without_permission_is_403_and_books_nothing(reader, billed):
    response = reader.post("/api/v1/payments", {
        "external_id": "PAY1", "account_id": billed.external_id, "amount": "100.00"})
    body = assert_error(response, 403, "forbidden")
    assert "ledger.add_posting" in body["message"]
    assert not Posting.objects.filter(external_id="PAY1").exists()


def test_reading_without_permission_is_403(client, billed):
    user = User.objects.create_user(username="nobody", password="unused-password-1")
    raw = ApiToken.issue(user=user, name="no rights")[1]
    response = Api(client, raw).get(f"/api/v1/accounts/{billed.external_id}")
    assert_error(response, 403, "forbidden")


def test_reversal_without_permission_is_403(reader, billed):
    response = reader.post("/api/v1/reversals", {
        "external_id": "REV1", "reverses": "BUY1", "reason": "mistake"})
    assert_error(response, 403, "forbidden")
    assert not Posting.objects.filter(external_id="REV1").exists()
