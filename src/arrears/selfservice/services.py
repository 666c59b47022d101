"""Signing in to the self-service portal: one-time codes, rate limits, portal sessions.

Two ways in, one ending: a personal link (:mod:`arrears.selfservice.links`) or the card's
last four digits with the registered mobile number name an account; a six-digit code sent
through the channels' outbox (so through the compliance gate) to the cardholder's own mobile or
e-mail completes the sign-in. The answer to a request never says whether the details matched:
a request that matches nothing makes a challenge too, one that no code can open. Every step is
audited; codes and tokens are kept only as hashes.
"""

import hmac
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.access.policy import accounts_of_cardholder_session
from arrears.audit.services import audit_record
from arrears.channels.models import OutboxMessage
from arrears.channels.services import outbox_enqueue, recipient_for
from arrears.channels.templating import TemplateRenderError
from arrears.channels.worker import outbox_send_now
from arrears.compliance.holds import DECEASED
from arrears.compliance.services import consent_record, holds_active
from arrears.portfolio.models import Account, ContactPoint
from arrears.selfservice.models import AccessLink, LoginChallenge, PortalSession, ThrottleHit
from arrears.selfservice.tokens import code_new, key_for, token_hash, token_new

CARDHOLDER = "cardholder"  # the audit trail's actor label for what the cardholder did
SYSTEM = "selfservice"
CODE_CHANNELS = (("sms", "SS-CODE-SMS"), ("email", "SS-CODE-EMAIL"))
SENT_STATUSES = (OutboxMessage.Status.SENT, OutboxMessage.Status.DELIVERED)


def _setting(name: str, default):
    return getattr(settings, name, default)


def code_minutes() -> int:
    return int(_setting("ARREARS_SELF_SERVICE_CODE_MINUTES", 10))


def max_code_attempts() -> int:
    return int(_setting("ARREARS_SELF_SERVICE_CODE_ATTEMPTS", 5))


def limits() -> dict[str, int]:
    """Requests allowed an hour per thing limited: a link, a mobile number, a client address,
    an account (codes sent)."""
    defaults = {"link": 5, "mobile": 5, "client": 20, "account": 5}
    return {**defaults, **_setting("ARREARS_SELF_SERVICE_LIMITS", {})}


class Throttled(Exception):
    """Too many requests for a link, a number or an address (none of which says whether an
    account exists, so the cardholder may be told)."""


# --- rate limits ------------------------------------------------------------------------------

def _over_limit(kind: str, value: str, now: datetime) -> bool:
    """Count this request against ``kind``'s hourly limit; True when it is one too many."""
    key = key_for(kind, value)
    recent = ThrottleHit.objects.filter(key=key, at__gt=now - timedelta(hours=1)).count()
    if recent >= limits()[kind]:
        return True
    ThrottleHit.objects.create(key=key, at=now)
    return False


def throttle_check(now: datetime, **values: str) -> None:
    """Raise :class:`Throttled` when any of ``values`` (kind=value) is over its limit."""
    over = [kind for kind, value in values.items() if value and _over_limit(kind, value, now)]
    if over:
        raise Throttled(",".join(over))


def selfservice_prune(now: datetime | None = None) -> dict[str, int]:
    """Forget what the portal no longer needs (a day after it stopped mattering): rate-limit
    hits past their window, expired links, old challenges, ended or expired sessions. Set at a
    time: one DELETE per table. Returns how many rows went, per table."""
    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    deleted = {
        "throttle_hits": ThrottleHit.objects.filter(at__lt=now - timedelta(hours=1)).delete(),
        "links": AccessLink.objects.filter(expires_at__lt=day_ago).delete(),
        "challenges": LoginChallenge.objects.filter(expires_at__lt=day_ago).delete(),
        "sessions": PortalSession.objects.filter(expires_at__lt=day_ago).delete(),
    }
    return {table: count for table, (count, _rows) in deleted.items()}


# --- finding the account ------------------------------------------------------------------------

