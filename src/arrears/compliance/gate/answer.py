"""The answer: the verdict, the strictest decision, the earliest lawful time and every reason."""

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

    def to_json(self) -> dict:
        data = {"rule_id": self.rule_id, "decision": self.decision, "text": self.text,
                "source": self.source, "params": self.params}
        if self.not_before:
            data["not_before"] = _json_value(self.not_before)
        return data


@dataclass(frozen=True)
class GateAnswer:
    verdict: str
    decision: str
    not_before: datetime | None
    rule_ids: tuple[str, ...]
    reasons: tuple[Reason, ...]
    time_zones: tuple[str, ...]
    profile: str = ""
    pack_version: int = 0
    check_id: int | None = None

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"

    def to_json(self) -> dict:
        data = {"verdict": self.verdict, "decision": self.decision,
                "not_before": _json_value(self.not_before) if self.not_before else None,
                "rule_ids": list(self.rule_ids), "reasons": [r.to_json() for r in self.reasons],
                "time_zones": list(self.time_zones), "profile": self.profile,
                "pack_version": self.pack_version}
        if self.check_id is not None:
            data["check_id"] = self.check_id
        return data
