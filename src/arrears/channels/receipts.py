"""Delivery receipts: what a gateway reports after it accepted a message."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.channels.models import DeliveryReceipt, OutboxMessage

# Receipt statuses a gateway may send, and the outbox status each one leads to.
RECEIPT_STATUSES = {
    "delivered": OutboxMessage.Status.DELIVERED,
    "failed": OutboxMessage.Status.FAILED,
    "undelivered": OutboxMessage.Status.FAILED,
    "rejected": OutboxMessage.Status.FAILED,
    "expired": OutboxMessage.Status.FAILED,
    "sent": None,
    "accepted": None,
    "queued": None,
}


class ReceiptError(ValueError):
    pass


@transaction.atomic
def receipt_record(item: dict, *, gateway: str, at=None) -> DeliveryReceipt:
    """Store one receipt and move its message to delivered or failed."""
    if not isinstance(item, dict) or not item.get("id") or not item.get("status"):
        raise ReceiptError(_("a receipt needs “id” and “status”"))
    status = str(item["status"]).lower()
    if status not in RECEIPT_STATUSES:
        raise ReceiptError(
            _("unknown receipt status “%(status)s”; expected one of %(known)s")
            % {"status": status, "known": ", ".join(RECEIPT_STATUSES)}
        )
    at = at or timezone.now()
    provider_id = str(item["id"])
    message = OutboxMessage.objects.filter(gateway=gateway, provider_id=provider_id).first()
    receipt = DeliveryReceipt.objects.create(
        message=message, gateway=gateway, provider_id=provider_id, status=status, at=at,
        raw=item,
    )
    new_status = RECEIPT_STATUSES[status]
    if message and new_status and message.status in (
        OutboxMessage.Status.SENT, OutboxMessage.Status.DELIVERED
    ):
        fields = {"status": new_status}
        if new_status == OutboxMessage.Status.DELIVERED:
            fields["delivered_at"] = at
        else:
            fields["last_error"] = str(item.get("detail") or status)[:500]
        OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    return receipt
