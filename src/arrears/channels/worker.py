"""The outbox worker: ask the gate, hand each due message to its gateway, never twice.

One message goes through these steps:

1. **claim** — due messages (``queued``, ``next_attempt_at`` passed) are marked ``sending``
   with a lease (``claimed_until``) in one short transaction; on PostgreSQL the rows are
   locked with ``SKIP LOCKED`` so several workers share the work without overlap.
2. **gate** — ``compliance.services.gate_ask`` at send time: block → ``blocked`` (never sent);
   delay → back to ``queued`` until the lawful time; allow → on.
3. **hand over** — ``gateway_called_at`` and the attempt are committed *before* the gateway
   is called, with the idempotency key passed along (``Idempotency-Key`` header, Message-ID).
4. **record** — ``sent`` (or ``delivered``) with the provider's id, and the contact is written
   to the compliance contact ledger; a transient error schedules a retry with back-off
   (1, 5, 25, … minutes), a permanent one or too many attempts → ``failed``.

A worker that dies between 3 and 4 leaves a message ``sending`` with ``gateway_called_at``
set. When its lease has run out the next run **reconciles** it: it asks the gateway by key
(``lookup``) and marks it sent, or sends it again only when the gateway says it never got it.
A gateway that cannot be asked (SMTP) makes it ``unknown``: a person decides, nothing is
resent automatically. A message that died before step 3 is simply queued again.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.channels.adapters import ChannelAdapter, GatewayError, SendResult, adapter_for
from arrears.channels.models import OutboxMessage
from arrears.compliance.services import contact_record, gate_ask

Status = OutboxMessage.Status
LEASE = timedelta(minutes=5)
# Channels whose hand-over is itself a contact with the debtor. A call or visit task is
# recorded as a contact when the call or visit happens (by the dialer's result import).
CONTACT_CHANNELS = frozenset({"sms", "email", "letter"})


def max_attempts() -> int:
    return int(getattr(settings, "ARREARS_OUTBOX_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the n-th failed attempt: 1 minute, 5, 25, 125 …"""
    return timedelta(minutes=5 ** max(attempts - 1, 0))


