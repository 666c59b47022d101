"""What a message says: forbidden wording (CN-04), legal-action wording."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context
from arrears.compliance.gate.vocabulary import (
    BLOCK,
    WARN,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


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
