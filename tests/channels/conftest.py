"""Real gateways for the channel tests: an aiosmtpd SMTP server and a small HTTP SMS gateway,
each on a free local port, plus debtors with contact points."""

import itertools
import json
import socket
import threading
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from arrears.channels.adapters import adapter_register, adapter_unregister
from arrears.portfolio.models import ContactPoint
from tests.factories import make_account

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tomorrow in Shanghai (after every message the test writes now): 10:00 is lawful for SMS and
# e-mail under CN-05 (08:00–22:00), 23:00 is not.
TOMORROW = datetime.now(SHANGHAI).date() + timedelta(days=1)
DAYTIME = datetime.combine(TOMORROW, time(10, 0), tzinfo=SHANGHAI)
NIGHT = datetime.combine(TOMORROW, time(23, 0), tzinfo=SHANGHAI)

_numbers = itertools.count(1)


def make_debtor(*, language="zh-hans", email=True, address=True, mobile=True, **account_fields):
    account = make_account(**account_fields)
    holder = account.cardholder
    holder.language = language
    holder.save(update_fields=["language"])
    n = next(_numbers)
    if mobile:
        ContactPoint.objects.create(external_id=f"M{n}-{account.pk}", cardholder=holder,
                                    kind="mobile", value=f"1381234{n:04d}", verified=True)
    if email:
        ContactPoint.objects.create(external_id=f"E{n}-{account.pk}", cardholder=holder,
                                    kind="email", value=f"holder{n}@example.com")
    if address:
        ContactPoint.objects.create(external_id=f"B{n}-{account.pk}", cardholder=holder,
                                    kind="billing_address", value="上海市浦东新区世纪大道100号")
    return account


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "collections@bank.example"
    yield recorder
    controller.stop()


class SmsGateway:
    """What the fake gateway saw: every POST, the messages by key, failures to play."""

    def __init__(self):
        self.posts = []
        self.by_key = {}
        self.fail_next = 0
        self.lock = threading.Lock()


def _handler(state: SmsGateway, token: str):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.posts.append({"headers": dict(self.headers), "json": data})
                if self.headers.get("Authorization") != f"Bearer {token}":
                    return self._answer(401, {"error": "token"})
                if state.fail_next:
                    state.fail_next -= 1
                    return self._answer(503, {"error": "busy"})
                key = self.headers["Idempotency-Key"]
                if key not in state.by_key:
                    state.by_key[key] = {"id": f"gw-{len(state.by_key) + 1}", "status": "sent",
                                         "to": data["to"], "text": data["text"]}
                found = state.by_key[key]
            return self._answer(200, {"id": found["id"], "status": found["status"]})

        def do_GET(self):
            key = parse_qs(urlparse(self.path).query).get("idempotency_key", [""])[0]
            found = state.by_key.get(key)
            if found is None:
                return self._answer(404, {"error": "unknown key"})
            return self._answer(200, {"id": found["id"], "status": found["status"]})

    return Handler


@pytest.fixture
def sms_gateway():
    """A real HTTP SMS gateway on a free port, registered as the SMS adapter."""
    from arrears.channels.adapters import HttpSmsGateway

    state = SmsGateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, "secret"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    state.adapter = HttpSmsGateway(state.url, "secret", max_per_second=None)
    adapter_register(state.adapter)
    yield state
    adapter_unregister("sms")
    server.shutdown()
    server.server_close()


@pytest.fixture
def simulator():
    from arrears.channels.adapters import SimulatorSmsGateway

    adapter_register(SimulatorSmsGateway())
    yield
    adapter_unregister("sms")
