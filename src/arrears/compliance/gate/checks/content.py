"""What a message says: forbidden wording (CN-04), legal-action wording."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _reason, _words, applies_to
from arrears.compliance.gate.vocabulary import (
    BLOCK,
    CHANNELS,
    WARN,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


@applies_to(*CHANNELS)
def check_forbidden_content(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-04 and the like: threats, impersonation, exposure; a legal threat is blocked under a
    cease hold (US-06) and flagged otherwise."""
    p = rule.params
    reasons = []
    blocked = set(p.get("block_categories", ("threat", "impersonation", "exposure")))
    for finding in ctx.findings:
        if finding.category in blocked:
            reasons.append(Reason(finding.rule_id, rule.action,
                                  _("Forbidden wording: %(word)s (%(category)s).")
                                  % {"word": finding.word, "category": finding.category},
                                  rule.source, {"word": finding.word}))
        elif finding.category == "legal_threat":
            under_hold = any(ctx.holds_active(kind) for kind in p.get("legal_threat_holds", ()))
            decision = BLOCK if under_hold else p.get("legal_threat_action", WARN)
            reasons.append(Reason(finding.rule_id, decision,
                                  _("Legal-action wording: %(word)s.") % {"word": finding.word},
                                  rule.source, {"word": finding.word}))
    return reasons


@applies_to("call", "visit")
def check_identity_before_disclosure(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """UK-11: the customer's identity is established before the debt is discussed; a script
    that discusses it with someone not yet identified gets ``rule.action``."""
    request = ctx.request
    if request.counterparty != "debtor" or request.identity_verified:
        return []
    disclosure = ctx.categories() & set(rule.params.get("disclosure_categories",
                                                        ("disclosure",)))
    if not disclosure:
        return []
    return [_reason(rule, rule.action, _("Establish the customer's identity before discussing "
                                         "the debt (%(words)s).")
                    % {"words": _words(ctx, disclosure)})]
