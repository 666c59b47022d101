"""Getting in: personal links, card and mobile, one-time codes, limits, lockouts, audit."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from arrears.audit.models import AuditEvent
from arrears.channels.models import OutboxMessage, SimulatedSms
from arrears.channels.services import outbox_enqueue
from arrears.compliance.models import Consent, GateCheck
from arrears.compliance.services import gate_ask, hold_place
from arrears.portfolio.models import ContactPoint
from arrears.selfservice.models import AccessLink, LoginChallenge, PortalSession
from arrears.selfservice.services import code_request, selfservice_prune
from tests.factories import make_account
from tests.selfservice.conftest import MOBILE, last_code, portal_client, sign_in

pytestmark = pytest.mark.django_db


def _link_of(account) -> str:
    message = outbox_enqueue(account, channel="sms", template_code="CN-SMS-M1",
                             idempotency_key=f"t-{account.pk}")
    return re.search(r"/self/l/[A-Za-z0-9_-]+/", message.body).group(0)


def test_the_messages_link_names_nothing_and_opens_the_portal_after_a_code(owing):
    path = _link_of(owing)
    assert owing.external_id not in path and owing.external_id[-4:] not in path
    client = portal_client()
    page = client.get(path)
    assert page.status_code == 200 and b"link-form" in page.content
    assert page["Referrer-Policy"] == "same-origin" and page["Cache-Control"] == "no-store"
    assert not SimulatedSms.objects.exists()  # a link preview (GET) sends nothing
    answer = client.post(path)
    assert answer.status_code == 302 and answer["Location"] == "/self/code/"
    sms = OutboxMessage.objects.get(purpose="payment_handling")
    assert sms.template_code == "SS-CODE-SMS" and sms.gate_verdict == "allow"
    assert sms.status in ("sent", "delivered")
    code = last_code(MOBILE)
    assert code not in sms.body and "••••••" in sms.body  # the stored copy lost the code
    assert LoginChallenge.objects.get().code_hash not in ("", code)
    answer = client.post("/self/code/", {"code": code})
    assert answer.status_code == 302 and answer["Location"] == "/self/owed/"
    assert client.get("/self/owed/").status_code == 200
    actions = set(AuditEvent.objects.filter(object_id=owing.external_id)
                  .values_list("action", flat=True))
    assert {"selfservice_code_sent", "selfservice_login"} <= actions


def test_card_and_mobile_sign_in_accepts_the_number_written_with_the_country_code(owing):
    client = portal_client()
    client.post("/self/", {"last4": "1234", "mobile": "+86 139-0000-4321"})
    assert client.post("/self/code/", {"code": last_code(MOBILE)})["Location"] == "/self/owed/"


def test_the_answer_is_the_same_whether_or_not_the_details_match(owing):
    answers = []
    for last4, mobile in (("1234", MOBILE), ("1234", "13911112222"), ("9999", MOBILE)):
        client = portal_client()
        answer = client.post("/self/", {"last4": last4, "mobile": mobile})
        page = client.get("/self/code/")
        answers.append((answer.status_code, answer["Location"], page.status_code,
                        page.content.replace(page.wsgi_request.META["CSRF_COOKIE"].encode(),
                                             b"")))
    assert answers[0][:3] == answers[1][:3] == answers[2][:3] == (302, "/self/code/", 200)
    assert SimulatedSms.objects.count() == 1  # only the matching request sent a code
    # a code never opens a challenge that matched nothing, whatever is typed
    client = portal_client()
    client.post("/self/", {"last4": "9999", "mobile": MOBILE})
    answer = client.post("/self/code/", {"code": last_code(MOBILE)})
    assert answer.status_code == 400 and b'data-problem="wrong"' in answer.content


def test_code_guessing_is_locked_out_and_audited(owing):
    client = portal_client()
    client.post("/self/", {"last4": "1234", "mobile": MOBILE})
    right = last_code(MOBILE)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        answer = client.post("/self/code/", {"code": wrong})
        assert answer.status_code == 400
    assert b'data-problem="locked"' in answer.content
    answer = client.post("/self/code/", {"code": right})  # even the right code is too late
    assert answer.status_code == 400 and b'data-problem="locked"' in answer.content
    assert not PortalSession.objects.exists()
    actions = list(AuditEvent.objects.filter(object_id=owing.external_id,
                                             action__startswith="selfservice_code_failed"))
    assert len(actions) == 4
    assert AuditEvent.objects.filter(object_id=owing.external_id,
                                     action="selfservice_locked").count() == 1


def test_a_code_expires_and_is_used_once(owing):
    client = portal_client()
    client.post("/self/", {"last4": "1234", "mobile": MOBILE})
    LoginChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = client.post("/self/code/", {"code": last_code(MOBILE)})
    assert b'data-problem="expired"' in answer.content
    client.post("/self/", {"last4": "1234", "mobile": MOBILE})
    handle, code = client.cookies["arrears_self_code"].value, last_code(MOBILE)
    assert client.post("/self/code/", {"code": code})["Location"] == "/self/owed/"
    again = portal_client()
    again.cookies["arrears_self_code"] = handle
    answer = again.post("/self/code/", {"code": code})
    assert answer.status_code == 400 and b'data-problem="expired"' in answer.content
    assert PortalSession.objects.count() == 1


def test_links_expire(owing):
    path = _link_of(owing)
    AccessLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = portal_client()
    assert b"link-expired" in client.get(path).content
    answer = client.post(path)
    assert answer.status_code == 200 and b"link-expired" in answer.content
    assert not SimulatedSms.objects.exists() and not LoginChallenge.objects.exists()


def test_a_made_up_or_altered_link_opens_nothing(owing):
    path = _link_of(owing)
    altered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    client = portal_client()
    assert b"link-expired" in client.post(altered).content
    assert b"link-expired" in client.post("/self/l/" + "x" * 300 + "/").content
    assert not SimulatedSms.objects.exists()


def test_requests_are_rate_limited_per_mobile_number(owing, settings):
    settings.ARREARS_SELF_SERVICE_LIMITS = {"mobile": 3}
    client = portal_client()
    for _n in range(3):
        assert client.post("/self/", {"last4": "1234", "mobile": MOBILE}).status_code == 302
    answer = client.post("/self/", {"last4": "1234", "mobile": MOBILE})
    assert answer.status_code == 429 and b'id="throttled"' in answer.content
    assert SimulatedSms.objects.count() == 3


def test_codes_sent_per_account_are_limited_silently(owing, settings):
    settings.ARREARS_SELF_SERVICE_LIMITS = {"account": 2, "mobile": 10}
    client = portal_client()
    for _n in range(4):
        answer = client.post("/self/", {"last4": "1234", "mobile": MOBILE})
        assert answer.status_code == 302  # the same answer: the limit says nothing
    assert SimulatedSms.objects.count() == 2
    assert AuditEvent.objects.filter(action="selfservice_code_limited").count() == 2


def test_a_code_goes_through_the_gate_which_allows_it_under_a_promise(owing):
    hold_place(owing, "promise", until=None, actor=None, reference="test")
    client = portal_client()
    client.post("/self/", {"last4": "1234", "mobile": MOBILE})
    message = OutboxMessage.objects.get(purpose="payment_handling")
    assert message.gate_check_id is not None and message.gate_verdict == "allow"
    assert client.post("/self/code/", {"code": last_code(MOBILE)})["Location"] == "/self/owed/"


def test_no_code_goes_to_the_phone_of_a_cardholder_recorded_as_deceased(owing):
    hold_place(owing, "deceased", until=None, actor=None, reference="test")
    client = portal_client()
    answer = client.post("/self/", {"last4": "1234", "mobile": MOBILE})
    assert answer.status_code == 302 and answer["Location"] == "/self/code/"  # as ever
    assert not OutboxMessage.objects.exists() and not SimulatedSms.objects.exists()
    event = AuditEvent.objects.get(action="selfservice_code_not_sent")
    assert event.details["message_status"] == "deceased_hold"


def test_a_code_asked_for_at_night_is_sent_with_the_cardholders_consent(owing):
    """At 23:00 in Shanghai the gate holds text messages back (CN-05) unless the debtor agreed
    to the time: asking for the code is that consent, for the code's ten minutes only."""
    night = datetime.combine(timezone.now().date() + timedelta(days=1), time(23, 0),
                             tzinfo=ZoneInfo("Asia/Shanghai"))
    code_request(owing, via="card", now=night)
    message = OutboxMessage.objects.get(purpose="payment_handling")
    assert message.status == "delivered", message.gate_rule_ids
    check = GateCheck.objects.get(pk=message.gate_check_id)
    assert "CN-05" in str(check.reasons), check.reasons
    consent = Consent.objects.get(account=owing)
    assert (consent.kind, consent.channel) == ("contact_time", "sms")
    assert consent.valid_until - consent.valid_from == timedelta(minutes=10)
    later = gate_ask(owing, channel="sms", at=night + timedelta(minutes=11))
    assert later.verdict == "delay"  # the consent was for that one code, not for collection


