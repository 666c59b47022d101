"""Reading an account's aging, balances and payoff quote."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory

from arrears.api.api import api
from tests.api.test_auth import assert_error

pytestmark = pytest.mark.django_db


def test_account_shows_aging_and_balances(reader, billed, today):
    response = reader.get(f"/api/v1/accounts/{billed.external_id}")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "account_id": billed.external_id, "status": "active", "currency": "CNY",
        "as_of": today.isoformat(), "bucket": "M1", "days_past_due": 25,
        "cycles_delinquent": 1, "past_due": "100.00",
        "oldest_unpaid_due_date": (today - timedelta(days=25)).isoformat(),
        "balances": {"principal": "1000.00", "interest": "0.00", "fees": "0.00",
                     "total": "1000.00"},
    }


def test_account_as_of_an_earlier_date(reader, billed, today):
    as_of = today - timedelta(days=26)
    body = reader.get(f"/api/v1/accounts/{billed.external_id}", as_of=as_of.isoformat()).json()
    assert (body["as_of"], body["bucket"], body["days_past_due"]) == (as_of.isoformat(), "M0", 0)
    before = reader.get(f"/api/v1/accounts/{billed.external_id}",
                        as_of=(today - timedelta(days=61)).isoformat()).json()
    assert before["balances"]["total"] == "0.00"


def test_account_as_of_a_future_date_is_refused(reader, billed, today):
    response = reader.get(f"/api/v1/accounts/{billed.external_id}",
                          as_of=(today + timedelta(days=1)).isoformat())
    assert_error(response, 400, "as_of_in_future")


def test_account_as_of_a_bad_date_is_a_validation_error(reader, billed):
    body = assert_error(reader.get(f"/api/v1/accounts/{billed.external_id}", as_of="01/02/2026"),
                        400, "validation_error")
    assert body["errors"][0]["field"] == "as_of"


def test_unknown_account_is_404(reader, db):
    body = assert_error(reader.get("/api/v1/accounts/NOPE"), 404, "unknown_account")
    assert "NOPE" in body["message"]
    assert_error(reader.get("/api/v1/accounts/NOPE/payoff"), 404, "unknown_account")


def test_payoff_today_is_what_is_owed(reader, billed, today):
    body = reader.get(f"/api/v1/accounts/{billed.external_id}/payoff").json()
    assert body == {
        "account_id": billed.external_id, "currency": "CNY", "payoff_date": today.isoformat(),
        "principal": "1000.00", "interest": "0.00", "fees": "0.00",
        "projected_interest": "0.00", "projected_fees": "0.00", "total": "1000.00",
    }


def test_payoff_later_adds_the_interest_that_will_accrue(reader, billed, today):
    later = today + timedelta(days=10)
    body = reader.get(f"/api/v1/accounts/{billed.external_id}/payoff",
                      date=later.isoformat()).json()
    assert body["payoff_date"] == later.isoformat()
    assert Decimal(body["projected_interest"]) > 0
    parts = Decimal(body["principal"]) + Decimal(body["interest"]) + Decimal(body["fees"])
    assert Decimal(body["total"]) == parts > Decimal("1000.00")
    assert all(re.fullmatch(r"-?\d+\.\d\d", body[k]) for k in ("principal", "interest", "total"))


def test_payoff_in_the_past_is_refused(reader, billed, today):
    response = reader.get(f"/api/v1/accounts/{billed.external_id}/payoff",
                          date=(today - timedelta(days=1)).isoformat())
    assert_error(response, 400, "payoff_date_in_past")


def test_an_unknown_endpoint_is_a_json_404(reader, db):
    assert_error(reader.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(reader.get("/api/v2/accounts/A1"), 404, "not_found")


def test_an_unexpected_error_is_a_json_500_without_details(caplog):
    request = RequestFactory().get("/api/v1/accounts/A1")
    response = api.on_exception(request, RuntimeError("secret internals"))
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["code"] == "internal_error"
    assert "secret" not in response.content.decode()
    assert "secret internals" in caplog.text


def test_a_method_an_endpoint_does_not_offer_is_a_json_405(poster, client, billed):
    response = client.delete("/api/v1/payments")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"
    response = client.post(f"/api/v1/accounts/{billed.external_id}/payoff")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
