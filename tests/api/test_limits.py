"""Plausibility limits at the API: no payment far above the balance, no posting dated before
the account was opened or after today, no amount beyond the product's (and the hard) ceiling;
date parameters bounded, so that no request can make the server compute for long."""

from datetime import date, timedelta

import pytest

from arrears.ledger.models import Posting
from tests.api.test_auth import assert_error
from tests.api.test_postings import pay

pytestmark = pytest.mark.django_db


def test_a_payment_of_a_trillion_is_refused_in_money(poster, billed):
    body = assert_error(pay(poster, billed, amount="1000000000000"), 400, "amount_too_large")
    assert "CNY 1,000,000,000,000.00" in body["message"]
    assert "CNY 100,000,000.00" in body["message"]  # the product's ceiling
    assert not Posting.objects.filter(kind="payment").exists()


def test_a_payment_far_above_the_balance_is_refused(poster, billed):
    # 1,000.00 owed: 10 % more plus a margin of 1,000.00 is 2,100.00 at most.
    body = assert_error(pay(poster, billed, amount="2100.01"), 400, "amount_exceeds_balance")
    assert "CNY 1,000.00" in body["message"] and "CNY 2,100.00" in body["message"]
    assert pay(poster, billed, external_id="PAY2", amount="2100.00").status_code == 201


def test_the_overpayment_margin_is_the_products(poster, billed):
    billed.product.overpayment_percent = 0
    billed.product.overpayment_margin_minor = 0
    billed.product.save()
    assert_error(pay(poster, billed, amount="1000.01"), 400, "amount_exceeds_balance")
    assert pay(poster, billed, external_id="PAY2", amount="1000.00").status_code == 201


def test_a_repeat_of_a_booked_payment_is_still_answered_after_the_balance_fell(poster, billed):
    first = pay(poster, billed, amount="2000.00")
    assert first.status_code == 201
    repeat = pay(poster, billed, amount="2000.00",
                 posting_date=first.json()["posting"]["posting_date"])
    assert repeat.status_code == 200 and repeat.json() == first.json()


@pytest.mark.parametrize(("posting_date", "code"), [
    (date(1900, 1, 1), "date_before_open"),
    (date(2023, 12, 31), "date_before_open"),  # the account opened on 2024-01-01
    (date(2099, 1, 1), "date_in_future"),
])
def test_a_posting_date_outside_the_accounts_life_is_refused(poster, billed, posting_date, code):
    body = assert_error(pay(poster, billed, posting_date=posting_date.isoformat()), 400, code)
    assert "posting_date" in body["message"]
    assert not Posting.objects.filter(kind="payment").exists()


def test_tomorrow_is_refused_and_a_value_date_too(poster, billed, today):
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert_error(pay(poster, billed, posting_date=tomorrow), 400, "date_in_future")
    body = assert_error(pay(poster, billed, value_date="1999-01-01"), 400, "date_before_open")
    assert "value_date" in body["message"]


def test_a_reversal_dated_ahead_is_refused(poster, billed, today):
    pay(poster, billed)
    response = poster.post("/api/v1/reversals", {
        "external_id": "REV1", "reverses": "PAY1", "reason": "x",
        "posting_date": (today + timedelta(days=400)).isoformat()})
    assert_error(response, 400, "date_in_future")


def test_a_payoff_quote_beyond_the_horizon_is_refused(reader, billed, today):
    path = f"/api/v1/accounts/{billed.external_id}/payoff"
    body = assert_error(reader.get(path, date=(today + timedelta(days=367)).isoformat()),
                        400, "payoff_date_too_far")
    assert "366" in body["message"]
    assert reader.get(path, date=(today + timedelta(days=366)).isoformat()).status_code == 200
    assert_error(reader.get(path, date="9999-12-31"), 400, "payoff_date_too_far")


def test_as_of_before_the_account_was_opened_is_refused(reader, billed):
    path = f"/api/v1/accounts/{billed.external_id}"
    body = assert_error(reader.get(path, as_of="0001-01-01"), 400, "as_of_before_open")
    assert "2024-01-01" in body["message"]
