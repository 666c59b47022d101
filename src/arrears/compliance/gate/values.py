"""Reading and writing the plain values of a request: date-times with offsets, dates, choices,
lists, whole numbers, true/false, times of day and windows of them, objects with known keys.

Every reader refuses what makes no sense with a ``RequestInvalid`` naming the field and saying
what is expected: a list given as a string, true/false where a number is expected, a date-time
without an offset or outside 1950–2099, a window that starts when it ends. Nothing is coerced
silently (``"3"`` is not 3, ``1`` is not true).
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext as _

EARLIEST = datetime(1950, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_TEXT = 20_000
MAX_ITEMS = 10_000


class RequestInvalid(ValueError):
    """A request that cannot be read; ``field`` names the offending part."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _in_range(moment: datetime, value: Any, name: str) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise RequestInvalid(name, _("%(value)s is outside the years %(first)s–%(last)s.")
                             % {"value": _shown(value), "first": EARLIEST.year,
                                "last": LATEST.year - 1})
    return moment


def _aware(value: Any, name: str) -> datetime:
    """A date-time with a UTC offset (ISO 8601 text or an aware datetime), in UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise RequestInvalid(name, _("%(value)s is not an ISO 8601 date-time, e.g. "
                                         "2025-06-02T10:05:00+08:00.")
                                 % {"value": _shown(value)}) from None
    else:
        raise RequestInvalid(name, _("a date-time string is required, e.g. "
                                     "2025-06-02T10:05:00+08:00."))
    if parsed.tzinfo is None:
        raise RequestInvalid(name, _("%(value)s has no UTC offset; add one, e.g. +08:00 or Z.")
                             % {"value": _shown(value)})
    try:
        return _in_range(parsed.astimezone(UTC), value, name)
    except OverflowError:
        return _in_range(EARLIEST - timedelta(days=1), value, name)


def _optional_aware(value: Any, name: str) -> datetime | None:
    return None if value is None or value == "" else _aware(value, name)


def _day(value: Any, name: str) -> date | None:
    """A calendar date written YYYY-MM-DD (None when blank)."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise RequestInvalid(name, _("%(value)s is not a date written YYYY-MM-DD.")
                                 % {"value": _shown(value)}) from None
    else:
        raise RequestInvalid(name, _("a date written YYYY-MM-DD is required."))
    _in_range(datetime.combine(parsed, time(0), UTC), value, name)
    return parsed


def _choice(value: Any, allowed: Iterable[str], name: str) -> str:
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise RequestInvalid(name, _("%(value)s is not one of %(allowed)s.")
                             % {"value": _shown(value),
                                "allowed": ", ".join(a for a in allowed if a)})
    return value


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RequestInvalid(name, _("a string is required, not %(value)s.")
                             % {"value": _shown(value)})
    if len(value) > MAX_TEXT:
        raise RequestInvalid(name, _("longer than %(max)s characters.") % {"max": MAX_TEXT})
    return value


def _boolean(value: Any, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RequestInvalid(name, _("true or false is required, not %(value)s.")
                             % {"value": _shown(value)})
    return value


def _count(value: Any, name: str, maximum: int = 1_000_000) -> int:
    """A whole number 0…maximum; true/false, fractions and numbers in quotes are refused."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestInvalid(name, _("a whole number is required, not %(value)s.")
                             % {"value": _shown(value)})
    if not 0 <= value <= maximum:
        raise RequestInvalid(name, _("%(value)s is outside 0–%(max)s.")
                             % {"value": value, "max": maximum})
    return value


def _amount(value: Any, name: str) -> int:
    """An amount in minor units (fen, cents, pence): a whole number."""
    return _count(value, name, maximum=10**15)


def _list(value: Any, name: str) -> list:
    """A JSON list; a string, a number or an object where a list belongs is refused."""
    if value is None:
        return []
    if isinstance(value, str):
        raise RequestInvalid(name, _("a list is required, e.g. [%(value)s], not a string.")
                             % {"value": json.dumps(value[:40], ensure_ascii=False)})
    if not isinstance(value, list | tuple):
        raise RequestInvalid(name, _("a list is required, not %(value)s.")
                             % {"value": _shown(value)})
    if len(value) > MAX_ITEMS:
        raise RequestInvalid(name, _("more than %(max)s items.") % {"max": MAX_ITEMS})
    return list(value)


def _strings(value: Any, name: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
    """A list of strings (or of ids written as whole numbers), each one of ``allowed``."""
    items = []
    for index, item in enumerate(_list(value, name)):
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item:
            raise RequestInvalid(f"{name}[{index}]", _("a non-empty string is required, not "
                                                      "%(value)s.") % {"value": _shown(item)})
        if allowed is not None:
            _choice(item, allowed, f"{name}[{index}]")
        items.append(item)
    return tuple(items)


def _objects(value: Any, name: str, read: Callable[[Any, str], Any]) -> tuple:
    return tuple(read(item, f"{name}[{index}]") for index, item in enumerate(_list(value, name)))


def _object(value: Any, name: str) -> dict:
    if not isinstance(value, dict):
        raise RequestInvalid(name, _("an object is required, not %(value)s.")
                             % {"value": _shown(value)})
    return value


def _known_keys(data: dict, cls, name: str) -> None:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names, key=str)
    if unknown:
        raise RequestInvalid(f"{name}.{unknown[0]}" if name else str(unknown[0]),
                             _("unknown field; known fields: %(known)s.")
                             % {"known": ", ".join(sorted(names))})


def _clock(text: Any, name: str) -> time:
    if not isinstance(text, str):
        raise RequestInvalid(name, _("a time of day written HH:MM is required."))
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(name, _("%(value)s is not a time of day written HH:MM.")
                             % {"value": _shown(text)}) from None
    if parsed.tzinfo is not None:
        raise RequestInvalid(name, _("a local time of day has no UTC offset."))
    return parsed


@dataclass(frozen=True)
class ClockWindow:
    """A daily window of local time ``[start, end)``; one that crosses midnight (22:00–07:00)
    covers the evening and the next morning."""

    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def contains(self, moment: time) -> bool:
        if self.crosses_midnight:
            return moment >= self.start or moment < self.end
        return self.start <= moment < self.end

    def ends_after(self, local: datetime) -> datetime:
        """The local moment this window ends, for a ``local`` time inside it."""
        day = local.date()
        if self.crosses_midnight and local.time() >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, local.tzinfo)

    def text(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def to_json(self) -> dict:
        return {"start": f"{self.start:%H:%M}", "end": f"{self.end:%H:%M}"}

    @classmethod
    def from_json(cls, data: Any, name: str) -> "ClockWindow":
        data = _object(data, name)
        unknown = sorted(set(data) - {"start", "end"}, key=str)
        if unknown:
            raise RequestInvalid(f"{name}.{unknown[0]}", _("unknown field; known fields: "
                                                           "end, start."))
        start = _clock(data.get("start"), f"{name}.start")
        end = _clock(data.get("end"), f"{name}.end")
        if start == end:
            raise RequestInvalid(name, _("the window starts when it ends (%(time)s): give a "
                                         "window of at least a minute.")
                                 % {"time": f"{start:%H:%M}"})
        return cls(start, end)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if hasattr(value, "to_json"):
        return value.to_json()
    return value


def _dataclass_json(obj) -> dict:
    return {f.name: _json_value(getattr(obj, f.name)) for f in fields(obj)}
