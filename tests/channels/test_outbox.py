"""The outbox: one message per idempotency key, and a decision run becomes messages."""

import re
from datetime import date

import pytest
from django.utils import timezone

from arrears.batch.models import Decision, DecisionRun
from arrears.channels.models import OutboxMessage
from arrears.channels.services import outbox_enqueue, outbox_fill_for_run
from arrears.selfservice.models import AccessLink
from tests.channels.conftest import make_debtor

LINK = re.compile(r"/self/l/[A-Za-z0-9_-]+/")

pytestmark = pytest.mark.django_db


def test_enqueue_renders_in_the_cardholders_language_and_picks_the_mobile():
    account = make_debtor(language="en")
    message = outbox_enqueue(account, channel="sms", template_code="CN-SMS-M1",
                             idempotency_key="k-1")
    assert message.status == "queued"
    assert message.language == "en" and message.template_version == 1
    assert message.body.startswith("Example Bank: Dear ")
    assert message.recipient.startswith("138")
    assert message.contact_point.kind == "mobile"


def test_enqueue_twice_with_one_key_gives_one_message():
    account = make_debtor()
    first = outbox_enqueue(account, channel="sms", template_code="CN-SMS-M1",
                           idempotency_key="same")
    second = outbox_enqueue(account, channel="sms", template_code="CN-SMS-PREDUE",
                            idempotency_key="same")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert second.template_code == "CN-SMS-M1"


def test_without_an_address_the_message_is_kept_as_undeliverable():
    account = make_debtor(email=False)
    message = outbox_enqueue(account, channel="email", template_code="CN-EMAIL-M1",
                             idempotency_key="no-mail")
    assert message.status == "undeliverable"
    assert "email" in message.last_error


def test_an_explicit_recipient_and_extra_fields():
    account = make_debtor(language="en")
    message = outbox_enqueue(account, channel="email", template_code="CN-EMAIL-M1",
                             idempotency_key="given", recipient="other@example.com",
                             extra={"collector_name": "Wang Wu"}, purpose="reminder")
    assert message.recipient == "other@example.com" and message.contact_point is None
    assert "Wang Wu" in message.body and message.purpose == "reminder"


def make_run(decisions):
    run = DecisionRun.objects.create(as_of=date(2026, 7, 1), started_at=timezone.now())
    for account, treatment, template in decisions:
        Decision.objects.create(run=run, account=account, segment="S", treatment=treatment,
                                template=template, rule_id="R")
    return run


def test_fill_for_run_maps_treatments_to_channels():
    accounts = [make_debtor() for _ in range(8)]
    run = make_run([
        (accounts[0], "sms", "CN-SMS-M1"),
        (accounts[1], "pre_due_reminder", "CN-SMS-PREDUE"),
        (accounts[2], "letter", "CN-LTR-M3-REGISTERED"),
        (accounts[3], "card_block", ""),
        (accounts[4], "call", "CN-CALL-M2"),
        (accounts[5], "field_visit", "CN-VISIT-M4"),
        (accounts[6], "agency_placement", "CN-AGENCY"),
        (accounts[7], "none", ""),
    ])
    assert outbox_fill_for_run(run) == 7
    got = {
        m.account_id: (m.channel, m.template_code, m.idempotency_key)
        for m in OutboxMessage.objects.all()
    }
    assert got[accounts[0].pk][:2] == ("sms", "CN-SMS-M1")
    assert got[accounts[1].pk][:2] == ("sms", "CN-SMS-PREDUE")
    assert got[accounts[2].pk][:2] == ("letter", "CN-LTR-M3-REGISTERED")
    assert got[accounts[3].pk][:2] == ("letter", "CN-LTR-CARD-BLOCK")
    assert got[accounts[4].pk][:2] == ("call", "CN-CALL-M2")
    assert got[accounts[5].pk][:2] == ("visit", "CN-VISIT-M4")
    assert got[accounts[6].pk][:2] == ("letter", "CN-AGENCY")
    assert accounts[7].pk not in got
    assert got[accounts[0].pk][2] == f"decision:{run.as_of:%Y-%m-%d}:{accounts[0].pk}:sms"
    letter = OutboxMessage.objects.get(account=accounts[2])
    assert letter.recipient.startswith("上海市") and "挂号信" in letter.subject


def test_fill_renders_like_enqueue():
    account = make_debtor()
    run = make_run([(account, "sms", "CN-SMS-M1")])
    outbox_fill_for_run(run)
    filled = OutboxMessage.objects.get()
    single = outbox_enqueue(account, channel="sms", template_code="CN-SMS-M1",
                            idempotency_key="single")
    # The template has no date, so the two agree exactly but for each message's own link.
    assert LINK.sub("LINK", filled.body) == LINK.sub("LINK", single.body)
    assert LINK.search(filled.body).group(0) != LINK.search(single.body).group(0)


def test_messages_carry_a_personal_link_that_names_no_account():
    account = make_debtor(external_id="6222020000055555")
    run = make_run([(account, "sms", "CN-SMS-M1")])
    outbox_fill_for_run(run)
    body = OutboxMessage.objects.get().body
    link = LINK.search(body).group(0)
    assert account.external_id not in link and "5555" not in link
    assert AccessLink.objects.filter(account=account).count() == 1


def test_filling_a_run_twice_adds_nothing():
    run = make_run([(make_debtor(), "sms", "CN-SMS-M1"), (make_debtor(), "letter", "")])
    assert outbox_fill_for_run(run) == 2
    assert outbox_fill_for_run(run) == 0
    assert OutboxMessage.objects.count() == 2


def test_deciding_a_date_again_sends_nothing_twice():
    """A re-run of the same date replaces the DecisionRun (new pk); its messages stay one."""
    account = make_debtor()
    first = make_run([(account, "sms", "CN-SMS-M1")])
    assert outbox_fill_for_run(first) == 1
    first.delete()
    again = make_run([(account, "sms", "CN-SMS-M1")])
    assert outbox_fill_for_run(again) == 0
    assert OutboxMessage.objects.count() == 1


def test_fill_without_an_address_or_template_keeps_a_visible_row():
    no_mobile = make_debtor(mobile=False)
    other = make_debtor()
    run = make_run([(no_mobile, "sms", "CN-SMS-M1"), (other, "sms", "NO-SUCH-TEMPLATE")])
    outbox_fill_for_run(run)
    assert OutboxMessage.objects.get(account=no_mobile).status == "undeliverable"
    missing = OutboxMessage.objects.get(account=other)
    assert missing.status == "failed" and "NO-SUCH-TEMPLATE" in missing.last_error
