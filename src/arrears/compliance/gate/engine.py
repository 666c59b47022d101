"""The engine: evaluate every rule of every applicable profile (COMPLIANCE.md section 0: a
Chinese bank's customer living in the UK is asked about under both), take the strictest
decision, move a request that only time or frequency blocks to the earliest moment nothing
blocks under any profile, and say what will still apply then."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from django.utils.translation import gettext as _

from arrears.compliance.content import Finding
from arrears.compliance.gate.answer import GateAnswer, Reason
from arrears.compliance.gate.context import Context
from arrears.compliance.gate.packs import RulePackData
from arrears.compliance.gate.reading import Reading
from arrears.compliance.gate.request import ContactRequest
from arrears.compliance.gate.vocabulary import (
    ALLOW,
    BLOCK,
    DECISIONS,
    MAX_STEPS,
    REQUIRE_APPROVAL,
    REQUIRE_NOTE,
    SEVERITY,
)
from arrears.compliance.timezones import Location, locate


class PackMissing(ValueError):
    """A profile the request names has no pack among those given."""


def request_location(request: ContactRequest, pack: RulePackData) -> Location:
    return locate(explicit=request.time_zones, address=request.address, phone=request.phone,
                  region=pack.region, unknown=pack.unknown_location_zones)


def request_zones(request: ContactRequest, pack: RulePackData) -> tuple[str, ...]:
    return request_location(request, pack).zones


@dataclass(frozen=True)
class _Profile:
    """One profile's pack with what the request looks like under it."""

    pack: RulePackData
    location: Location
    findings: tuple[Finding, ...]
    reading: Reading

    @property
    def zones(self) -> tuple[str, ...]:
        return self.location.zones


def _profiles(request: ContactRequest, packs) -> list[_Profile]:
    if isinstance(packs, RulePackData):
        chosen = [packs]
    elif isinstance(packs, Mapping):
        missing = [p for p in request.profiles if p not in packs]
        if missing:
            raise PackMissing(_("No rule pack for %(profiles)s.")
                              % {"profiles": ", ".join(missing)})
        chosen = [packs[p] for p in request.profiles]
    else:
        chosen = list(packs)
    profiles = []
    for pack in chosen:
        reading = _reading(request, pack)
        profiles.append(_Profile(pack, request_location(request, pack), reading.findings(),
                                 reading))
    return profiles


def _reading(request: ContactRequest, pack: RulePackData) -> Reading:
    if request.message_slots and not request.content:
        return Reading.of_slots(dict(request.message_slots), request.language, pack.words)
    return Reading.of(request.content, request.language, pack.words)


def _evaluate(request: ContactRequest, profiles: Iterable[_Profile],
              at: datetime) -> list[Reason]:
    reasons: list[Reason] = []
    for profile in profiles:
        ctx = Context(request, at, profile.zones, profile.findings, profile.reading)
        for rule, check in profile.pack.applicable(request.action, request.direction):
            found = check(ctx, rule)
            if found:
                reasons.extend(replace(reason, profile=profile.pack.profile)
                               for reason in found)
    if request.approval_reference:
        reasons = [replace(r, decision=REQUIRE_NOTE,
                           text=f"{r.text} " + _("Approved: %(reference)s.")
                           % {"reference": request.approval_reference})
                   if r.decision == REQUIRE_APPROVAL else r for r in reasons]
    return reasons


def _location_notes(request: ContactRequest, profile: _Profile) -> dict:
    """A contact to a debtor whose location nothing tells: say so, and that it must be
    found (the window used is the one lawful in every zone of the jurisdiction)."""
    if not request.is_contact or not profile.location.unknown:
        return {}
    return {"location_unknown": True,
            "notes": (_("Nothing tells where the debtor is: only times lawful in every zone of "
                        "the jurisdiction (%(zones)s) are used. Find the debtor's location.")
                      % {"zones": ", ".join(profile.zones)},)}


def _ordered_ids(reasons: list[Reason]) -> tuple[str, ...]:
    ranked = sorted(reasons, key=lambda r: -SEVERITY[r.decision])
    return tuple(dict.fromkeys(r.rule_id for r in ranked))


def _ranked(reasons: list[Reason]) -> tuple[Reason, ...]:
    return tuple(sorted(reasons, key=lambda r: -SEVERITY[r.decision]))


def gate_check(request: ContactRequest,
               packs: RulePackData | Mapping[str, RulePackData] | Iterable[RulePackData]
               ) -> GateAnswer:
    """The gate's answer to ``request`` under one pack, or under the packs of every profile
    the request names (a mapping profile → pack), the strictest answer winning."""
    profiles = _profiles(request, packs)
    first = _evaluate(request, profiles, request.at)
    reasons, at = first, request.at
    for _step in range(MAX_STEPS):
        blocks = [r for r in reasons if r.decision == BLOCK]
        if not blocks or not all(r.not_before and r.not_before > at for r in blocks):
            break
        at = max(r.not_before for r in blocks)
        reasons = _evaluate(request, profiles, at)
    final = max((SEVERITY[r.decision] for r in reasons), default=0)
    primary = profiles[0].pack
    common = {"time_zones": profiles[0].zones, "profile": primary.profile,
              "pack_version": primary.version,
              "profiles": tuple((p.pack.profile, p.pack.version) for p in profiles),
              **_location_notes(request, profiles[0])}
    if at != request.at and final < SEVERITY[BLOCK]:
        shown = [r for r in first if r.decision == BLOCK]
        then = [r for r in reasons if r.decision != ALLOW]
        return GateAnswer("delay", BLOCK, at, _ordered_ids(shown), tuple(shown),
                          then_decision=DECISIONS[final], then_reasons=_ranked(then), **common)
    if final == SEVERITY[BLOCK]:
        shown = [r for r in reasons if r.decision == BLOCK]
        return GateAnswer("block", BLOCK, None, _ordered_ids(shown), tuple(shown), **common)
    decision = DECISIONS[final]
    verdict = "block" if decision == REQUIRE_APPROVAL else "allow"
    return GateAnswer(verdict, decision, None, _ordered_ids(reasons), _ranked(reasons), **common)
