"""A cardholder in arrears with a mobile number, and helpers that go through the portal's
sign-in exactly as a browser does (the code read from the SMS simulator)."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from arrears.arrangements.services import account_today
from arrears.channels.models import SimulatedSms
from arrears.ledger.services import PostingRequest, posting_create
from arrears.portfolio.models import ContactPoint
from tests.factories import make_account, make_cardholder, make_statement

PRINCIPAL = 1_000_000
INTEREST = 30_000
FEES = 60_000
MOBILE = "13900004321"


@pytest.fixture(autouse=True)
def quick_answers(settings):
    """The portal's answer-time floor is a defence, not something to wait for in every test."""
    settings.ARREARS_SELF_SERVICE_ANSWER_SECONDS = 0


def _post(account, external_id, kind, amount, day):
    posting_create(request=PostingRequest(account, external_id, kind, amount, day, day),
                   source="import")


def make_owing(*, external_id: str, mobile: str, name: str = "王小明", language: str = "en"):
    """An account owing 10,000.00 principal, 300.00 interest, 600.00 fees, past due."""
    holder = make_cardholder(external_id=f"CH-{external_id}", name=name, language=language)
    ContactPoint.objects.create(external_id=f"CP-{external_id}", cardholder=holder,
                                kind="mobile", value=mobile, verified=True)
    account = make_account(external_id=external_id, cardholder=holder)
    today = account_today(account)
    start = today - timedelta(days=120)
    _post(account, f"{external_id}-P", "purchase", PRINCIPAL, start)
    _post(account, f"{external_id}-I", "interest", INTEREST, start + timedelta(days=40))
    _post(account, f"{external_id}-F", "late_fee", FEES, start + timedelta(days=40))
    make_statement(account=account, cycle_date=start + timedelta(days=5),
                   due_date=start + timedelta(days=30), balance=PRINCIPAL, minimum=100_000)
    return account


@pytest.fixture
def owing(db):
    return make_owing(external_id="6222020000011234", mobile=MOBILE)


@pytest.fixture
def other(db):
    return make_owing(external_id="6222020000029876", mobile="13700009999", name="李四")


def last_code(mobile: str) -> str:
    """The code of the last SMS the simulator gateway received for ``mobile``."""
    sms = SimulatedSms.objects.filter(to=mobile).order_by("-pk").first()
    assert sms is not None, "no SMS was sent"
    return re.search(r"\d{6}", sms.text).group(0)


def portal_client(**kwargs) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)


def sign_in(client: Client, account, mobile: str) -> None:
    """Card's last four and mobile, then the code from the SMS: a signed-in portal client."""
    answer = client.post("/self/", {"last4": account.external_id[-4:], "mobile": mobile})
    assert answer.status_code == 302 and answer["Location"] == "/self/code/"
    answer = client.post("/self/code/", {"code": last_code(mobile)})
    assert answer.status_code == 302 and answer["Location"] == "/self/owed/", answer.content
