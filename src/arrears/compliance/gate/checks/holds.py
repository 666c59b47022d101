"""Holds on the account (cease, dispute, bankruptcy …), the personalised instalment plan (CN-13)
and servicing reminders (CN-12)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance import holds as hold_kinds
from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _reason, applies_to
from arrears.compliance.gate.vocabulary import (
    BLOCK,
    CHANNELS,
    COUNTERPARTIES,
    LEGAL_REFERRAL,
    REQUIRE_APPROVAL,
    label,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


@applies_to(*CHANNELS)
def check_hold(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """A hold (cease, dispute, bankruptcy …) stops or limits contact while it lasts. Purposes
    listed in ``exceptions`` get their own decision (e.g. a reminder under a plan)."""
    p = rule.params
    request = ctx.request
    if request.counterparty not in p.get("counterparties", COUNTERPARTIES):
        return []
    if request.action == LEGAL_REFERRAL and request.referral_kind in p.get("exempt_referrals",
                                                                          ()):
        return []
    active = ctx.holds_active(p["hold"])
    if not active:
        return []
    hold = active[0]
    hold_label = str(hold_kinds.HOLD_KINDS[hold.kind])
    exception = p.get("exceptions", {}).get(request.purpose)
    if exception is not None:
        channels = exception.get("channels", CHANNELS)
        if request.channel in channels:
            return [_reason(rule, exception["decision"],
                            _("Hold '%(hold)s': %(purpose)s is an allowed exception.")
                            % {"hold": hold_label, "purpose": label(request.purpose)},
                            hold=hold.kind)]
    ends = [h.until for h in active]
    lifted = max(ends) if all(ends) and p.get("delay_until_end", False) else None
    if not request.is_contact:
        return [_reason(rule, rule.action, _("Hold '%(hold)s' on the account: no %(action)s.")
                        % {"hold": hold_label, "action": label(request.action)},
                        not_before=lifted, hold=hold.kind)]
    return [_reason(rule, rule.action, _("Hold '%(hold)s' on the account.") % {"hold": hold_label},
                    not_before=lifted, hold=hold.kind)]


@applies_to(*CHANNELS)
def check_plan(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-13: a current personalised instalment plan stops collection (reminders allowed); a new
    plan needs approval and may not run longer than ``max_term_months``."""
    if ctx.request.purpose == "plan_proposal":
        months, limit = ctx.request.plan_months, rule.params.get("max_term_months", 60)
        if months > limit:
            return [_reason(rule, BLOCK, _("A plan of %(months)s months is longer than the "
                                           "%(limit)s allowed.") % {"months": months,
                                                                    "limit": limit})]
        return [_reason(rule, rule.params.get("proposal_action", REQUIRE_APPROVAL),
                        _("A personalised instalment plan needs approval."))]
    return check_hold(ctx, rule)


@applies_to(*CHANNELS)
def check_servicing_reminder(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-12: a reminder of an amount coming due is servicing, not collection."""
    if ctx.request.purpose != "reminder":
        return []
    return [_reason(rule, rule.action, _("A servicing reminder: allowed within the contact "
                                         "hours, not counted as collection."))]
