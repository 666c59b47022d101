"""The contact ledger and the stored gate answers as files for a regulator, and the bundle of
all three trails (audit events, contacts, gate checks) with a manifest.

Rows are read with ``.values()`` and ``.iterator(chunk_size=…)``, so a period of millions of
rows never sits in memory. Personal data leaves masked at level M1
(``arrears.portfolio.masking``): contact point values, third parties' names and phones, the
phone and address the gate was asked about; free text (notes, message content, evidence) goes
through ``pii_scrub``. Times are UTC ISO 8601 (``timestamp_text``), like the audit events.
"""

import csv
import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.audit.chain import GENESIS_HASH, timestamp_text
from arrears.audit.models import AuditChainHead, AuditEvent
from arrears.audit.services import HEAD_PK, audit_events_between, audit_export_write
from arrears.compliance.models import ContactAttempt, GateCheck
from arrears.portfolio.masking import (
    M1,
    mask_address,
    mask_contact_value,
    mask_name,
    mask_phone,
    pii_scrub,
)

EXPORT_KINDS = ("events", "contacts", "gate-checks", "all")
CHUNK = 2000
# What each kind is called in a bundle: its file's stem and its key in the manifest's counts.
BUNDLE_NAMES = {"events": "events", "contacts": "contacts", "gate-checks": "gate_checks"}
MANIFEST = "manifest.json"

CONTACT_COLUMNS = (
    "id", "at", "account_id", "account_external_id", "cardholder_id", "cardholder_external_id",
    "channel", "purpose", "counterparty", "contact_point_id", "contact_point_kind",
    "contact_point_value", "third_party_id", "third_party_relation", "third_party_name",
    "third_party_phone", "outcome", "conversation", "excluded_reason", "debt_ids", "check_id",
    "actor_id", "actor_username", "note",
)
GATE_CHECK_COLUMNS = (
    "id", "at", "asked_at", "account_id", "account_external_id", "action", "channel", "purpose",
    "counterparty", "verdict", "decision", "not_before", "rule_ids", "reasons", "request",
    "profile", "pack_version", "reference", "actor_id", "actor_username",
)
# Keys of a stored gate request that hold personal data, and how each is masked.
REQUEST_MASKS: dict[str, Callable[[str], str]] = {
    "phone": lambda value: mask_phone(value, M1),
    "address": lambda value: mask_address(value, M1),
    "content": lambda value: pii_scrub(value)[0],
    "unreachable_evidence": lambda value: pii_scrub(value)[0],
}


def _actor_username() -> str:
    return f"actor__{get_user_model().USERNAME_FIELD}"


def period_filter(queryset, start: date, end: date):
    """Rows whose ``at`` falls on a day from ``start`` to ``end`` inclusive, days in the
    server's time zone (as ``audit_events_between``)."""
    zone = timezone.get_default_timezone()
    # A bound at the calendar's ends leaves that side open (its midnight in UTC, or the day
    # after, is out of range: 0001-01-01 or 9999-12-31 ended in a traceback).
    if start > date.min + timedelta(days=1):
        queryset = queryset.filter(at__gte=datetime.combine(start, time.min, zone))
    if end < date.max - timedelta(days=1):
        queryset = queryset.filter(
            at__lt=datetime.combine(end + timedelta(days=1), time.min, zone))
    return queryset


def _utc(moment: datetime | None) -> str | None:
    return timestamp_text(moment) if moment is not None else None


