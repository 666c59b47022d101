"""Two callbacks of one payment at the same moment (a provider's retry racing the first):
the intent's row lock and the posting's unique external id book it once (on PostgreSQL the
second waits for the first; SQLite's in-memory test database refuses it as locked, and the
provider's retry then finds the payment booked)."""

import threading

import pytest
from django.db import connection

from arrears.ledger.models import Posting
from arrears.selfservice.models import PaymentIntent
from arrears.selfservice.payments import SimulatorProvider, payment_callback, payment_start
from tests.selfservice.conftest import make_owing

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_callbacks_at_once_book_the_payment_once():
    account = make_owing(external_id="6222020000077777", mobile="13900007777")
    intent = payment_start(account, amount_minor=25_000)
    body, headers = SimulatorProvider().callback_body(intent, succeeded=True)
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def provider_calls():
        try:
            start.wait()
            outcomes.append(payment_callback("simulator", body, headers).status)
        except Exception as error:  # noqa: BLE001  (reported below, with its type)
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=provider_calls) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if connection.vendor == "postgresql":  # the second waits for the first's row lock
        assert not errors, errors
        assert outcomes == ["succeeded", "succeeded"]
    else:  # SQLite's in-memory test database refuses the second writer: the provider retries
        assert all("locked" in error for error in errors), errors
        assert outcomes and set(outcomes) == {"succeeded"}
        assert payment_callback("simulator", body, headers).status == "succeeded"
        outcomes.append("retried")
    assert Posting.objects.filter(account=account, kind="payment").count() == 1
    assert PaymentIntent.objects.get().callbacks == len(outcomes)