def test_sign_out_ends_the_portal_session(owing):
    client = portal_client()
    sign_in(client, owing, MOBILE)
    assert client.post("/self/out/").status_code == 302
    assert client.get("/self/owed/")["Location"] == "/self/"
    assert PortalSession.objects.get().ended_at is not None


def test_prune_forgets_what_no_longer_matters(owing):
    _link_of(owing)
    portal_client().post("/self/", {"last4": "1234", "mobile": MOBILE})
    assert selfservice_prune() == {"throttle_hits": 0, "links": 0, "challenges": 0,
                                   "sessions": 0}
    later = timezone.now() + timedelta(days=40)
    assert selfservice_prune(later) == {"throttle_hits": 3, "links": 1, "challenges": 1,
                                        "sessions": 0}


def test_a_code_that_cannot_go_out_at_once_is_never_sent_late(db, settings):
    """No mobile, and the e-mail server does not answer: the message would wait for a retry,
    but a late code is useless, so it is closed as failed (the answer is the same)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    account = make_account(external_id="6222020000065432")
    ContactPoint.objects.create(external_id="CP-E-65432", cardholder=account.cardholder,
                                kind="email", value="holder@example.com")
    assert code_request(account, via="link").handle
    message = OutboxMessage.objects.get(purpose="payment_handling")
    assert (message.channel, message.status) == ("email", "failed"), message.last_error
    assert message.last_error == "a one-time code not sent at once is not sent later"
    event = AuditEvent.objects.get(action="selfservice_code_not_sent")
    assert event.details["message_status"] == "not_sent_at_once"


def test_the_card_and_mobile_lookup_can_use_an_index_at_bank_scale(owing):
    """Finding the cardholder by a mobile number must not scan every contact point of a
    10-million-account book: the lookup's query is one an index answers."""
    from django.db import connection, transaction

    query = ContactPoint.objects.filter(kind=ContactPoint.Kind.MOBILE,
                                        value__in=[MOBILE, "+86" + MOBILE])
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "contact_point_kind_value" in plan, plan