def contact_rows(start: date, end: date) -> Iterable[dict[str, Any]]:
    """The contact attempts of the period as export rows, oldest first (time, then id)."""
    rows = period_filter(ContactAttempt.objects.all(), start, end).order_by("at", "id").values(
        "id", "at", "account_id", "account__external_id", "cardholder_id",
        "cardholder__external_id", "channel", "purpose", "counterparty", "contact_point_id",
        "contact_point__kind", "contact_point__value", "third_party_id", "third_party__relation",
        "third_party__name", "third_party__phone", "outcome", "conversation", "excluded_reason",
        "debt_ids", "check_id", "actor_id", _actor_username(), "note",
    )
    username = _actor_username()
    for row in rows.iterator(chunk_size=CHUNK):
        point_kind = row["contact_point__kind"] or ""
        yield {
            "id": row["id"], "at": _utc(row["at"]),
            "account_id": row["account_id"], "account_external_id": row["account__external_id"],
            "cardholder_id": row["cardholder_id"],
            "cardholder_external_id": row["cardholder__external_id"],
            "channel": row["channel"], "purpose": row["purpose"],
            "counterparty": row["counterparty"],
            "contact_point_id": row["contact_point_id"], "contact_point_kind": point_kind,
            "contact_point_value": mask_contact_value(point_kind, row["contact_point__value"] or "",
                                                      M1),
            "third_party_id": row["third_party_id"],
            "third_party_relation": row["third_party__relation"] or "",
            "third_party_name": mask_name(row["third_party__name"] or "", M1),
            "third_party_phone": mask_phone(row["third_party__phone"] or "", M1),
            "outcome": row["outcome"], "conversation": row["conversation"],
            "excluded_reason": row["excluded_reason"], "debt_ids": row["debt_ids"],
            "check_id": row["check_id"], "actor_id": row["actor_id"],
            "actor_username": row[username] or "", "note": pii_scrub(row["note"])[0],
        }


def gate_request_masked(request: dict[str, Any]) -> dict[str, Any]:
    """A stored gate request with its phone, address, places, message and evidence masked."""
    masked = dict(request)
    for key, mask in REQUEST_MASKS.items():
        if isinstance(masked.get(key), str):
            masked[key] = mask(masked[key])
    if isinstance(masked.get("no_contact_places"), list):
        masked["no_contact_places"] = [mask_address(str(place), M1)
                                       for place in masked["no_contact_places"]]
    if isinstance(masked.get("message_slots"), dict):
        masked["message_slots"] = {slot: pii_scrub(str(text))[0]
                                   for slot, text in masked["message_slots"].items()}
    return masked


def _reasons_scrubbed(reasons: list) -> list:
    """A reason's text may quote what the gate saw (a number, an address): scrubbed."""
    return [{**reason, "text": pii_scrub(reason["text"])[0]}
            if isinstance(reason, dict) and isinstance(reason.get("text"), str) else reason
            for reason in reasons or []]


def gate_check_rows(start: date, end: date) -> Iterable[dict[str, Any]]:
    """The stored gate answers of the period as export rows, oldest first (time, then id)."""
    rows = period_filter(GateCheck.objects.all(), start, end).order_by("at", "id").values(
        "id", "at", "asked_at", "account_id", "account__external_id", "action", "channel",
        "purpose", "counterparty", "verdict", "decision", "not_before", "rule_ids", "reasons",
        "request",
        "profile", "pack_version", "reference", "actor_id", _actor_username(),
    )
    username = _actor_username()
    for row in rows.iterator(chunk_size=CHUNK):
        yield {
            "id": row["id"], "at": _utc(row["at"]), "asked_at": _utc(row["asked_at"]),
            "account_id": row["account_id"], "account_external_id": row["account__external_id"],
            "action": row["action"] or row["channel"], "channel": row["channel"],
            "purpose": row["purpose"], "counterparty": row["counterparty"],
            "verdict": row["verdict"],
            "decision": row["decision"], "not_before": _utc(row["not_before"]),
            "rule_ids": row["rule_ids"], "reasons": _reasons_scrubbed(row["reasons"]),
            "request": gate_request_masked(row["request"] or {}), "profile": row["profile"],
            "pack_version": row["pack_version"], "reference": row["reference"],
            "actor_id": row["actor_id"], "actor_username": row[username] or "",
        }


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return value


