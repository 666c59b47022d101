"""The hash chain of the audit trail: canonical JSON of an event, its hash, and verification.

Pure functions over plain values, so a regulator can check an export with the same code
(or twenty lines of any language): ``hash = sha256(canonical_json(event) + prev_hash)``.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

# The fields that go into an event's hash, in this order of names (the JSON keys are sorted).
HASHED_FIELDS = (
    "sequence", "at", "actor_id", "actor_label", "action", "object_type", "object_id",
    "purpose", "client", "details",
)


def timestamp_text(moment: datetime) -> str:
    """An aware datetime as UTC ISO 8601 with microseconds: one spelling per instant."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(event: Mapping[str, Any]) -> str:
    """The event's hashed fields as JSON with sorted keys, no spaces and UTF-8 text."""
    values = {name: event.get(name) for name in HASHED_FIELDS}
    if isinstance(values["at"], datetime):
        values["at"] = timestamp_text(values["at"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(event: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) over the canonical JSON of the event followed by the previous hash."""
    return hashlib.sha256((canonical_json(event) + prev_hash).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    sequence: int | None
    problem: str


@dataclass(frozen=True)
class ChainReport:
    events: int
    last_sequence: int
    last_hash: str
    breaks: tuple[ChainBreak, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


def chain_verify(
    events: Iterable[Mapping[str, Any]],
    *,
    start_sequence: int = 1,
    start_prev_hash: str = GENESIS_HASH,
    head: tuple[int, str] | None = None,
) -> ChainReport:
    """Check events given in sequence order: no gap, each ``prev_hash`` is the hash before it,
    each ``hash`` is recomputed equal. ``head`` (sequence, hash) — where the writer says the
    chain ends — catches events cut off the end."""
    breaks: list[ChainBreak] = []
    expected_sequence, prev_hash, count = start_sequence, start_prev_hash, 0
    for event in events:
        count += 1
        sequence = event.get("sequence")
        if sequence != expected_sequence:
            breaks.append(ChainBreak(sequence, f"expected sequence {expected_sequence}"))
        if event.get("prev_hash") != prev_hash:
            breaks.append(ChainBreak(sequence, "prev_hash does not match the event before"))
        if event_hash(event, event.get("prev_hash") or "") != event.get("hash"):
            breaks.append(ChainBreak(sequence, "hash does not match the event's content"))
        prev_hash = event.get("hash") or ""
        expected_sequence = (sequence or expected_sequence) + 1
    last_sequence = expected_sequence - 1
    if head is not None and (head[0], head[1]) != (last_sequence, prev_hash):
        breaks.append(ChainBreak(head[0], f"the chain head says it ends at #{head[0]}"))
    return ChainReport(count, last_sequence, prev_hash, tuple(breaks))
