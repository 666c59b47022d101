"""Rule packs: the versioned parameters of one jurisdiction profile, read from the shipped JSON
files or the database, and checked before the gate runs with them (``rule_problems``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from arrears.compliance import holds as hold_kinds
from arrears.compliance.content import Word, default_words
from arrears.compliance.gate.checks import CHECKS
from arrears.compliance.gate.labels import kind_label
from arrears.compliance.gate.vocabulary import (
    ACTION_TYPES,
    AGENCY_STATUSES,
    BLOCK,
    CHANNELS,
    CONSENT_KINDS,
    COUNTERPARTIES,
    DECISIONS,
    DIRECTIONS,
    DISPUTE_FORMS,
    LIMITATION_REGIMES,
    NUMBER_TYPES,
    PURPOSES,
    REFERRAL_KINDS,
)
from arrears.compliance.timezones import UnknownTimeZone, zone

PACKS_DIR = Path(__file__).resolve().parent.parent / "packs"


class PackInvalid(ValueError):
    """A rule pack with an unknown check or bad parameters."""


@dataclass(frozen=True)
class RuleConfig:
    rule_id: str
    check: str
    enabled: bool = True
    action: str = BLOCK
    params: dict = field(default_factory=dict)
    source: str = ""
    status: str = "U"
    title: str = ""

    @classmethod
    def from_json(cls, data: dict) -> RuleConfig:
        return cls(rule_id=data["id"], check=data["check"], enabled=data.get("enabled", True),
                   action=data.get("action", BLOCK), params=data.get("params", {}),
                   source=data.get("source", ""), status=data.get("status", "U"),
                   title=data.get("title", ""))

    def to_json(self) -> dict:
        return {"id": self.rule_id, "check": self.check, "enabled": self.enabled,
                "action": self.action, "params": self.params, "source": self.source,
                "status": self.status, "title": self.title}


@dataclass(frozen=True)
class RulePackData:
    """The live parameters of one profile: its rules, default zone, phone region, word list."""

    profile: str
    rules: tuple[RuleConfig, ...]
    version: int = 0
    default_time_zone: str = "Asia/Shanghai"
    region: str = "CN"
    words: tuple[Word, ...] = ()
    jurisdiction_zones: tuple[str, ...] = ()

    @property
    def unknown_location_zones(self) -> tuple[str, ...]:
        """Every zone of the jurisdiction: the candidates when nothing says where the debtor
        is (the default zone first, the calendar for counting days)."""
        return tuple(dict.fromkeys((self.default_time_zone, *self.jurisdiction_zones)))

    @classmethod
    def from_json(cls, data: Any, *, words: tuple[Word, ...] | None = None) -> RulePackData:
        """A pack from its JSON; PackInvalid lists every problem (structure, then rules)."""
        problems = _structure_problems(data)
        if problems:
            raise PackInvalid("; ".join(problems))
        rules = tuple(RuleConfig.from_json(item) for item in data["rules"])
        pack = cls(profile=data["profile"], rules=rules, version=data.get("version", 0),
                   default_time_zone=data.get("default_time_zone", "Asia/Shanghai"),
                   region=data.get("region", "CN"),
                   words=default_words() if words is None else words,
                   jurisdiction_zones=tuple(data.get("jurisdiction_zones", ())))
        problems = [f"{rule.rule_id}: {problem}" for rule in rules
                    for problem in rule_problems(rule.check, rule.action, rule.params)]
        if problems:
            raise PackInvalid("; ".join(problems))
        return pack

    def to_json(self) -> dict:
        return {"profile": self.profile, "version": self.version,
                "default_time_zone": self.default_time_zone, "region": self.region,
                "jurisdiction_zones": list(self.jurisdiction_zones),
                "rules": [rule.to_json() for rule in self.rules]}

    @cached_property
    def _applicable(self) -> dict:
        return {}

    def applicable(self, action: str, direction: str = "outbound") -> tuple:
        """(rule, check) for every enabled rule that reads ``action`` in ``direction``: the
        check's own action types unless the rule's ``actions`` parameter names others; an
        inbound contact skips the checks on initiating contact unless ``directions`` says."""
        key = (action, direction)
        found = self._applicable.get(key)
        if found is None:
            found = self._applicable[key] = tuple(
                (rule, CHECKS[rule.check]) for rule in self.rules
                if rule.enabled and _reads(rule, CHECKS[rule.check], action, direction))
        return found

    def rule(self, rule_id: str) -> RuleConfig | None:
        return next((r for r in self.rules if r.rule_id == rule_id), None)


def _reads(rule: RuleConfig, check, action: str, direction: str) -> bool:
    if action not in rule.params.get("actions", check.actions):
        return False
    default = ("outbound",) if check.outbound_only else ("outbound", "inbound")
    return direction in rule.params.get("directions", default)


_PACK_FIELDS = {"profile", "version", "default_time_zone", "region", "rules", "description",
                "jurisdiction_zones"}
_RULE_FIELDS = {"id", "check", "enabled", "action", "params", "source", "status", "title"}


def _structure_problems(data: Any) -> list[str]:
    """What is wrong with the shape of a pack's JSON, before its rules are read."""
    if not isinstance(data, dict):
        return [_("a rule pack is a JSON object")]
    problems = [_("unknown field %(name)s") % {"name": name}
                for name in sorted(set(data) - _PACK_FIELDS, key=str)]
    if not isinstance(data.get("profile"), str) or not data.get("profile"):
        problems.append(_("profile is required (e.g. CN-BANK)"))
    if not isinstance(data.get("version", 0), int) or isinstance(data.get("version"), bool):
        problems.append(_("version must be a whole number"))
    try:
        zone(data.get("default_time_zone", "Asia/Shanghai"))
    except (UnknownTimeZone, TypeError):
        problems.append(_("default_time_zone must be an IANA time zone"))
    zones = data.get("jurisdiction_zones", [])
    try:
        if not isinstance(zones, list) or not all(isinstance(z, str) and zone(z) for z in zones):
            raise TypeError
    except (UnknownTimeZone, TypeError):
        problems.append(_("jurisdiction_zones must be a list of IANA time zones"))
    if not isinstance(data.get("region", "CN"), str):
        problems.append(_("region must be a two-letter country code"))
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        return [*problems, _("rules must be a non-empty list")]
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            problems.append(_("rules[%(index)s] must be an object") % {"index": index})
            continue
        for name in sorted(set(rule) - _RULE_FIELDS, key=str):
            problems.append(_("rules[%(index)s]: unknown field %(name)s")
                            % {"index": index, "name": name})
        for name in ("id", "check"):
            if not isinstance(rule.get(name), str) or not rule.get(name):
                problems.append(_("rules[%(index)s]: %(name)s is required")
                                % {"index": index, "name": name})
        if not isinstance(rule.get("enabled", True), bool):
            problems.append(_("rules[%(index)s]: enabled must be true or false")
                            % {"index": index})
        for name in ("source", "status", "title", "action"):
            if not isinstance(rule.get(name, ""), str):
                problems.append(_("rules[%(index)s]: %(name)s must be a string")
                                % {"index": index, "name": name})
    ids = [r.get("id") for r in rules if isinstance(r, dict)]
    duplicates = sorted({i for i in ids if isinstance(i, str) and ids.count(i) > 1})
    if duplicates:
        problems.append(_("rule ids used twice: %(ids)s") % {"ids": ", ".join(duplicates)})
    return problems


