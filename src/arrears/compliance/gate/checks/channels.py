"""The channel and the contact point: field visits (CN-17), the source of contact data (CN-18),
opt-outs (US-14) and the opt-out method every e-mail and text carries (US-15)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _reason, _words, applies_to
from arrears.compliance.gate.vocabulary import (
    ALLOW,
    BLOCK,
    CHANNELS,
    WARN,
    label,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


@applies_to("visit")
def check_visit(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-17: field visits by at least ``min_collectors``, approved by a team lead."""
    if ctx.request.channel != "visit":
        return []
    minimum = rule.params.get("min_collectors", 2)
    if ctx.request.collectors < minimum:
        return [_reason(rule, BLOCK, _("A field visit needs at least %(min)s collectors "
                                       "(%(count)s planned).")
                        % {"min": minimum, "count": ctx.request.collectors})]
    return [_reason(rule, rule.action, _("A field visit needs a team lead's approval; show ID "
                                         "and ask before entering."))]


@applies_to(*CHANNELS)
def check_provenance(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-18: contact data only from lawful channels."""
    provenance = ctx.request.provenance
    if not provenance:
        return []
    if provenance in rule.params.get("forbidden", ()):
        return [_reason(rule, rule.action, _("The contact point comes from a forbidden source "
                                             "(%(source)s).") % {"source": provenance})]
    allowed = rule.params.get("allowed", ())
    if allowed and provenance not in allowed:
        return [_reason(rule, rule.params.get("unlisted_action", WARN),
                        _("The contact point's source %(source)s is not a listed lawful "
                          "channel.") % {"source": provenance})]
    return []


@applies_to(*CHANNELS, outbound_only=True)
def check_opt_out(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-14: a medium the person opted out of is not used, except one confirmation that
    carries nothing but the confirmation."""
    request = ctx.request
    if request.channel not in request.opt_outs:
        return []
    if request.purpose == "opt_out_confirmation":
        earlier = [h for h in request.history if h.channel == request.channel
                   and h.purpose == "opt_out_confirmation" and h.at <= ctx.at]
        if earlier:
            return [_reason(rule, BLOCK, _("The opt-out was already confirmed once."))]
        extra = ctx.categories() & set(rule.params.get("confirmation_forbids",
                                                       ("payment_request",)))
        if extra:
            return [_reason(rule, BLOCK, _("An opt-out confirmation may carry only the "
                                           "confirmation (%(words)s).")
                            % {"words": _words(ctx, extra)})]
        return [_reason(rule, ALLOW, _("One confirmation of the opt-out."))]
    return [_reason(rule, rule.action, _("The debtor opted out of %(channel)s.")
                    % {"channel": label(request.channel)})]


@applies_to(*CHANNELS)
def check_opt_out_method(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-15: every e-mail and text carries a simple way to opt out."""
    request = ctx.request
    if (request.channel not in rule.params.get("channels", ("email", "sms"))
            or not request.content or request.purpose == "opt_out_confirmation"):
        return []
    if "opt_out_method" in ctx.categories():
        return []
    return [_reason(rule, rule.action, _("The message has no opt-out method (e.g. 'Reply STOP')."))]


@applies_to("call")
def check_recording(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-09: collection calls are recorded; no call when the recorder is unavailable."""
    if ctx.request.recorder_available:
        return []
    return [_reason(rule, rule.action, _("The call recorder is unavailable: collection calls "
                                         "must be recorded."))]


@applies_to("sms")
def check_reassigned_number(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-16: before texting, the number is checked against the reassigned-numbers database
    (within ``max_age_days``)."""
    checked = ctx.request.reassigned_checked_at
    days = rule.params.get("max_age_days", 30)
    if checked is not None and checked <= ctx.at and (ctx.at - checked).days <= days:
        return []
    return [_reason(rule, rule.action, _("Check the number against the reassigned-numbers "
                                         "database (at most %(days)s days ago) before texting.")
                    % {"days": days})]


@applies_to("email")
def check_employer_email(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-17: no e-mail to an address known to be supplied by the employer."""
    if ctx.request.number_type != "workplace":
        return []
    return [_reason(rule, rule.action, _("The e-mail address is the employer's: it may not be "
                                         "used."))]
