"""The compliance gate: may this contact happen now, and if not, when?

Pure Python over plain values (no database): a ``ContactRequest`` (who, which channel, to whom,
when, the debtor's location, the recent contact history, holds, consents, opt-outs, content) and
a ``RulePackData`` (the parameters of every rule of one jurisdiction profile) go in; a
``GateAnswer`` comes out. Every rule is a small check function named by the pack (``check``), so
a pack is data: the same check serves CN-05 and US-01 with different parameters.

The strictest finding wins (BLOCK > REQUIRE_APPROVAL > REQUIRE_NOTE > WARN > ALLOW). A BLOCK
about time or frequency carries the earliest moment it would lift; when every BLOCK does, the
gate moves the request to that moment and asks again until nothing blocks, and answers
``delay`` with that ``not_before``. REQUIRE_APPROVAL answers ``block`` (an automatic sender
must not proceed) unless the request carries an ``approval_reference``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.compliance import holds as hold_kinds
from arrears.compliance.content import Finding, Word, default_words, findings_in
from arrears.compliance.timezones import UnknownTimeZone, candidate_zones, zone

ALLOW, WARN, REQUIRE_NOTE, REQUIRE_APPROVAL, BLOCK = (
    "ALLOW", "WARN", "REQUIRE_NOTE", "REQUIRE_APPROVAL", "BLOCK")
DECISIONS = (ALLOW, WARN, REQUIRE_NOTE, REQUIRE_APPROVAL, BLOCK)
SEVERITY = {decision: rank for rank, decision in enumerate(DECISIONS)}

PROFILES = ("CN-BANK", "CN-CONSERVATIVE", "US-FDCPA", "US-FIRST-PARTY")
CHANNELS = ("call", "sms", "email", "letter", "voicemail", "visit", "im")
PURPOSES = ("collection", "reminder", "contact_repair", "opt_out_confirmation",
            "cease_exception", "payment_handling", "plan_proposal")
COUNTERPARTIES = ("debtor", "guarantor", "debt_related_third_party", "emergency_contact",
                  "third_party", "attorney")
THIRD_PARTIES = ("debt_related_third_party", "emergency_contact", "third_party")
OUTCOMES = ("sent", "delivered", "failed", "no_answer", "not_connected", "busy", "voicemail",
            "right_party", "third_party", "wrong_number", "disconnected", "refused", "visited",
            "not_home", "")
# Words for the codes, for the reasons people read (the codes stay in the parameters).
LABELS = {
    "call": gettext_lazy("phone call"), "sms": gettext_lazy("SMS"),
    "email": gettext_lazy("e-mail"), "letter": gettext_lazy("letter"),
    "voicemail": gettext_lazy("voicemail"), "visit": gettext_lazy("field visit"),
    "im": gettext_lazy("instant message"),
    "collection": gettext_lazy("collection"), "reminder": gettext_lazy("reminder"),
    "contact_repair": gettext_lazy("contact repair"),
    "opt_out_confirmation": gettext_lazy("opt-out confirmation"),
    "cease_exception": gettext_lazy("a notice allowed after a cease request"),
    "payment_handling": gettext_lazy("payment handling"),
    "plan_proposal": gettext_lazy("plan proposal"),
    "debtor": gettext_lazy("The debtor"), "guarantor": gettext_lazy("The guarantor"),
    "debt_related_third_party": gettext_lazy("A debt-related third party"),
    "emergency_contact": gettext_lazy("An emergency contact"),
    "third_party": gettext_lazy("A third party"), "attorney": gettext_lazy("The attorney"),
    "mobile": gettext_lazy("the mobile phone"), "home_phone": gettext_lazy("the home phone"),
    "work_phone": gettext_lazy("the work phone"),
    "billing_address": gettext_lazy("the billing address"),
    "home_address": gettext_lazy("the home address"),
}


def label(code: str) -> str:
    return str(LABELS.get(code, code))


# The gate's verdicts as the pages name them (the stored code stays the same).
VERDICT_LABELS = {
    "allow": gettext_lazy("allowed"),
    "delay": gettext_lazy("not yet (delayed)"),
    "block": gettext_lazy("blocked"),
}


def verdict_label(code: str) -> str:
    return str(VERDICT_LABELS.get(code, code))


CONVERSATION_OUTCOMES = frozenset({"right_party", "third_party"})
NOT_CONNECTED_OUTCOMES = frozenset({"not_connected", "busy"})
INVALID_NUMBER_OUTCOMES = frozenset({"wrong_number", "disconnected"})
FAILED_OUTCOMES = frozenset({"failed", "no_answer", "not_connected", "busy", "voicemail",
                             "wrong_number", "disconnected", "not_home"})
EXCLUDED_REASONS = ("", "consent_7d", "not_connected", "exempt_party")
PACKS_DIR = Path(__file__).parent / "packs"
MAX_STEPS = 24


class RequestInvalid(ValueError):
    """A contact request that cannot be read; ``field`` names the offending part."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


class PackInvalid(ValueError):
    """A rule pack with an unknown check or bad parameters."""


# --- the request --------------------------------------------------------------------------


