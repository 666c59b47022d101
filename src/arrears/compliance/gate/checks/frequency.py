"""How often: unanswered dials per number (CN-06), connected calls per day (CN-07), message
caps (CN-19, US-13), calls per debt in 7 days (US-09) and after a conversation (US-10), with
the calls that do not count (US-12)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.context import Context, _reason, applies_to, cited
from arrears.compliance.gate.request import ConsentState, HistoryItem
from arrears.compliance.gate.vocabulary import (
    BLOCK,
    CHANNELS,
    NOT_CONNECTED_OUTCOMES,
    REQUIRE_NOTE,
    WARN,
    label,
)

if TYPE_CHECKING:
    from arrears.compliance.gate.packs import RuleConfig


def _counted(ctx: Context, item: HistoryItem, channels: Iterable[str]) -> bool:
    return (item.channel in channels and item.counterparty == ctx.request.counterparty
            and item.at <= ctx.at and item.purpose not in ("reminder", "opt_out_confirmation"))


def _counted_channel_and_purpose(request, params) -> bool:
    return (request.channel in params.get("channels", ("call",))
            and request.purpose not in params.get("exempt_purposes", ("reminder",)))


def _daily_cap(ctx: Context, rule: RuleConfig, counts, message: str) -> list[Reason]:
    """Blocks until the debtor's next local day once ``max`` of today's history items that
    ``counts`` picks have happened; ``message`` takes %(count)s and %(max)s."""
    p = rule.params
    today = ctx.local_day(ctx.at)
    count = sum(1 for h in ctx.request.history
                if _counted(ctx, h, p.get("channels", ("call",))) and counts(h)
                and ctx.local_day(h.at) == today)
    if count < p["max"]:
        return []
    return [_reason(rule, rule.action, message % {"count": count, "max": p["max"]},
                    not_before=ctx.day_start(today + timedelta(days=1)), count=count, max=p["max"])]


@applies_to(*CHANNELS, outbound_only=True)
def check_unanswered_per_contact_point(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-06: at most ``max`` unanswered dials a local day to one number of the debtor."""
    request = ctx.request
    if not _counted_channel_and_purpose(request, rule.params) or not request.contact_point:
        return []
    return _daily_cap(
        ctx, rule,
        lambda h: h.contact_point == request.contact_point and not h.conversation,
        _("%(count)s unanswered attempts to this number today (at most %(max)s)."))


