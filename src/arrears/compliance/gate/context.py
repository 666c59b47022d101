"""What every check sees: the request, the moment asked about, the candidate zones, the content
findings; and the local-time helpers the time rules share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from arrears.compliance import holds as hold_kinds
from arrears.compliance.content import Finding
from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.reading import EMPTY, Reading
from arrears.compliance.gate.request import (
    ConsentState,
    ContactRequest,
    Dispute,
    HoldState,
    Limitation,
    Moratorium,
    _debt_matches,
)
from arrears.compliance.timezones import zone

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


@dataclass(frozen=True)
class Context:
    request: ContactRequest
    at: datetime
    zones: tuple[str, ...]
    findings: tuple[Finding, ...]
    reading: Reading = EMPTY

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

    @property
    def action(self) -> str:
        return self.request.action

    @property
    def today(self) -> date:
        """The debtor's local date of the moment asked about."""
        return self.local_day(self.at)

    def limitations(self) -> list[Limitation]:
        """The limitation records of the debts the request is about."""
        return [item for item in self.request.limitations
                if _debt_matches(item.debt_id, self.request.debt_ids)]

    def expired_limitations(self) -> list[Limitation]:
        return [item for item in self.limitations() if item.expired(self.today)]

    def moratorium(self) -> Moratorium | None:
        """The breathing space in force: from ``moratoria`` or a moratorium hold."""
        found = next((m for m in self.request.moratoria if m.active_at(self.at)), None)
        if found is None:
            for kind, moratorium_kind in hold_kinds.MORATORIUM_HOLDS.items():
                for hold in self.holds_active(kind):
                    if hold.since is not None:
                        return Moratorium(moratorium_kind, hold.since, hold.until)
        return found

    def flagged(self, name: str) -> bool:
        """A yes/no fact of the request (``vulnerable``, ``capacity_concern`` …), also true
        while a hold recording it is active."""
        if getattr(self.request, name):
            return True
        return any(self.holds_active(kind) for kind, flag in hold_kinds.FLAG_HOLDS.items()
                   if flag == name)

    def open_disputes(self, forms: Iterable[str]) -> list[Dispute]:
        forms = tuple(forms)
        return [d for d in self.request.disputes
                if d.form in forms and d.open_at(self.at)
                and _debt_matches(d.debt_id, self.request.debt_ids)]

    def conversations(self) -> list[datetime]:
        """When the debtor was last spoken with: the history's conversations and
        ``spoke_with_debtor_at``."""
        moments = [h.at for h in self.request.history
                   if h.counterparty == "debtor" and h.conversation and h.at <= self.at]
        if self.request.spoke_with_debtor_at and self.request.spoke_with_debtor_at <= self.at:
            moments.append(self.request.spoke_with_debtor_at)
        return sorted(moments)


def applies_to(*actions: str, outbound_only: bool = False):
    """Mark a check with the action types it reads by default (a rule's ``actions`` parameter
    narrows or widens them) and whether an inbound contact (the debtor called or wrote
    first) is outside it, as the limits on initiating contact are."""
    def mark(check):
        check.actions = actions
        check.outbound_only = outbound_only
        return check
    return mark


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
    return Reason(cited(rule), decision, text, rule.source, params, not_before)


def cited(rule: RuleConfig) -> str:
    """The catalogue rule a pack entry cites: its ``cites`` parameter, else its own id (a pack
    holds one entry per id, so a rule enforced by two checks cites it from both)."""
    return rule.params.get("cites", rule.rule_id)


def _words(ctx: Context, categories: set[str]) -> str:
    return ", ".join(sorted({f.word for f in ctx.findings if f.category in categories}))