def _aware(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise RequestInvalid(name, _("%(value)r is not an ISO 8601 date-time, e.g. "
                                         "2025-06-02T10:05:00+08:00.") % {"value": value}) from None
    else:
        raise RequestInvalid(name, _("a date-time string is required."))
    if parsed.tzinfo is None:
        raise RequestInvalid(name, _("%(value)r has no UTC offset; add one, e.g. +08:00 or Z.")
                             % {"value": value})
    return parsed.astimezone(UTC)


def _optional_aware(value: Any, name: str) -> datetime | None:
    return None if value in (None, "") else _aware(value, name)


def _choice(value: Any, allowed: Iterable[str], name: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise RequestInvalid(name, _("%(value)r is not one of %(allowed)s.")
                             % {"value": value, "allowed": ", ".join(a for a in allowed if a)})
    return value


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str | int) for v in value):
        raise RequestInvalid(name, _("a list of strings is required."))
    return tuple(str(v) for v in value)


def _object(value: Any, name: str) -> dict:
    if not isinstance(value, dict):
        raise RequestInvalid(name, _("an object is required."))
    return value


def _known_keys(data: dict, cls, name: str) -> None:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise RequestInvalid(f"{name}.{unknown[0]}" if name else unknown[0],
                             _("unknown field; known fields: %(known)s.")
                             % {"known": ", ".join(sorted(names))})


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if hasattr(value, "to_json"):
        return value.to_json()
    return value


def _dataclass_json(obj) -> dict:
    return {f.name: _json_value(getattr(obj, f.name)) for f in fields(obj)}


@dataclass(frozen=True)
class HistoryItem:
    """One earlier contact attempt from the ledger."""

    at: datetime
    channel: str = "call"
    counterparty: str = "debtor"
    contact_point: str = ""
    third_party: str = ""
    outcome: str = ""
    debt_ids: tuple[str, ...] = ()
    excluded_reason: str = ""
    purpose: str = "collection"

    @property
    def conversation(self) -> bool:
        return self.outcome in CONVERSATION_OUTCOMES

    @classmethod
    def from_json(cls, data: Any, name: str) -> HistoryItem:
        data = _object(data, name)
        _known_keys(data, cls, name)
        return cls(
            at=_aware(data.get("at"), f"{name}.at"),
            channel=_choice(data.get("channel", "call"), CHANNELS, f"{name}.channel"),
            counterparty=_choice(data.get("counterparty", "debtor"), COUNTERPARTIES,
                                 f"{name}.counterparty"),
            contact_point=str(data.get("contact_point", "") or ""),
            third_party=str(data.get("third_party", "") or ""),
            outcome=_choice(data.get("outcome", "") or "", OUTCOMES, f"{name}.outcome"),
            debt_ids=_strings(data.get("debt_ids"), f"{name}.debt_ids"),
            excluded_reason=_choice(data.get("excluded_reason", "") or "", EXCLUDED_REASONS,
                                    f"{name}.excluded_reason"),
            purpose=_choice(data.get("purpose", "collection"), PURPOSES, f"{name}.purpose"),
        )

    def to_json(self) -> dict:
        return _dataclass_json(self)


@dataclass(frozen=True)
class HoldState:
    """A hold on the account (kinds in ``arrears.compliance.holds``)."""

    kind: str
    since: datetime | None = None
    until: datetime | None = None

    def active_at(self, at: datetime) -> bool:
        return (self.since is None or self.since <= at) and (self.until is None or at < self.until)

    @classmethod
    def from_json(cls, data: Any, name: str) -> HoldState:
        data = _object(data, name)
        _known_keys(data, cls, name)
        return cls(kind=_choice(data.get("kind"), hold_kinds.HOLD_KINDS, f"{name}.kind"),
                   since=_optional_aware(data.get("since"), f"{name}.since"),
                   until=_optional_aware(data.get("until"), f"{name}.until"))

    def to_json(self) -> dict:
        return _dataclass_json(self)


CONSENT_KINDS = ("contact_time", "callback")


@dataclass(frozen=True)
class ConsentState:
    """The debtor's recorded consent: ``contact_time`` lifts the hours rule for its period;
    ``callback`` (US-04/US-12: 'call me back at 3 pm') also takes the call out of the
    frequency counts."""

    valid_from: datetime
    valid_until: datetime
    kind: str = "contact_time"
    channel: str = ""
    reference: str = ""

    def covers(self, at: datetime, channel: str, kinds: Iterable[str]) -> bool:
        return (self.kind in kinds and self.channel in ("", channel)
                and self.valid_from <= at <= self.valid_until)

    @classmethod
    def from_json(cls, data: Any, name: str) -> ConsentState:
        data = _object(data, name)
        _known_keys(data, cls, name)
        return cls(kind=_choice(data.get("kind", "contact_time"), CONSENT_KINDS, f"{name}.kind"),
                   channel=_choice(data.get("channel", "") or "", ("", *CHANNELS),
                                   f"{name}.channel"),
                   valid_from=_aware(data.get("valid_from"), f"{name}.valid_from"),
                   valid_until=_aware(data.get("valid_until"), f"{name}.valid_until"),
                   reference=str(data.get("reference", "") or ""))

    def to_json(self) -> dict:
        return _dataclass_json(self)


