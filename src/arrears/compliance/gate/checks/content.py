"""What a message says, read sentence by sentence (``gate.reading``): forbidden wording
(CN-04, UK-08, UK-09), legal-action wording asserted rather than denied, the items the law
requires (CN-08 caller identification, CN-10 letter items, US-19 debt-collector disclosure),
limited-content voicemails (US-18, UK-10), overshadowing the dispute rights (US-21), pressure
to pay at once (UK-05), identity before disclosure (UK-11)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _reason, _words, applies_to, cited
from arrears.compliance.gate.vocabulary import (
    ALLOW,
    BLOCK,
    CHANNELS,
    WARN,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig

# The items a message must carry, in words (the codes are word-list categories).
ITEMS = {
    "collector_disclosure": gettext_lazy("that the message is from a debt collector"),
    "collector_full": gettext_lazy("that this is an attempt to collect a debt and any "
                                   "information obtained will be used for that purpose"),
    "identity_person": gettext_lazy("the collector's name or staff number"),
    "identity_institution": gettext_lazy("the institution's name"),
    "entrustment": gettext_lazy("the bank that entrusted the agency"),
    "letter_name": gettext_lazy("the cardholder's name"),
    "letter_balance": gettext_lazy("the balance owed"),
    "letter_basis": gettext_lazy("the reason for collection and its legal basis"),
    "letter_rights": gettext_lazy("the cardholder's rights and obligations"),
    "letter_check": gettext_lazy("how to check the account"),
    "letter_repay": gettext_lazy("how to repay"),
    "letter_dispute": gettext_lazy("how to raise a dispute and submit evidence"),
    "letter_contact": gettext_lazy("the issuer's contact details"),
    "lcm_business": gettext_lazy("a business name"),
    "lcm_person": gettext_lazy("the name of a person to contact"),
    "lcm_reply": gettext_lazy("a request to reply"),
    "phone_number": gettext_lazy("a telephone number"),
}


def _item(code: str) -> str:
    return str(ITEMS.get(code, code))


@applies_to(*CHANNELS)
def check_forbidden_content(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-04 and the like: threats, impersonation, exposure (``block_categories``, each
    citing its word's rule) are refused wherever they stand, except inside a statement the law
    requires; legal-action wording counts only when asserted (not denied): under a hold of
    ``legal_threat_holds`` it is refused citing ``legal_threat_hold_rule``, otherwise it gets
    ``legal_threat_action`` citing ``legal_threat_rule`` (default: this rule)."""
    p = rule.params
    reasons = []
    blocked = tuple(p.get("block_categories", ("threat", "impersonation", "exposure")))
    for match in ctx.reading.asserted(*blocked, denial_counts=False):
        reasons.append(Reason(match.rule_id or cited(rule), rule.action,
                              _("Forbidden wording: %(word)s (%(category)s).")
                              % {"word": match.word, "category": match.category},
                              rule.source, {"word": match.word}))
    threats = ctx.reading.asserted("legal_threat")
    if threats:
        words = ", ".join(sorted({m.word for m in threats}))
        under_hold = any(ctx.holds_active(kind) for kind in p.get("legal_threat_holds", ()))
        if under_hold:
            rule_id = p.get("legal_threat_hold_rule", threats[0].rule_id or cited(rule))
            decision = BLOCK
        else:
            rule_id = p.get("legal_threat_rule", cited(rule))
            decision = p.get("legal_threat_action", WARN)
        reasons.append(Reason(rule_id, decision, _("Legal-action wording: %(word)s.")
                              % {"word": words}, rule.source, {"word": words}))
    return reasons


