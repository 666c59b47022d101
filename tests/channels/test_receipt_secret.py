"""The delivery-receipt webhook requires its secret; a real gateway without one stops the
server from starting, while the demo (simulator) starts as before."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from arrears.channels.models import DeliveryReceipt

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
RECEIPT = json.dumps({"id": "x", "status": "delivered"})


def post(client, body=RECEIPT, **headers):
    return client.post("/channels/sms/receipts/", body, content_type="application/json",
                       **headers)


def test_without_a_token_configured_every_receipt_is_refused(client, settings):
    settings.ARREARS_SMS_TOKEN = ""
    assert post(client).status_code == 403
    assert post(client, HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert not DeliveryReceipt.objects.exists()


def test_a_wrong_token_is_refused_and_the_right_one_accepted(client, settings):
    settings.ARREARS_SMS_TOKEN = "s3cret"
    assert post(client, HTTP_AUTHORIZATION="Bearer s3cre").status_code == 403
    assert post(client, HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200
    assert DeliveryReceipt.objects.count() == 1


def test_a_nul_in_a_receipt_is_400_naming_the_field(client, settings):
    settings.ARREARS_SMS_TOKEN = "s3cret"
    body = json.dumps([{"id": "ok", "status": "delivered"}, {"id": "x\x00", "status": "failed"}])
    response = post(client, body, HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 400
    assert "1.id" in response.json()["error"] and "U+0000" in response.json()["error"]
    assert not DeliveryReceipt.objects.exists()


def test_the_check_fails_for_a_real_gateway_without_a_token(settings):
    settings.ARREARS_SMS_GATEWAY = "https://sms.example.test"
    settings.ARREARS_SMS_TOKEN = ""
    with pytest.raises(SystemCheckError, match="arrears.channels.E001"):
        call_command("check")
    settings.ARREARS_SMS_TOKEN = "s3cret"
    call_command("check")


def test_the_simulator_needs_no_token(settings):
    settings.ARREARS_SMS_GATEWAY = "simulator"
    settings.ARREARS_SMS_TOKEN = ""
    call_command("check")


def test_arrears_serve_refuses_to_start_with_a_gateway_but_no_token(tmp_path):
    env = {**os.environ, "ARREARS_HOME": str(tmp_path), "ARREARS_LANGUAGE": "en",
           "ARREARS_SMS_GATEWAY": "https://sms.example.test", "ARREARS_SMS_TOKEN": "",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
           "PYTHONPATH": str(REPO / "src")}
    started = subprocess.run([sys.executable, "-m", "arrears.cli", "serve", "--port", "1"],
                             env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode != 0
    assert "ARREARS_SMS_TOKEN" in started.stderr
    assert "Arrears is running" not in started.stdout
