"""Contact hours in the debtor's local time (CN-05, US-01/02, UK-07) and the times, places and
channels the debtor asked for (US-03, UK-07)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import (
    Context,
    _in_window,
    _reason,
    applies_to,
    next_lawful,
)
from arrears.compliance.gate.vocabulary import (
    CHANNELS,
    CONSENT_KINDS,
    REQUIRE_NOTE,
    label,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


@applies_to(*CHANNELS, outbound_only=True)
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


def _places(request) -> set[str]:
    """Where the contact would reach the debtor: the kind of contact point, the place of a
    visit, and 'workplace' for a work number."""
    places = {request.contact_point_kind, request.place, request.number_type} - {""}
    if request.number_type == "workplace" or request.contact_point_kind == "work_phone":
        places.add("workplace")
    if request.action == "email" and request.number_type == "workplace":
        places.add("email")
    return places


@applies_to(*CHANNELS, outbound_only=True)
def check_no_contact_preferences(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-03, UK-07: the times, places and channels the debtor asked for: not at a place or
    time they called inconvenient (a window may cross midnight), only inside the times they
    gave (``contact_windows``: "only after 14:00"), only by the channels they chose."""
    request = ctx.request
    refused = _places(request) & set(request.no_contact_places)
    if refused:
        return [_reason(rule, rule.action, _("The debtor said %(place)s is inconvenient.")
                        % {"place": label(sorted(refused)[0])})]
    if request.contact_channels and request.channel not in request.contact_channels:
        return [_reason(rule, rule.action, _("The debtor asked to be contacted only by "
                                             "%(channels)s.")
                        % {"channels": ", ".join(label(c) for c in request.contact_channels)})]
    consented = ctx.consent(CONSENT_KINDS)
    local = ctx.at.astimezone(ctx.home_zone)
    for window in request.no_contact_windows:
        if window.contains(local.time()):
            if consented:
                return [_reason(rule, REQUIRE_NOTE, _("Inside a time the debtor called "
                                                      "inconvenient, with their consent."))]
            lifted = window.ends_after(local).astimezone(UTC)
            return [_reason(rule, rule.action,
                            _("The debtor said %(start)s–%(end)s is inconvenient.")
                            % {"start": f"{window.start:%H:%M}", "end": f"{window.end:%H:%M}"},
                            not_before=lifted)]
    if request.contact_windows and not any(w.contains(local.time())
                                           for w in request.contact_windows):
        if consented:
            return [_reason(rule, REQUIRE_NOTE, _("Outside the times the debtor gave, with "
                                                  "their consent."))]
        opening = min(_next_opening(w, local) for w in request.contact_windows)
        return [_reason(rule, rule.action, _("The debtor asked to be contacted only %(windows)s.")
                        % {"windows": ", ".join(w.text() for w in request.contact_windows)},
                        not_before=opening.astimezone(UTC))]
    return []


def _next_opening(window, local: datetime) -> datetime:
    opening = datetime.combine(local.date(), window.start, local.tzinfo)
    return opening if opening > local else opening + timedelta(days=1)
