"""Reading and writing the plain values of a request: date-times with offsets, choices, lists,
objects with known keys; each failure is a ``RequestInvalid`` naming the field."""

from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime, time
from typing import Any

from django.utils.translation import gettext as _


class RequestInvalid(ValueError):
    """A contact request that cannot be read; ``field`` names the offending part."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message



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
