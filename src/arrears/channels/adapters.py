"""Channel adapters: one small class per way of reaching a debtor, chosen by settings.

An adapter takes an :class:`~arrears.channels.models.OutboxMessage` and hands it to its gateway
(an SMTP server, an SMS gateway, the letters print queue, the dialer), passing the message's
idempotency key so that the gateway itself refuses a second copy. The worker
(:mod:`arrears.channels.worker`) is the only caller; it has already asked the compliance gate.

Letters, calls and visits are registered by their own apps (``adapter_register`` in their
``AppConfig.ready()``); SMS and e-mail are built here from settings unless a test or an app
registers another adapter for the channel.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from django.conf import settings

if TYPE_CHECKING:
    from arrears.channels.models import OutboxMessage


@dataclass(frozen=True)
class SendResult:
    """What a gateway said: ``status`` is "sent" (accepted), "delivered" or "failed"."""

    provider_id: str
    status: str = "sent"
    detail: str = ""


class GatewayError(Exception):
    """The gateway could not take the message now (network, 5xx, timeout): try again later.

    ``permanent=True`` means trying again will not help (a rejected number, a 4xx): the
    message fails at once.
    """

    def __init__(self, detail: str, *, permanent: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent


@runtime_checkable
class ChannelAdapter(Protocol):
    """Sends one channel's messages. An adapter with ``plans_task = True`` (calls, field
    visits) only plans a task: the worker hands it over without asking the gate, because the
    task asks the gate itself when it is carried out (dialer export, visit assignment)."""

    channel: str
    gateway: str
    max_per_second: float | None

    def send(self, message: OutboxMessage) -> SendResult: ...


_registry: dict[str, ChannelAdapter] = {}


def adapter_register(adapter: ChannelAdapter) -> None:
    """Make ``adapter`` the one that sends ``adapter.channel`` (replaces an earlier one)."""
    _registry[adapter.channel] = adapter


def adapter_unregister(channel: str) -> None:
    _registry.pop(channel, None)


def adapter_for(channel: str) -> ChannelAdapter | None:
    """The registered adapter of a channel; SMS and e-mail default to the configured gateways."""
    if channel in _registry:
        return _registry[channel]
    if channel == "sms":
        return sms_adapter_from_settings()
    if channel == "email":
        return SmtpEmailAdapter()
    return None


def sms_adapter_from_settings() -> ChannelAdapter:
    gateway = getattr(settings, "ARREARS_SMS_GATEWAY", "simulator")
    if gateway in ("", "simulator"):
        return SimulatorSmsGateway()
    return HttpSmsGateway(
        gateway,
        getattr(settings, "ARREARS_SMS_TOKEN", ""),
        max_per_second=float(getattr(settings, "ARREARS_SMS_RATE", 50)),
    )


def message_id_for(idempotency_key: str) -> str:
    """An RFC 5322 Message-ID derived from the key: the same message always has the same id."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    domain = getattr(settings, "ARREARS_EMAIL_DOMAIN", "arrears.local")
    return f"<{digest}@{domain}>"


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class SmtpEmailAdapter:
    """E-mail over SMTP with Django's e-mail API (``EMAIL_HOST``, ``EMAIL_PORT``, …).

    The SMTP backend is used whatever ``EMAIL_BACKEND`` says (that one serves Django's own
    mails, and tests replace it); ``ARREARS_EMAIL_BACKEND`` may name another.

    SMTP has no way to ask afterwards whether a message went out, so a message left "sending"
    by a crash is marked "unknown" by the worker and never resent automatically; the
    Message-ID derived from the key lets a mail server or a person spot a duplicate.
    """

    channel = "email"
    gateway = "smtp"

    def __init__(self, *, max_per_second: float | None = None, timeout: float = 10):
        self.max_per_second = max_per_second or float(getattr(settings, "ARREARS_EMAIL_RATE", 20))
        self.timeout = timeout

    def send(self, message: OutboxMessage) -> SendResult:
        import smtplib

        from django.core.mail import EmailMessage, get_connection

        message_id = message_id_for(message.idempotency_key)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
            to=[message.recipient],
            headers={"Message-ID": message_id, "X-Idempotency-Key": message.idempotency_key},
            connection=get_connection(
                getattr(settings, "ARREARS_EMAIL_BACKEND", SMTP_BACKEND), timeout=self.timeout
            ),
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise GatewayError(str(error), permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:
            raise GatewayError(f"{type(error).__name__}: {error}") from error
        return SendResult(provider_id=message_id, status="sent")


class HttpSmsGateway:
    """An SMS gateway over HTTP (see docs/channels.md for the interface).

    ``POST {base_url}/messages`` with JSON ``{"to", "text", "idempotency_key"}`` and headers
    ``Authorization: Bearer <token>`` and ``Idempotency-Key``; answer ``{"id", "status"}``.
    ``GET {base_url}/messages?idempotency_key=K`` answers the message the gateway holds for a
    key (404 when none): the worker asks it after a crash instead of sending again.
    """

    channel = "sms"
    gateway = "http-sms"

    def __init__(self, base_url: str, token: str = "", *, max_per_second: float | None = 50,
                 timeout: float = 10):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.max_per_second = max_per_second
        self.timeout = timeout

    def _headers(self, key: str) -> dict:
        headers = {"Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def send(self, message: OutboxMessage) -> SendResult:
        import httpx

        payload = {
            "to": message.recipient, "text": message.body,
            "idempotency_key": message.idempotency_key,
        }
        try:
            response = httpx.post(
                f"{self.base_url}/messages", json=payload,
                headers=self._headers(message.idempotency_key), timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise GatewayError(f"{type(error).__name__}: {error}") from error
        return self._result(response)

    def lookup(self, message: OutboxMessage) -> SendResult | None:
        """What the gateway holds for this message's key, or None if it never got it."""
        import httpx

        try:
            response = httpx.get(
                f"{self.base_url}/messages",
                params={"idempotency_key": message.idempotency_key},
                headers=self._headers(message.idempotency_key), timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise GatewayError(f"{type(error).__name__}: {error}") from error
        if response.status_code == 404:
            return None
        return self._result(response)

    @staticmethod
    def _result(response) -> SendResult:
        if response.status_code >= 500 or response.status_code == 429:
            raise GatewayError(f"HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code >= 400:
            raise GatewayError(f"HTTP {response.status_code}: {response.text[:200]}",
                               permanent=True)
        try:
            answer = response.json()
            return SendResult(provider_id=str(answer["id"]), status=answer.get("status", "sent"))
        except (ValueError, KeyError, TypeError) as error:
            raise GatewayError(f"unreadable answer: {response.text[:200]}") from error


class SimulatorSmsGateway:
    """The demo's SMS gateway: stores the message as a ``SimulatedSms`` row, shown on a page."""

    channel = "sms"
    gateway = "simulator"
    max_per_second = None

    def send(self, message: OutboxMessage) -> SendResult:
        from arrears.channels.models import SimulatedSms

        sms, _created = SimulatedSms.objects.get_or_create(
            idempotency_key=message.idempotency_key,
            defaults={"to": message.recipient, "text": message.body},
        )
        return SendResult(provider_id=sms.provider_id, status="delivered")

    def lookup(self, message: OutboxMessage) -> SendResult | None:
        from arrears.channels.models import SimulatedSms

        sms = SimulatedSms.objects.filter(idempotency_key=message.idempotency_key).first()
        return SendResult(provider_id=sms.provider_id, status="delivered") if sms else None
