"""The nightly look at every open arrangement, from the payments in the ledger.

- Promises: kept, partly kept or broken (:mod:`arrears.rules.promises`); a closed promise
  releases the compliance hold "promise". Late payments on recently closed promises are
  reported as ``paid_late_minor``.
- Plans: payments posted from the start date pay the instalments in order; an instalment
  still unpaid ``breach_days`` after its due date breaches the plan (COMPLIANCE.md case 20d),
  the last one paid completes it; both release the hold "plan". Instalment plans charge their
  monthly fee on each due date (an ``adjustment`` of fees). A personalised plan with interest
  stopped accrues none from its activation to its close (``ledger.InterestStop``: the cycle
  posts no interest on those days, so nothing has to be waived).
- Settlements: once the settle-for amount is paid by the due date (plus grace), the rest of the
  balance is waived; otherwise the settlement is broken.
- Reminders: three days (``ARREARS_REMINDER_DAYS_BEFORE``) before a promise or an unpaid
  instalment is due, a reminder goes to the outbox, once per promise or instalment.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from arrears.arrangements.models import Plan, PlanInstalment, Promise, Waiver
from arrears.arrangements.reminders import ReminderNotQueued, reminder_send
from arrears.arrangements.services import (
    _hold_release,
    account_zone,
    waiver_apply,
)
from arrears.audit.services import audit_record
from arrears.ledger.models import Posting
from arrears.ledger.selectors import ledgers_for
from arrears.ledger.services import PostingRequest, interest_stop_close, posting_create
from arrears.rules.ledger import payments_net_of_reversals
from arrears.rules.promises import promise_evaluation

logger = logging.getLogger(__name__)
EVALUATE_CHUNK = 2000
LATE_PAYMENT_WATCH_DAYS = 60


@dataclass
class EvaluateReport:
    as_of: date
    promises: Counter = field(default_factory=Counter)
    plans: Counter = field(default_factory=Counter)
    instalments_paid: int = 0
    settlements: Counter = field(default_factory=Counter)
    reminders: int = 0
    reminder_errors: Counter = field(default_factory=Counter)
    ledger_postings: int = 0

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "promises": dict(self.promises),
                "plans": dict(self.plans), "instalments_paid": self.instalments_paid,
                "settlements": dict(self.settlements), "reminders": self.reminders,
                "reminder_errors": dict(self.reminder_errors),
                "ledger_postings": self.ledger_postings}


def _setting(name: str, default):
    return getattr(settings, name, default)


def _reminder(account, *, template_code: str, key: str, extra: dict,
              report: EvaluateReport) -> None:
    """Queue one reminder; a missing or broken template is counted, not fatal to the night."""
    try:
        reminder_send(account, channel=_setting("ARREARS_REMINDER_CHANNEL", "sms"),
                      template_code=template_code, purpose="reminder", idempotency_key=key,
                      extra=extra)
    except ReminderNotQueued as error:
        report.reminder_errors[template_code] += 1
        logger.warning("reminder %s not queued: %s", key, error)
    else:
        report.reminders += 1


def _reminder_due(due_date: date, as_of: date) -> bool:
    return as_of < due_date <= as_of + timedelta(days=_setting("ARREARS_REMINDER_DAYS_BEFORE", 3))


def _payments(ledger, as_of: date) -> list[tuple[date, int]]:
    return payments_net_of_reversals(ledger.entries, as_of + timedelta(days=1))


# --- promises --------------------------------------------------------------------------------

def _evaluate_promise(promise: Promise, payments, as_of: date, report: EvaluateReport) -> None:
    taken_on = promise.taken_at.astimezone(account_zone(promise.account)).date()
    result = promise_evaluation(promise.amount_minor, promise.due_date, payments,
                                promise.grace_days, as_of=as_of, taken_on=taken_on)
    was_pending = promise.status == Promise.Status.PENDING
    promise.status, promise.paid_minor = result.status, result.paid_minor
    promise.paid_late_minor, promise.evaluated_on = result.paid_late_minor, as_of
    promise.save(update_fields=["status", "paid_minor", "paid_late_minor", "evaluated_on"])
    if was_pending and result.status != Promise.Status.PENDING:
        report.promises[result.status] += 1
        _hold_release(promise.account, "promise", actor=None, reference=f"promise:{promise.pk}")
        audit_record(actor=None, action=f"promise_{result.status}", object_type="account",
                     object_id=promise.account.external_id, system="arrangements",
                     details={"promise": promise.pk, "paid_minor": result.paid_minor})
    elif result.status == Promise.Status.PENDING:
        report.promises["pending"] += 1
        if _reminder_due(promise.due_date, as_of):
            _reminder(promise.account, template_code="PROMISE-REMINDER",
                      key=f"reminder:promise:{promise.pk}",
                      extra={"amount_minor": promise.amount_minor,
                             "due_date": promise.due_date.isoformat()}, report=report)


# --- plans -----------------------------------------------------------------------------------

def instalments_paid(instalments: list[PlanInstalment], payments: list[tuple[date, int]],
                     as_of: date) -> None:
    """Pay the instalments in order from the payments; set paid, paid on and status."""
    received = sorted(payments)
    cumulative, index, total = 0, 0, 0
    for instalment in instalments:
        total += instalment.amount_minor
        while cumulative < total and index < len(received):
            cumulative += received[index][1]
            index += 1
        instalment.paid_minor = max(0, min(instalment.amount_minor,
                                           cumulative - (total - instalment.amount_minor)))
        if cumulative >= total:
            instalment.paid_on = received[index - 1][0] if index else instalment.due_date
            instalment.status = (PlanInstalment.Status.PAID
                                 if instalment.paid_on <= instalment.due_date
                                 else PlanInstalment.Status.PAID_LATE)
        else:
            instalment.paid_on = None
            instalment.status = (PlanInstalment.Status.LATE if as_of > instalment.due_date
                                 else PlanInstalment.Status.DUE)


def _post(account, external_id: str, kind: str, amount: int, day: date, component: str,
          reason: str, report: EvaluateReport) -> None:
    request = PostingRequest(account, external_id, kind, amount, day, day, component=component,
                             reason=reason)
    if posting_create(request=request, source=Posting.Source.CYCLE)[1]:
        report.ledger_postings += 1


def _plan_charges(plan: Plan, instalments: list[PlanInstalment], as_of: date,
                  report: EvaluateReport) -> None:
    """Book the plan's own charges: monthly instalment fees (stopped interest is never
    accrued, see ``InterestStop``)."""
    if plan.kind == Plan.Kind.INSTALMENT:
        for instalment in instalments:
            if instalment.charge_minor and instalment.due_date <= as_of:
                _post(plan.account, f"PLNFEE-{plan.pk}-{instalment.seq}", "adjustment",
                      instalment.charge_minor, instalment.due_date, "fees",
                      f"plan {plan.pk} instalment {instalment.seq} fee", report)


def _plan_close(plan: Plan, status: str, as_of: date, report: EvaluateReport) -> None:
    plan.status, plan.closed_on = status, as_of
    plan.save(update_fields=["status", "closed_on"])
    interest_stop_close(reference=f"plan:{plan.pk}", last_day=as_of)
    report.plans[status] += 1
    if plan.kind == Plan.Kind.PERSONALISED:
        _hold_release(plan.account, "plan", actor=None, reference=f"plan:{plan.pk}")
    audit_record(actor=None, action=f"plan_{status}", object_type="account",
                 object_id=plan.account.external_id, system="arrangements",
                 details={"plan": plan.pk})


def _evaluate_plan(plan: Plan, payments, as_of: date, report: EvaluateReport) -> None:
    instalments = list(plan.instalments.order_by("seq"))
    _plan_charges(plan, instalments, as_of, report)
    before = {i.pk: i.status for i in instalments}
    instalments_paid(instalments, [(d, a) for d, a in payments if d >= plan.start_date], as_of)
    PlanInstalment.objects.bulk_update(instalments, ["paid_minor", "paid_on", "status"])
    report.instalments_paid += sum(
        1 for i in instalments
        if i.paid_on and before[i.pk] not in (i.Status.PAID, i.Status.PAID_LATE))
    unpaid = [i for i in instalments if i.paid_on is None]
    if not unpaid:
        _plan_close(plan, Plan.Status.COMPLETED, as_of, report)
    elif (as_of - unpaid[0].due_date).days >= plan.breach_days:
        _plan_close(plan, Plan.Status.BREACHED, as_of, report)
    else:
        report.plans["active"] += 1
        for instalment in unpaid:
            if _reminder_due(instalment.due_date, as_of):
                _reminder(plan.account, template_code="PLAN-REMINDER",
                          key=f"reminder:plan:{plan.pk}:{instalment.seq}",
                          extra={"amount_minor": instalment.amount_minor - instalment.paid_minor,
                                 "due_date": instalment.due_date.isoformat(),
                                 "instalment": instalment.seq}, report=report)


# --- settlements -----------------------------------------------------------------------------

def _evaluate_settlement(waiver: Waiver, payments, as_of: date, report: EvaluateReport) -> None:
    since = waiver.proposed_at.astimezone(account_zone(waiver.account)).date()
    deadline = waiver.due_date + timedelta(days=_setting("ARREARS_PROMISE_GRACE_DAYS", 2))
    paid = sum(a for d, a in payments if since <= d <= min(as_of, deadline))
    if paid >= waiver.settle_for_minor:
        waiver_apply(waiver, actor=None, on=as_of, source=Posting.Source.CYCLE)
        report.settlements["applied"] += 1
    elif as_of > deadline:
        waiver.status = Waiver.Status.BROKEN
        waiver.save(update_fields=["status"])
        report.settlements["broken"] += 1
        audit_record(actor=None, action="settlement_broken", object_type="account",
                     object_id=waiver.account.external_id, system="arrangements",
                     details={"waiver": waiver.pk, "paid_minor": paid})


# --- the run ---------------------------------------------------------------------------------

def _open_arrangements(as_of: date):
    watch_from = as_of - timedelta(days=LATE_PAYMENT_WATCH_DAYS)
    promises = Promise.objects.filter(
        Q(status=Promise.Status.PENDING)
        | Q(status__in=(Promise.Status.BROKEN, Promise.Status.PARTLY_KEPT),
            due_date__gte=watch_from))
    plans = Plan.objects.filter(status=Plan.Status.ACTIVE, start_date__lte=as_of)
    settlements = Waiver.objects.filter(kind=Waiver.Kind.SETTLEMENT,
                                        status=Waiver.Status.APPROVED)
    return promises, plans, settlements


def arrangements_evaluate(as_of: date, *, actor=None) -> EvaluateReport:
    """Judge every open promise, plan and settlement as of ``as_of`` (after the cycle)."""
    report = EvaluateReport(as_of)
    promises, plans, settlements = _open_arrangements(as_of)
    account_ids = sorted(
        set(promises.values_list("account_id", flat=True))
        | set(plans.values_list("account_id", flat=True))
        | set(settlements.values_list("account_id", flat=True)))
    related = ("account__product", "account__cardholder")
    for offset in range(0, len(account_ids), EVALUATE_CHUNK):
        chunk = account_ids[offset:offset + EVALUATE_CHUNK]
        ledgers = ledgers_for(chunk)
        payments = {a: _payments(ledgers[a], as_of) for a in chunk}
        with transaction.atomic():
            for promise in promises.filter(account_id__in=chunk).select_related(*related):
                _evaluate_promise(promise, payments[promise.account_id], as_of, report)
            for plan in plans.filter(account_id__in=chunk).select_related(*related):
                _evaluate_plan(plan, payments[plan.account_id], as_of, report)
            for waiver in settlements.filter(account_id__in=chunk).select_related(*related):
                _evaluate_settlement(waiver, payments[waiver.account_id], as_of, report)
    audit_record(actor=actor, action="arrangements_evaluate", object_type="cycle",
                 object_id=as_of.isoformat(), details=report.as_dict(), system="cycle")
    return report
