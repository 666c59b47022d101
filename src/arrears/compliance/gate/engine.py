"""The engine: evaluate every rule of the pack, take the strictest decision, move a request that
only time or frequency blocks to the earliest moment nothing blocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.utils.translation import gettext as _

from arrears.compliance.content import Finding, findings_in
from arrears.compliance.gate.answer import GateAnswer, Reason
from arrears.compliance.gate.checks import CHECKS
from arrears.compliance.gate.context import Context
from arrears.compliance.gate.packs import RulePackData
from arrears.compliance.gate.request import ContactRequest
from arrears.compliance.gate.vocabulary import (
    BLOCK,
    DECISIONS,
    MAX_STEPS,
    REQUIRE_APPROVAL,
    REQUIRE_NOTE,
    SEVERITY,
)
from arrears.compliance.timezones import candidate_zones


def request_zones(request: ContactRequest, pack: RulePackData) -> tuple[str, ...]:
    return candidate_zones(explicit=request.time_zones, address=request.address,
                           phone=request.phone, region=pack.region,
                           default=pack.default_time_zone)


def _evaluate(request: ContactRequest, pack: RulePackData, zones: tuple[str, ...],
              at: datetime, findings: tuple[Finding, ...]) -> list[Reason]:
    ctx = Context(request, at, zones, findings)
    reasons: list[Reason] = []
    for rule in pack.rules:
        if rule.enabled:
            reasons.extend(CHECKS[rule.check](ctx, rule))
    if request.approval_reference:
        reasons = [replace(r, decision=REQUIRE_NOTE,
                           text=f"{r.text} " + _("Approved: %(reference)s.")
                           % {"reference": request.approval_reference})
                   if r.decision == REQUIRE_APPROVAL else r for r in reasons]
    return reasons


def _ordered_ids(reasons: list[Reason]) -> tuple[str, ...]:
    ranked = sorted(reasons, key=lambda r: -SEVERITY[r.decision])
    return tuple(dict.fromkeys(r.rule_id for r in ranked))


def gate_check(request: ContactRequest, pack: RulePackData) -> GateAnswer:
    """The gate's answer to ``request`` under ``pack`` (see the module docstring)."""
    zones = request_zones(request, pack)
    findings = tuple(findings_in(request.content, request.language, pack.words))
    first = _evaluate(request, pack, zones, request.at, findings)
    reasons, at = first, request.at
    for _step in range(MAX_STEPS):
        blocks = [r for r in reasons if r.decision == BLOCK]
        if not blocks or not all(r.not_before and r.not_before > at for r in blocks):
            break
        at = max(r.not_before for r in blocks)
        reasons = _evaluate(request, pack, zones, at, findings)
    final = max((SEVERITY[r.decision] for r in reasons), default=0)
    common = {"time_zones": zones, "profile": pack.profile, "pack_version": pack.version}
    if at != request.at and final < SEVERITY[BLOCK]:
        shown = [r for r in first if r.decision == BLOCK]
        return GateAnswer("delay", BLOCK, at, _ordered_ids(shown), tuple(shown), **common)
    if final == SEVERITY[BLOCK]:
        shown = [r for r in reasons if r.decision == BLOCK]
        return GateAnswer("block", BLOCK, None, _ordered_ids(shown), tuple(shown), **common)
    decision = DECISIONS[final]
    verdict = "block" if decision == REQUIRE_APPROVAL else "allow"
    ranked = tuple(sorted(reasons, key=lambda r: -SEVERITY[r.decision]))
    return GateAnswer(verdict, decision, None, _ordered_ids(reasons), ranked, **common)
