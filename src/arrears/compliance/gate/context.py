"""What every check sees: the request, the moment asked about, the candidate zones, the content
findings; and the local-time helpers the time rules share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from arrears.compliance.content import Finding
from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.request import ConsentState, ContactRequest, HoldState
from arrears.compliance.timezones import zone

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


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


def _words(ctx: Context, categories: set[str]) -> str:
    return ", ".join(sorted({f.word for f in ctx.findings if f.category in categories}))
