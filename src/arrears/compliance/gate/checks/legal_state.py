"""The account's and the person's legal state: limitation periods (CN-22, US-23, UK-14),
breathing-space moratoria (UK-16), mental capacity and vulnerability (UK-12, UK-13, UK-17), an
open ombudsman complaint (UK-15), forbearance being assessed (UK-02), the validation notice
(US-20), disputes written or oral (CN-11, US-22) and TCPA consent per number (US-28)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _reason, applies_to
from arrears.compliance.gate.vocabulary import (
    ACTION_TYPES,
    BLOCK,
    CHANNELS,
    DEBT_SALE,
    ESCALATIONS,
    LEGAL_REFERRAL,
    POSTINGS,
    WARN,
    label,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig

COLLECTING_PURPOSES = ("collection", "reminder", "plan_proposal", "cease_exception")


def _collecting(ctx: Context, purposes=COLLECTING_PURPOSES) -> bool:
    """A contact asking for payment, or an action that collects (not a posting)."""
    if ctx.request.is_contact:
        return ctx.request.purpose in purposes and ctx.request.counterparty in (
            "debtor", "guarantor", "debt_related_third_party")
    return ctx.action not in POSTINGS


def _regime_words(items) -> str:
    return ", ".join(sorted({label(item.regime) for item in items}))


@applies_to(*ACTION_TYPES)
def check_limitation(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-22, US-23, UK-14: what an expired limitation period stops. Court action on an
    expired debt gets ``court_action`` (US-23, UK-14 BLOCK; CN-22 REQUIRE_APPROVAL) unless the
    referral kind is exempt (a proof of claim); ``warn_days`` before expiry a referral is
    flagged; once the customer cites the limitation (``cited_stops``) demands stop; an
    extinguished debt (Scotland, ``extinguished_stops``) is not collected, charged or
    reported at all; a sale of a statute-barred debt must flag it (``sale_must_flag``); a
    message asserting legal action on an expired debt gets ``threat_action`` (US-23 BLOCK)."""
    p = rule.params
    regimes = p.get("regimes")
    items = [item for item in ctx.limitations() if regimes is None or item.regime in regimes]
    if not items:
        return []
    expired = [item for item in items if item.expired(ctx.today)]
    extinguished = [item for item in expired if item.extinguishes]
    if extinguished and p.get("extinguished_stops", False) and (
            _collecting(ctx) or ctx.action in POSTINGS):
        return [_reason(rule, BLOCK, _("The debt is extinguished (%(regime)s expired on "
                                       "%(day)s): it may not be collected, charged or reported "
                                       "as owed.")
                        % {"regime": _regime_words(extinguished),
                           "day": extinguished[0].expires_on.isoformat()},
                        expired_on=extinguished[0].expires_on.isoformat())]
    cited = [item for item in items if item.customer_cited]
    if cited and p.get("cited_stops", False) and _collecting(ctx):
        return [_reason(rule, BLOCK, _("The customer has said the debt is statute-barred "
                                       "(%(regime)s): stop demanding payment.")
                        % {"regime": _regime_words(cited)})]
    threats = ctx.reading.asserted("legal_threat") if expired else []
    if threats:
        return [_reason(rule, p.get("threat_action", BLOCK),
                        _("Legal-action wording (%(words)s) on a debt whose limitation period "
                          "expired on %(day)s.")
                        % {"words": ", ".join(sorted({m.word for m in threats})),
                           "day": expired[0].expires_on.isoformat()})]
    if ctx.action == LEGAL_REFERRAL:
        return _limitation_referral(ctx, rule, items, expired)
    if ctx.action == DEBT_SALE and expired and p.get("sale_must_flag", False) \
            and not ctx.request.sale_flags_statute_barred:
        return [_reason(rule, BLOCK, _("The debt is statute-barred: the sale must flag it to "
                                       "the purchaser."))]
    return []


