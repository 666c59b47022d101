"""What I owe, paying through the provider interface (callbacks booked exactly once) and a
promise made through the arrangements' own service."""

import json
from datetime import timedelta

import pytest

from arrears.arrangements.models import Promise
from arrears.arrangements.services import account_today
from arrears.audit.models import AuditEvent
from arrears.ledger.models import Posting
from arrears.selfservice.models import PaymentIntent
from arrears.selfservice.payments import SimulatorProvider
from tests.selfservice.conftest import MOBILE, portal_client, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(owing):
    client = portal_client()
    sign_in(client, owing, MOBILE)
    return client


def test_what_i_owe_is_itemised_with_todays_payoff(signed_in, owing):
    page = signed_in.get("/self/owed/").content.decode()
    assert 'id="principal">CNY 10,000.00<' in page
    assert 'id="interest">CNY 300.00<' in page
    assert 'id="fees">CNY 600.00<' in page
    assert 'id="payoff-amount">CNY 10,' in page  # principal, interest, fees and today's accrual
    assert "**** 1234" in page and owing.external_id not in page
    assert "王小明" not in page  # the portal shows no name: the phone may be shared


def _pay(client, amount: str) -> PaymentIntent:
    answer = client.post("/self/pay/", {"amount": amount})
    assert answer.status_code == 302, answer.content
    intent = PaymentIntent.objects.latest("pk")
    assert answer["Location"] == f"/self/pay/sim/{intent.reference}/"
    return intent


def test_a_callback_that_comes_twice_books_the_payment_once(signed_in, owing):
    intent = _pay(signed_in, "500.00")
    body, headers = SimulatorProvider().callback_body(intent, succeeded=True)
    server = portal_client()  # the provider: no cookie, no CSRF token, a signature
    for _time in range(2):
        answer = server.post("/self/pay/callback/simulator/", body,
                             content_type="application/json",
                             headers={"X-Simulator-Signature": headers[SimulatorProvider.header]})
        assert answer.status_code == 200 and answer.content == b"succeeded"
    payments = Posting.objects.filter(account=owing, kind="payment")
    assert [(p.amount_minor, p.source, p.external_id) for p in payments] == [
        (50_000, "portal", f"SS-simulator-{intent.reference}")]
    intent.refresh_from_db()
    assert intent.status == "succeeded" and intent.callbacks == 2
    assert AuditEvent.objects.filter(action="selfservice_payment_succeeded").count() == 1
    page = signed_in.get(f"/self/pay/{intent.reference}/")
    assert b'data-status="succeeded"' in page.content


def test_a_callback_with_a_bad_signature_books_nothing(signed_in, owing):
    intent = _pay(signed_in, "500.00")
    body, _headers = SimulatorProvider().callback_body(intent, succeeded=True)
    answer = portal_client().post("/self/pay/callback/simulator/", body,
                                  content_type="application/json",
                                  headers={"X-Simulator-Signature": "0" * 64})
    assert answer.status_code == 400
    forged = json.dumps({**json.loads(body), "amount_minor": 1}).encode()
    answer = portal_client().post("/self/pay/callback/simulator/", forged,
                                  content_type="application/json",
                                  headers={"X-Simulator-Signature": _headers[
                                      SimulatorProvider.header]})
    assert answer.status_code == 400
    assert not Posting.objects.filter(account=owing, kind="payment").exists()
    assert PaymentIntent.objects.get().status == "pending"


def test_a_callback_for_another_amount_fails_the_intent_and_books_nothing(signed_in, owing):
    intent = _pay(signed_in, "500.00")
    intent.amount_minor = 1  # what a confused provider would report
    body, headers = SimulatorProvider().callback_body(intent, succeeded=True)
    answer = portal_client().post("/self/pay/callback/simulator/", body,
                                  content_type="application/json",
                                  headers={"X-Simulator-Signature": headers[
                                      SimulatorProvider.header]})
    assert answer.content == b"failed"
    assert not Posting.objects.filter(account=owing, kind="payment").exists()
    assert "intent was for" in PaymentIntent.objects.get().last_error


def test_the_simulators_page_pays_through_the_same_callback(signed_in, owing):
    intent = _pay(signed_in, "1,000.50")
    assert b"CNY 1,000.50" in signed_in.get(f"/self/pay/sim/{intent.reference}/").content
    answer = signed_in.post(f"/self/pay/sim/{intent.reference}/", {"pay": "1"})
    assert answer["Location"] == f"/self/pay/{intent.reference}/"
    assert Posting.objects.get(account=owing, kind="payment").amount_minor == 100_050


def test_a_declined_payment_books_nothing(signed_in, owing):
    intent = _pay(signed_in, "100")
    signed_in.post(f"/self/pay/sim/{intent.reference}/", {"pay": "0"})
    assert PaymentIntent.objects.get().status == "failed"
    assert not Posting.objects.filter(account=owing, kind="payment").exists()


@pytest.mark.parametrize("amount, reason", [
    ("0", b"greater than zero"), ("-5", b"Amount:"), ("abc", b"Amount:"),
    ("99999999", b"pays the account off today"), ("1.234", b"Amount:"),
])
def test_a_bad_amount_says_why(signed_in, amount, reason):
    answer = signed_in.post("/self/pay/", {"amount": amount})
    assert answer.status_code == 400 and reason in answer.content
    assert not PaymentIntent.objects.exists()


def test_a_promise_goes_through_the_arrangements_rules(signed_in, owing):
    today = account_today(owing)
    answer = signed_in.post("/self/promise/", {"amount": "800.00",
                                               "due_date": (today + timedelta(days=7))})
    assert answer["Location"] == "/self/owed/"
    promise = Promise.objects.get(account=owing)
    assert (promise.amount_minor, promise.status, promise.taken_by) == (80_000, "pending", None)
    assert b'id="promise-in-force"' in signed_in.get("/self/owed/").content
    too_far = signed_in.post("/self/promise/", {"amount": "800.00",
                                                "due_date": today + timedelta(days=90)})
    assert too_far.status_code == 400 and b"at most 30 days ahead" in too_far.content
    past = signed_in.post("/self/promise/", {"amount": "800.00",
                                             "due_date": today - timedelta(days=1)})
    assert past.status_code == 400 and b"in the past" in past.content
    bad_date = signed_in.post("/self/promise/", {"amount": "800.00", "due_date": "31/02"})
    assert bad_date.status_code == 400 and b"YYYY-MM-DD" in bad_date.content
    assert Promise.objects.filter(account=owing).count() == 1


def test_without_the_simulator_nothing_pays_through_it(signed_in, owing, settings):
    intent = _pay(signed_in, "500.00")
    body, headers = SimulatorProvider().callback_body(intent, succeeded=True)
    settings.ARREARS_PAYMENT_SIMULATOR = False
    answer = portal_client().post("/self/pay/callback/simulator/", body,
                                  content_type="application/json",
                                  headers={"X-Simulator-Signature": headers[
                                      SimulatorProvider.header]})
    assert answer.status_code == 400
    assert signed_in.get(f"/self/pay/sim/{intent.reference}/").status_code == 404
    answer = signed_in.post("/self/pay/", {"amount": "10.00"})
    assert answer.status_code == 400 and b"not available" in answer.content
    assert not Posting.objects.filter(account=owing, kind="payment").exists()