@applies_to(*CHANNELS)
def check_required_content(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-08, CN-10, US-19: a message of ``purposes`` to ``counterparties`` carries every
    item of ``required`` (word-list categories); an agency's carries ``agency_required`` too
    (and the entrusting bank's name when the request gives it); the first communication
    ``initial_required``. Messages given without content are not read here (templates are
    checked when saved); a limited-content voicemail is exempt (US-18)."""
    p = rule.params
    request = ctx.request
    if (not ctx.reading.sentences or request.purpose not in p.get("purposes", ("collection",))
            or request.counterparty not in p.get("counterparties", ("debtor",))):
        return []
    if request.action == "voicemail" and _is_limited_content(ctx):
        return []
    wanted = list(p.get("required", ()))
    if request.acting_party == "agency":
        wanted += p.get("agency_required", ())
    if request.initial_communication:
        wanted += p.get("initial_required", ())
    missing = [_item(code) for code in dict.fromkeys(wanted) if not ctx.reading.has(code)]
    if request.acting_party == "agency" and p.get("agency_required") and \
            request.entrusting_bank and request.entrusting_bank not in ctx.reading.text:
        missing.append(_("the name of %(bank)s") % {"bank": request.entrusting_bank})
    if not missing:
        return []
    return [_reason(rule, rule.action, _("The message lacks what the law requires: "
                                         "%(items)s.") % {"items": "; ".join(missing)},
                    missing=missing)]


def _is_limited_content(ctx: Context) -> bool:
    missing, extra = ctx.reading.limited_content()
    return not missing and not extra


@applies_to("voicemail")
def check_limited_content(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-18, UK-10: a voicemail may be heard by others. A limited-content message (a
    business name, a person to contact, a request to reply, a phone number; a greeting, a
    time, reply times, 'any representative'; nothing else) may be left; anything more only
    when ``full_message_allowed`` and it carries every ``full_message_requires`` item, not on
    a line others share (``shared_number_types``), and never for a third party."""
    p = rule.params
    request = ctx.request
    if not ctx.reading.sentences:
        return []
    missing, extra = ctx.reading.limited_content()
    if not missing and not extra:
        return [_reason(rule, ALLOW, _("A limited-content message."))]
    problems = [_item(code) for code in missing]
    shared = request.number_type in p.get("shared_number_types",
                                          ("shared_household", "workplace"))
    full = (p.get("full_message_allowed", False) and request.counterparty == "debtor"
            and not shared and all(ctx.reading.has(code)
                                   for code in p.get("full_message_requires", ())))
    if full:
        return [_reason(rule, WARN, _("Not a limited-content message: a full message with the "
                                      "required disclosure; others may hear it."))]
    words = {"items": "; ".join(problems), "extra": " / ".join(extra[:3])}
    if problems and extra:
        text = _("A voicemail must be a limited-content message: it lacks %(items)s and says "
                 "more than that (%(extra)s).") % words
    elif problems:
        text = _("A voicemail must be a limited-content message: it lacks %(items)s.") % words
    else:
        text = _("A voicemail must be a limited-content message: it says more than that "
                 "(%(extra)s).") % words
    return [_reason(rule, rule.action, text, missing=missing, extra=extra[:3])]


@applies_to(*CHANNELS)
def check_overshadowing(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-21: during the validation period nothing overshadows the right to dispute: no
    sentence demanding payment urgently (one about disputing is not a demand)."""
    validation = ctx.request.validation
    if validation is None or not validation.in_period(ctx.at):
        return []
    demands = [s for s in ctx.reading.asserted_in("urgency")
               if s.has("payment_request", "letter_repay") and not s.has("dispute_right")]
    if not demands:
        return []
    return [_reason(rule, rule.action, _("During the validation period this overshadows the "
                                         "right to dispute: %(sentence)s")
                    % {"sentence": demands[0].text.strip()})]


@applies_to(*CHANNELS)
def check_pressure(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """UK-05: no pressure to pay in one or a few large payments, in an unreasonably short time,
    or by selling property or borrowing."""
    found = (ctx.reading.asserted_in("lump_sum", "urgency")
             or ctx.reading.asserted_in("pressure_means"))
    if not found:
        return []
    return [_reason(rule, rule.action, _("Pressure to pay: %(sentence)s")
                    % {"sentence": found[0].text.strip()})]


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
