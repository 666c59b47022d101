"""Which fields of which models hold personal data, and how each is masked (COMPLIANCE.md b.3).

The admin (``arrears.web.admin_personal``) and the admin's audit trail
(``arrears.web.admin_audit``) read this one map: a field listed here is never an editable raw
field in the admin, is shown masked at the user's level in lists, forms and search results,
and is recorded masked when an admin change is audited. Unmasked only through a reveal with a
purpose code, one page at a time (``arrears.audit.services.pii_reveal``).

Free text (message bodies, notes, stored JSON) cannot be masked by its shape alone: the values
of the person it is about (name, ID number, contact values, third parties) are replaced by
their masked forms, then ``pii_scrub`` masks any other ID, card or mobile number in it.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from arrears.channels.models import OutboxMessage
from arrears.compliance.exports import gate_request_masked
from arrears.portfolio.masking import (
    FULL,
    M0,
    mask_address,
    mask_contact_value,
    mask_email,
    mask_name,
    mask_national_id,
    mask_phone,
    pii_scrub,
)
from arrears.portfolio.models import Account, Cardholder

# masker(obj, value, level, person) -> the text shown; ``person`` is the Cardholder or None.
Masker = Callable[[Any, Any, str, Any], str]


def _text(value) -> str:
    return "" if value is None else str(value)


def name(obj, value, level, person) -> str:
    return mask_name(_text(value), level)


def national_id(obj, value, level, person) -> str:
    return mask_national_id(_text(value), level)


def phone(obj, value, level, person) -> str:
    return mask_phone(_text(value), level)


def address(obj, value, level, person) -> str:
    return mask_address(_text(value), level)


def birth_date(obj, value, level, person) -> str:
    """The year only: ``1990-**-**``."""
    if value is None or level == FULL:
        return _text(value)
    return f"{value.year}-**-**"


def contact_by_kind(obj, value, level, person) -> str:
    """A contact point's value masked by its kind (mobile, e-mail, address …)."""
    return mask_contact_value(obj.kind, _text(value), level)


def recipient_by_channel(obj, value, level, person) -> str:
    """An outbox recipient: an e-mail address, a postal address or a phone number."""
    text = _text(value)
    if level == FULL or not text:
        return text
    if obj.channel == "email":
        return mask_email(text, level)
    if obj.channel in ("letter", "visit"):
        return mask_address(text, level)
    return mask_phone(text, level)


def third_party_name(obj, value, level, person) -> str:
    """Emergency and reference contacts keep a masked name, even after a reveal."""
    return mask_name(_text(value), M0 if level == FULL else level)


def third_party_phone(obj, value, level, person) -> str:
    """An emergency contact's number is never shown, not even after a reveal."""
    return mask_phone(_text(value), M0)


def text(obj, value, level, person) -> str:
    """Free text: the person's own values masked, then other ID, card and mobile numbers."""
    return free_text_masked(_text(value), level, person)


def json_text(obj, value, level, person) -> str:
    """Stored JSON shown as text, masked like free text."""
    if value in (None, "", {}, []):
        return _text(value) if value is None else json.dumps(value)
    return free_text_masked(json.dumps(value, ensure_ascii=False, indent=1, default=str), level,
                            person)


def gate_request(obj, value, level, person) -> str:
    """A stored gate request: its phone, address, places, message and evidence masked."""
    if level == FULL or not isinstance(value, dict):
        return json_text(obj, value, level, person)
    return json_text(obj, gate_request_masked(value), level, person)


def _person_values(person, level: str) -> list[tuple[str, str]]:
    """The person's values that may appear in free text, each with its masked form."""
    pairs = [(person.name, mask_name(person.name, level)),
             (person.national_id, mask_national_id(person.national_id, level))]
    pairs += [(point.value, mask_contact_value(point.kind, point.value, level))
              for point in person.contact_points.all()]
    for contact in person.third_party_contacts.all():
        pairs.append((contact.name, mask_name(contact.name, M0 if level == FULL else level)))
        pairs.append((contact.phone, mask_phone(contact.phone, M0)))
    return [(full, masked) for full, masked in pairs if full and len(full.strip()) > 1]


def free_text_masked(value: str, level: str, person=None) -> str:
    """``value`` with ``person``'s values replaced by their masked forms (longest first) and
    any other ID, card or mobile number masked; unchanged at level ``"full"``."""
    if level == FULL or not value:
        return value
    if person is not None:
        for full, masked in sorted(_person_values(person, level), key=lambda p: -len(p[0])):
            value = value.replace(full, masked)
    return pii_scrub(value)[0]


# --- who the record is about ----------------------------------------------------------------


def _self(obj):
    return obj


def _cardholder(obj):
    return obj.cardholder


