"""The worker: only through the gate, never twice, retries with back-off, rate limits, and the
real SMTP and HTTP gateways."""

import email
from collections import Counter
from datetime import timedelta

import pytest

from arrears.channels.adapters import SendResult, adapter_register, adapter_unregister
from arrears.channels.models import OutboxMessage
from arrears.channels.services import outbox_enqueue
from arrears.channels.worker import TokenBucket, outbox_send, retry_delay
from arrears.compliance.models import ContactAttempt, GateCheck
from arrears.compliance.services import hold_place
from tests.channels.conftest import DAYTIME, NIGHT, make_debtor

pytestmark = pytest.mark.django_db


def sms_for(account, key=None, template="CN-SMS-M1"):
    return outbox_enqueue(account, channel="sms", template_code=template,
                          idempotency_key=key or f"sms:{account.pk}")


def status(message):
    message.refresh_from_db()
    return message.status


def test_an_allowed_sms_goes_out_once_with_its_key_and_is_recorded(sms_gateway):
    account = make_debtor()
    message = sms_for(account)
    report = outbox_send(now=DAYTIME)
    assert report.sent == 1 and status(message) == "sent"
    assert len(sms_gateway.posts) == 1
    post = sms_gateway.posts[0]
    assert post["headers"]["Idempotency-Key"] == message.idempotency_key
    assert post["json"] == {"to": message.recipient, "text": message.body,
                            "idempotency_key": message.idempotency_key}
    message.refresh_from_db()
    assert message.provider_id == "gw-1" and message.gate_verdict == "allow"
    assert GateCheck.objects.get(pk=message.gate_check_id).reference == (
        f"outbox:{message.idempotency_key}")
    attempt = ContactAttempt.objects.get(account=account)
    assert (attempt.channel, attempt.outcome, attempt.check_id) == (
        "sms", "sent", message.gate_check_id)
    assert outbox_send(now=DAYTIME + timedelta(hours=1)).sent == 0
    assert len(sms_gateway.posts) == 1


def test_a_blocked_message_never_reaches_the_gateway(sms_gateway):
    account = make_debtor()
    hold_place(account, "cease_contact", note="asked to stop")
    message = sms_for(account)
    report = outbox_send(now=DAYTIME)
    assert report.blocked == 1 and status(message) == "blocked"
    message.refresh_from_db()
    assert message.gate_rule_ids and message.attempts == 0
    assert sms_gateway.posts == []
    assert not ContactAttempt.objects.filter(account=account).exists()
    outbox_send(now=DAYTIME + timedelta(days=1))
    assert sms_gateway.posts == []


def test_a_delayed_message_is_sent_at_the_lawful_time_and_not_before(sms_gateway):
    message = sms_for(make_debtor())
    report = outbox_send(now=NIGHT)
    assert report.delayed == 1 and sms_gateway.posts == []
    message.refresh_from_db()
    lawful = message.not_before
    assert message.status == "queued" and lawful > NIGHT
    assert lawful.astimezone(NIGHT.tzinfo).hour == 8
    assert outbox_send(now=lawful - timedelta(minutes=1)).sent == 0
    assert sms_gateway.posts == []
    assert outbox_send(now=lawful).sent == 1
    assert len(sms_gateway.posts) == 1 and status(message) == "sent"


class Crash(BaseException):
    """The process dies: not an error the worker may catch."""


class CrashAfterGateway:
    """The real HTTP gateway accepts the message, then the worker dies before recording it."""

    channel = "sms"
    max_per_second = None

    def __init__(self, real, crash_on: int):
        self.real, self.crash_on, self.calls = real, crash_on, 0
        self.gateway = real.gateway

    def send(self, message):
        self.calls += 1
        result = self.real.send(message)
        if self.calls == self.crash_on:
            raise Crash
        return result

    def lookup(self, message):
        return self.real.lookup(message)


def test_a_restart_mid_batch_sends_nothing_twice(sms_gateway):
    messages = [sms_for(make_debtor()) for _ in range(5)]
    adapter_register(CrashAfterGateway(sms_gateway.adapter, crash_on=3))
    with pytest.raises(Crash):
        outbox_send(now=DAYTIME)
    assert len(sms_gateway.posts) == 3
    assert Counter(status(m) for m in messages) == {"sent": 2, "sending": 3}
    adapter_register(sms_gateway.adapter)
    # Another worker within the lease leaves the claimed messages alone.
    assert outbox_send(now=DAYTIME + timedelta(minutes=1)).sent == 0
    report = outbox_send(now=DAYTIME + timedelta(minutes=10))
    assert report.reconciled == 3
    assert [status(m) for m in messages] == ["sent"] * 5
    keys = [post["headers"]["Idempotency-Key"] for post in sms_gateway.posts]
    assert len(keys) == 5 and len(set(keys)) == 5, "each message reached the gateway once"
    crashed = messages[2]
    crashed.refresh_from_db()
    assert crashed.provider_id == sms_gateway.by_key[crashed.idempotency_key]["id"]


