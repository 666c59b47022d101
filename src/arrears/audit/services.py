"""Recording audit events, revealing personal data with a purpose, and four-eyes exports.

Every service that changes state or reveals personal data calls :func:`audit_record`; nothing
ever updates or deletes an ``AuditEvent``. Events form one hash chain; writers take a lock on
the chain head so that concurrent transactions append one after the other, never both after
the same event (on PostgreSQL ``SELECT … FOR UPDATE``; SQLite lets one writer in at a time).
The lock is held until the caller's transaction ends, so keep audited transactions short.
"""

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.audit.chain import (
    GENESIS_HASH,
    ChainReport,
    chain_verify,
    event_hash,
    timestamp_text,
)
from arrears.audit.models import AuditChainHead, AuditEvent, ExportRequest
from arrears.audit.permissions import APPROVE_EXPORT, EXPORT_DATA, REVEAL_PII

HEAD_PK = 1


def _json_plain(details: dict[str, Any] | None) -> dict[str, Any]:
    """The details as the database will give them back (JSON types only), so that the hash
    computed now equals the hash recomputed from the stored row."""
    return json.loads(json.dumps(details or {}, default=str))


def _head_locked() -> AuditChainHead:
    """The chain head, locked for this transaction; created from the last event if missing
    (a fresh database, or tables emptied by a test run)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    last = AuditEvent.objects.exclude(sequence=None).order_by("-sequence").first()
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(
                pk=HEAD_PK,
                sequence=last.sequence if last else 0,
                hash=last.hash if last else GENESIS_HASH,
            )
    except IntegrityError:
        pass  # another writer created it first
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)


def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    system: str = "system",
    purpose: str = "",
    client: str = "",
) -> AuditEvent:
    """Append one audit event to the chain. ``actor`` is a user or None for a system process
    named ``system``; ``purpose`` is the purpose code of a data read, ``client`` the IP."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head = _head_locked()
        event = AuditEvent(
            sequence=head.sequence + 1,
            at=timezone.now(),
            actor=user,
            actor_label=user.get_username() if user else system,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            purpose=purpose,
            client=client[:100],
            details=_json_plain(details),
            prev_hash=head.hash,
        )
        event.hash = event_hash(event_fields(event), event.prev_hash)
        event.save(force_insert=True)
        head.sequence, head.hash = event.sequence, event.hash
        head.save(update_fields=["sequence", "hash"])
    return event


