"""Paying from the portal: the payment-provider interface, the demo's simulator, intents and
the provider's callback.

A payment is started as a :class:`PaymentIntent` with a provider reference; the cardholder is
sent to the provider; the provider calls back (signed) and the payment is booked through the
ledger's one posting writer (``ledger.services.payment_post``, as the API books one) with the
external id ``SS-<provider>-<reference>``. The intent row is locked while a callback is
handled and the posting's external id is unique, so a callback that comes twice (or ten times)
books the payment once.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.ledger.models import Posting
from arrears.ledger.services import PostingRejected, payment_post
from arrears.portfolio.models import Account
from arrears.portfolio.selectors import product_today
from arrears.rules.money import AmountError, format_money, parse_amount
from arrears.selfservice.models import PaymentIntent
from arrears.selfservice.tokens import token_new

CARDHOLDER = "cardholder"


class PaymentError(ValueError):
    """A payment that cannot be started as asked; the message is for the cardholder."""


class CallbackInvalid(ValueError):
    """A callback that is not the provider's (bad signature) or cannot be read."""


@dataclass(frozen=True)
class CallbackEvent:
    """What a verified callback says: the provider's reference, the outcome and the amount."""

    reference: str
    succeeded: bool
    amount_minor: int
    currency: str


class PaymentProvider(Protocol):
    """What a payment provider (UnionPay, WeChat Pay, Alipay, the simulator) plugs in.

    ``name`` appears in the callback URL (``/self/pay/callback/<name>/``) and the intents.
    ``checkout_url`` gives the address to send the cardholder to for one intent (the provider's
    page; ``return_url`` is where the provider sends them back). ``callback_verify`` checks a
    callback's signature over the raw body and reads it, raising :class:`CallbackInvalid`."""

    name: str

    def checkout_url(self, intent: PaymentIntent, *, return_url: str) -> str: ...

    def callback_verify(self, body: bytes, headers: Mapping[str, str]) -> CallbackEvent: ...


class SimulatorProvider:
    """The demo's provider: its checkout page is part of the portal (``/self/pay/sim/<ref>/``),
    and paying there sends a callback signed with HMAC-SHA256 exactly as a real provider
    would, to the same handling as the callback endpoint."""

    name = "simulator"
    header = "X-Simulator-Signature"

    @staticmethod
    def secret() -> bytes:
        configured = getattr(settings, "ARREARS_PAYMENT_SIMULATOR_SECRET", "")
        return (configured or f"simulator:{settings.SECRET_KEY}").encode()

    def checkout_url(self, intent: PaymentIntent, *, return_url: str) -> str:
        return f"/self/pay/sim/{intent.reference}/"

    def sign(self, body: bytes) -> str:
        return hmac.new(self.secret(), body, hashlib.sha256).hexdigest()

    def callback_body(self, intent: PaymentIntent, *, succeeded: bool) -> tuple[bytes, dict]:
        """The body and headers the simulator sends when the cardholder pays or declines."""
        body = json.dumps({
            "reference": intent.reference, "status": "succeeded" if succeeded else "failed",
            "amount_minor": intent.amount_minor, "currency": intent.currency,
        }, sort_keys=True).encode()
        return body, {self.header: self.sign(body)}

    def callback_verify(self, body: bytes, headers: Mapping[str, str]) -> CallbackEvent:
        signature = headers.get(self.header, "")
        if not hmac.compare_digest(signature.encode(), self.sign(body).encode()):
            raise CallbackInvalid(_("The callback's signature does not match."))
        try:
            data = json.loads(body)
            return CallbackEvent(reference=str(data["reference"]),
                                 succeeded=data["status"] == "succeeded",
                                 amount_minor=int(data["amount_minor"]),
                                 currency=str(data["currency"]))
        except (ValueError, KeyError, TypeError) as error:
            raise CallbackInvalid(_("The callback cannot be read: %(error)s")
                                  % {"error": error}) from None


_PROVIDERS: dict[str, PaymentProvider] = {"simulator": SimulatorProvider()}


def provider_register(provider: PaymentProvider) -> None:
    """A real provider plugs in here (from its app's ``AppConfig.ready``)."""
    _PROVIDERS[provider.name] = provider


def provider_get(name: str) -> PaymentProvider | None:
    """The provider of that name; the simulator only while ``ARREARS_PAYMENT_SIMULATOR`` is on
    (the default, for the demo: a bank turns it off once a real provider is plugged in)."""
    if name == SimulatorProvider.name and not getattr(settings, "ARREARS_PAYMENT_SIMULATOR",
                                                      True):
        return None
    return _PROVIDERS.get(name)


def provider_default() -> PaymentProvider:
    name = getattr(settings, "ARREARS_PAYMENT_PROVIDER", "simulator")
    provider = provider_get(name)
    if provider is None:
        raise PaymentError(_("Paying here is not available at the moment."))
    return provider