@dataclass(frozen=True)
class ContactRequest:
    """A proposed contact. ``at`` is stored in UTC; the gate decides in the debtor's time."""

    at: datetime
    profile: str = "CN-BANK"
    channel: str = "call"
    purpose: str = "collection"
    counterparty: str = "debtor"
    address: str = ""
    phone: str = ""
    time_zones: tuple[str, ...] = ()
    contact_point: str = ""
    contact_point_kind: str = ""
    provenance: str = ""
    third_party: str = ""
    debt_ids: tuple[str, ...] = ()
    history: tuple[HistoryItem, ...] = ()
    holds: tuple[HoldState, ...] = ()
    consents: tuple[ConsentState, ...] = ()
    opt_outs: tuple[str, ...] = ()
    third_party_do_not_call: bool = False
    debtor_unreachable: bool = False
    unreachable_evidence: str = ""
    callback_requested: bool = False
    no_contact_windows: tuple[tuple[str, str], ...] = ()
    no_contact_places: tuple[str, ...] = ()
    content: str = ""
    language: str = ""
    collectors: int = 0
    plan_months: int = 0
    approval_reference: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ContactRequest:
        """Read the JSON of ``arrears gate check``; RequestInvalid names the bad field."""
        data = _object(data, "request")
        _known_keys(data, cls, "")
        for name in ("third_party_do_not_call", "debtor_unreachable", "callback_requested"):
            if not isinstance(data.get(name, False), bool):
                raise RequestInvalid(name, _("true or false is required."))
        for name in ("collectors", "plan_months"):
            if not isinstance(data.get(name, 0), int) or data.get(name, 0) < 0:
                raise RequestInvalid(name, _("a whole number of at least 0 is required."))
        zones = _strings(data.get("time_zones"), "time_zones")
        for index, name in enumerate(zones):
            try:
                zone(name)
            except UnknownTimeZone:
                raise RequestInvalid(f"time_zones[{index}]",
                                     _("%(zone)r is not an IANA time zone.") % {"zone": name}
                                     ) from None
        windows = []
        for index, window in enumerate(data.get("no_contact_windows") or ()):
            window = _object(window, f"no_contact_windows[{index}]")
            start, end = window.get("start", ""), window.get("end", "")
            for part, text in (("start", start), ("end", end)):
                _clock(text, f"no_contact_windows[{index}].{part}")
            windows.append((start, end))
        opt_outs = _strings(data.get("opt_outs"), "opt_outs")
        for index, channel in enumerate(opt_outs):
            _choice(channel, CHANNELS, f"opt_outs[{index}]")
        return cls(
            at=_aware(data.get("at"), "at"),
            profile=_choice(data.get("profile", "CN-BANK"), PROFILES, "profile"),
            channel=_choice(data.get("channel", "call"), CHANNELS, "channel"),
            purpose=_choice(data.get("purpose", "collection"), PURPOSES, "purpose"),
            counterparty=_choice(data.get("counterparty", "debtor"), COUNTERPARTIES,
                                 "counterparty"),
            address=str(data.get("address", "") or ""),
            phone=str(data.get("phone", "") or ""),
            time_zones=zones,
            contact_point=str(data.get("contact_point", "") or ""),
            contact_point_kind=str(data.get("contact_point_kind", "") or ""),
            provenance=str(data.get("provenance", "") or ""),
            third_party=str(data.get("third_party", "") or ""),
            debt_ids=_strings(data.get("debt_ids"), "debt_ids"),
            history=tuple(HistoryItem.from_json(item, f"history[{i}]")
                          for i, item in enumerate(_list(data.get("history"), "history"))),
            holds=tuple(HoldState.from_json(item, f"holds[{i}]")
                        for i, item in enumerate(_list(data.get("holds"), "holds"))),
            consents=tuple(ConsentState.from_json(item, f"consents[{i}]")
                           for i, item in enumerate(_list(data.get("consents"), "consents"))),
            opt_outs=opt_outs,
            third_party_do_not_call=data.get("third_party_do_not_call", False),
            debtor_unreachable=data.get("debtor_unreachable", False),
            unreachable_evidence=str(data.get("unreachable_evidence", "") or ""),
            callback_requested=data.get("callback_requested", False),
            no_contact_windows=tuple(windows),
            no_contact_places=_strings(data.get("no_contact_places"), "no_contact_places"),
            content=str(data.get("content", "") or ""),
            language=str(data.get("language", "") or ""),
            collectors=data.get("collectors", 0),
            plan_months=data.get("plan_months", 0),
            approval_reference=str(data.get("approval_reference", "") or ""),
        )

    def to_json(self) -> dict:
        data = _dataclass_json(self)
        data["no_contact_windows"] = [{"start": s, "end": e} for s, e in self.no_contact_windows]
        return data


def _list(value: Any, name: str) -> list:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise RequestInvalid(name, _("a list is required."))
    return value


def _clock(text: Any, name: str) -> time:
    try:
        return time.fromisoformat(text)
    except (TypeError, ValueError):
        raise RequestInvalid(name, _("%(value)r is not a time of day written HH:MM.")
                             % {"value": text}) from None


# --- the answer ---------------------------------------------------------------------------


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