def pack_file(profile: str) -> Path:
    return PACKS_DIR / f"{profile.lower()}.json"


def pack_from_file(path: Path | str, *, words: tuple[Word, ...] | None = None) -> RulePackData:
    return RulePackData.from_json(json.loads(Path(path).read_text(encoding="utf-8")), words=words)


def default_pack(profile: str) -> RulePackData:
    """The shipped pack of ``profile`` (``packs/<profile>.json``)."""
    return pack_from_file(pack_file(profile))


# --- parameter validation (admin and pack loading) ----------------------------------------


def _is_clock(value) -> bool:
    try:
        time.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return isinstance(value, str)


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_list_of(allowed):
    def valid(value) -> bool:
        return isinstance(value, list | tuple) and all(v in allowed for v in value)
    return valid


def _is_caps(value) -> bool:
    return isinstance(value, dict) and all(
        channel in CHANNELS and isinstance(cap, dict) and set(cap) == {"soft", "hard"}
        and _is_count(cap["soft"]) and _is_count(cap["hard"]) and cap["soft"] <= cap["hard"]
        for channel, cap in value.items())


def _is_exceptions(value) -> bool:
    return isinstance(value, dict) and all(
        purpose in PURPOSES and isinstance(spec, dict) and spec.get("decision") in DECISIONS
        and _is_list_of(CHANNELS)(spec.get("channels", ())) for purpose, spec in value.items())


