"""The request: a proposed contact, who and what it concerns, what the gate must know about the
account and the person, read from JSON (``from_json`` names the bad field) or built in code.

Each part declares how its fields are read (``READERS``: field → reader), so every field is
checked the same strict way (``values``) and an unknown field is refused; ``problems`` then
checks what only makes sense together (a hold that ends before it starts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from arrears.compliance import holds as hold_kinds
from arrears.compliance.gate.values import (
    ClockWindow,
    RequestInvalid,
    _aware,
    _boolean,
    _choice,
    _count,
    _dataclass_json,
    _known_keys,
    _object,
    _objects,
    _optional_aware,
    _strings,
    _text,
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

Reader = Callable[[Any, str], Any]


def choice(allowed: Iterable[str]) -> Reader:
    return partial(_choice_reader, tuple(allowed))


def _choice_reader(allowed: tuple[str, ...], value: Any, name: str) -> str:
    return _choice(value, allowed, name)


def strings(allowed: Iterable[str] | None = None) -> Reader:
    return partial(_strings_reader, None if allowed is None else tuple(allowed))


def _strings_reader(allowed, value: Any, name: str) -> tuple[str, ...]:
    return _strings(value, name, allowed)


def objects(cls) -> Reader:
    return partial(_objects_reader, cls)


def _objects_reader(cls, value: Any, name: str) -> tuple:
    return _objects(value, name, cls.from_json)


def count(maximum: int) -> Reader:
    return partial(_count_reader, maximum)


def _count_reader(maximum: int, value: Any, name: str) -> int:
    return _count(value, name, maximum)


def _zones(value: Any, name: str) -> tuple[str, ...]:
    names = _strings(value, name)
    for index, text in enumerate(names):
        try:
            zone(text)
        except UnknownTimeZone:
            raise RequestInvalid(f"{name}[{index}]", _("%(zone)r is not an IANA time zone.")
                                 % {"zone": text}) from None
    return tuple(dict.fromkeys(names))


class Readable:
    """A dataclass read from a JSON object through its ``READERS``."""

    READERS: ClassVar[dict[str, Reader]] = {}

    @classmethod
    def from_json(cls, data: Any, name: str = ""):
        data = _object(data, name or "request")
        _known_keys(data, cls, name)
        prefix = f"{name}." if name else ""
        values = {}
        for field in fields(cls):
            if field.name in data and data[field.name] is not None:
                values[field.name] = cls.READERS[field.name](data[field.name],
                                                             prefix + field.name)
            elif field.default is MISSING:
                raise RequestInvalid(prefix + field.name, _("this field is required."))
        obj = cls(**values)
        for field_name, message in obj.problems():
            raise RequestInvalid(prefix + field_name, message)
        return obj

    def problems(self) -> list[tuple[str, str]]:
        """What does not make sense together: (field, message) pairs."""
        return []

    def to_json(self) -> dict:
        return _dataclass_json(self)


@dataclass(frozen=True)
class HistoryItem(Readable):
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

    READERS: ClassVar[dict[str, Reader]] = {
        "at": _aware, "channel": choice(CHANNELS),
        "counterparty": choice(COUNTERPARTIES), "contact_point": _text, "third_party": _text,
        "outcome": choice(OUTCOMES), "debt_ids": strings(),
        "excluded_reason": choice(EXCLUDED_REASONS), "purpose": choice(PURPOSES),
    }

    @property
    def conversation(self) -> bool:
        return self.outcome in CONVERSATION_OUTCOMES


@dataclass(frozen=True)
class HoldState(Readable):
    """A hold on the account (kinds in ``arrears.compliance.holds``)."""

    kind: str
    since: datetime | None = None
    until: datetime | None = None

    READERS: ClassVar[dict[str, Reader]] = {
        "kind": choice(hold_kinds.HOLD_KINDS), "since": _optional_aware,
        "until": _optional_aware,
    }

    def active_at(self, at: datetime) -> bool:
        return (self.since is None or self.since <= at) and (self.until is None or at < self.until)

    def problems(self) -> list[tuple[str, str]]:
        if self.since and self.until and self.until <= self.since:
            return [("until", _("the hold ends before it starts."))]
        return []


@dataclass(frozen=True)
class ConsentState(Readable):
    """The debtor's recorded consent: ``contact_time`` lifts the hours rule for its period;
    ``callback`` (US-04/US-12: 'call me back at 3 pm') also takes the call out of the
    frequency counts."""

    valid_from: datetime
    valid_until: datetime
    kind: str = "contact_time"
    channel: str = ""
    reference: str = ""

    READERS: ClassVar[dict[str, Reader]] = {
        "valid_from": _aware, "valid_until": _aware,
        "kind": choice(CONSENT_KINDS), "channel": choice(("", *CHANNELS)), "reference": _text,
    }

    def covers(self, at: datetime, channel: str, kinds: Iterable[str]) -> bool:
        return (self.kind in kinds and self.channel in ("", channel)
                and self.valid_from <= at <= self.valid_until)

    def problems(self) -> list[tuple[str, str]]:
        if self.valid_until < self.valid_from:
            return [("valid_until", _("the consent ends before it starts."))]
        return []


@dataclass(frozen=True)
class ContactRequest(Readable):
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
    no_contact_windows: tuple[ClockWindow, ...] = ()
    no_contact_places: tuple[str, ...] = ()
    content: str = ""
    language: str = ""
    collectors: int = 0
    plan_months: int = 0
    approval_reference: str = ""

    READERS: ClassVar[dict[str, Reader]] = {
        "at": _aware, "profile": choice(PROFILES), "channel": choice(CHANNELS),
        "purpose": choice(PURPOSES), "counterparty": choice(COUNTERPARTIES),
        "address": _text, "phone": _text, "time_zones": _zones, "contact_point": _text,
        "contact_point_kind": _text, "provenance": _text, "third_party": _text,
        "debt_ids": strings(), "history": objects(HistoryItem), "holds": objects(HoldState),
        "consents": objects(ConsentState), "opt_outs": strings(CHANNELS),
        "third_party_do_not_call": _boolean, "debtor_unreachable": _boolean,
        "unreachable_evidence": _text, "callback_requested": _boolean,
        "no_contact_windows": objects(ClockWindow), "no_contact_places": strings(),
        "content": _text, "language": _text, "collectors": count(100),
        "plan_months": count(1200), "approval_reference": _text,
    }

    @classmethod
    def from_json(cls, data: Any, name: str = "") -> ContactRequest:
        """Read the JSON of ``arrears gate check``; RequestInvalid names the bad field."""
        return super().from_json(data, name)