# --- the rule pack ------------------------------------------------------------------------


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

    @classmethod
    def from_json(cls, data: dict, *, words: tuple[Word, ...] | None = None) -> RulePackData:
        """A pack from its JSON; PackInvalid lists every bad rule."""
        try:
            rules = tuple(RuleConfig.from_json(item) for item in data["rules"])
            pack = cls(profile=data["profile"], rules=rules, version=data.get("version", 0),
                       default_time_zone=data.get("default_time_zone", "Asia/Shanghai"),
                       region=data.get("region", "CN"),
                       words=default_words() if words is None else words)
        except (KeyError, TypeError) as error:
            raise PackInvalid(_("The rule pack misses %(field)s.") % {"field": error}) from None
        problems = [f"{rule.rule_id}: {problem}" for rule in rules
                    for problem in rule_problems(rule.check, rule.action, rule.params)]
        if problems:
            raise PackInvalid("; ".join(problems))
        return pack

    def to_json(self) -> dict:
        return {"profile": self.profile, "version": self.version,
                "default_time_zone": self.default_time_zone, "region": self.region,
                "rules": [rule.to_json() for rule in self.rules]}

    def rule(self, rule_id: str) -> RuleConfig | None:
        return next((r for r in self.rules if r.rule_id == rule_id), None)


def pack_file(profile: str) -> Path:
    return PACKS_DIR / f"{profile.lower()}.json"


def pack_from_file(path: Path | str, *, words: tuple[Word, ...] | None = None) -> RulePackData:
    return RulePackData.from_json(json.loads(Path(path).read_text(encoding="utf-8")), words=words)


def default_pack(profile: str) -> RulePackData:
    """The shipped pack of ``profile`` (``packs/<profile>.json``)."""
    return pack_from_file(pack_file(profile))


# --- evaluation context and time helpers --------------------------------------------------


@dataclass(frozen=True)
class Context:
    request: ContactRequest
    at: datetime
    zones: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def home_zone(self):
        """The debtor's calendar for counting days: the first candidate zone."""
        return zone(self.zones[0])

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.home_zone).date()

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.home_zone).astimezone(UTC)

    def holds_active(self, kind: str) -> list[HoldState]:
        return [h for h in self.request.holds if h.kind == kind and h.active_at(self.at)]

    def consent(self, kinds: Iterable[str]) -> ConsentState | None:
        kinds = tuple(kinds)
        return next((c for c in self.request.consents
                     if c.covers(self.at, self.request.channel, kinds)), None)

    def categories(self) -> set[str]:
        return {f.category for f in self.findings}


def _in_window(moment: datetime, zones: Iterable[str], start: time, end: time) -> bool:
    for name in zones:
        local = moment.astimezone(zone(name)).time()
        if not start <= local < end:
            return False
    return True


def next_lawful(at: datetime, zones: tuple[str, ...], start: time, end: time) -> datetime | None:
    """The earliest moment at or after ``at`` inside ``[start, end)`` local time in every zone;
    None when the windows never overlap. It is ``at`` itself or some zone's window opening."""
    if _in_window(at, zones, start, end):
        return at
    openings = []
    for name in zones:
        tz = zone(name)
        first = at.astimezone(tz).date()
        for offset in range(-1, 4):
            opening = datetime.combine(first + timedelta(days=offset), start, tz).astimezone(UTC)
            if opening > at:
                openings.append(opening)
    return next((t for t in sorted(openings) if _in_window(t, zones, start, end)), None)


def _fmt_local(moment: datetime, ctx: Context) -> str:
    return moment.astimezone(ctx.home_zone).strftime("%Y-%m-%d %H:%M %Z")


def _reason(rule: RuleConfig, decision: str, text: str, *, not_before: datetime | None = None,
            **params) -> Reason:
    return Reason(rule.rule_id, decision, text, rule.source, params, not_before)


# --- the checks ---------------------------------------------------------------------------


