"""Contact hours in the debtor's local time (CN-05, US-01/02) and the times and places the
debtor called inconvenient (US-03)."""

from __future__ import annotations

from datetime import UTC, time
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _in_window, _reason, next_lawful
from arrears.compliance.gate.vocabulary import (
    CHANNELS,
    CONSENT_KINDS,
    REQUIRE_NOTE,
    label,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


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
    for window in request.no_contact_windows:
        if window.contains(local.time()):
            if ctx.consent(CONSENT_KINDS):
                return [_reason(rule, REQUIRE_NOTE, _("Inside a time the debtor called "
                                                      "inconvenient, with their consent."))]
            lifted = window.ends_after(local).astimezone(UTC)
            return [_reason(rule, rule.action,
                            _("The debtor said %(start)s–%(end)s is inconvenient.")
                            % {"start": f"{window.start:%H:%M}", "end": f"{window.end:%H:%M}"},
                            not_before=lifted)]
    return []