class TokenBucket:
    """At most ``rate`` hand-overs a second, evenly spaced (a bucket of one token).

    ``clock`` and ``sleep`` are injectable so that a test can count sends per second without
    waiting.
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self.next_free = clock()

    def take(self) -> None:
        now = self.clock()
        if now < self.next_free:
            self.sleep(self.next_free - now)
            now = self.clock()
        self.next_free = max(now, self.next_free) + self.interval


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    blocked: int = 0
    delayed: int = 0
    retried: int = 0
    failed: int = 0
    reconciled: int = 0
    unknown: int = 0
    by_status: dict = field(default_factory=dict)


class Worker:
    def __init__(self, *, now: datetime | None, clock=time.monotonic, sleep=time.sleep):
        self.fixed_now = now
        self.clock = clock
        self.sleep = sleep
        self.buckets: dict[str, TokenBucket | None] = {}
        self.report = SendReport()

    def now(self) -> datetime:
        return self.fixed_now or timezone.now()

    def bucket_for(self, adapter: ChannelAdapter) -> TokenBucket | None:
        if adapter.gateway not in self.buckets:
            rate = getattr(adapter, "max_per_second", None)
            self.buckets[adapter.gateway] = (
                TokenBucket(rate, clock=self.clock, sleep=self.sleep) if rate else None
            )
        return self.buckets[adapter.gateway]

    # -- claiming ----------------------------------------------------------------------------

    def claim(self, size: int) -> list[OutboxMessage]:
        now = self.now()
        with transaction.atomic():
            due = OutboxMessage.objects.filter(
                status=Status.QUEUED, next_attempt_at__lte=now
            ).order_by("next_attempt_at", "id")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            ids = list(due.values_list("id", flat=True)[:size])
            OutboxMessage.objects.filter(id__in=ids, status=Status.QUEUED).update(
                status=Status.SENDING, claimed_until=now + LEASE, gateway_called_at=None
            )
        messages = list(
            OutboxMessage.objects.filter(id__in=ids, status=Status.SENDING)
            .select_related("account", "contact_point")
            .order_by("next_attempt_at", "id")
        )
        self.report.claimed += len(messages)
        return messages

    # -- one message -------------------------------------------------------------------------

    def process(self, message: OutboxMessage) -> None:
        adapter = adapter_for(message.channel)
        if adapter is None:
            self.finish(message, Status.FAILED,
                        last_error=_("no adapter for channel %(channel)s")
                        % {"channel": message.channel})
            self.report.failed += 1
            return
        answer = None
        if not getattr(adapter, "plans_task", False):  # a call or visit task asks when it is done
            answer = self.ask_gate(message)
            if answer.verdict == "block":
                self.finish(message, Status.BLOCKED, **self.gate_fields(answer))
                self.report.blocked += 1
                return
            if answer.verdict == "delay":
                self.finish(message, Status.QUEUED, not_before=answer.not_before,
                            next_attempt_at=answer.not_before, **self.gate_fields(answer))
                self.report.delayed += 1
                return
        bucket = self.bucket_for(adapter)
        if bucket:
            bucket.take()
        self.hand_over(message, adapter, answer)

    def ask_gate(self, message: OutboxMessage):
        return gate_ask(
            message.account, channel=message.channel, purpose=message.purpose,
            at=self.now(), contact_point=message.contact_point, content=message.body,
            language=message.language, reference=f"outbox:{message.idempotency_key}",
        )

    @staticmethod
    def gate_fields(answer) -> dict:
        if answer is None:
            return {}
        return {
            "gate_verdict": answer.verdict,
            "gate_rule_ids": list(answer.rule_ids),
            "gate_check_id": getattr(answer, "check_id", None),
        }

    def hand_over(self, message: OutboxMessage, adapter: ChannelAdapter, answer) -> None:
        now = self.now()
        OutboxMessage.objects.filter(pk=message.pk).update(
            gateway=adapter.gateway, gateway_called_at=now, attempts=F("attempts") + 1,
            claimed_until=now + LEASE, **self.gate_fields(answer),
        )
        message.refresh_from_db(fields=["attempts"])
        message.gateway = adapter.gateway
        try:
            result = adapter.send(message)
        except GatewayError as error:
            self.failed_attempt(message, error)
            return
        self.mark_sent(message, result, adapter, check_id=getattr(answer, "check_id", None))

    def mark_sent(self, message: OutboxMessage, result: SendResult, adapter,
                  check_id=None) -> None:
        now = self.now()
        if result.status == "failed":
            self.finish(message, Status.FAILED, last_error=result.detail[:500],
                        provider_id=result.provider_id)
            self.report.failed += 1
            return
        delivered = result.status == "delivered"
        self.finish(
            message, Status.DELIVERED if delivered else Status.SENT, provider_id=result.provider_id,
            sent_at=now, delivered_at=now if delivered else None, last_error="",
        )
        self.report.sent += 1
        if getattr(adapter, "records_contact", message.channel in CONTACT_CHANNELS):
            self.record_contact(message, check_id, now)

    @staticmethod
    def record_contact(message: OutboxMessage, check_id, at: datetime) -> None:
        contact_record(
            message.account, channel=message.channel, outcome="sent", at=at,
            contact_point=message.contact_point, check_id=check_id,
            note=f"outbox:{message.idempotency_key}",
        )

    def failed_attempt(self, message: OutboxMessage, error: GatewayError) -> None:
        if error.permanent or message.attempts >= max_attempts():
            self.finish(message, Status.FAILED, last_error=error.detail[:500])
            self.report.failed += 1
            return
        self.finish(message, Status.QUEUED, last_error=error.detail[:500],
                    next_attempt_at=self.now() + retry_delay(message.attempts))
        self.report.retried += 1

    @staticmethod
    def finish(message: OutboxMessage, status: str, **fields) -> None:
        fields.setdefault("claimed_until", None)
        OutboxMessage.objects.filter(pk=message.pk).update(status=status, **fields)

    # -- after a crash -------------------------------------------------------------------------

    def reconcile(self) -> None:
        """Settle messages a dead worker left "sending" (lease run out): see the module doc."""
        stale = OutboxMessage.objects.filter(
            status=Status.SENDING, claimed_until__lt=self.now()
        ).select_related("account", "contact_point")
        for message in stale:
            self.report.reconciled += 1
            if message.gateway_called_at is None:
                self.finish(message, Status.QUEUED)
                continue
            adapter = adapter_for(message.channel)
            lookup = getattr(adapter, "lookup", None)
            if adapter is None or lookup is None or adapter.gateway != message.gateway:
                self.finish(message, Status.UNKNOWN, last_error=_(
                    "the worker stopped while handing this message over; the gateway cannot "
                    "be asked whether it went out: check and resend by hand if needed"))
                self.report.unknown += 1
                continue
            try:
                found = lookup(message)
            except GatewayError as error:
                OutboxMessage.objects.filter(pk=message.pk).update(last_error=error.detail[:500])
                continue
            if found is None:
                self.finish(message, Status.QUEUED, next_attempt_at=self.now())
            else:
                self.mark_sent(message, found, adapter, check_id=message.gate_check_id)


def outbox_send(
    *, now: datetime | None = None, limit: int | None = None, progress: bool = False,
    batch_size: int = 200, clock=time.monotonic, sleep=time.sleep,
) -> SendReport:
    """Send the due messages of the outbox (at most ``limit``); see the module doc.

    ``now`` fixes the time the gate and the schedule see (tests, replays); ``clock`` and
    ``sleep`` drive the rate limits.
    """
    worker = Worker(now=now, clock=clock, sleep=sleep)
    worker.reconcile()
    bar = _progress_bar(limit, worker.now()) if progress else None
    done = 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        messages = worker.claim(size)
        if not messages:
            break
        for index, message in enumerate(messages):
            try:
                worker.process(message)
            except Exception:
                _release(messages[index:])
                raise
            if bar is not None:
                bar.update(1)
        done += len(messages)
    if bar is not None:
        bar.close()
    worker.report.by_status = outbox_counts()
    return worker.report


def _release(messages: list[OutboxMessage]) -> None:
    """Give back claimed messages not yet handed over, when the worker stops on an error."""
    OutboxMessage.objects.filter(
        pk__in=[m.pk for m in messages], status=Status.SENDING, gateway_called_at__isnull=True
    ).update(status=Status.QUEUED, claimed_until=None)


def _progress_bar(limit: int | None, now: datetime):
    from tqdm import tqdm

    due = OutboxMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now).count()
    return tqdm(total=min(due, limit) if limit else due, unit="msg", desc=_("sending"))


def outbox_counts(**filters) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status, n in (
        OutboxMessage.objects.filter(**filters).values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[status] = n
    return counts


def outbox_send_now(message: OutboxMessage, *, now: datetime | None = None) -> str:
    """Send one queued message at once, through the gate like every other (a one-time code
    cannot wait for the worker's next round); returns its status afterwards."""
    worker = Worker(now=now)
    claimed = OutboxMessage.objects.filter(pk=message.pk, status=Status.QUEUED).update(
        status=Status.SENDING, claimed_until=worker.now() + LEASE, gateway_called_at=None)
    if claimed:
        message = OutboxMessage.objects.select_related("account", "contact_point").get(
            pk=message.pk)
        try:
            worker.process(message)
        except Exception:
            _release([message])
            raise
    return OutboxMessage.objects.filter(pk=message.pk).values_list("status", flat=True).first()
