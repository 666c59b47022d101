"""Bad input is refused with a 4xx that names the problem, never a 500: characters no database
can store, bodies larger than the limit."""

import pytest

from arrears.ledger.models import Posting
from tests.api.test_auth import assert_error
from tests.api.test_postings import pay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["external_id", "account_id", "amount"])
@pytest.mark.parametrize("character", ["\x00", "\ud800", "\x1b"])
def test_an_unstorable_character_in_a_payment_is_400_naming_the_field(poster, billed, field,
                                                                      character):
    body = {"external_id": "PAY1", "account_id": billed.external_id, "amount": "1.00"}
    body[field] = body[field] + character
    response = poster.post("/api/v1/payments", body)
    refused = assert_error(response, 400, "validation_error")
    assert [e["field"] for e in refused["errors"]] == [field]
    if character != "\ud800":  # pydantic's own reason: "not a valid unicode string"
        assert "cannot be stored" in refused["message"]
    assert not Posting.objects.filter(kind="payment").exists()


def test_a_nul_in_a_reversal_reason_is_400(poster, billed):
    pay(poster, billed)
    response = poster.post("/api/v1/reversals", {
        "external_id": "REV1", "reverses": "PAY1", "reason": "bounced\x00"})
    refused = assert_error(response, 400, "validation_error")
    assert refused["errors"][0]["field"] == "reason"


def test_a_nul_in_the_account_path_is_400(reader, billed):
    refused = assert_error(reader.get("/api/v1/accounts/A%00B"), 400, "validation_error")
    assert refused["errors"][0]["field"] == "account_id"
    assert_error(reader.get("/api/v1/accounts/A%00B/payoff"), 400, "validation_error")


def test_tab_and_newline_are_fine_in_a_reason(poster, billed):
    pay(poster, billed)
    response = poster.post("/api/v1/reversals", {
        "external_id": "REV1", "reverses": "PAY1", "reason": "bounced\\n\\tby the bank"})
    assert response.status_code == 201, response.content