def test_smtp_messages_left_sending_become_unknown_and_are_not_resent(smtp_server):
    message = outbox_enqueue(make_debtor(), channel="email", template_code="CN-EMAIL-M1",
                             idempotency_key="mail-crash")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="sending", gateway="smtp", gateway_called_at=DAYTIME, claimed_until=DAYTIME)
    report = outbox_send(now=DAYTIME + timedelta(minutes=10))
    assert report.unknown == 1 and status(message) == "unknown"
    assert smtp_server.messages == []


def test_a_failing_gateway_is_retried_with_back_off_then_succeeds(sms_gateway):
    sms_gateway.fail_next = 2
    message = sms_for(make_debtor())
    assert outbox_send(now=DAYTIME).retried == 1
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 1 and "503" in message.last_error
    assert message.next_attempt_at == DAYTIME + timedelta(minutes=1)
    assert outbox_send(now=DAYTIME + timedelta(seconds=59)).claimed == 0
    assert outbox_send(now=DAYTIME + timedelta(minutes=1)).retried == 1
    message.refresh_from_db()
    assert message.next_attempt_at == DAYTIME + timedelta(minutes=6)
    assert outbox_send(now=DAYTIME + timedelta(minutes=6)).sent == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3 and message.last_error == ""
    assert len(sms_gateway.by_key) == 1 and len(sms_gateway.posts) == 3


def test_too_many_failures_end_in_failed(sms_gateway, settings):
    settings.ARREARS_OUTBOX_MAX_ATTEMPTS = 2
    sms_gateway.fail_next = 10
    message = sms_for(make_debtor())
    outbox_send(now=DAYTIME)
    outbox_send(now=DAYTIME + timedelta(minutes=1))
    assert status(message) == "failed"
    assert outbox_send(now=DAYTIME + timedelta(days=1)).claimed == 0
    assert len(sms_gateway.posts) == 2


def test_back_off_grows_five_fold():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25),
        timedelta(minutes=125)]


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class TimedAdapter:
    channel = "sms"
    gateway = "timed"

    def __init__(self, clock, rate):
        self.clock, self.max_per_second, self.sent_at = clock, rate, []

    def send(self, message):
        self.sent_at.append(self.clock())
        return SendResult(provider_id=f"t-{len(self.sent_at)}")


def test_the_rate_limit_holds_in_every_second():
    clock = FakeClock()
    adapter = TimedAdapter(clock, rate=4)
    adapter_register(adapter)
    try:
        for _ in range(13):
            sms_for(make_debtor())
        assert outbox_send(now=DAYTIME, clock=clock, sleep=clock.sleep).sent == 13
    finally:
        adapter_unregister("sms")
    per_second = Counter(int(t - 1000.0 + 1e-9) for t in adapter.sent_at)
    assert max(per_second.values()) == 4
    assert adapter.sent_at[-1] - adapter.sent_at[0] == pytest.approx(3.0)


def test_token_bucket_spaces_calls_evenly():
    clock = FakeClock()
    bucket = TokenBucket(10, clock=clock, sleep=clock.sleep)
    for _ in range(11):
        bucket.take()
    assert clock.now == pytest.approx(1001.0)


def test_email_goes_through_a_real_smtp_server_in_chinese(smtp_server):
    account = make_debtor()
    message = outbox_enqueue(account, channel="email", template_code="CN-EMAIL-M1",
                             idempotency_key="mail-1")
    assert outbox_send(now=DAYTIME).sent == 1
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == [message.recipient]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    message.refresh_from_db()
    assert received["Message-ID"] == message.provider_id
    assert received["X-Idempotency-Key"] == "mail-1"
    assert str(received["Subject"]).strip() == message.subject and "还款提醒" in message.subject
    content = received.get_content().replace("\r\n", "\n")
    assert content.strip() == message.body.strip()
    assert "退订" in content


def test_the_message_id_is_the_same_for_the_same_key(smtp_server):
    from arrears.channels.adapters import message_id_for

    assert message_id_for("a") == message_id_for("a") != message_id_for("b")


def test_an_unreachable_smtp_server_means_retry(settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    message = outbox_enqueue(make_debtor(), channel="email", template_code="CN-EMAIL-M1",
                             idempotency_key="mail-down")
    assert outbox_send(now=DAYTIME).retried == 1
    assert status(message) == "queued"


def test_the_simulator_stores_the_sms(simulator):
    from arrears.channels.models import SimulatedSms

    message = sms_for(make_debtor())
    outbox_send(now=DAYTIME)
    sms = SimulatedSms.objects.get()
    assert sms.text == message.body and status(message) == "delivered"


def test_a_channel_without_adapter_fails_visibly():
    from arrears.channels import adapters

    message = outbox_enqueue(make_debtor(), channel="visit", template_code="CN-VISIT-M3",
                             idempotency_key="visit-1")
    registered = adapters._registry.pop("visit", None)
    try:
        outbox_send(now=DAYTIME)
    finally:
        if registered:
            adapter_register(registered)
    message.refresh_from_db()
    assert message.status == "failed" and "visit" in message.last_error
