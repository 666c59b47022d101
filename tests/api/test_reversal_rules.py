"""A payment gateway may reverse only the payments it posted itself; anything else (a purchase,
the night's interest, a fee, another client's payment) is waived through the workbench, where
the authority matrix and its approvals apply."""

import pytest

from arrears.ledger.models import Posting
from arrears.ledger.services import PostingRequest, posting_create
from arrears.users.models import ApiToken
from tests.api.conftest import Api, user_with
from tests.api.test_auth import assert_error
from tests.api.test_postings import pay

pytestmark = pytest.mark.django_db


def reverse(api, target: str, external_id: str = "REV1"):
    return api.post("/api/v1/reversals", {
        "external_id": external_id, "reverses": target, "reason": "returned by the bank"})


def nightly_interest(account, today):
    request = PostingRequest(account, "INT-1", "interest", 50, today, today)
    return posting_create(request=request, source="cycle")[0]


def test_the_gateway_cannot_reverse_a_purchase(poster, billed):
    body = assert_error(reverse(poster, "BUY1"), 403, "reversal_not_allowed")
    assert "BUY1" in body["message"]
    assert not Posting.objects.filter(kind="reversal").exists()


def test_the_gateway_cannot_reverse_the_nights_interest(poster, billed, today):
    nightly_interest(billed, today)
    assert_error(reverse(poster, "INT-1"), 403, "reversal_not_allowed")
    assert not Posting.objects.filter(kind="reversal").exists()


def test_the_gateway_cannot_reverse_a_payment_posted_by_another_client(client, billed):
    other_user = user_with("other_gateway", "ledger.add_posting", "portfolio.view_account")
    other = Api(client, ApiToken.issue(user=other_user, name="other")[1])
    mine = Api(client, ApiToken.issue(
        user=user_with("gateway", "ledger.add_posting"), name="gateway")[1])
    assert pay(other, billed, external_id="THEIRS").status_code == 201
    body = assert_error(reverse(mine, "THEIRS"), 403, "reversal_not_allowed")
    assert "THEIRS" in body["message"]
    assert not Posting.objects.filter(kind="reversal").exists()


def test_the_gateway_cannot_reverse_a_reversal(poster, billed):
    pay(poster, billed)
    assert reverse(poster, "PAY1").status_code == 201
    assert_error(reverse(poster, "REV1", external_id="REV2"), 403, "reversal_not_allowed")


def test_the_gateway_reverses_its_own_payment(poster, billed):
    pay(poster, billed)
    assert reverse(poster, "PAY1").status_code == 201


def test_an_external_id_of_another_client_is_a_conflict_not_its_receipt(client, billed):
    """Replaying another client's external id must not hand back that client's answer."""
    first = Api(client, ApiToken.issue(
        user=user_with("gw1", "ledger.add_posting"), name="gw1")[1])
    second = Api(client, ApiToken.issue(
        user=user_with("gw2", "ledger.add_posting"), name="gw2")[1])
    booked = pay(first, billed, amount="100.00")
    assert booked.status_code == 201
    replay = pay(second, billed, amount="100.00",
                 posting_date=booked.json()["posting"]["posting_date"])
    assert_error(replay, 409, "conflict")