@applies_to(*CHANNELS, outbound_only=True)
def check_connected_per_day(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-07: at most ``max`` connected collection calls a local day with the debtor, across
    the bank and all its agencies (the ledger is shared)."""
    if (not _counted_channel_and_purpose(ctx.request, rule.params)
            or ctx.request.counterparty != "debtor"):
        return []
    return _daily_cap(ctx, rule, lambda h: h.conversation,
                      _("%(count)s connected calls with the debtor today (at most %(max)s)."))


@applies_to(*CHANNELS, outbound_only=True)
def check_volume_caps(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """CN-19, US-13: soft (WARN) and hard (BLOCK) caps of messages a local day per channel."""
    caps = rule.params.get("caps", {}).get(ctx.request.channel)
    if not caps or ctx.request.purpose == "opt_out_confirmation":
        return []
    today = ctx.local_day(ctx.at)
    count = sum(1 for h in ctx.request.history
                if _counted(ctx, h, (ctx.request.channel,)) and ctx.local_day(h.at) == today)
    values = {"count": count, "channel": ctx.request.channel}
    words = {"count": count, "channel": label(ctx.request.channel)}
    if count >= caps["hard"]:
        return [_reason(rule, BLOCK, _("%(count)s messages by %(channel)s today: the hard cap "
                                       "is reached.") % words,
                        not_before=ctx.day_start(today + timedelta(days=1)), **values)]
    if count >= caps["soft"]:
        return [_reason(rule, WARN, _("%(count)s messages by %(channel)s today: above the soft "
                                      "cap.") % words, **values)]
    return []


def _debts(ctx: Context, item: HistoryItem, debt: str | None) -> bool:
    return debt is None or not item.debt_ids or debt in item.debt_ids


def _us_counted_call(ctx: Context, item: HistoryItem, p: dict) -> bool:
    return (_counted(ctx, item, p.get("channels", ("call", "voicemail")))
            and item.excluded_reason == ""
            and item.outcome not in NOT_CONNECTED_OUTCOMES)


def _callback_consent(ctx: Context, p: dict) -> ConsentState | None:
    """US-12: a call within 7 local days of the debtor's direct consent does not count."""
    consent = ctx.consent(("callback",))
    if consent is None:
        return None
    days = p.get("consent_days", 7)
    if ctx.local_day(ctx.at) >= ctx.local_day(consent.valid_from) + timedelta(days=days):
        return None
    return consent


def _us_call_applies(ctx: Context, p: dict) -> bool:
    request = ctx.request
    return (request.channel in p.get("channels", ("call", "voicemail"))
            and request.counterparty == "debtor"
            and request.purpose not in p.get("exempt_purposes", ("opt_out_confirmation",)))


def _excluded_by_consent(ctx: Context, rule: RuleConfig) -> list[Reason] | None:
    consent = _callback_consent(ctx, rule.params)
    if consent is None:
        return None
    text = _("Called with the consumer's direct consent (%(reference)s): not counted.") % {
        "reference": consent.reference}
    return [Reason(rule_id, REQUIRE_NOTE, text, rule.source, {"consent": consent.reference})
            for rule_id in (cited(rule), *rule.params.get("consent_rule_ids", ()))]


@applies_to(*CHANNELS, outbound_only=True)
def check_call_frequency_7d(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-09: at most ``max_calls`` calls about one debt in ``days`` consecutive local days;
    a blocked call may go when the rolling window frees a slot."""
    p = rule.params
    if not _us_call_applies(ctx, p):
        return []
    excluded = _excluded_by_consent(ctx, rule)
    if excluded is not None:
        return excluded
    days, limit = p.get("days", 7), p["max_calls"]
    today = ctx.local_day(ctx.at)
    for debt in ctx.request.debt_ids or (None,):
        per_day: dict[date, int] = {}
        for item in ctx.request.history:
            if _us_counted_call(ctx, item, p) and _debts(ctx, item, debt):
                day = ctx.local_day(item.at)
                if today - timedelta(days=days - 1) <= day <= today:
                    per_day[day] = per_day.get(day, 0) + 1
        if sum(per_day.values()) < limit:
            continue
        free = today + timedelta(days=1)
        while sum(n for d, n in per_day.items() if d > free - timedelta(days=days)) >= limit:
            free += timedelta(days=1)
        count = sum(per_day.values())
        return [_reason(rule, rule.action, _("%(count)s calls about this debt in %(days)s "
                                             "consecutive days (the next would be over "
                                             "%(max)s).")
                        % {"count": count, "days": days, "max": limit},
                        not_before=ctx.day_start(free), count=count, debt=debt or "")]
    return []


@applies_to(*CHANNELS, outbound_only=True)
def check_after_conversation(ctx: Context, rule: RuleConfig) -> list[Reason]:
    """US-10: no call about a debt for ``days`` consecutive days after a telephone conversation
    about it (the conversation day is day 1)."""
    p = rule.params
    if not _us_call_applies(ctx, p):
        return []
    excluded = _excluded_by_consent(ctx, rule)
    if excluded is not None:
        return excluded
    days = p.get("days", 7)
    for debt in ctx.request.debt_ids or (None,):
        talks = [ctx.local_day(h.at) for h in ctx.request.history
                 if _us_counted_call(ctx, h, p) and h.conversation and _debts(ctx, h, debt)]
        if not talks:
            continue
        last = max(talks)
        free = last + timedelta(days=days)
        if ctx.local_day(ctx.at) < free:
            return [_reason(rule, rule.action, _("A conversation about this debt on %(day)s: no "
                                                 "calls for %(days)s days.")
                            % {"day": last.isoformat(), "days": days},
                            not_before=ctx.day_start(free), debt=debt or "")]
    return []
