"""The portal's boundaries: one cardholder, one account; CSRF on every form; portal and staff
sessions never open each other's pages; the staff see what the cardholder did."""

from datetime import timedelta

import pytest
from django.test import Client

from arrears.arrangements.models import Promise
from arrears.arrangements.services import account_today
from arrears.ledger.models import Posting
from arrears.selfservice.models import PaymentIntent, PortalSession
from arrears.selfservice.payments import payment_start
from arrears.users.services import role_groups_ensure, user_create_for_role
from tests.factories import give_work
from tests.selfservice.conftest import MOBILE, last_code, portal_client, sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "Portal-test-pw-1"
PORTAL_PAGES = ("/self/owed/", "/self/pay/", "/self/promise/")
STAFF_PAGES = ("/", "/work/", "/decisions/", "/channels/outbox/", "/admin/", "/accounts/")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def signed_in(owing):
    client = portal_client()
    sign_in(client, owing, MOBILE)
    return client


def test_another_cardholders_payment_cannot_be_reached_by_its_reference(signed_in, other):
    theirs = payment_start(other, amount_minor=10_000)
    for path in (f"/self/pay/{theirs.reference}/", f"/self/pay/sim/{theirs.reference}/"):
        assert signed_in.get(path).status_code == 404, path
    answer = signed_in.post(f"/self/pay/sim/{theirs.reference}/", {"pay": "1"})
    assert answer.status_code == 404
    assert not Posting.objects.filter(account=other, kind="payment").exists()
    assert PaymentIntent.objects.get(pk=theirs.pk).status == "pending"


def test_no_form_field_chooses_the_account(signed_in, owing, other):
    """Fields a tamperer might add (an account id, a cardholder) are not read."""
    extra = {"account": other.pk, "account_id": other.pk, "external_id": other.external_id,
             "cardholder": other.cardholder_id}
    signed_in.post("/self/pay/", {"amount": "10.00", **extra})
    assert PaymentIntent.objects.get().account == owing
    today = account_today(owing)
    signed_in.post("/self/promise/", {"amount": "10.00", "due_date": today + timedelta(days=3),
                                      **extra})
    assert Promise.objects.get().account == owing
    page = signed_in.get(f"/self/owed/?account={other.pk}").content.decode()
    assert "**** 1234" in page and "9876" not in page


def test_a_session_cookie_cannot_be_forged_or_kept_after_it_expires(signed_in, owing):
    forged = portal_client()
    forged.cookies["arrears_self"] = "not-a-token"
    assert forged.get("/self/owed/")["Location"] == "/self/"
    PortalSession.objects.update(expires_at=PortalSession.objects.get().created_at)
    assert signed_in.get("/self/owed/")["Location"] == "/self/"


@pytest.mark.parametrize("path, data", [
    ("/self/", {"last4": "1234", "mobile": MOBILE}),
    ("/self/code/", {"code": "123456"}),
    ("/self/pay/", {"amount": "1.00"}),
    ("/self/promise/", {"amount": "1.00", "due_date": "2030-01-01"}),
    ("/self/out/", {}),
    ("/i18n/setlang/", {"language": "en", "next": "/self/"}),
])
def test_every_form_needs_the_csrf_token(owing, path, data):
    helper = portal_client()
    sign_in(helper, owing, MOBILE)
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    strict.cookies = helper.cookies  # signed in, but no CSRF token in the form
    assert strict.post(path, data).status_code == 403


def test_a_link_form_needs_the_csrf_token(owing):
    from arrears.selfservice.links import links_issue

    url = links_issue([owing.pk])[owing.pk]
    path = url[url.index("/self/"):]
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    assert strict.post(path).status_code == 403


def test_a_portal_session_opens_no_staff_page(signed_in):
    for path in STAFF_PAGES:
        answer = signed_in.get(path)
        assert answer.status_code == 302, path
        assert "/login/" in answer["Location"], (path, answer["Location"])


def test_a_staff_session_opens_no_portal_page(owing, client):
    role_groups_ensure()
    user_create_for_role(username="boss", role="collections_manager", password=PASSWORD)
    assert client.login(username="boss", password=PASSWORD)
    assert client.get("/work/").status_code in (200, 302)
    for path in PORTAL_PAGES:
        assert client.get(path)["Location"] == "/self/", path
    assert client.get("/self/")  # the front page asks for the card like anyone's


def test_the_collectors_screen_shows_the_promise_and_what_the_cardholder_did(signed_in, owing,
                                                                             client):
    today = account_today(owing)
    signed_in.post("/self/promise/", {"amount": "800.00", "due_date": today + timedelta(days=5)})
    role_groups_ensure()
    collector = user_create_for_role(username="col", role="collector", password=PASSWORD)
    give_work(collector, owing)
    assert client.login(username="col", password=PASSWORD)
    page = client.get(f"/work/accounts/{owing.pk}/").content.decode()
    promise = Promise.objects.get(account=owing)
    assert f'data-promise="{promise.pk}"' in page
    assert 'data-action="selfservice_login"' in page
    assert 'data-action="selfservice_promise"' in page
    assert 'data-action="selfservice_code_sent"' in page


def test_the_code_is_never_kept_readable_in_the_outbox(owing):
    from arrears.channels.models import OutboxMessage

    portal_client().post("/self/", {"last4": "1234", "mobile": MOBILE})
    code = last_code(MOBILE)
    message = OutboxMessage.objects.get(purpose="payment_handling")
    assert code not in message.body and code not in str(message.extra)
