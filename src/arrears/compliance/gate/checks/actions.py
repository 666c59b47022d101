"""Account actions besides contacts: placing an account with a collection agency (CN-14,
CN-15), furnishing a credit bureau (US-24, US-29, CN-21), referring to court or to the police
(CN-20, UK-06)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _reason, applies_to
from arrears.compliance.gate.vocabulary import (
    AGENCY_ASSIGN,
    BLOCK,
    CRA_FURNISH,
    LEGAL_REFERRAL,
    REQUIRE_APPROVAL,
    WARN,
    label,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


@applies_to(AGENCY_ASSIGN)
def check_agency_placement(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-15: only an approved agency, under a contract in force, inspected within
    ``inspection_months`` (12)."""
    agency = ctx.request.agency
    if agency is None:
        return [_reason(rule, BLOCK, _("Name the agency: its status, contract and last "
                                       "inspection decide the placement."))]
    reasons = []
    if agency.status not in rule.params.get("statuses", ("approved",)):
        reasons.append(_reason(rule, rule.action, _("The agency is %(status)s, not on the "
                                                    "approved list.")
                               % {"status": agency.status}, agency=agency.id))
    today = ctx.today
    if agency.contract_from is None or agency.contract_from > today or (
            agency.contract_until is not None and agency.contract_until < today):
        reasons.append(_reason(rule, rule.action, _("The agency's contract is not in force on "
                                                    "%(day)s.") % {"day": today.isoformat()},
                               agency=agency.id))
    months = rule.params.get("inspection_months", 12)
    if agency.last_inspection_on is None or agency.last_inspection_on < _months_before(
            today, months):
        reasons.append(_reason(rule, rule.action, _("The agency has not been inspected in the "
                                                    "last %(months)s months.")
                               % {"months": months}, agency=agency.id))
    return reasons


@applies_to(AGENCY_ASSIGN)
def check_entrustment_notice(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-14: the debtor is told of the entrustment before the account is handed over."""
    sent = ctx.request.entrustment_notice_sent_at
    days = rule.params.get("min_days_before", 0)
    if sent is None or sent > ctx.at:
        return [_reason(rule, rule.action, _("Tell the debtor about the entrustment before "
                                             "placing the account with an agency."))]
    ready = sent + timedelta(days=days)
    if ready > ctx.at:
        return [_reason(rule, rule.action, _("The entrustment notice was sent on %(day)s: the "
                                             "placement waits %(days)s days.")
                        % {"day": sent.date().isoformat(), "days": days}, not_before=ready)]
    return []


@applies_to(CRA_FURNISH)
def check_furnish_after_contact(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-24: furnish only after speaking with the consumer, or after a letter or electronic
    message and ``wait_days`` (14) with no notice that it was undeliverable."""
    request = ctx.request
    if ctx.conversations():
        return []
    days = rule.params.get("wait_days", 14)
    sent = request.letter_sent_at
    if sent is None or sent > ctx.at:
        return [_reason(rule, rule.action, _("Speak with the consumer or send a letter first: "
                                             "nothing may be furnished before."))]
    if request.undeliverable_at and request.undeliverable_at >= sent:
        return [_reason(rule, rule.action, _("The letter of %(day)s came back undeliverable.")
                        % {"day": sent.date().isoformat()})]
    ready = sent + timedelta(days=days)
    if ready > ctx.at:
        return [_reason(rule, rule.action, _("The letter was sent on %(day)s: wait %(days)s days "
                                             "for an undeliverable notice before furnishing.")
                        % {"day": sent.date().isoformat(), "days": days}, not_before=ready)]
    return []


@applies_to(CRA_FURNISH)
def check_furnishing(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-29, CN-21: a disputed debt is reported as disputed (``mark_disputes``); negative
    information needs a notice to the person before (``notice_within_days`` 0: a block) or
    within that many days after (a warning to send it); a collection item older than
    ``obsolete_after_days`` from the start of the delinquency is no longer reported."""
    p = rule.params
    furnishing = ctx.request.furnishing
    reasons = []
    disputed = ctx.open_disputes(("written", "oral")) or ctx.holds_active("dispute")
    if p.get("mark_disputes", True) and disputed and (
            furnishing is None or not furnishing.marks_disputed):
        reasons.append(_reason(rule, rule.action, _("The debt is disputed: the report must "
                                                    "show it as disputed.")))
    obsolete_days = p.get("obsolete_after_days")
    if furnishing and furnishing.delinquency_since and obsolete_days is not None:
        obsolete = furnishing.delinquency_since + timedelta(days=obsolete_days)
        if obsolete <= ctx.today:
            reasons.append(_reason(rule, rule.action, _("The item is obsolete since %(day)s: it "
                                                        "may no longer be reported.")
                                   % {"day": obsolete.isoformat()}))
    reasons.extend(_negative_notice(ctx, rule))
    return reasons


def _negative_notice(ctx: Context, rule: RuleConfig) -> list[Reason]:
    days = rule.params.get("notice_within_days")
    furnishing = ctx.request.furnishing
    sent = ctx.request.negative_notice_sent_at
    if days is None or (furnishing is not None and not furnishing.negative) or (
            sent is not None and sent <= ctx.at):
        return []
    if days:
        return [_reason(rule, WARN, _("Send the negative-information notice within %(days)s "
                                      "days of furnishing.") % {"days": days})]
    return [_reason(rule, rule.action, _("Tell the person before furnishing negative "
                                         "information."))]


@applies_to(LEGAL_REFERRAL)
def check_criminal_referral(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-20: a malicious-overdraft referral needs two effective collections at least
    ``min_days_between`` (30) apart, ``months_after`` (3) months since the second, and unpaid
    principal of at least ``min_principal_minor``; then Legal approves."""
    request = ctx.request
    if request.referral_kind != "criminal":
        return []
    p = rule.params
    problems = []
    minimum = p.get("min_principal_minor", 5_000_000)
    if request.principal_outstanding_minor < minimum:
        problems.append(_("the unpaid principal is below the threshold"))
    pairs = _effective_pair(request.effective_collections, p.get("min_days_between", 30))
    if pairs is None:
        problems.append(_("there are not two effective collections %(days)s days apart")
                        % {"days": p.get("min_days_between", 30)})
    elif pairs.date() > _months_before(ctx.today, p.get("months_after", 3)):
        problems.append(_("%(months)s months have not passed since the second effective "
                          "collection") % {"months": p.get("months_after", 3)})
    if problems:
        return [_reason(rule, BLOCK, _("No criminal referral: %(problems)s.")
                        % {"problems": "; ".join(problems)})]
    return [_reason(rule, rule.action, _("A criminal referral needs Legal's approval of the "
                                         "evidence pack."))]


def _effective_pair(moments, days: int):
    """The second of the earliest two effective collections ``days`` apart, or None."""
    for index, first in enumerate(moments):
        for second in moments[index + 1:]:
            if second - first >= timedelta(days=days):
                return second
    return None


@applies_to(LEGAL_REFERRAL)
def check_referral_approval(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """UK-06 (statutory demands) and the like: referrals of ``kinds`` need an approval."""
    if ctx.request.referral_kind not in rule.params.get("kinds", ("statutory_demand",)):
        return []
    return [_reason(rule, rule.action if rule.action != BLOCK else REQUIRE_APPROVAL,
                    _("A %(kind)s needs Legal's approval.")
                    % {"kind": label(ctx.request.referral_kind)})]
