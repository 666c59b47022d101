"""The request: a proposed contact, who and what it concerns, what the gate must know about the
account and the person, read from JSON (``from_json`` names the bad field) or built in code.

Each part declares how its fields are read (``READERS``: field → reader), so every field is
checked the same strict way (``values``) and an unknown field is refused; ``problems`` then
checks what only makes sense together (a hold that ends before it starts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, fields, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from arrears.compliance import holds as hold_kinds
from arrears.compliance.gate.values import (
    ClockWindow,
    RequestInvalid,
    _amount,
    _aware,
    _boolean,
    _choice,
    _count,
    _dataclass_json,
    _day,
    _known_keys,
    _list,
    _object,
    _objects,
    _optional_aware,
    _strings,
    _text,
)
from arrears.compliance.gate.vocabulary import (
    ACTING_PARTIES,
    ACTION_TYPES,
    AGENCY_STATUSES,
    CHANNELS,
    CONSENT_KINDS,
    CONVERSATION_OUTCOMES,
    COUNTERPARTIES,
    DIALING,
    DIRECTIONS,
    DISPUTE_FORMS,
    EXCLUDED_REASONS,
    FEE_KINDS,
    LIMITATION_REGIMES,
    MORATORIUM_KINDS,
    NUMBER_TYPES,
    OUTCOMES,
    PLACES,
    PROFILES,
    PURPOSES,
    REFERRAL_KINDS,
    TCPA_TECHNOLOGIES,
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


def one(cls) -> Reader:
    return partial(_one_reader, cls)


def _one_reader(cls, value: Any, name: str):
    return cls.from_json(value, name)


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


MESSAGE_SLOTS = ("salutation", "business_name", "person_name", "reply_request", "phone",
                 "date_time", "reply_times", "any_representative")


def _slots(value: Any, name: str) -> tuple[tuple[str, str], ...]:
    """A message given slot by slot: {slot: text}, slots from ``MESSAGE_SLOTS``."""
    data = _object(value, name)
    slots = []
    for key, text in data.items():
        _choice(key, MESSAGE_SLOTS, f"{name}.{key}")
        text = _text(text, f"{name}.{key}")
        if text.strip():
            slots.append((key, text))
    return tuple(slots)


def _moments(value: Any, name: str) -> tuple[datetime, ...]:
    return tuple(sorted(_aware(item, f"{name}[{index}]")
                        for index, item in enumerate(_list(value, name))))


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


def _debt_matches(debt_id: str, debt_ids: Iterable[str]) -> bool:
    """A record about ``debt_id`` ('' = every debt of the account) concerns a request about
    ``debt_ids`` ('' = the whole account)."""
    debt_ids = tuple(debt_ids)
    return not debt_id or not debt_ids or debt_id in debt_ids


@dataclass(frozen=True)
class Limitation(Readable):
    """The limitation period of a debt (CN-22, US-23, UK-14): when it expires under which
    regime, and whether the customer has cited it. In Scotland (SCOT_5Y) an expired debt is
    extinguished, not only unenforceable."""

    regime: str
    expires_on: date | None = None
    debt_id: str = ""
    customer_cited: bool = False

    READERS: ClassVar[dict[str, Reader]] = {
        "regime": choice(LIMITATION_REGIMES), "expires_on": _day, "debt_id": _text,
        "customer_cited": _boolean,
    }

    def expired(self, day: date) -> bool:
        return self.expires_on is not None and day >= self.expires_on

    @property
    def extinguishes(self) -> bool:
        return self.regime == "SCOT_5Y"


@dataclass(frozen=True)
class Dispute(Readable):
    """A dispute of a debt (CN-11, US-22, US-29): written or oral, when it was received and
    when the verification (or a copy of the judgment) was sent."""

    form: str
    received_at: datetime
    debt_id: str = ""
    verification_sent_at: datetime | None = None

    READERS: ClassVar[dict[str, Reader]] = {
        "form": choice(DISPUTE_FORMS), "received_at": _aware, "debt_id": _text,
        "verification_sent_at": _optional_aware,
    }

    def open_at(self, at: datetime) -> bool:
        return self.received_at <= at and (self.verification_sent_at is None
                                           or at < self.verification_sent_at)

    def problems(self) -> list[tuple[str, str]]:
        if self.verification_sent_at and self.verification_sent_at < self.received_at:
            return [("verification_sent_at", _("the verification was sent before the dispute "
                                               "was received."))]
        return []


@dataclass(frozen=True)
class TcpaConsent(Readable):
    """Prior express consent to autodialled or prerecorded calls and texts to one number
    (US-28), and its revocation."""

    contact_point: str
    given_at: datetime
    technology: str = "any"
    revoked_at: datetime | None = None

    READERS: ClassVar[dict[str, Reader]] = {
        "contact_point": _text, "given_at": _aware, "technology": choice(TCPA_TECHNOLOGIES),
        "revoked_at": _optional_aware,
    }

    def covers(self, point: str, technology: str, at: datetime) -> bool:
        return (self.contact_point == point and self.technology in ("any", technology)
                and self.given_at <= at and (self.revoked_at is None or at < self.revoked_at))

    def problems(self) -> list[tuple[str, str]]:
        if not self.contact_point:
            return [("contact_point", _("name the number the consent covers."))]
        if self.revoked_at and self.revoked_at < self.given_at:
            return [("revoked_at", _("the consent is revoked before it was given."))]
        return []


STANDARD_MORATORIUM_DAYS = 60


@dataclass(frozen=True)
class Moratorium(Readable):
    """A Debt Respite Scheme moratorium (UK-16): standard (at most 60 days) or mental health
    crisis (the treatment plus 30 days: no end known in advance)."""

    kind: str
    start: datetime
    end: datetime | None = None

    READERS: ClassVar[dict[str, Reader]] = {
        "kind": choice(MORATORIUM_KINDS), "start": _aware, "end": _optional_aware,
    }

    @property
    def last_moment(self) -> datetime | None:
        if self.end is None and self.kind == "standard":
            return self.start + timedelta(days=STANDARD_MORATORIUM_DAYS)
        return self.end

    def active_at(self, at: datetime) -> bool:
        return self.start <= at and (self.last_moment is None or at < self.last_moment)

    def problems(self) -> list[tuple[str, str]]:
        if self.end and self.end <= self.start:
            return [("end", _("the breathing space ends before it starts."))]
        if (self.kind == "standard" and self.end
                and self.end - self.start > timedelta(days=STANDARD_MORATORIUM_DAYS)):
            return [("end", _("a standard breathing space lasts at most %(days)s days.")
                     % {"days": STANDARD_MORATORIUM_DAYS})]
        return []


VALIDATION_RECEIPT_BUSINESS_DAYS = 5
VALIDATION_PERIOD_DAYS = 30


def business_days_after(moment: datetime, days: int) -> datetime:
    """``moment`` plus ``days`` days that are not Saturdays or Sundays (federal holidays are
    not known to the gate: give ``period_ends_at`` when one falls in the period)."""
    while days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


@dataclass(frozen=True)
class Validation(Readable):
    """The validation notice (US-20) and the validation period it opens (US-21, US-22)."""

    initial_communication_at: datetime | None = None
    notice_sent_at: datetime | None = None
    period_ends_at: datetime | None = None

    READERS: ClassVar[dict[str, Reader]] = {
        "initial_communication_at": _optional_aware, "notice_sent_at": _optional_aware,
        "period_ends_at": _optional_aware,
    }

    @property
    def period_end(self) -> datetime | None:
        """The end of the validation period: as given, else 30 days after the assumed
        receipt 5 business days after sending."""
        if self.period_ends_at or self.notice_sent_at is None:
            return self.period_ends_at
        received = business_days_after(self.notice_sent_at, VALIDATION_RECEIPT_BUSINESS_DAYS)
        return received + timedelta(days=VALIDATION_PERIOD_DAYS)

    def in_period(self, at: datetime) -> bool:
        end = self.period_end
        return (self.notice_sent_at is not None and end is not None
                and self.notice_sent_at <= at < end)

    def problems(self) -> list[tuple[str, str]]:
        if self.notice_sent_at and self.period_ends_at and \
                self.period_ends_at <= self.notice_sent_at:
            return [("period_ends_at", _("the validation period ends before the notice was "
                                         "sent."))]
        return []


@dataclass(frozen=True)
class Agency(Readable):
    """The collection agency an account would be placed with (CN-15): its status on the
    approved list, its contract and its last inspection."""

    status: str
    id: str = ""
    contract_from: date | None = None
    contract_until: date | None = None
    last_inspection_on: date | None = None

    READERS: ClassVar[dict[str, Reader]] = {
        "status": choice(AGENCY_STATUSES), "id": _text, "contract_from": _day,
        "contract_until": _day, "last_inspection_on": _day,
    }

    def problems(self) -> list[tuple[str, str]]:
        if self.contract_from and self.contract_until and \
                self.contract_until < self.contract_from:
            return [("contract_until", _("the contract ends before it starts."))]
        return []


@dataclass(frozen=True)
class Furnishing(Readable):
    """What a credit-bureau report would say (US-29, CN-21)."""

    negative: bool = True
    marks_disputed: bool = False
    delinquency_since: date | None = None

    READERS: ClassVar[dict[str, Reader]] = {
        "negative": _boolean, "marks_disputed": _boolean, "delinquency_since": _day,
    }


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
    # The action (section 0.2): a contact channel, or an account action; the profiles that
    # apply besides ``profile`` (all are evaluated, the strictest answer wins).
    action: str = ""
    profiles: tuple[str, ...] = ()
    direction: str = "outbound"
    acting_party: str = "bank"
    entrusting_bank: str = ""
    number_type: str = ""
    dialing: str = ""
    identity_verified: bool = False
    # The account's and the person's legal state.
    limitations: tuple[Limitation, ...] = ()
    validation: Validation | None = None
    disputes: tuple[Dispute, ...] = ()
    tcpa_consents: tuple[TcpaConsent, ...] = ()
    moratoria: tuple[Moratorium, ...] = ()
    vulnerable: bool = False
    capacity_concern: bool = False
    ombudsman_complaint_open: bool = False
    forbearance_assessment_open: bool = False
    contact_windows: tuple[ClockWindow, ...] = ()
    contact_channels: tuple[str, ...] = ()
    place: str = ""
    # Facts of the account actions.
    agency: Agency | None = None
    entrustment_notice_sent_at: datetime | None = None
    furnishing: Furnishing | None = None
    negative_notice_sent_at: datetime | None = None
    spoke_with_debtor_at: datetime | None = None
    letter_sent_at: datetime | None = None
    undeliverable_at: datetime | None = None
    referral_kind: str = "civil"
    principal_outstanding_minor: int = 0
    effective_collections: tuple[datetime, ...] = ()
    fee_kind: str = ""
    amount_minor: int = 0
    sale_flags_statute_barred: bool = False
    # What a message says, slot by slot (a limited-content voicemail, US-18), and whether it is
    # the first communication with the consumer (the full US-19 disclosure).
    message_slots: tuple[tuple[str, str], ...] = ()
    initial_communication: bool = False
    # The means of contact: the call recorder (CN-09), the reassigned-numbers check (US-16).
    recorder_available: bool = True
    reassigned_checked_at: datetime | None = None

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
        "action": choice(ACTION_TYPES), "profiles": strings(PROFILES),
        "direction": choice(DIRECTIONS), "acting_party": choice(ACTING_PARTIES),
        "entrusting_bank": _text, "number_type": choice(NUMBER_TYPES),
        "dialing": choice(DIALING), "identity_verified": _boolean,
        "limitations": objects(Limitation), "validation": one(Validation),
        "disputes": objects(Dispute), "tcpa_consents": objects(TcpaConsent),
        "moratoria": objects(Moratorium), "vulnerable": _boolean,
        "capacity_concern": _boolean, "ombudsman_complaint_open": _boolean,
        "forbearance_assessment_open": _boolean, "contact_windows": objects(ClockWindow),
        "contact_channels": strings(CHANNELS), "place": choice(("", *PLACES)),
        "agency": one(Agency),
        "entrustment_notice_sent_at": _optional_aware, "furnishing": one(Furnishing),
        "negative_notice_sent_at": _optional_aware, "spoke_with_debtor_at": _optional_aware,
        "letter_sent_at": _optional_aware, "undeliverable_at": _optional_aware,
        "referral_kind": choice(REFERRAL_KINDS), "principal_outstanding_minor": _amount,
        "effective_collections": _moments, "fee_kind": choice(("", *FEE_KINDS)),
        "amount_minor": _amount, "sale_flags_statute_barred": _boolean,
        "message_slots": _slots, "initial_communication": _boolean,
        "recorder_available": _boolean, "reassigned_checked_at": _optional_aware,
    }

    def __post_init__(self):
        """``action`` and ``channel`` name the same thing for a contact; an account action
        has no channel. ``profiles`` always starts with ``profile``."""
        action = self.action or self.channel
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "channel", action if action in CHANNELS else "")
        object.__setattr__(self, "profiles",
                           tuple(dict.fromkeys((self.profile, *self.profiles))))

    def with_facts(self, facts: Any) -> ContactRequest:
        """This request with more fields given as JSON values (a placement's agency, a
        furnishing's content …), read and checked as ``from_json`` reads them."""
        data = _object(facts, "facts")
        _known_keys(data, type(self), "")
        values = {name: self.READERS[name](value, name) for name, value in data.items()
                  if value is not None}
        result = replace(self, **values)
        for field_name, message in result.problems():
            raise RequestInvalid(field_name, message)
        return result

    @property
    def is_contact(self) -> bool:
        return self.action in CHANNELS

    @classmethod
    def from_json(cls, data: Any, name: str = "") -> ContactRequest:
        """Read the JSON of ``arrears gate check``; RequestInvalid names the bad field."""
        if isinstance(data, dict) and "action" in data and "channel" in data \
                and data["action"] != data["channel"]:
            raise RequestInvalid("channel", _("the channel and the action differ; give the "
                                              "action only."))
        return super().from_json(data, name)

    def to_json(self) -> dict:
        data = super().to_json()
        data["profiles"] = list(self.profiles[1:])
        data["message_slots"] = dict(self.message_slots)
        return data