def event_fields(event: AuditEvent) -> dict[str, Any]:
    """An event as the plain mapping that is hashed and exported."""
    return {
        "sequence": event.sequence,
        "at": event.at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "purpose": event.purpose,
        "client": event.client,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def audit_verify(*, chunk: int = 5000) -> ChainReport:
    """Recompute the whole chain from the database: gaps, edits, reordering and events cut
    off the end (compared with the chain head) are reported with their sequence numbers."""
    head = AuditChainHead.objects.filter(pk=HEAD_PK).values_list("sequence", "hash").first()
    events = (
        event_fields(event)
        for event in AuditEvent.objects.exclude(sequence=None).order_by("sequence").iterator(
            chunk_size=chunk
        )
    )
    return chain_verify(events, head=head)


def client_of(request) -> str:
    """The client address of a web request for the audit trail."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


# --- Reveal with a purpose --------------------------------------------------------------------

PURPOSE_LABELS = {
    "COLLECTION": gettext_lazy("Collection"),
    "DISPUTE": gettext_lazy("Dispute"),
    "HARDSHIP": gettext_lazy("Hardship"),
    "LITIGATION": gettext_lazy("Litigation"),
    "REGULATORY_REQUEST": gettext_lazy("Regulatory request"),
    "DSAR": gettext_lazy("Data subject access request"),
}
PURPOSE_CODES = tuple(PURPOSE_LABELS)
REVEAL_PERMISSION = REVEAL_PII


class RevealRefused(Exception):
    """The user may not reveal personal data, or gave no valid purpose code."""


def pii_reveal(
    user, *, object_type: str, object_id: str, fields: list[str], purpose: str, reason: str,
    account_id: str = "", client: str = "",
) -> AuditEvent:
    """Allow ``user`` to see ``fields`` of one record unmasked for one page view, and record
    who, why and what. No purpose code, an unknown one, or no permission → ``RevealRefused``
    (COMPLIANCE.md case 22a)."""
    if not user.has_perm(REVEAL_PERMISSION):
        raise RevealRefused(_("Your role may not reveal personal data."))
    if purpose not in PURPOSE_CODES:
        raise RevealRefused(_("Choose the purpose for which you need to see the data."))
    reason = reason.strip()
    if not reason:
        raise RevealRefused(_("Say in a few words why you need to see the data."))
    return audit_record(
        actor=user, action="pii.reveal", object_type=object_type, object_id=object_id,
        purpose=purpose, client=client,
        details={"fields": list(fields), "reason": reason[:300], "account": account_id},
    )


# --- Exports ----------------------------------------------------------------------------------

ALLOW, REQUIRE_APPROVAL, BLOCK = "ALLOW", "REQUIRE_APPROVAL", "BLOCK"
EXPORT_PERMISSION = EXPORT_DATA
APPROVE_PERMISSION = APPROVE_EXPORT
# Data that never leaves the system (COMPLIANCE.md b.4).
NEVER_EXPORTED = frozenset({"emergency_contacts", "third_party_contacts"})


@dataclass(frozen=True)
class ExportDecision:
    decision: str  # ALLOW | REQUIRE_APPROVAL | BLOCK
    reason: str


class ExportRefused(Exception):
    """An export that the rules block, or an approval or run that is not allowed."""


def export_check(user, kind: str, count: int) -> ExportDecision:
    """May ``user`` export ``count`` records of ``kind``? Emergency and third-party contacts:
    never. A user without the export permission (a collector): BLOCK. Otherwise a second
    approver is needed above ``ARREARS_EXPORT_APPROVAL_OVER`` records (default 0: always)."""
    if kind in NEVER_EXPORTED:
        return ExportDecision(BLOCK, _("Emergency and third-party contact data is never "
                                       "exported."))
    if not user.has_perm(EXPORT_PERMISSION):
        return ExportDecision(BLOCK, _("Your role may not export data."))
    if count > getattr(settings, "ARREARS_EXPORT_APPROVAL_OVER", 0):
        return ExportDecision(REQUIRE_APPROVAL, _("A second person must approve this export."))
    return ExportDecision(ALLOW, _("Small export within your role."))


def export_request(
    user, *, kind: str, count: int, reason: str, params: dict | None = None, client: str = ""
) -> ExportRequest:
    """Ask to export: refused when blocked, approved at once when allowed, otherwise waiting
    for a second person. Recorded in the audit trail either way."""
    decision = export_check(user, kind, count)
    audit_record(actor=user, action="export.request", object_type="export", object_id=kind,
                 client=client, details={"count": count, "decision": decision.decision,
                                         "params": params or {}, "reason": reason})
    if decision.decision == BLOCK:
        raise ExportRefused(decision.reason)
    if not reason.strip():
        raise ExportRefused(_("Say why the data is exported."))
    status = (ExportRequest.Status.APPROVED if decision.decision == ALLOW
              else ExportRequest.Status.PENDING)
    return ExportRequest.objects.create(
        kind=kind, record_count=count, params=params or {}, reason=reason.strip()[:300],
        requester=user, status=status,
    )


def export_decide(request: ExportRequest, *, actor, approve: bool, note: str = "") -> ExportRequest:
    """The second person approves or rejects a waiting export; never the requester."""
    with transaction.atomic():
        request = ExportRequest.objects.select_for_update().get(pk=request.pk)
        if not actor.has_perm(APPROVE_PERMISSION):
            raise ExportRefused(_("Your role may not approve exports."))
        if actor.pk == request.requester_id:
            raise ExportRefused(_("An export must be approved by someone other than the "
                                  "person who asked for it."))
        if request.status != ExportRequest.Status.PENDING:
            raise ExportRefused(_("This export is not waiting for approval."))
        request.status = (ExportRequest.Status.APPROVED if approve
                          else ExportRequest.Status.REJECTED)
        request.approver, request.note, request.decided_at = actor, note[:300], timezone.now()
        request.save(update_fields=["status", "approver", "note", "decided_at"])
        audit_record(actor=actor, action="export.approve" if approve else "export.reject",
                     object_type="export_request", object_id=request.pk,
                     details={"kind": request.kind, "count": request.record_count,
                              "requester": request.requester.get_username(), "note": note})
    return request


def export_start(request: ExportRequest, *, actor, client: str = "") -> ExportRequest:
    """Mark an approved export as done by its requester, once; the caller then writes it."""
    with transaction.atomic():
        request = ExportRequest.objects.select_for_update().get(pk=request.pk)
        if actor.pk != request.requester_id:
            raise ExportRefused(_("Only the person who asked for this export may run it."))
        if request.status != ExportRequest.Status.APPROVED:
            raise ExportRefused(_("This export has not been approved, or has already run."))
        request.status, request.exported_at = ExportRequest.Status.DONE, timezone.now()
        request.save(update_fields=["status", "exported_at"])
        audit_record(actor=actor, action="export.run", object_type="export_request",
                     object_id=request.pk, client=client,
                     details={"kind": request.kind, "count": request.record_count,
                              "params": request.params,
                              "approver": request.approver.get_username()
                              if request.approver else ""})
    return request


# --- Export of the trail for a regulator ------------------------------------------------------

EXPORT_FORMATS = ("jsonl", "csv")
EXPORT_COLUMNS = ("sequence", "at", "actor_id", "actor_label", "action", "object_type",
                  "object_id", "purpose", "client", "details", "prev_hash", "hash")


def audit_events_between(start: date | None, end: date | None, *, actor: str = "",
                         action: str = "", object_id: str = ""):
    """Events from ``start`` to ``end`` inclusive (dates in the server's time zone), oldest
    first, optionally of one actor (user name), action or object id."""
    events = AuditEvent.objects.exclude(sequence=None).order_by("sequence")
    zone = timezone.get_default_timezone()
    # Nothing happened before the calendar's second day or after its second-to-last: such a
    # bound leaves that side open (its midnight in UTC, or the day after, is out of range).
    if start and start <= date.min + timedelta(days=1):
        start = None
    if end and end >= date.max - timedelta(days=1):
        end = None
    if start:
        events = events.filter(at__gte=datetime.combine(start, time.min, zone))
    if end:
        events = events.filter(at__lt=datetime.combine(end + timedelta(days=1), time.min, zone))
    if actor:
        events = events.filter(actor_label=actor)
    if action:
        events = events.filter(action=action)
    if object_id:
        events = events.filter(object_id=object_id)
    return events


def audit_export_write(stream: TextIO, events, *, fmt: str = "jsonl") -> int:
    """Write events with their chain hashes, one per line (JSON Lines) or row (CSV), so the
    recipient can recompute every hash and check each ``prev_hash`` against the row before.
    Returns the number of events written."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(_("Unknown format %(fmt)s; use jsonl or csv.") % {"fmt": fmt})
    writer = csv.writer(stream) if fmt == "csv" else None
    if writer:
        writer.writerow(EXPORT_COLUMNS)
    count = 0
    for event in events.iterator(chunk_size=2000):
        fields = event_fields(event)
        fields["at"] = timestamp_text(event.at)
        if writer:
            row = [fields[name] for name in EXPORT_COLUMNS]
            row[EXPORT_COLUMNS.index("details")] = json.dumps(
                event.details, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            writer.writerow(["" if value is None else value for value in row])
        else:
            stream.write(json.dumps({name: fields[name] for name in EXPORT_COLUMNS},
                                    ensure_ascii=False) + "\n")
        count += 1
    return count
