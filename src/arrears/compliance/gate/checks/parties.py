"""Who may be contacted: collection targets (CN-01), third parties only to repair contact
(CN-02, US-07) and location calls (US-08)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _reason, _words, applies_to
from arrears.compliance.gate.request import HistoryItem
from arrears.compliance.gate.vocabulary import (
    ALLOW,
    BLOCK,
    CHANNELS,
    FAILED_OUTCOMES,
    INVALID_NUMBER_OUTCOMES,
    REQUIRE_APPROVAL,
    REQUIRE_NOTE,
    THIRD_PARTIES,
    label,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


@applies_to(*CHANNELS)
def check_collection_target(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-01: collect only from the debtor, the guarantor and an approved debt-related party."""
    p = rule.params
    request = ctx.request
    if request.purpose not in p.get("purposes", ("collection",)):
        return []
    if request.counterparty not in p["targets"]:
        return [_reason(rule, rule.action, _("%(who)s is not a collection target.")
                        % {"who": label(request.counterparty)})]
    if request.counterparty in p.get("approval_required", ()):
        return [_reason(rule, REQUIRE_APPROVAL, _("A debt-related third party needs a "
                                                  "documented, approved determination."))]
    return []


def debtor_unreachable(ctx: Context, failures: int) -> str:
    """Evidence that the debtor is unreachable (失联), or ''. Either the request says so, or
    since the last conversation every debtor number tried came back invalid, or ``failures``
    attempts in a row failed and today is a later day than the last of them."""
    request = ctx.request
    if request.debtor_unreachable:
        return request.unreachable_evidence or _("marked unreachable")
    tries = sorted((h for h in request.history
                    if h.counterparty == "debtor" and h.at <= ctx.at
                    and h.channel in ("call", "sms", "visit", "voicemail")), key=lambda h: h.at)
    run: list[HistoryItem] = []
    for item in reversed(tries):
        if item.outcome not in FAILED_OUTCOMES:
            break
        run.append(item)
    if not run:
        return ""
    latest: dict[str, str] = {}
    for item in reversed(run):
        latest[item.contact_point] = item.outcome
    points = {h.contact_point for h in tries if h.channel != "visit"}
    if points and all(latest.get(point) in INVALID_NUMBER_OUTCOMES for point in points):
        return _("every debtor number is invalid (%(outcomes)s)") % {
            "outcomes": ", ".join(sorted(set(latest.values())))}
    if len(run) >= failures and ctx.local_day(run[0].at) < ctx.local_day(ctx.at):
        return _("%(count)s failed attempts in a row, the last on %(day)s") % {
            "count": len(run), "day": ctx.local_day(run[0].at).isoformat()}
    return ""


@applies_to(*CHANNELS)
def check_third_party_cn(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-02: a third party only when the debtor is unreachable, only to repair contact, never
    hearing about the debt; someone who objected goes on the do-not-call list."""
    p = rule.params
    request = ctx.request
    if request.counterparty not in p.get("counterparties", THIRD_PARTIES):
        return []
    if request.third_party_do_not_call:
        return [_reason(rule, BLOCK, _("This third party asked not to be called again."))]
    disclosure = ctx.categories() & set(p.get("disclosure_categories", ("disclosure",)))
    if request.purpose == "payment_handling":
        return [_reason(rule, ALLOW, _("The third party volunteers to pay: payment handling "
                                       "with a neutral script."))]
    if request.purpose != "contact_repair":
        return [_reason(rule, BLOCK, _("A third party may be contacted only to repair contact "
                                       "with the debtor."))]
    reasons = []
    if disclosure:
        reasons.append(_reason(rule, BLOCK, _("The script discloses the debt to a third party "
                                              "(%(words)s).") % {"words": _words(ctx, disclosure)}))
    evidence = debtor_unreachable(ctx, p.get("consecutive_failures", 3))
    if not evidence:
        reasons.append(_reason(rule, BLOCK, _("The debtor is reachable (not 失联): third "
                                              "parties may not be contacted.")))
    elif not reasons:
        reasons.append(_reason(rule, p.get("trigger_action", REQUIRE_NOTE),
                               _("Debtor unreachable: %(evidence)s.") % {"evidence": evidence},
                               evidence=evidence))
    return reasons


@applies_to(*CHANNELS)
def check_third_party_us(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-07, UK-10: no communication with third parties about the debt; contact repair
    (location calls, US-08) may go ahead but never discloses the debt."""
    request = ctx.request
    if request.counterparty not in rule.params.get("counterparties", THIRD_PARTIES):
        return []
    if request.purpose in rule.params.get("allowed_purposes", ("contact_repair",)):
        disclosure = ctx.categories() & set(rule.params.get("disclosure_categories", ()))
        if disclosure:
            return [_reason(rule, rule.action, _("The script discloses the debt to a third "
                                                 "party (%(words)s).")
                            % {"words": _words(ctx, disclosure)})]
        return []
    return [_reason(rule, rule.action, _("Communicating with a third party about the debt is "
                                         "not allowed."))]


@applies_to(*CHANNELS)
def check_location_call(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-08: one location-information contact per third party, unless they asked for a
    callback; never mention the debt."""
    request = ctx.request
    if (request.counterparty not in rule.params.get("counterparties", THIRD_PARTIES)
            or request.purpose != "contact_repair"):
        return []
    if request.third_party_do_not_call:
        return [_reason(rule, BLOCK, _("This third party asked not to be contacted again."))]
    disclosure = ctx.categories() & set(rule.params.get("disclosure_categories", ("disclosure",)))
    if disclosure:
        return [_reason(rule, BLOCK, _("A location call must not say the consumer owes a debt "
                                       "(%(words)s).") % {"words": _words(ctx, disclosure)})]
    earlier = [h for h in request.history if h.counterparty != "debtor" and request.third_party
               and h.third_party == request.third_party and h.at <= ctx.at]
    if len(earlier) >= rule.params.get("max_contacts", 1):
        if request.callback_requested:
            return [_reason(rule, REQUIRE_NOTE, _("A further location call: the person asked "
                                                  "for a callback."))]
        return [_reason(rule, rule.action, _("This third party was already contacted for "
                                             "location information."))]
    return [_reason(rule, ALLOW, _("A location-information call: give your name, do not "
                                   "mention the debt."))]