def _limitation_referral(ctx: Context, rule: RuleConfig, items, expired) -> list[Reason]:
    p = rule.params
    if ctx.request.referral_kind in p.get("exempt_referrals", ()):
        return []
    if expired:
        return [_reason(rule, p.get("court_action", BLOCK),
                        _("The limitation period expired on %(day)s (%(regime)s): no court "
                          "action on a time-barred debt.")
                        % {"day": expired[0].expires_on.isoformat(),
                           "regime": _regime_words(expired)},
                        expired_on=expired[0].expires_on.isoformat())]
    warn_days = p.get("warn_days")
    soon = [item for item in items if item.expires_on is not None and warn_days is not None
            and item.expires_on - ctx.today <= timedelta(days=warn_days)]
    if soon:
        return [_reason(rule, WARN, _("The limitation period ends on %(day)s, in %(days)s days "
                                      "or fewer.") % {"day": soon[0].expires_on.isoformat(),
                                                      "days": warn_days})]
    return []


@applies_to(*ACTION_TYPES)
def check_moratorium(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """UK-16: during a breathing space no contact asking for payment, no interest, fees or
    charges, no enforcement; the creditor tells its agents. Contacts and enforcement wait for
    the end (a delay when the end is known); postings for the period are refused outright."""
    moratorium = ctx.moratorium()
    if moratorium is None:
        return []
    p = rule.params
    kind = label(moratorium.kind)
    end = moratorium.last_moment
    if ctx.action in POSTINGS:
        return [_reason(rule, BLOCK, _("A breathing space (%(kind)s) is in force: interest, "
                                       "fees and charges are frozen, %(action)s is refused.")
                        % {"kind": kind, "action": label(ctx.action)}, moratorium=moratorium.kind)]
    if ctx.action in p.get("blocked_actions", (LEGAL_REFERRAL,)):
        return [_reason(rule, BLOCK, _("A breathing space (%(kind)s) is in force: no "
                                       "enforcement.") % {"kind": kind},
                        not_before=end, moratorium=moratorium.kind)]
    if ctx.action in p.get("warn_actions", ("agency_assign", DEBT_SALE)):
        return [_reason(rule, WARN, _("A breathing space (%(kind)s) is in force: tell the "
                                      "agency or buyer; they may not ask for payment until it "
                                      "ends.") % {"kind": kind}, moratorium=moratorium.kind)]
    if ctx.request.is_contact and ctx.request.purpose in p.get(
            "blocked_purposes", ("collection", "reminder", "plan_proposal", "cease_exception")):
        return [_reason(rule, BLOCK, _("A breathing space (%(kind)s) is in force: no contact "
                                       "asking for payment.") % {"kind": kind},
                        not_before=end, moratorium=moratorium.kind)]
    return []


@applies_to(*CHANNELS, *ESCALATIONS)
def check_capacity(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """UK-13: when told the customer might lack mental capacity, suspend pursuit."""
    if not ctx.flagged("capacity_concern") or not _collecting(ctx):
        return []
    return [_reason(rule, rule.action, _("The customer may lack mental capacity: collection is "
                                         "suspended; refer to the specialist team."))]


@applies_to(*CHANNELS, *ESCALATIONS)
def check_vulnerability(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """UK-12, UK-17: no visit to a customer known or suspected to be particularly
    vulnerable (``visit_action``); other collection is flagged (``rule.action``)."""
    if not ctx.flagged("vulnerable") or not _collecting(ctx):
        return []
    if ctx.action == "visit":
        return [_reason(rule, rule.params.get("visit_action", BLOCK),
                        _("The customer is vulnerable: no field visit."))]
    return [_reason(rule, rule.action, _("The customer is vulnerable: adapt the contact and "
                                         "route to the specialist team."))]


@applies_to(LEGAL_REFERRAL)
def check_ombudsman(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """UK-15: no legal proceedings while the ombudsman considers a complaint."""
    if not ctx.flagged("ombudsman_complaint_open"):
        return []
    return [_reason(rule, rule.action, _("The Financial Ombudsman Service is considering a "
                                         "complaint: no legal proceedings."))]


@applies_to(*ESCALATIONS)
def check_forbearance(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """UK-02: forbearance and due consideration first; no escalation while it is assessed."""
    if not ctx.flagged("forbearance_assessment_open"):
        return []
    return [_reason(rule, rule.action, _("Forbearance is being assessed: no %(action)s until it "
                                         "is decided.") % {"action": label(ctx.action)})]


@applies_to(*CHANNELS)
def check_validation_notice(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-20: the validation notice goes with the initial communication or within
    ``due_days`` (5) after it; collection waits for it."""
    validation = ctx.request.validation
    if validation is None or validation.initial_communication_at is None \
            or ctx.request.purpose not in ("collection",) or ctx.request.counterparty != "debtor":
        return []
    due = validation.initial_communication_at + timedelta(days=rule.params.get("due_days", 5))
    sent = validation.notice_sent_at
    if sent is None or sent > ctx.at:
        if ctx.at <= due:
            return []
        return [_reason(rule, rule.action, _("The validation notice was due by %(day)s and has "
                                             "not been sent.") % {"day": due.date().isoformat()})]
    if sent > due:
        return [_reason(rule, WARN, _("The validation notice was sent late (%(sent)s, due by "
                                      "%(due)s).") % {"sent": sent.date().isoformat(),
                                                      "due": due.date().isoformat()})]
    return []


@applies_to(*CHANNELS, "agency_assign", LEGAL_REFERRAL)
def check_dispute(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-11, US-22: an open dispute of the debt asked about (``forms``: written, oral) limits
    collection until the verification is sent; with ``within_validation_period`` only a
    dispute received inside the validation period counts (US-22). Purposes listed in
    ``exempt_purposes`` (the verification itself, a reminder) are not collection. A ``hold``
    of that kind (a dispute recorded as an account hold) counts as an open dispute."""
    p = rule.params
    if ctx.request.is_contact and ctx.request.purpose in p.get(
            "exempt_purposes", ("validation_notice", "opt_out_confirmation", "servicing")):
        return []
    disputes = ctx.open_disputes(p.get("forms", ("written", "oral")))
    validation = ctx.request.validation
    if p.get("within_validation_period", False) and validation is not None \
            and validation.period_end is not None:
        disputes = [d for d in disputes if d.received_at < validation.period_end]
    if not disputes:
        held = ctx.holds_active(p["hold"]) if p.get("hold") else []
        if held:
            return [_reason(rule, rule.action, _("The account is on hold: dispute under "
                                                 "review."), hold=held[0].kind)]
        return []
    dispute = disputes[0]
    return [_reason(rule, rule.action, _("The debt is disputed (%(form)s, received %(day)s) and "
                                         "the verification has not been sent.")
                    % {"form": _("in writing") if dispute.form == "written" else _("orally"),
                       "day": dispute.received_at.date().isoformat()},
                    form=dispute.form, debt=dispute.debt_id)]


@applies_to("call", "sms", "voicemail", outbound_only=True)
def check_tcpa(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-28: autodialled or prerecorded calls and texts to a mobile need the number's prior
    express consent for that technology, not revoked (revocation is honoured at once)."""
    request = ctx.request
    technology = request.dialing
    if technology not in ("autodialer", "prerecorded"):
        return []
    mobile = request.number_type == "mobile" or request.contact_point_kind == "mobile" or (
        request.number_type == "" and rule.params.get("unknown_is_mobile", True))
    if not mobile:
        return []
    if any(c.covers(request.contact_point, technology, ctx.at) for c in request.tcpa_consents):
        return []
    revoked = any(c.contact_point == request.contact_point and c.revoked_at
                  and c.revoked_at <= ctx.at for c in request.tcpa_consents)
    text = (_("The consent to %(technology)s calls to this mobile was revoked.") if revoked
            else _("No prior express consent to %(technology)s calls to this mobile."))
    return [_reason(rule, rule.action, text % {"technology": label(technology)})]