def _is_strings(value) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


_PARAM_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "start": (_is_clock, "a time HH:MM"),
    "end": (_is_clock, "a time HH:MM"),
    "channels": (_is_list_of(CHANNELS), "a list of channels"),
    "consent_kinds": (_is_list_of(CONSENT_KINDS), "a list of consent kinds"),
    "consent_action": (lambda v: v in DECISIONS, "a decision"),
    "ambiguous_rule_id": (lambda v: isinstance(v, str), "a rule id"),
    "hold": (lambda v: v in hold_kinds.HOLD_KINDS, "a hold kind"),
    "counterparties": (_is_list_of(COUNTERPARTIES), "a list of counterparties"),
    "exceptions": (_is_exceptions, "purpose → {decision, channels}"),
    "delay_until_end": (lambda v: isinstance(v, bool), "true or false"),
    "max_term_months": (_is_count, "a whole number"),
    "proposal_action": (lambda v: v in DECISIONS, "a decision"),
    "purposes": (_is_list_of(PURPOSES), "a list of purposes"),
    "exempt_purposes": (_is_list_of(PURPOSES), "a list of purposes"),
    "allowed_purposes": (_is_list_of(PURPOSES), "a list of purposes"),
    "targets": (_is_list_of(COUNTERPARTIES), "a list of counterparties"),
    "approval_required": (_is_list_of(COUNTERPARTIES), "a list of counterparties"),
    "disclosure_categories": (_is_strings, "a list of word categories"),
    "confirmation_forbids": (_is_strings, "a list of word categories"),
    "block_categories": (_is_strings, "a list of word categories"),
    "legal_threat_holds": (_is_list_of(hold_kinds.HOLD_KINDS), "a list of hold kinds"),
    "legal_threat_action": (lambda v: v in DECISIONS, "a decision"),
    "consecutive_failures": (_is_count, "a whole number"),
    "trigger_action": (lambda v: v in DECISIONS, "a decision"),
    "max_contacts": (_is_count, "a whole number"),
    "max": (_is_count, "a whole number"),
    "max_calls": (_is_count, "a whole number"),
    "days": (lambda v: _is_count(v) and v >= 1, "a whole number of at least 1"),
    "consent_days": (lambda v: _is_count(v) and v >= 1, "a whole number of at least 1"),
    "consent_rule_ids": (_is_strings, "a list of rule ids"),
    "min_collectors": (_is_count, "a whole number"),
    "forbidden": (_is_strings, "a list of sources"),
    "allowed": (_is_strings, "a list of sources"),
    "unlisted_action": (lambda v: v in DECISIONS, "a decision"),
    "caps": (_is_caps, "channel → {soft, hard} whole numbers, soft ≤ hard"),
    "actions": (_is_list_of(ACTION_TYPES), "a list of action types"),
    "cites": (lambda v: isinstance(v, str) and bool(v), "a rule id"),
    "required": (_is_strings, "a list of word categories"),
    "agency_required": (_is_strings, "a list of word categories"),
    "initial_required": (_is_strings, "a list of word categories"),
    "full_message_allowed": (lambda v: isinstance(v, bool), "true or false"),
    "full_message_requires": (_is_strings, "a list of word categories"),
    "shared_number_types": (_is_list_of(NUMBER_TYPES), "a list of number types"),
    "legal_threat_hold_rule": (lambda v: isinstance(v, str) and bool(v), "a rule id"),
    "legal_threat_rule": (lambda v: isinstance(v, str) and bool(v), "a rule id"),
    "threat_action": (lambda v: v in DECISIONS, "a decision"),
    "directions": (_is_list_of(DIRECTIONS), "a list of directions (outbound, inbound)"),
    "regimes": (_is_list_of(LIMITATION_REGIMES), "a list of limitation regimes"),
    "court_action": (lambda v: v in DECISIONS, "a decision"),
    "exempt_referrals": (_is_list_of(REFERRAL_KINDS), "a list of referral kinds"),
    "kinds": (_is_list_of(REFERRAL_KINDS), "a list of referral kinds"),
    "warn_days": (_is_count, "a whole number"),
    "cited_stops": (lambda v: isinstance(v, bool), "true or false"),
    "extinguished_stops": (lambda v: isinstance(v, bool), "true or false"),
    "sale_must_flag": (lambda v: isinstance(v, bool), "true or false"),
    "blocked_actions": (_is_list_of(ACTION_TYPES), "a list of action types"),
    "warn_actions": (_is_list_of(ACTION_TYPES), "a list of action types"),
    "blocked_purposes": (_is_list_of(PURPOSES), "a list of purposes"),
    "visit_action": (lambda v: v in DECISIONS, "a decision"),
    "due_days": (lambda v: _is_count(v) and v >= 1, "a whole number of at least 1"),
    "forms": (_is_list_of(DISPUTE_FORMS), "a list of dispute forms (written, oral)"),
    "within_validation_period": (lambda v: isinstance(v, bool), "true or false"),
    "unknown_is_mobile": (lambda v: isinstance(v, bool), "true or false"),
    "statuses": (_is_list_of(AGENCY_STATUSES), "a list of agency statuses"),
    "inspection_months": (lambda v: _is_count(v) and v >= 1, "a whole number of at least 1"),
    "min_days_before": (_is_count, "a whole number"),
    "wait_days": (_is_count, "a whole number"),
    "obsolete_after_days": (lambda v: _is_count(v) and v >= 1, "a whole number of at least 1"),
    "notice_within_days": (_is_count, "a whole number"),
    "mark_disputes": (lambda v: isinstance(v, bool), "true or false"),
    "min_principal_minor": (_is_count, "an amount in minor units (fen, cents)"),
    "min_days_between": (_is_count, "a whole number"),
    "months_after": (_is_count, "a whole number"),
    "max_age_days": (_is_count, "a whole number"),
}
_REQUIRED = {"contact_window": ("start", "end"), "hold": ("hold",), "plan": ("hold",),
             "collection_target": ("targets",), "unanswered_per_contact_point": ("max",),
             "connected_per_day": ("max",), "call_frequency_7d": ("max_calls",),
             "volume_caps": ("caps",)}


def rule_problems(check: str, action: str, params: Any) -> list[str]:
    """What is wrong with a rule's settings, in words an officer can act on ([] when fine)."""
    if check not in CHECKS:
        return [_("unknown check %(check)r") % {"check": check}]
    problems = []
    if action not in DECISIONS:
        problems.append(_("action must be one of %(list)s") % {"list": ", ".join(DECISIONS)})
    if not isinstance(params, dict):
        return [*problems, _("parameters must be a JSON object")]
    for name in _REQUIRED.get(check, ()):
        if name not in params:
            problems.append(_("parameter %(name)s is required") % {"name": name})
    for name, value in params.items():
        if name not in _PARAM_TYPES:
            problems.append(_("unknown parameter %(name)s") % {"name": name})
        elif not _PARAM_TYPES[name][0](value):
            problems.append(_("%(name)s must be %(kind)s, not %(value)s")
                            % {"name": name, "kind": kind_label(_PARAM_TYPES[name][1]),
                               "value": json.dumps(value, ensure_ascii=False)})
    if check == "contact_window" and not problems and params["start"] >= params["end"]:
        problems.append(_("start must be before end"))
    return problems