def check_contact_window(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-05, US-01/US-02: only inside the local window in every candidate zone, unless the
    debtor agreed to another time (a recorded consent: REQUIRE_NOTE)."""
    p = rule.params
    if ctx.request.channel not in p.get("channels", CHANNELS):
        return []
    start, end = time.fromisoformat(p["start"]), time.fromisoformat(p["end"])
    if _in_window(ctx.at, ctx.zones, start, end):
        return []
    consent = ctx.consent(p.get("consent_kinds", CONSENT_KINDS))
    if consent:
        return [_reason(rule, p.get("consent_action", REQUIRE_NOTE),
                        _("Outside %(start)s–%(end)s local time, but the debtor agreed to this "
                          "time (consent %(reference)s).")
                        % {"start": p["start"], "end": p["end"], "reference": consent.reference},
                        consent=consent.reference)]
    lawful = next_lawful(ctx.at, ctx.zones, start, end)
    text = _("Outside the contact hours %(start)s–%(end)s in the debtor's local time "
             "(%(zones)s).") % {"start": p["start"], "end": p["end"], "zones": ", ".join(ctx.zones)}
    reasons = [_reason(rule, rule.action, text, not_before=lawful, start=p["start"], end=p["end"],
                       time_zones=list(ctx.zones))]
    if len(ctx.zones) > 1 and p.get("ambiguous_rule_id"):
        reasons.append(Reason(p["ambiguous_rule_id"], rule.action,
                              _("The debtor's location is ambiguous: only hours lawful in all of "
                                "%(zones)s are allowed.") % {"zones": ", ".join(ctx.zones)},
                              rule.source, {"time_zones": list(ctx.zones)}, lawful))
    return reasons


def check_no_contact_preferences(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-03: times and places the debtor said are inconvenient."""
    request = ctx.request
    if request.contact_point_kind and request.contact_point_kind in request.no_contact_places:
        return [_reason(rule, rule.action, _("The debtor said %(place)s is inconvenient.")
                        % {"place": label(request.contact_point_kind)})]
    local = ctx.at.astimezone(ctx.home_zone)
    for start_text, end_text in request.no_contact_windows:
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
        if start <= local.time() < end:
            if ctx.consent(CONSENT_KINDS):
                return [_reason(rule, REQUIRE_NOTE, _("Inside a time the debtor called "
                                                      "inconvenient, with their consent."))]
            lifted = datetime.combine(local.date(), end, ctx.home_zone).astimezone(UTC)
            return [_reason(rule, rule.action,
                            _("The debtor said %(start)s–%(end)s is inconvenient.")
                            % {"start": start_text, "end": end_text}, not_before=lifted)]
    return []


def check_hold(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """A hold (cease, dispute, bankruptcy …) stops or limits contact while it lasts. Purposes
    listed in ``exceptions`` get their own decision (e.g. a reminder under a plan)."""
    p = rule.params
    request = ctx.request
    if request.counterparty not in p.get("counterparties", COUNTERPARTIES):
        return []
    active = ctx.holds_active(p["hold"])
    if not active:
        return []
    hold = active[0]
    hold_label = str(hold_kinds.HOLD_KINDS[hold.kind])
    exception = p.get("exceptions", {}).get(request.purpose)
    if exception is not None:
        channels = exception.get("channels", CHANNELS)
        if request.channel in channels:
            return [_reason(rule, exception["decision"],
                            _("Hold '%(hold)s': %(purpose)s is an allowed exception.")
                            % {"hold": hold_label, "purpose": label(request.purpose)},
                            hold=hold.kind)]
    ends = [h.until for h in active]
    lifted = max(ends) if all(ends) and p.get("delay_until_end", False) else None
    return [_reason(rule, rule.action, _("Hold '%(hold)s' on the account.") % {"hold": hold_label},
                    not_before=lifted, hold=hold.kind)]


def check_plan(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-13: a current personalised instalment plan stops collection (reminders allowed); a new
    plan needs approval and may not run longer than ``max_term_months``."""
    if ctx.request.purpose == "plan_proposal":
        months, limit = ctx.request.plan_months, rule.params.get("max_term_months", 60)
        if months > limit:
            return [_reason(rule, BLOCK, _("A plan of %(months)s months is longer than the "
                                           "%(limit)s allowed.") % {"months": months,
                                                                    "limit": limit})]
        return [_reason(rule, rule.params.get("proposal_action", REQUIRE_APPROVAL),
                        _("A personalised instalment plan needs approval."))]
    return check_hold(ctx, rule)


def check_collection_target(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-01: collect only from the debtor, the guarantor and an approved debt-related party."""
    p = rule.params
    request = ctx.request
    if request.purpose not in p.get("purposes", ("collection",)):
        return []
    if request.counterparty not in p["targets"]:
        return [_reason(rule, rule.action, _("%(who)s is not a collection target.")
                        % {"who": label(request.counterparty)})]
    if request.counterparty in p.get("approval_required", ()):
        return [_reason(rule, REQUIRE_APPROVAL, _("A debt-related third party needs a "
                                                  "documented, approved determination."))]
    return []


def debtor_unreachable(ctx: Context, failures: int) -> str:
    """Evidence that the debtor is unreachable (失联), or ''. Either the request says so, or
    since the last conversation every debtor number tried came back invalid, or ``failures``
    attempts in a row failed and today is a later day than the last of them."""
    request = ctx.request
    if request.debtor_unreachable:
        return request.unreachable_evidence or _("marked unreachable")
    tries = sorted((h for h in request.history
                    if h.counterparty == "debtor" and h.at <= ctx.at
                    and h.channel in ("call", "sms", "visit", "voicemail")), key=lambda h: h.at)
    run: list[HistoryItem] = []
    for item in reversed(tries):
        if item.outcome not in FAILED_OUTCOMES:
            break
        run.append(item)
    if not run:
        return ""
    latest: dict[str, str] = {}
    for item in reversed(run):
        latest[item.contact_point] = item.outcome
    points = {h.contact_point for h in tries if h.channel != "visit"}
    if points and all(latest.get(point) in INVALID_NUMBER_OUTCOMES for point in points):
        return _("every debtor number is invalid (%(outcomes)s)") % {
            "outcomes": ", ".join(sorted(set(latest.values())))}
    if len(run) >= failures and ctx.local_day(run[0].at) < ctx.local_day(ctx.at):
        return _("%(count)s failed attempts in a row, the last on %(day)s") % {
            "count": len(run), "day": ctx.local_day(run[0].at).isoformat()}
    return ""


def check_third_party_cn(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-02: a third party only when the debtor is unreachable, only to repair contact, never
    hearing about the debt; someone who objected goes on the do-not-call list."""
    p = rule.params
    request = ctx.request
    if request.counterparty not in p.get("counterparties", THIRD_PARTIES):
        return []
    if request.third_party_do_not_call:
        return [_reason(rule, BLOCK, _("This third party asked not to be called again."))]
    disclosure = ctx.categories() & set(p.get("disclosure_categories", ("disclosure",)))
    if request.purpose == "payment_handling":
        return [_reason(rule, ALLOW, _("The third party volunteers to pay: payment handling "
                                       "with a neutral script."))]
    if request.purpose != "contact_repair":
        return [_reason(rule, BLOCK, _("A third party may be contacted only to repair contact "
                                       "with the debtor."))]
    reasons = []
    if disclosure:
        reasons.append(_reason(rule, BLOCK, _("The script discloses the debt to a third party "
                                              "(%(words)s).") % {"words": _words(ctx, disclosure)}))
    evidence = debtor_unreachable(ctx, p.get("consecutive_failures", 3))
    if not evidence:
        reasons.append(_reason(rule, BLOCK, _("The debtor is reachable (not 失联): third "
                                              "parties may not be contacted.")))
    elif not reasons:
        reasons.append(_reason(rule, p.get("trigger_action", REQUIRE_NOTE),
                               _("Debtor unreachable: %(evidence)s.") % {"evidence": evidence},
                               evidence=evidence))
    return reasons


def check_third_party_us(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-07: no communication with third parties about the debt; location calls are US-08."""
    request = ctx.request
    if request.counterparty not in rule.params.get("counterparties", THIRD_PARTIES):
        return []
    if request.purpose in rule.params.get("allowed_purposes", ("contact_repair",)):
        return []
    return [_reason(rule, rule.action, _("Communicating with a third party about the debt is "
                                         "not allowed."))]


def check_location_call(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-08: one location-information contact per third party, unless they asked for a
    callback; never mention the debt."""
    request = ctx.request
    if (request.counterparty not in rule.params.get("counterparties", THIRD_PARTIES)
            or request.purpose != "contact_repair"):
        return []
    if request.third_party_do_not_call:
        return [_reason(rule, BLOCK, _("This third party asked not to be contacted again."))]
    disclosure = ctx.categories() & set(rule.params.get("disclosure_categories", ("disclosure",)))
    if disclosure:
        return [_reason(rule, BLOCK, _("A location call must not say the consumer owes a debt "
                                       "(%(words)s).") % {"words": _words(ctx, disclosure)})]
    earlier = [h for h in request.history if h.counterparty != "debtor" and request.third_party
               and h.third_party == request.third_party and h.at <= ctx.at]
    if len(earlier) >= rule.params.get("max_contacts", 1):
        if request.callback_requested:
            return [_reason(rule, REQUIRE_NOTE, _("A further location call: the person asked "
                                                  "for a callback."))]
        return [_reason(rule, rule.action, _("This third party was already contacted for "
                                             "location information."))]
    return [_reason(rule, ALLOW, _("A location-information call: give your name, do not "
                                   "mention the debt."))]


def _counted(ctx: Context, item: HistoryItem, channels: Iterable[str]) -> bool:
    return (item.channel in channels and item.counterparty == ctx.request.counterparty
            and item.at <= ctx.at and item.purpose not in ("reminder", "opt_out_confirmation"))


def check_unanswered_per_contact_point(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-06: at most ``max`` unanswered dials a local day to one number of the debtor."""
    p = rule.params
    request = ctx.request
    if (request.channel not in p.get("channels", ("call",)) or not request.contact_point
            or request.purpose in p.get("exempt_purposes", ("reminder",))):
        return []
    today = ctx.local_day(ctx.at)
    count = sum(1 for h in request.history
                if _counted(ctx, h, p.get("channels", ("call",)))
                and h.contact_point == request.contact_point and not h.conversation
                and ctx.local_day(h.at) == today)
    if count < p["max"]:
        return []
    return [_reason(rule, rule.action, _("%(count)s unanswered attempts to this number today "
                                         "(at most %(max)s).") % {"count": count, "max": p["max"]},
                    not_before=ctx.day_start(today + timedelta(days=1)), count=count, max=p["max"])]


def check_connected_per_day(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-07: at most ``max`` connected collection calls a local day with the debtor, across
    the bank and all its agencies (the ledger is shared)."""
    p = rule.params
    request = ctx.request
    if (request.channel not in p.get("channels", ("call",)) or request.counterparty != "debtor"
            or request.purpose in p.get("exempt_purposes", ("reminder",))):
        return []
    today = ctx.local_day(ctx.at)
    count = sum(1 for h in request.history
                if _counted(ctx, h, p.get("channels", ("call",))) and h.conversation
                and ctx.local_day(h.at) == today)
    if count < p["max"]:
        return []
    return [_reason(rule, rule.action, _("%(count)s connected calls with the debtor today (at "
                                         "most %(max)s).") % {"count": count, "max": p["max"]},
                    not_before=ctx.day_start(today + timedelta(days=1)), count=count, max=p["max"])]


def check_servicing_reminder(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-12: a reminder of an amount coming due is servicing, not collection."""
    if ctx.request.purpose != "reminder":
        return []
    return [_reason(rule, rule.action, _("A servicing reminder: allowed within the contact "
                                         "hours, not counted as collection."))]


def check_visit(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-17: field visits by at least ``min_collectors``, approved by a team lead."""
    if ctx.request.channel != "visit":
        return []
    minimum = rule.params.get("min_collectors", 2)
    if ctx.request.collectors < minimum:
        return [_reason(rule, BLOCK, _("A field visit needs at least %(min)s collectors "
                                       "(%(count)s planned).")
                        % {"min": minimum, "count": ctx.request.collectors})]
    return [_reason(rule, rule.action, _("A field visit needs a team lead's approval; show ID "
                                         "and ask before entering."))]


def check_provenance(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-18: contact data only from lawful channels."""
    provenance = ctx.request.provenance
    if not provenance:
        return []
    if provenance in rule.params.get("forbidden", ()):
        return [_reason(rule, rule.action, _("The contact point comes from a forbidden source "
                                             "(%(source)s).") % {"source": provenance})]
    allowed = rule.params.get("allowed", ())
    if allowed and provenance not in allowed:
        return [_reason(rule, rule.params.get("unlisted_action", WARN),
                        _("The contact point's source %(source)s is not a listed lawful "
                          "channel.") % {"source": provenance})]
    return []


def check_volume_caps(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-19, US-13: soft (WARN) and hard (BLOCK) caps of messages a local day per channel."""
    caps = rule.params.get("caps", {}).get(ctx.request.channel)
    if not caps or ctx.request.purpose == "opt_out_confirmation":
        return []
    today = ctx.local_day(ctx.at)
    count = sum(1 for h in ctx.request.history
                if _counted(ctx, h, (ctx.request.channel,)) and ctx.local_day(h.at) == today)
    values = {"count": count, "channel": ctx.request.channel}
    words = {"count": count, "channel": label(ctx.request.channel)}
    if count >= caps["hard"]:
        return [_reason(rule, BLOCK, _("%(count)s messages by %(channel)s today: the hard cap "
                                       "is reached.") % words,
                        not_before=ctx.day_start(today + timedelta(days=1)), **values)]
    if count >= caps["soft"]:
        return [_reason(rule, WARN, _("%(count)s messages by %(channel)s today: above the soft "
                                      "cap.") % words, **values)]
    return []


def check_opt_out(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-14: a medium the person opted out of is not used, except one confirmation that
    carries nothing but the confirmation."""
    request = ctx.request
    if request.channel not in request.opt_outs:
        return []
    if request.purpose == "opt_out_confirmation":
        earlier = [h for h in request.history if h.channel == request.channel
                   and h.purpose == "opt_out_confirmation" and h.at <= ctx.at]
        if earlier:
            return [_reason(rule, BLOCK, _("The opt-out was already confirmed once."))]
        extra = ctx.categories() & set(rule.params.get("confirmation_forbids",
                                                       ("payment_request",)))
        if extra:
            return [_reason(rule, BLOCK, _("An opt-out confirmation may carry only the "
                                           "confirmation (%(words)s).")
                            % {"words": _words(ctx, extra)})]
        return [_reason(rule, ALLOW, _("One confirmation of the opt-out."))]
    return [_reason(rule, rule.action, _("The debtor opted out of %(channel)s.")
                    % {"channel": label(request.channel)})]


def check_opt_out_method(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-15: every e-mail and text carries a simple way to opt out."""
    request = ctx.request
    if (request.channel not in rule.params.get("channels", ("email", "sms"))
            or not request.content or request.purpose == "opt_out_confirmation"):
        return []
    if "opt_out_method" in ctx.categories():
        return []
    return [_reason(rule, rule.action, _("The message has no opt-out method (e.g. 'Reply STOP')."))]


def check_forbidden_content(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-04 and the like: threats, impersonation, exposure; a legal threat is blocked under a
    cease hold (US-06) and flagged otherwise."""
    p = rule.params
    reasons = []
    blocked = set(p.get("block_categories", ("threat", "impersonation", "exposure")))
    for finding in ctx.findings:
        if finding.category in blocked:
            reasons.append(Reason(finding.rule_id, rule.action,
                                  _("Forbidden wording: %(word)s (%(category)s).")
                                  % {"word": finding.word, "category": finding.category},
                                  rule.source, {"word": finding.word}))
        elif finding.category == "legal_threat":
            under_hold = any(ctx.holds_active(kind) for kind in p.get("legal_threat_holds", ()))
            decision = BLOCK if under_hold else p.get("legal_threat_action", WARN)
            reasons.append(Reason(finding.rule_id, decision,
                                  _("Legal-action wording: %(word)s.") % {"word": finding.word},
                                  rule.source, {"word": finding.word}))
    return reasons


def _debts(ctx: Context, item: HistoryItem, debt: str | None) -> bool:
    return debt is None or not item.debt_ids or debt in item.debt_ids


def _us_counted_call(ctx: Context, item: HistoryItem, p: dict) -> bool:
    return (_counted(ctx, item, p.get("channels", ("call", "voicemail")))
            and item.excluded_reason == ""
            and item.outcome not in NOT_CONNECTED_OUTCOMES)


def _callback_consent(ctx: Context, p: dict) -> ConsentState | None:
    """US-12: a call within 7 local days of the debtor's direct consent does not count."""
    consent = ctx.consent(("callback",))
    if consent is None:
        return None
    days = p.get("consent_days", 7)
    if ctx.local_day(ctx.at) >= ctx.local_day(consent.valid_from) + timedelta(days=days):
        return None
    return consent


def _us_call_applies(ctx: Context, p: dict) -> bool:
    request = ctx.request
    return (request.channel in p.get("channels", ("call", "voicemail"))
            and request.counterparty == "debtor"
            and request.purpose not in p.get("exempt_purposes", ("opt_out_confirmation",)))


def _excluded_by_consent(ctx: Context, rule: RuleConfig) -> list[Reason] | None:
    consent = _callback_consent(ctx, rule.params)
    if consent is None:
        return None
    text = _("Called with the consumer's direct consent (%(reference)s): not counted.") % {
        "reference": consent.reference}
    return [Reason(rule_id, REQUIRE_NOTE, text, rule.source, {"consent": consent.reference})
            for rule_id in (rule.rule_id, *rule.params.get("consent_rule_ids", ()))]


def check_call_frequency_7d(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-09: at most ``max_calls`` calls about one debt in ``days`` consecutive local days;
    a blocked call may go when the rolling window frees a slot."""
    p = rule.params
    if not _us_call_applies(ctx, p):
        return []
    excluded = _excluded_by_consent(ctx, rule)
    if excluded is not None:
        return excluded
    days, limit = p.get("days", 7), p["max_calls"]
    today = ctx.local_day(ctx.at)
    for debt in ctx.request.debt_ids or (None,):
        per_day: dict[date, int] = {}
        for item in ctx.request.history:
            if _us_counted_call(ctx, item, p) and _debts(ctx, item, debt):
                day = ctx.local_day(item.at)
                if today - timedelta(days=days - 1) <= day <= today:
                    per_day[day] = per_day.get(day, 0) + 1
        if sum(per_day.values()) < limit:
            continue
        free = today + timedelta(days=1)
        while sum(n for d, n in per_day.items() if d > free - timedelta(days=days)) >= limit:
            free += timedelta(days=1)
        count = sum(per_day.values())
        return [_reason(rule, rule.action, _("%(count)s calls about this debt in %(days)s "
                                             "consecutive days (the next would be over "
                                             "%(max)s).")
                        % {"count": count, "days": days, "max": limit},
                        not_before=ctx.day_start(free), count=count, debt=debt or "")]
    return []


def check_after_conversation(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-10: no call about a debt for ``days`` consecutive days after a telephone conversation
    about it (the conversation day is day 1)."""
    p = rule.params
    if not _us_call_applies(ctx, p):
        return []
    excluded = _excluded_by_consent(ctx, rule)
    if excluded is not None:
        return excluded
    days = p.get("days", 7)
    for debt in ctx.request.debt_ids or (None,):
        talks = [ctx.local_day(h.at) for h in ctx.request.history
                 if _us_counted_call(ctx, h, p) and h.conversation and _debts(ctx, h, debt)]
        if not talks:
            continue
        last = max(talks)
        free = last + timedelta(days=days)
        if ctx.local_day(ctx.at) < free:
            return [_reason(rule, rule.action, _("A conversation about this debt on %(day)s: no "
                                                 "calls for %(days)s days.")
                            % {"day": last.isoformat(), "days": days},
                            not_before=ctx.day_start(free), debt=debt or "")]
    return []


CHECKS: dict[str, Callable[[Context, RuleConfig], list[Reason]]] = {
    "contact_window": check_contact_window,
    "no_contact_preferences": check_no_contact_preferences,
    "hold": check_hold,
    "plan": check_plan,
    "collection_target": check_collection_target,
    "third_party_cn": check_third_party_cn,
    "third_party_us": check_third_party_us,
    "location_call": check_location_call,
    "unanswered_per_contact_point": check_unanswered_per_contact_point,
    "connected_per_day": check_connected_per_day,
    "servicing_reminder": check_servicing_reminder,
    "visit": check_visit,
    "provenance": check_provenance,
    "volume_caps": check_volume_caps,
    "opt_out": check_opt_out,
    "opt_out_method": check_opt_out_method,
    "forbidden_content": check_forbidden_content,
    "call_frequency_7d": check_call_frequency_7d,
    "after_conversation": check_after_conversation,
}


def _words(ctx: Context, categories: set[str]) -> str:
    return ", ".join(sorted({f.word for f in ctx.findings if f.category in categories}))


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
                            % {"name": name, "kind": _PARAM_TYPES[name][1],
                               "value": json.dumps(value, ensure_ascii=False)})
    if check == "contact_window" and not problems and params["start"] >= params["end"]:
        problems.append(_("start must be before end"))
    return problems


# --- the gate -----------------------------------------------------------------------------


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