# --- starting a payment --------------------------------------------------------------------------

def amount_read(text: str, account: Account, payoff_minor: int) -> int:
    """The amount typed by the cardholder, in minor units: positive, at most today's payoff."""
    currency = account.product.currency
    try:
        amount = parse_amount((text or "").strip(), currency)
    except AmountError as error:
        raise PaymentError(_("Amount: %(reason)s.") % {"reason": error}) from None
    if amount <= 0:
        raise PaymentError(_("Amount: enter an amount greater than zero."))
    if amount > payoff_minor:
        raise PaymentError(_("Amount: at most %(payoff)s, the amount that pays the account "
                             "off today.") % {"payoff": format_money(payoff_minor, currency)})
    return amount


def payment_start(account: Account, *, amount_minor: int, client: str = "",
                  provider: PaymentProvider | None = None,
                  now: datetime | None = None) -> PaymentIntent:
    """Record the cardholder's intent to pay; the provider's page comes next."""
    provider = provider or provider_default()
    intent = PaymentIntent.objects.create(
        account=account, provider=provider.name, reference=f"P{token_new(12)}",
        amount_minor=amount_minor, currency=account.product.currency,
        created_at=now or timezone.now())
    _audit(account, "selfservice_payment_started", client, reference=intent.reference,
           provider=provider.name, amount_minor=amount_minor)
    return intent


# --- the provider's callback ---------------------------------------------------------------------

def posting_id_for(intent: PaymentIntent) -> str:
    return f"SS-{intent.provider}-{intent.reference}"[:64]


def payment_callback(provider_name: str, body: bytes, headers: Mapping[str, str],
                     *, client: str = "") -> PaymentIntent:
    """Handle a provider's callback: verify it, then book the payment once.

    A repeat of a callback already handled changes nothing but the count of callbacks. An
    amount or currency that differs from the intent's is refused and kept as the intent's
    last error (money taken but not booked is for a person to look at)."""
    provider = provider_get(provider_name)
    if provider is None:
        raise CallbackInvalid(_("Unknown payment provider."))
    event = provider.callback_verify(body, headers)
    with transaction.atomic():
        intent = (PaymentIntent.objects.select_for_update().select_related("account__product")
                  .filter(provider=provider.name, reference=event.reference).first())
        if intent is None:
            raise CallbackInvalid(_("Unknown payment reference."))
        PaymentIntent.objects.filter(pk=intent.pk).update(callbacks=F("callbacks") + 1)
        if intent.status != PaymentIntent.Status.PENDING:
            return intent
        if not event.succeeded:
            return _intent_close(intent, PaymentIntent.Status.FAILED, client,
                                 error=_("declined by the provider"))
        if (event.amount_minor, event.currency) != (intent.amount_minor, intent.currency):
            return _intent_close(intent, PaymentIntent.Status.FAILED, client, error=_(
                "the provider reported %(amount)s, the intent was for %(expected)s") % {
                "amount": f"{event.currency} {event.amount_minor}",
                "expected": f"{intent.currency} {intent.amount_minor}"})
        return _intent_book(intent, client)


def _intent_book(intent: PaymentIntent, client: str) -> PaymentIntent:
    account = intent.account
    try:
        payment_post(account=account, external_id=posting_id_for(intent),
                     amount_minor=intent.amount_minor,
                     posting_date=product_today(account.product), actor=None,
                     source=Posting.Source.SELF_SERVICE, check_limits=True)
    except PostingRejected as error:
        return _intent_close(intent, PaymentIntent.Status.FAILED, client,
                             error=_("the ledger refused the payment: %(reason)s")
                             % {"reason": error.message})
    return _intent_close(intent, PaymentIntent.Status.SUCCEEDED, client)


def _intent_close(intent: PaymentIntent, status: str, client: str, *,
                  error: str = "") -> PaymentIntent:
    now = timezone.now()
    posting = posting_id_for(intent) if status == PaymentIntent.Status.SUCCEEDED else ""
    PaymentIntent.objects.filter(pk=intent.pk).update(
        status=status, completed_at=now, posting_external_id=posting, last_error=error[:500])
    intent.refresh_from_db()
    action = ("selfservice_payment_succeeded" if status == PaymentIntent.Status.SUCCEEDED
              else "selfservice_payment_failed")
    audit_record(actor=None, action=action, object_type="account",
                 object_id=intent.account.external_id, system=f"payment:{intent.provider}",
                 client=client, details={"reference": intent.reference, "posting": posting,
                                         "amount_minor": intent.amount_minor, "error": error})
    return intent


def _audit(account: Account, action: str, client: str, **details) -> None:
    audit_record(actor=None, action=action, object_type="account",
                 object_id=account.external_id, details=details, system=CARDHOLDER,
                 client=client)