def rows_write(stream: TextIO, rows: Iterable[dict[str, Any]], columns: tuple[str, ...], *,
               fmt: str) -> int:
    """Write rows as JSON Lines, or CSV with a header (JSON fields as JSON text, booleans
    ``true``/``false``, null as empty). Returns the number of rows written."""
    writer = csv.writer(stream) if fmt == "csv" else None
    if writer:
        writer.writerow(columns)
    count = 0
    for row in rows:
        if writer:
            writer.writerow([_csv_cell(row[name]) for name in columns])
        else:
            stream.write(json.dumps({name: row[name] for name in columns},
                                    ensure_ascii=False) + "\n")
        count += 1
    return count


def audit_head() -> tuple[int, str]:
    """Where the audit chain ends now: (sequence, hash); (0, 64 zeros) before any event."""
    head = AuditChainHead.objects.filter(pk=HEAD_PK).values_list("sequence", "hash").first()
    if head is not None:
        return head
    last = (AuditEvent.objects.exclude(sequence=None).order_by("-sequence")
            .values_list("sequence", "hash").first())
    return last or (0, GENESIS_HASH)


def trail_export_write(stream: TextIO, what: str, start: date, end: date, *, fmt: str = "jsonl",
                       up_to_sequence: int | None = None) -> int:
    """Write one trail (``events``, ``contacts`` or ``gate-checks``) of the period to
    ``stream``; events only up to ``up_to_sequence`` when given. Returns the row count."""
    if what == "events":
        events = audit_events_between(start, end)
        if up_to_sequence is not None:
            events = events.filter(sequence__lte=up_to_sequence)
        return audit_export_write(stream, events, fmt=fmt)
    if what == "contacts":
        return rows_write(stream, contact_rows(start, end), CONTACT_COLUMNS, fmt=fmt)
    if what == "gate-checks":
        return rows_write(stream, gate_check_rows(start, end), GATE_CHECK_COLUMNS, fmt=fmt)
    raise ValueError(_("Unknown trail %(what)s; use events, contacts or gate-checks.")
                     % {"what": what})


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_file_names(fmt: str) -> list[str]:
    """The files a bundle writes into its folder, manifest last."""
    return [f"{name}.{fmt}" for name in BUNDLE_NAMES.values()] + [MANIFEST]


def trail_bundle_write(folder: Path, start: date, end: date, *, fmt: str = "jsonl") -> dict:
    """Write the three trails of the period and ``manifest.json`` (period, row counts, SHA-256
    of each file, the audit chain head) into ``folder``; returns the manifest.

    The head is read first and events are exported up to it, so the manifest names the last
    event the bundle can hold. Each file is written as ``NAME.partial`` and renamed only when
    all are complete, the manifest last: a failed run leaves no file that looks finished."""
    sequence, head_hash = audit_head()
    partials: list[Path] = []
    files: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    try:
        for what, name in BUNDLE_NAMES.items():
            partial = folder / f"{name}.{fmt}.partial"
            with partial.open("w", encoding="utf-8", newline="") as stream:
                partials.append(partial)
                counts[name] = trail_export_write(stream, what, start, end, fmt=fmt,
                                                  up_to_sequence=sequence)
            files[f"{name}.{fmt}"] = {"rows": counts[name], "sha256": file_sha256(partial)}
        manifest = {
            "period": {"from": start.isoformat(), "to": end.isoformat(),
                       "time_zone": str(timezone.get_default_timezone())},
            "exported_at": timestamp_text(timezone.now()),
            "format": fmt,
            "counts": counts,
            "files": files,
            "audit_chain_head": {"sequence": sequence, "hash": head_hash},
        }
        partial = folder / f"{MANIFEST}.partial"
        with partial.open("w", encoding="utf-8") as stream:
            partials.append(partial)
            stream.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    except BaseException:
        for partial in partials:
            partial.unlink(missing_ok=True)
        raise
    for partial in partials:
        partial.replace(partial.with_name(partial.name.removesuffix(".partial")))
    return manifest
