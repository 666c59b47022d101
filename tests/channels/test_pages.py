"""Pages, the receipts endpoint and the outbox command."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from arrears.channels.models import DeliveryReceipt, OutboxMessage, SimulatedSms, Template
from arrears.channels.services import outbox_enqueue
from arrears.channels.worker import outbox_send
from tests.channels.conftest import DAYTIME, make_debtor

pytestmark = pytest.mark.django_db


def _role_user(username, role):
    from arrears.users.services import role_groups_ensure, user_create_for_role

    role_groups_ensure()
    return user_create_for_role(username=username, role=role, password="unused-password-1")


@pytest.fixture
def staff(client):
    """A compliance officer: reads the outbox (M1) and the templates."""
    user = _role_user("officer", "compliance_officer")
    client.force_login(user)
    return user


@pytest.fixture
def operator(client):
    """An administrator: runs the channels (the simulator), sees personal data as M0."""
    user = _role_user("ops", "administrator")
    client.force_login(user)
    return user


def test_outbox_page_counts_and_masks(client, staff):
    account = make_debtor()
    message = outbox_enqueue(account, channel="sms", template_code="CN-SMS-M1",
                             idempotency_key="p-1")
    outbox_enqueue(make_debtor(email=False), channel="email", template_code="CN-EMAIL-M1",
                   idempotency_key="p-2")
    page = client.get("/channels/outbox/").content.decode()
    assert 'id="outbox-total">2<' in page
    assert "138****" in page and message.recipient not in page
    assert "no address to send to" in page
    filtered = client.get("/channels/outbox/?channel=email").content.decode()
    assert 'id="outbox-total">1<' in filtered


def test_outbox_page_needs_the_permission(client):
    client.force_login(User.objects.create_user("nobody"))
    assert client.get("/channels/outbox/").status_code == 403


def test_simulator_page_lists_masked_numbers(client, operator, simulator):
    message = outbox_enqueue(make_debtor(), channel="sms", template_code="CN-SMS-M1",
                             idempotency_key="p-3")
    outbox_send(now=DAYTIME)
    page = client.get("/channels/simulator/").content.decode()
    assert SimulatedSms.objects.count() == 1
    assert message.recipient[-4:] in page and message.recipient not in page
    assert "尊敬的" in page
    name = message.account.cardholder.name
    assert name in message.body and name not in page


def test_template_list_and_preview(client, staff):
    assert "CN-LTR-M3-REGISTERED" in client.get("/channels/templates/").content.decode()
    template = Template.objects.get(code="CN-LTR-M3-REGISTERED", language="zh-hans")
    page = client.get(f"/channels/templates/{template.pk}/preview/").content.decode()
    assert "张三" in page and "¥1,234.56" in page and "{{" not in page


def test_admin_save_writes_a_new_version(admin_client):
    template = Template.objects.get(code="CN-SMS-M1", language="en")
    data = {"code": template.code, "channel": template.channel, "language": "en",
            "subject": "", "body": "Dear {{ name }}, call {{ bank_phone }}. Reply STOP to opt out.",
            "requires_opt_out": "on", "note": "shorter"}
    response = admin_client.post(f"/admin/channels/template/{template.pk}/change/", data)
    assert response.status_code == 302
    versions = Template.objects.filter(code="CN-SMS-M1", language="en").order_by("version")
    assert [(t.version, t.active) for t in versions] == [(1, False), (2, True)]
    bad = dict(data, body="Dear {{ nmae }}")
    page = admin_client.post(f"/admin/channels/template/{template.pk}/change/", bad)
    assert page.status_code == 200 and "nmae" in page.content.decode()
    assert versions.count() == 2


def test_receipts_endpoint_marks_delivery(client, sms_gateway, settings):
    settings.ARREARS_SMS_TOKEN = "secret"
    message = outbox_enqueue(make_debtor(), channel="sms", template_code="CN-SMS-M1",
                             idempotency_key="r-1")
    outbox_send(now=DAYTIME)
    message.refresh_from_db()
    headers = {"HTTP_AUTHORIZATION": "Bearer secret"}
    body = json.dumps({"id": message.provider_id, "status": "delivered"})
    response = client.post("/channels/sms/receipts/", body, content_type="application/json",
                           **headers)
    assert response.json() == {"stored": 1, "matched": 1}
    message.refresh_from_db()
    assert message.status == "delivered" and message.delivered_at
    assert DeliveryReceipt.objects.get().message == message


def test_receipts_endpoint_refuses_bad_input(client, settings):
    settings.ARREARS_SMS_TOKEN = "secret"
    post = client.post
    assert post("/channels/sms/receipts/", "{}", content_type="application/json").status_code == 403
    auth = {"HTTP_AUTHORIZATION": "Bearer secret"}
    bad = post("/channels/sms/receipts/", "not json", content_type="application/json", **auth)
    assert bad.status_code == 400
    odd = post("/channels/sms/receipts/", json.dumps({"id": "x", "status": "eaten"}),
               content_type="application/json", **auth)
    assert odd.status_code == 400 and "eaten" in odd.json()["error"]
    assert not DeliveryReceipt.objects.exists()


def test_outbox_command_fill_send_status(simulator):
    from datetime import date

    from django.utils import timezone

    from arrears.batch.models import Decision, DecisionRun

    run = DecisionRun.objects.create(as_of=date.today(), started_at=timezone.now())
    Decision.objects.create(run=run, account=make_debtor(), segment="S", treatment="sms",
                            template="CN-SMS-M1-SOFT", rule_id="R")
    out = StringIO()
    call_command("outbox", "fill", stdout=out)
    assert "1 new messages" in out.getvalue()
    out = StringIO()
    call_command("outbox", "status", stdout=out)
    assert "queued" in out.getvalue()
    assert OutboxMessage.objects.get().status == "queued"


def test_outbox_command_rejects_a_missing_run():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No decision run 999"):
        call_command("outbox", "fill", "--run", "999")
