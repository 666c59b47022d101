"""Payments and reversals through HTTP: booked once, answered the same way on a retry."""

from datetime import timedelta

import pytest

from arrears.api.models import ApiReceipt
from arrears.audit.models import AuditEvent
from arrears.ledger.models import Posting
from tests.api.test_auth import assert_error

pytestmark = pytest.mark.django_db


def pay(api, account, external_id="PAY1", amount="100.00", **extra):
    body = {"external_id": external_id, "account_id": account.external_id, "amount": amount}
    return api.post("/api/v1/payments", {**body, **extra})


def test_a_payment_is_booked_and_lowers_the_balance(poster, billed, today):
    response = pay(poster, billed, amount="250.50")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["posting"] == {
        **body["posting"],
        "external_id": "PAY1", "account_id": billed.external_id, "kind": "payment",
        "amount": "250.50", "currency": "CNY", "posting_date": today.isoformat(),
        "value_date": today.isoformat(), "reverses": None,
    }
    assert body["account"]["balances"]["total"] == "749.50"
    assert body["account"]["bucket"] == "M0"
    assert body["account"]["days_past_due"] == 0
    posting = Posting.objects.get(external_id="PAY1")
    assert (posting.amount_minor, posting.source, posting.actor.username) == (
        25_050, "api", "gateway")


def test_a_payment_is_audited_once(poster, billed):
    pay(poster, billed)
    pay(poster, billed)
    events = AuditEvent.objects.filter(action="posting_payment")
    assert [(e.actor_label, e.details["posting"]) for e in events] == [("gateway", "PAY1")]


def test_a_repeat_returns_the_first_result_and_books_once(poster, billed):
    first = pay(poster, billed, amount="100.00")
    pay(poster, billed, external_id="PAY2", amount="50.00")
    # The date the first one was booked on (not "today" read earlier: local midnight may pass).
    booked_on = first.json()["posting"]["posting_date"]
    repeat = pay(poster, billed, amount="100.00", posting_date=booked_on)
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert repeat.json() == first.json()
    assert repeat.json()["account"]["balances"]["total"] == "900.00"
    assert Posting.objects.filter(kind="payment").count() == 2


def test_the_same_id_with_another_amount_is_a_conflict(poster, billed):
    pay(poster, billed, amount="100.00")
    response = pay(poster, billed, amount="100.01")
    body = assert_error(response, 409, "conflict")
    assert "PAY1" in body["message"]
    assert Posting.objects.get(external_id="PAY1").amount_minor == 10_000


@pytest.mark.parametrize("amount", ["12.345", "abc", "-5.00", "0", "", "1e30", "NaN"])
def test_a_bad_amount_is_400_and_books_nothing(poster, billed, amount):
    response = pay(poster, billed, amount=amount)
    assert response.status_code == 400, response.content
    assert response.json()["code"] in {"invalid_amount", "validation_error"}
    assert not Posting.objects.filter(kind="payment").exists()


def test_an_amount_with_too_many_decimals_names_the_field(poster, billed):
    body = assert_error(pay(poster, billed, amount="12.345"), 400, "invalid_amount")
    assert "amount" in body["message"]


def test_a_number_instead_of_a_string_is_a_validation_error(poster, billed):
    body = assert_error(pay(poster, billed, amount=12.5), 400, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["amount"]


def test_missing_and_unknown_fields_are_named(poster, billed):
    response = poster.post("/api/v1/payments", {"account_id": billed.external_id,
                                                "amount": "1.00", "amout": "2"})
    body = assert_error(response, 400, "validation_error")
    assert sorted(e["field"] for e in body["errors"]) == ["amout", "external_id"]
    assert "external_id" in body["message"]


def test_a_bad_date_is_a_validation_error(poster, billed):
    body = assert_error(pay(poster, billed, posting_date="2026-02-30"), 400, "validation_error")
    assert body["errors"][0]["field"] == "posting_date"


def test_a_body_that_is_not_json_is_400(poster, billed):
    assert_error(poster.post("/api/v1/payments", "{not json"), 400, "bad_request")


def test_a_payment_to_an_unknown_account_is_404(poster, db):
    response = poster.post("/api/v1/payments", {
        "external_id": "PAY1", "account_id": "NOPE", "amount": "1.00"})
    body = assert_error(response, 404, "unknown_account")
    assert "NOPE" in body["message"]


def test_a_reversal_re_ages_the_account(poster, billed, today):
    pay(poster, billed, amount="100.00")
    response = poster.post("/api/v1/reversals", {
        "external_id": "REV1", "reverses": "PAY1", "reason": "cheque bounced"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["posting"]["kind"] == "reversal"
    assert body["posting"]["reverses"] == "PAY1"
    assert body["posting"]["amount"] == "100.00"
    assert body["account"]["days_past_due"] == 25
    assert body["account"]["bucket"] == "M1"
    assert body["account"]["past_due"] == "100.00"
    assert body["account"]["balances"]["total"] == "1000.00"


def test_a_repeated_reversal_returns_the_first_result(poster, billed):
    pay(poster, billed)
    reversal = {"external_id": "REV1", "reverses": "PAY1", "reason": "cheque bounced"}
    first = poster.post("/api/v1/reversals", reversal)
    repeat = poster.post("/api/v1/reversals", reversal)
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert repeat.json() == first.json()
    assert Posting.objects.filter(kind="reversal").count() == 1
    assert ApiReceipt.objects.count() == 2


def test_reversing_twice_is_a_conflict(poster, billed):
    pay(poster, billed)
    poster.post("/api/v1/reversals", {"external_id": "REV1", "reverses": "PAY1", "reason": "x"})
    response = poster.post("/api/v1/reversals", {
        "external_id": "REV2", "reverses": "PAY1", "reason": "again"})
    assert_error(response, 409, "already_reversed")


def test_reversing_an_unknown_posting_is_404(poster, billed):
    response = poster.post("/api/v1/reversals", {
        "external_id": "REV1", "reverses": "NOPE", "reason": "x"})
    assert_error(response, 404, "unknown_posting")


def test_a_reversal_dated_before_its_posting_is_400(poster, billed, today):
    pay(poster, billed)
    response = poster.post("/api/v1/reversals", {
        "external_id": "REV1", "reverses": "PAY1", "reason": "x",
        "posting_date": (today - timedelta(days=1)).isoformat()})
    assert_error(response, 400, "invalid_date")