def mobile_normalise(text: str) -> str:
    """Digits only, without the country code 86: ``+86 138-1234-5678`` → ``13812345678``."""
    digits = "".join(ch for ch in text or "" if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def account_by_card_and_mobile(last4: str, mobile: str) -> Account | None:
    """The account whose card ends in ``last4`` and whose cardholder has ``mobile`` as a
    mobile contact point; None when nothing (or the input is malformed) matches."""
    number = mobile_normalise(mobile)
    if len(last4) != 4 or not last4.isdigit() or not 6 <= len(number) <= 15:
        return None
    spellings = [number, f"86{number}", f"+86{number}", f"+86 {number}"]
    holders = ContactPoint.objects.filter(
        kind=ContactPoint.Kind.MOBILE, value__in=spellings).values("cardholder_id")
    return (Account.objects.select_related("product", "cardholder")
            .filter(cardholder_id__in=holders, external_id__endswith=last4)
            .order_by("pk").first())


# --- one-time codes ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeRequest:
    """What a request for a code gave back: the handle for the code page (kept in a cookie)."""

    handle: str


def code_request(account: Account | None, *, via: str, client: str = "",
                 now: datetime | None = None) -> CodeRequest:
    """Make a challenge for ``account`` (None: the details matched nothing) and send its code.

    The answer is the same whether a code was sent, the account was over its limit, the gate
    held the message, or there was no account: a handle to a page that asks for the code."""
    now = now or timezone.now()
    handle = token_new()
    challenge = LoginChallenge.objects.create(
        handle_hash=token_hash(handle), account=account, via=via, created_at=now,
        expires_at=now + timedelta(minutes=code_minutes()))
    if account is None:
        audit_record(actor=None, action="selfservice_code_unmatched",
                     object_type="selfservice_challenge", object_id=challenge.pk,
                     details={"via": via}, system=SYSTEM, client=client)
        return CodeRequest(handle)
    if _over_limit("account", str(account.pk), now):
        _audit(account, "selfservice_code_limited", client, challenge=challenge.pk, via=via)
        return CodeRequest(handle)
    code = code_new()
    LoginChallenge.objects.filter(pk=challenge.pk).update(code_hash=token_hash(code))
    status = _code_send(account, challenge, code, now)
    _audit(account, "selfservice_code_sent" if status in SENT_STATUSES
           else "selfservice_code_not_sent", client, challenge=challenge.pk, via=via,
           message_status=status)
    return CodeRequest(handle)


def _code_channel(account: Account) -> tuple[str, str] | None:
    for channel, template in CODE_CHANNELS:
        if recipient_for(account, channel) is not None:
            return channel, template
    return None


def _deceased(account: Account, now: datetime) -> bool:
    """The account's holder is recorded as deceased: whoever holds the phone now is not the
    cardholder, so no code opens the debt to them (the answer stays the same as ever)."""
    return any(hold.kind == DECEASED for hold in holds_active(account, now))


def _code_send(account: Account, challenge: LoginChallenge, code: str, now: datetime) -> str:
    """Write the code's message to the outbox and send it at once (the gate decides); the
    stored copy of the text then loses the code, which only the cardholder's phone keeps.

    The purpose is ``payment_handling``: the cardholder asked for it to reach their account
    and pay, which the packs allow under the holds. Asking is also the cardholder's consent to
    this one message now (a ``contact_time`` consent for the code's lifetime), which the
    contact-hours rules (CN-05) accept: a code asked for at 23:00 is sent at 23:00. A message
    the gate still delays is not sent late: a late code is useless."""
    if _deceased(account, now):
        return "deceased_hold"
    found = _code_channel(account)
    if found is None:
        return "no_contact_point"
    channel, template = found
    consent_record(account, kind="contact_time", channel=channel, valid_from=now,
                   valid_until=now + timedelta(minutes=code_minutes()),
                   reference=f"selfservice:code:{challenge.pk}")
    try:
        message = outbox_enqueue(
            account, channel=channel, template_code=template,
            purpose=OutboxMessage.Purpose.PAYMENT_HANDLING,
            idempotency_key=f"selfservice:code:{challenge.pk}", extra={"one_time_code": code})
    except TemplateRenderError:
        return "no_template"
    status = message.status
    if status == OutboxMessage.Status.QUEUED:
        status = outbox_send_now(message, now=now)
    if status == OutboxMessage.Status.QUEUED:
        # delayed by the gate or waiting for a gateway retry: a late code is useless
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.FAILED,
            last_error=_("a one-time code not sent at once is not sent later"))
        status = "not_sent_at_once"
    _code_scrub(message.pk, code)
    return status


