"""The answer: the verdict, the strictest decision, the earliest lawful time and every reason;
for a delay, also what will still apply at that time (notes, approvals, warnings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from arrears.compliance.gate.values import _json_value


@dataclass(frozen=True)
class Reason:
    rule_id: str
    decision: str
    text: str
    source: str = ""
    params: dict = field(default_factory=dict)
    not_before: datetime | None = None
    profile: str = ""

    def to_json(self) -> dict:
        data = {"rule_id": self.rule_id, "decision": self.decision, "text": self.text,
                "source": self.source, "params": self.params}
        if self.not_before:
            data["not_before"] = _json_value(self.not_before)
        if self.profile:
            data["profile"] = self.profile
        return data


@dataclass(frozen=True)
class GateAnswer:
    """``verdict`` is what a sender does (allow / delay / block); ``decision`` the strictest
    decision. ``profile`` is the request's own profile, ``profiles`` every profile evaluated
    with its pack version. A delay carries in ``then_decision`` and ``then_reasons`` what
    still applies at ``not_before`` (a note to store, an approval to get)."""

    verdict: str
    decision: str
    not_before: datetime | None
    rule_ids: tuple[str, ...]
    reasons: tuple[Reason, ...]
    time_zones: tuple[str, ...]
    profile: str = ""
    pack_version: int = 0
    check_id: int | None = None
    profiles: tuple[tuple[str, int], ...] = ()
    then_decision: str = ""
    then_reasons: tuple[Reason, ...] = ()
    notes: tuple[str, ...] = ()
    location_unknown: bool = False

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"

    def to_json(self) -> dict:
        data = {"verdict": self.verdict, "decision": self.decision,
                "not_before": _json_value(self.not_before) if self.not_before else None,
                "rule_ids": list(self.rule_ids), "reasons": [r.to_json() for r in self.reasons],
                "time_zones": list(self.time_zones), "profile": self.profile,
                "pack_version": self.pack_version,
                "profiles": [{"profile": p, "pack_version": v} for p, v in self.profiles]}
        if self.verdict == "delay":
            data["then_decision"] = self.then_decision
            data["then_reasons"] = [r.to_json() for r in self.then_reasons]
        if self.notes:
            data["notes"] = list(self.notes)
        if self.location_unknown:
            data["location_unknown"] = True
        if self.check_id is not None:
            data["check_id"] = self.check_id
        return data
