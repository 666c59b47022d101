"""Reading the outbox for the pages: counts by status and channel, the latest messages."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from arrears.channels.models import Channel, OutboxMessage, SimulatedSms
from arrears.portfolio.masking import mask_address, mask_email, mask_name, mask_phone

OUTBOX_FILTERS = ("status", "channel", "template_code")


@dataclass(frozen=True)
class OutboxSummary:
    total: int
    by_status: dict[str, int]
    by_channel: dict[str, int]
    table: list[tuple[str, list[int], int]]  # channel label, counts per status, row total
    statuses: list[tuple[str, str]]


def outbox_messages(filters: dict) -> QuerySet[OutboxMessage]:
    chosen = {name: filters[name] for name in OUTBOX_FILTERS if filters.get(name)}
    return OutboxMessage.objects.filter(**chosen)


def outbox_summary(messages: QuerySet[OutboxMessage]) -> OutboxSummary:
    cells: dict[tuple[str, str], int] = {}
    for channel, status, n in (
        messages.values_list("channel", "status").annotate(n=Count("id")).order_by()
    ):
        cells[(channel, status)] = n
    statuses = [(s.value, s.label) for s in OutboxMessage.Status
                if any(key[1] == s.value for key in cells)]
    by_status = {s: sum(n for (_c, st), n in cells.items() if st == s) for s, _l in statuses}
    channels = [c for c in Channel if any(key[0] == c.value for key in cells)]
    by_channel = {c.value: sum(n for (ch, _s), n in cells.items() if ch == c.value)
                  for c in channels}
    table = [
        (c.label, [cells.get((c.value, s), 0) for s, _l in statuses], by_channel[c.value])
        for c in channels
    ]
    return OutboxSummary(sum(cells.values()), by_status, by_channel, table, statuses)


def masked_recipient(channel: str, recipient: str, level: str = "M1") -> str:
    if not recipient:
        return ""
    if channel == "email":
        return mask_email(recipient, level)
    if channel in ("letter", "visit"):
        return mask_address(recipient, level)
    return mask_phone(recipient, level)


def simulated_sms_masked(level: str, limit: int = 200) -> list[tuple[SimulatedSms, str, str]]:
    """The simulator's latest SMS as (sms, recipient, text) with the recipient's number and the
    cardholder's name masked in ``level``: the page is for watching the gateway, not people."""
    rows = simulated_sms_latest(limit)
    names = dict(
        OutboxMessage.objects.filter(idempotency_key__in=[sms.idempotency_key for sms in rows])
        .values_list("idempotency_key", "account__cardholder__name")
    )
    masked = []
    for sms in rows:
        text = sms.text
        name = names.get(sms.idempotency_key) or ""
        if name:
            text = text.replace(name, mask_name(name, level))
        masked.append((sms, masked_recipient("sms", sms.to, level), text))
    return masked


def template_codes() -> list[str]:
    return list(
        OutboxMessage.objects.values_list("template_code", flat=True).distinct().order_by(
            "template_code"
        )
    )


def simulated_sms_latest(limit: int = 200) -> list[SimulatedSms]:
    return list(SimulatedSms.objects.order_by("-id")[:limit])