def _code_scrub(message_id: int, code: str) -> None:
    message = OutboxMessage.objects.get(pk=message_id)
    OutboxMessage.objects.filter(pk=message_id).update(
        body=message.body.replace(code, "••••••"),
        subject=message.subject.replace(code, "••••••"))


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code: ``session_token`` when it opened a session, else ``problem``
    (``wrong``, ``expired``, ``locked``)."""

    session_token: str = ""
    problem: str = ""
    attempts_left: int = 0


def code_check(handle: str, code: str, *, client: str = "",
               now: datetime | None = None) -> CodeCheck:
    """Check a code against the challenge of ``handle``; the right one opens a portal session.

    Failed attempts count on the challenge (locked after the limit) whatever the code was; a
    challenge that matched no account fails exactly like a wrong code."""
    now = now or timezone.now()
    with transaction.atomic():
        challenge = (LoginChallenge.objects.select_for_update()
                     .filter(handle_hash=token_hash(handle or "")).first())
        if challenge is None or challenge.used_at is not None or challenge.expires_at <= now:
            return CodeCheck(problem="expired")
        if challenge.locked:
            return CodeCheck(problem="locked")
        code = "".join(ch for ch in code or "" if ch.isdigit())
        if (challenge.code_hash and len(code) == 6
                and hmac.compare_digest(token_hash(code), challenge.code_hash)):
            LoginChallenge.objects.filter(pk=challenge.pk).update(used_at=now)
            token = session_start(challenge.account, now=now)
            _audit(challenge.account, "selfservice_login", client, challenge=challenge.pk,
                   via=challenge.via)
            return CodeCheck(session_token=token)
        return _code_failed(challenge, client)


def _code_failed(challenge: LoginChallenge, client: str) -> CodeCheck:
    attempts = challenge.attempts + 1
    locked = attempts >= max_code_attempts()
    LoginChallenge.objects.filter(pk=challenge.pk).update(attempts=F("attempts") + 1,
                                                          locked=locked)
    details = {"challenge": challenge.pk, "attempts": attempts}
    action = "selfservice_locked" if locked else "selfservice_code_failed"
    if challenge.account is not None:
        _audit(challenge.account, action, client, **details)
    else:
        audit_record(actor=None, action=action, object_type="selfservice_challenge",
                     object_id=challenge.pk, details=details, system=SYSTEM, client=client)
    if locked:
        return CodeCheck(problem="locked")
    return CodeCheck(problem="wrong", attempts_left=max_code_attempts() - attempts)


# --- portal sessions -----------------------------------------------------------------------------

def session_idle_minutes() -> int:
    return int(_setting("ARREARS_SELF_SERVICE_IDLE_MINUTES", 15))


def session_start(account: Account, *, now: datetime | None = None) -> str:
    """Open a portal session for ``account``; returns the cookie's token."""
    now = now or timezone.now()
    token = token_new(24)
    PortalSession.objects.create(
        token_hash=token_hash(token), account=account, created_at=now, last_seen_at=now,
        expires_at=now + timedelta(minutes=int(_setting("ARREARS_SELF_SERVICE_MAX_MINUTES", 60))))
    return token


def session_account(token: str, *, now: datetime | None = None) -> Account | None:
    """The account of a live portal session (idle and absolute expiry), through the access
    policy's one rule for cardholders; None when the token opens nothing."""
    if not token or len(token) > 64:
        return None
    now = now or timezone.now()
    session = PortalSession.objects.filter(
        token_hash=token_hash(token), ended_at=None, expires_at__gt=now,
        last_seen_at__gt=now - timedelta(minutes=session_idle_minutes())).first()
    if session is None:
        return None
    if now - session.last_seen_at > timedelta(minutes=1):
        PortalSession.objects.filter(pk=session.pk).update(last_seen_at=now)
    return (accounts_of_cardholder_session(session.account_id)
            .select_related("product", "cardholder").first())


def session_end(token: str, *, client: str = "") -> None:
    session = PortalSession.objects.filter(token_hash=token_hash(token or ""),
                                           ended_at=None).select_related("account").first()
    if session is None:
        return
    PortalSession.objects.filter(pk=session.pk).update(ended_at=timezone.now())
    _audit(session.account, "selfservice_logout", client)


def answer_no_sooner(started: float, seconds: float | None = None) -> None:
    """Hold an answer until ``seconds`` after ``started`` (``time.monotonic``), so that the
    time a request takes does not tell whether a code went out."""
    floor = seconds if seconds is not None else float(
        _setting("ARREARS_SELF_SERVICE_ANSWER_SECONDS", 0.4))
    left = floor - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def _audit(account: Account, action: str, client: str, **details) -> None:
    audit_record(actor=None, action=action, object_type="account",
                 object_id=account.external_id, details=details, system=CARDHOLDER,
                 client=client)