def _account_holder(obj):
    return obj.account.cardholder if obj.account_id else None


def _message_holder(obj):
    return obj.message.account.cardholder if obj.message_id else None


def _event_subject(event):
    """The cardholder an audit event is about: its object (an account, a cardholder, or a
    record of a model with personal data), else the account named in its details."""
    from django.apps import apps

    kind, key = event.object_type, event.object_id
    if kind == "account" or (kind != "" and isinstance(event.details, dict)
                             and event.details.get("account")):
        account_id = key if kind == "account" else event.details["account"]
        account = Account.objects.select_related("cardholder").filter(
            external_id=account_id).first()
        return account.cardholder if account else None
    if kind == "cardholder":
        return Cardholder.objects.filter(external_id=key).first()
    data = PERSONAL_DATA.get(kind)
    if data is None or data.person is None or kind == "audit.auditevent":
        return None
    model = apps.get_model(kind)
    record = model._default_manager.filter(pk=key).first() if key.isdigit() else None
    return data.person(record) if record is not None else None


def _sms_holder(obj):
    message = (OutboxMessage.objects.select_related("account__cardholder")
               .filter(idempotency_key=obj.idempotency_key).first())
    return message.account.cardholder if message else None


@dataclass(frozen=True)
class PersonalData:
    """The personal fields of one model, and how to find the person a record is about."""

    fields: dict[str, Masker]
    person: Callable[[Any], Any] | None = None
    # Shown masked even after a reveal (emergency contacts' numbers and names).
    never_revealed: frozenset[str] = field(default_factory=frozenset)


_NOTE = {"note": text}

PERSONAL_DATA: dict[str, PersonalData] = {
    "portfolio.cardholder": PersonalData(
        {"name": name, "national_id": national_id, "date_of_birth": birth_date,
         "employer": name}, _self),
    "portfolio.contactpoint": PersonalData({"value": contact_by_kind}, _cardholder),
    "portfolio.thirdpartycontact": PersonalData(
        {"name": third_party_name, "phone": third_party_phone}, _cardholder,
        never_revealed=frozenset({"name", "phone"})),
    "compliance.contactattempt": PersonalData(_NOTE, _cardholder),
    "compliance.gatecheck": PersonalData({"request": gate_request, "reasons": json_text},
                                         _account_holder),
    "compliance.hold": PersonalData(_NOTE, _account_holder),
    "compliance.optout": PersonalData(_NOTE, _cardholder),
    "channels.outboxmessage": PersonalData(
        {"recipient": recipient_by_channel, "subject": text, "body": text, "extra": json_text,
         "last_error": text}, _account_holder),
    "channels.deliveryreceipt": PersonalData({"raw": json_text}, _message_holder),
    "channels.simulatedsms": PersonalData({"to": phone, "text": text}, _sms_holder),
    "letters.letter": PersonalData(
        {"recipient_name": name, "address": address, "subject": text, "body": text},
        _account_holder),
    "dialer.calltask": PersonalData({"phone": phone}, _account_holder),
    "dialer.visittask": PersonalData({"address": address, "notes": text}, _account_holder),
    "dialer.skiptracetask": PersonalData(_NOTE, _account_holder),
    "arrangements.promise": PersonalData(_NOTE, _account_holder),
    "arrangements.plan": PersonalData(_NOTE, _account_holder),
    "arrangements.waiver": PersonalData(_NOTE, _account_holder),
    "arrangements.approvalrequest": PersonalData({"reason": text, "note": text},
                                                 _account_holder),
    "ledger.posting": PersonalData({"reason": text}, _account_holder),
    "recovery.placement": PersonalData({"recall_reason": text}, _account_holder),
    "recovery.placementrefusal": PersonalData({"reasons": json_text}, _account_holder),
    "recovery.placementextension": PersonalData(
        {"reason": text}, lambda obj: obj.placement.account.cardholder),
    "audit.auditevent": PersonalData({"details": json_text}, _event_subject),
    "audit.exportrequest": PersonalData({"reason": text, "params": json_text, "note": text}),
}


def personal_data_of(model) -> PersonalData | None:
    return PERSONAL_DATA.get(model._meta.label_lower)


def person_of(obj, data: PersonalData):
    """The cardholder ``obj`` is about (looked up once per object), or None."""
    if data.person is None:
        return None
    if not hasattr(obj, "_arrears_person"):
        obj._arrears_person = data.person(obj)
    return obj._arrears_person


def masked_value(obj, field_name: str, level: str, data: PersonalData) -> str:
    """``obj.field_name`` as a user at ``level`` may see it."""
    masker = data.fields[field_name]
    return masker(obj, getattr(obj, field_name), level, person_of(obj, data))
