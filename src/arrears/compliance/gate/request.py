"""The request: a proposed contact, who and what it concerns, what the gate must know about the
account and the person, read from JSON (``from_json`` names the bad field) or built in code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from arrears.compliance import holds as hold_kinds
from arrears.compliance.gate.values import (
    RequestInvalid,
    _aware,
    _choice,
    _clock,
    _dataclass_json,
    _known_keys,
    _list,
    _object,
    _optional_aware,
    _strings,
)
from arrears.compliance.gate.vocabulary import (
    CHANNELS,
    CONSENT_KINDS,
    CONVERSATION_OUTCOMES,
    COUNTERPARTIES,
    EXCLUDED_REASONS,
    OUTCOMES,
    PROFILES,
    PURPOSES,
)
from arrears.compliance.timezones import UnknownTimeZone, zone


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
