"""Taking promises, proposing plans, waivers and settlements, and deciding approvals.

Whatever is within the proposer's authority (see :mod:`arrears.arrangements.authority`) takes
effect at once; anything beyond it waits in an :class:`ApprovalRequest` for someone whose
authority covers it, never the proposer. Personalised plans always need approval (CN-13).
Every proposal and decision is audited; waivers reach the ledger as ``waiver`` postings.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.access.policy import require_work
from arrears.arrangements.authority import (
    AUTHORITY_KINDS,
    PLAN_AUTHORITY,
    WAIVER_AUTHORITY,
    Limit,
    authority_for,
)
from arrears.arrangements.models import (
    ApprovalRequest,
    Plan,
    PlanInstalment,
    Promise,
    Waiver,
)
from arrears.audit.services import audit_record
from arrears.compliance import services as compliance_services
from arrears.ledger.models import Posting
from arrears.ledger.selectors import delinquency_as_of, ledgers_for, product_terms
from arrears.ledger.services import (
    PostingRejected,
    PostingRequest,
    interest_stop_open,
    posting_create,
)
from arrears.portfolio.models import Account
from arrears.rules.allocation import Balances, allocate
from arrears.rules.ledger import component_label, fold
from arrears.rules.limits import amount_problem, payment_problem
from arrears.rules.money import format_money
from arrears.rules.plans import PlanError, Schedule, schedule

__all__ = [
    "ArrangementError", "Limit", "Quote", "approval_decide", "approvals_pending_for",
    "authority_for", "plan_propose", "plan_quote", "promise_take", "settlement_propose",
    "waiver_propose", "account_today", "arrangements_evaluate",
]

DEFAULT_PLAN_MONTHLY_RATES = {"instalment": "0.0060", "personalised": "0.0050"}
OPEN_PLAN_STATUSES = (Plan.Status.PENDING_APPROVAL, Plan.Status.ACTIVE)


class ArrangementError(Exception):
    """An arrangement that cannot be made as asked; ``message`` says why, for the user."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Quote:
    """A plan as the calculator shows it before the collector offers it."""

    account_id: int
    kind: str
    months: int
    start_date: date
    balance_minor: int
    principal_minor: int
    interest_minor: int
    fees_minor: int
    monthly_rate: Decimal
    waive_interest: bool
    down_payment_minor: int
    schedule: Schedule
    authority_kind: str
    always_needs_approval: bool


# --- helpers ---------------------------------------------------------------------------------

def account_zone(account: Account) -> ZoneInfo:
    zone = account.cardholder.time_zone or account.product.time_zone
    return ZoneInfo(zone or "Asia/Shanghai")


def account_today(account: Account, now: datetime | None = None) -> date:
    """Today's date where the cardholder lives: dates of arrangements are the debtor's."""
    return (now or timezone.now()).astimezone(account_zone(account)).date()


def end_of_day(account: Account, day: date) -> datetime:
    """The last moment of ``day`` in the cardholder's time zone, as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time.min, account_zone(account))


def balances_on(account: Account, day: date) -> Balances:
    terms = product_terms(account.product)
    return fold(ledgers_for([account.pk])[account.pk].entries, terms.allocation_order,
                through=day).balances


def past_due_parts(account: Account, day: date) -> Balances:
    """The past-due amount split over the components in the product's repayment order."""
    terms = product_terms(account.product)
    ledger = ledgers_for([account.pk])[account.pk]
    balances = fold(ledger.entries, terms.allocation_order, through=day).balances
    past_due = min(delinquency_as_of(ledger, day, terms).past_due_amount, balances.total)
    parts = allocate(past_due, balances, terms.allocation_order)
    return Balances(**{c: parts.get(c, 0) for c in ("principal", "interest", "fees")})


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _audit(actor, action: str, account: Account, **details) -> None:
    audit_record(actor=actor, action=action, object_type="account",
                 object_id=account.external_id, details=details, system="arrangements")


def _compliance():
    return compliance_services


def _hold_place(account: Account, kind: str, *, until: datetime | None, actor, reference: str):
    _compliance().hold_place(account, kind, until=until, actor=actor, reference=reference)


def _hold_release(account: Account, kind: str, *, actor, reference: str) -> None:
    _compliance().hold_release(account, kind, actor=actor, reference=reference)


def _setting(name: str, default):
    return getattr(settings, name, default)


def _money(account: Account, minor: int) -> str:
    return format_money(minor, account.product.currency)


def _refuse_beyond_what_is_owed(account: Account, amount_minor: int, owed_minor: int,
                                what: str) -> None:
    """An amount to be paid may exceed what is owed only by the product's overpayment margin."""
    limits, currency = account.product.limits, account.product.currency
    problem = (amount_problem(amount_minor, limits, currency)
               or payment_problem(amount_minor, owed_minor, limits, currency, what=what))
    if problem is not None:
        raise ArrangementError(problem.message, problem.code)


# --- promises --------------------------------------------------------------------------------

def promise_take(
    account: Account, *, amount_minor: int, due_date: date, actor, note: str = "",
    grace_days: int | None = None, now: datetime | None = None,
) -> Promise:
    """Record a promise to pay; it replaces a pending one and holds collection until it is due."""
    require_work(actor, account)
    today = account_today(account, now)
    max_days = _setting("ARREARS_PROMISE_MAX_DAYS", 30)
    if amount_minor <= 0:
        raise ArrangementError(_("A promise must be for an amount greater than zero."))
    if due_date < today:
        raise ArrangementError(_("A promise cannot be due in the past (%(date)s).")
                               % {"date": due_date})
    if due_date > today + timedelta(days=max_days):
        raise ArrangementError(_("A promise may be due at most %(days)d days ahead.")
                               % {"days": max_days})
    _refuse_beyond_what_is_owed(account, amount_minor, balances_on(account, today).total,
                                _("A promise"))
    grace = _setting("ARREARS_PROMISE_GRACE_DAYS", 2) if grace_days is None else grace_days
    with transaction.atomic():
        replaced = list(Promise.objects.select_for_update()
                        .filter(account=account, status=Promise.Status.PENDING))
        Promise.objects.filter(pk__in=[p.pk for p in replaced]).update(
            status=Promise.Status.CANCELLED, evaluated_on=today)
        promise = Promise.objects.create(
            account=account, amount_minor=amount_minor, due_date=due_date, grace_days=grace,
            taken_by=_user(actor), taken_at=now or timezone.now(), note=note,
        )
        _hold_place(account, "promise", until=end_of_day(account, due_date + timedelta(grace)),
                    actor=actor, reference=f"promise:{promise.pk}")
        _audit(actor, "promise_take", account, promise=promise.pk, amount_minor=amount_minor,
               due_date=due_date.isoformat(), replaces=[p.pk for p in replaced])
    return promise


# --- plans -----------------------------------------------------------------------------------

def plan_monthly_rate(account: Account, kind: str) -> Decimal:
    """The plan's monthly rate: a setting per kind; an extension keeps the card's interest."""
    if kind == "extension":
        return account.product.daily_interest_rate * 30
    rates = {**DEFAULT_PLAN_MONTHLY_RATES, **_setting("ARREARS_PLAN_MONTHLY_RATES", {})}
    return Decimal(str(rates.get(kind, "0")))


def plan_quote(
    account: Account, *, kind: str, months: int, waive_interest: bool = False,
    down_payment_minor: int = 0, start_date: date | None = None,
) -> Quote:
    """The schedule and cost of a plan on the account's balance today; writes nothing."""
    start = start_date or account_today(account)
    balances = balances_on(account, start)
    parts = past_due_parts(account, start) if kind == "extension" else balances
    if parts.total <= 0:
        raise ArrangementError(
            _("There is nothing to put in a plan: the amount owed is zero.")
            if kind != "extension" else _("There is no past-due amount to defer."))
    rate = plan_monthly_rate(account, kind)
    try:
        plan_schedule = schedule(kind, parts.principal, parts.interest, parts.fees, months,
                                 start, monthly_rate=rate, waive_interest=waive_interest,
                                 down_payment_minor=down_payment_minor)
    except PlanError as error:
        raise ArrangementError(str(error), "plan_rules") from None
    return Quote(
        account_id=account.pk, kind=kind, months=months, start_date=start,
        balance_minor=balances.total, principal_minor=parts.principal,
        interest_minor=parts.interest, fees_minor=parts.fees, monthly_rate=rate,
        waive_interest=waive_interest, down_payment_minor=down_payment_minor,
        schedule=plan_schedule, authority_kind=PLAN_AUTHORITY[kind],
        always_needs_approval=kind == "personalised",
    )


def _approval_create(*, subject_type: str, subject_id: int, authority_kind: str,
                     account: Account, amount_minor: int, balance_minor: int,
                     months: int | None, reason: str, actor) -> ApprovalRequest:
    """``reason`` is an ``ApprovalRequest.Reason`` code: the words are rendered when the
    request is shown, in the reader's language."""
    request = ApprovalRequest.objects.create(
        subject_type=subject_type, subject_id=subject_id, authority_kind=authority_kind,
        account=account, amount_minor=amount_minor, balance_minor=balance_minor, months=months,
        reason_code=reason, requested_by=_user(actor), requested_at=timezone.now(),
    )
    _audit(actor, "approval_request", account, request=request.pk, what=subject_type,
           id=subject_id, authority=authority_kind, amount_minor=amount_minor, months=months)
    return request


def plan_activate(plan: Plan, *, actor, on: date) -> None:
    """Make a plan current; a personalised plan stops collection while it is (CN-13)."""
    plan.status = Plan.Status.ACTIVE
    plan.activated_on = on
    plan.save(update_fields=["status", "activated_on", "approved_by"])
    if plan.kind == Plan.Kind.PERSONALISED:
        _hold_place(plan.account, "plan", until=None, actor=actor, reference=f"plan:{plan.pk}")
        if plan.waive_interest:
            interest_stop_open(account=plan.account, first_day=on, reference=f"plan:{plan.pk}")
    _audit(actor, "plan_activate", plan.account, plan=plan.pk, kind=plan.kind,
           months=plan.months)


def plan_propose(
    account: Account, *, kind: str, months: int, actor, waive_interest: bool = False,
    down_payment_minor: int = 0, start_date: date | None = None, recording_ref: str = "",
    note: str = "",
) -> Plan:
    """Propose a plan: active at once within the actor's authority, else awaiting approval."""
    require_work(actor, account)
    quote = plan_quote(account, kind=kind, months=months, waive_interest=waive_interest,
                       down_payment_minor=down_payment_minor, start_date=start_date)
    limit = authority_for(actor, quote.authority_kind)
    within = (not quote.always_needs_approval
              and limit.covers(amount_minor=quote.schedule.financed_minor,
                               balance_minor=quote.balance_minor, months=months))
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        if Plan.objects.filter(account=account, status__in=OPEN_PLAN_STATUSES).exists():
            raise ArrangementError(
                _("The account already has a plan that is active or awaiting approval."),
                "plan_exists")
        plan = Plan.objects.create(
            account=account, kind=kind, months=months, principal_minor=quote.principal_minor,
            interest_minor=quote.interest_minor, fees_minor=quote.fees_minor,
            monthly_rate=quote.monthly_rate, waive_interest=waive_interest,
            down_payment_minor=down_payment_minor, start_date=quote.start_date,
            total_minor=quote.schedule.total_minor, cost_minor=quote.schedule.cost_minor,
            apr=quote.schedule.apr, status=Plan.Status.PENDING_APPROVAL,
            breach_days=_setting("ARREARS_PLAN_BREACH_DAYS", 30), recording_ref=recording_ref,
            note=note, proposed_by=_user(actor), proposed_at=timezone.now(),
        )
        PlanInstalment.objects.bulk_create([
            PlanInstalment(plan=plan, seq=i.seq, due_date=i.due_date,
                           principal_minor=i.principal_minor, charge_minor=i.charge_minor,
                           amount_minor=i.amount_minor)
            for i in quote.schedule.instalments
        ])
        _audit(actor, "plan_propose", account, plan=plan.pk, kind=kind, months=months,
               total_minor=plan.total_minor, cost_minor=plan.cost_minor, apr=str(plan.apr),
               within_authority=within)
        if within:
            plan_activate(plan, actor=actor, on=quote.start_date)
        else:
            reason = (ApprovalRequest.Reason.PERSONALISED_PLAN if quote.always_needs_approval
                      else ApprovalRequest.Reason.BEYOND_AUTHORITY)
            _approval_create(subject_type="plan", subject_id=plan.pk,
                             authority_kind=quote.authority_kind, account=account,
                             amount_minor=quote.schedule.financed_minor,
                             balance_minor=quote.balance_minor, months=months, reason=reason,
                             actor=actor)
    return plan


# --- waivers and settlements -----------------------------------------------------------------

def waiver_apply(waiver: Waiver, *, actor, on: date, source: str = "web") -> None:
    """Post the waiver to the ledger: one posting per component, never more than is owed."""
    balances = balances_on(waiver.account, on)
    if waiver.kind == Waiver.Kind.SETTLEMENT:
        parts = allocate(min(waiver.amount_minor, balances.total), balances,
                         ("interest", "fees", "principal"))
    else:
        component = "fees" if waiver.kind == Waiver.Kind.FEE else "interest"
        parts = {component: min(waiver.amount_minor, balances.get(component))}
    for component, amount in parts.items():
        if amount <= 0:
            continue
        # No words in the posting: its kind, component and reference (the waiver's id) say
        # what it is, in every reader's language.
        request = PostingRequest(
            waiver.account, f"WVR-{waiver.pk}-{component}", Posting.Kind.WAIVER, amount, on, on,
            component=component,
        )
        posting_create(request=request, actor=actor, source=source)
    waiver.status = Waiver.Status.APPLIED
    waiver.applied_on = on
    waiver.save(update_fields=["status", "applied_on", "approved_by"])
    _audit(actor, "waiver_apply", waiver.account, waiver=waiver.pk, kind=waiver.kind,
           posted={c: a for c, a in parts.items() if a > 0})


def _waiver_create(account: Account, *, kind: str, amount_minor: int, balance_minor: int,
                   actor, note: str, settle_for_minor=None,
                   due_date=None) -> tuple[Waiver, bool]:
    """The waiver, and whether it is within the actor's authority (else a request waits)."""
    authority_kind = WAIVER_AUTHORITY[kind]
    within = authority_for(actor, authority_kind).covers(
        amount_minor=amount_minor, balance_minor=balance_minor)
    waiver = Waiver.objects.create(
        account=account, kind=kind, amount_minor=amount_minor, balance_minor=balance_minor,
        settle_for_minor=settle_for_minor, due_date=due_date, note=note,
        status=Waiver.Status.PENDING_APPROVAL, proposed_by=_user(actor),
        proposed_at=timezone.now(),
    )
    _audit(actor, f"{'settlement' if kind == 'settlement' else 'waiver'}_propose", account,
           waiver=waiver.pk, kind=kind, amount_minor=amount_minor,
           settle_for_minor=settle_for_minor, within_authority=within)
    if not within:
        _approval_create(subject_type="settlement" if kind == "settlement" else "waiver",
                         subject_id=waiver.pk, authority_kind=authority_kind, account=account,
                         amount_minor=amount_minor, balance_minor=balance_minor, months=None,
                         reason=ApprovalRequest.Reason.BEYOND_AUTHORITY, actor=actor)
    return waiver, within


def waiver_propose(account: Account, *, kind: str, amount_minor: int, actor,
                   note: str = "") -> Waiver:
    """Waive fees or interest (减免): posted at once within authority, else sent for approval."""
    require_work(actor, account)
    if kind not in (Waiver.Kind.FEE, Waiver.Kind.INTEREST):
        raise ArrangementError(_("A waiver is of fees or of interest; settlements are "
                                 "proposed as settlements."))
    today = account_today(account)
    balances = balances_on(account, today)
    component = "fees" if kind == Waiver.Kind.FEE else "interest"
    if amount_minor <= 0:
        raise ArrangementError(_("A waiver must be for an amount greater than zero."))
    if amount_minor > balances.get(component):
        raise ArrangementError(
            _("The waiver (%(amount)s) is more than the %(component)s owed (%(owed)s).")
            % {"amount": _money(account, amount_minor), "component": component_label(component),
               "owed": _money(account, max(balances.get(component), 0))}, "too_much")
    with transaction.atomic():
        waiver, within = _waiver_create(account, kind=kind, amount_minor=amount_minor,
                                        balance_minor=balances.total, actor=actor, note=note)
        if within:
            waiver_apply(waiver, actor=actor, on=today)
    return waiver


def settlement_propose(account: Account, *, settle_for_minor: int, due_date: date, actor,
                       note: str = "") -> Waiver:
    """Settle the debt for less: once ``settle_for_minor`` is paid by ``due_date`` the nightly
    evaluation waives the rest; the discount needs authority or approval."""
    require_work(actor, account)
    today = account_today(account)
    balances = balances_on(account, today)
    if not 0 < settle_for_minor < balances.total:
        raise ArrangementError(
            _("A settlement amount must be more than zero and less than the balance "
              "(%(balance)s).") % {"balance": _money(account, max(balances.total, 0))},
            "invalid_amount")
    if due_date < today:
        raise ArrangementError(_("A settlement cannot be due in the past (%(date)s).")
                               % {"date": due_date})
    with transaction.atomic():
        waiver, within = _waiver_create(
            account, kind=Waiver.Kind.SETTLEMENT, amount_minor=balances.total - settle_for_minor,
            balance_minor=balances.total, actor=actor, note=note,
            settle_for_minor=settle_for_minor, due_date=due_date)
        if within:
            waiver.status = Waiver.Status.APPROVED
            waiver.save(update_fields=["status"])
    return waiver


# --- approvals -------------------------------------------------------------------------------

def _covers(limit: Limit, request: ApprovalRequest) -> bool:
    return limit.covers(amount_minor=request.amount_minor,
                        balance_minor=request.balance_minor, months=request.months)


def approval_decide(request: ApprovalRequest, *, actor, approve: bool,
                    note: str = "") -> ApprovalRequest:
    """Approve or reject a request; only someone whose authority covers it, not the proposer."""
    require_work(actor, request.account)
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().select_related(
            "account__product", "account__cardholder").get(pk=request.pk)
        if request.status != ApprovalRequest.Status.PENDING:
            raise ArrangementError(_("This request has already been decided."), "decided")
        if _user(actor) is None:
            raise ArrangementError(_("Only a signed-in user can decide a request."),
                                   "forbidden")
        if request.requested_by_id == actor.pk:
            raise ArrangementError(_("Nobody may approve or reject their own request."),
                                   "self_approval")
        if not _covers(authority_for(actor, request.authority_kind), request):
            raise ArrangementError(_("This request is beyond your authority."), "forbidden")
        today = account_today(request.account)
        request.status = (ApprovalRequest.Status.APPROVED if approve
                          else ApprovalRequest.Status.REJECTED)
        request.decided_by, request.decided_at, request.note = actor, timezone.now(), note
        request.save(update_fields=["status", "decided_by", "decided_at", "note"])
        if request.subject_type == ApprovalRequest.Subject.PLAN:
            _plan_decided(request, actor, approve, today)
        else:
            _waiver_decided(request, actor, approve, today)
        _audit(actor, "approval_decide", request.account, request=request.pk,
               what=request.subject_type, id=request.subject_id, approve=approve, note=note)
    return request


def _plan_decided(request: ApprovalRequest, actor, approve: bool, today: date) -> None:
    plan = Plan.objects.select_for_update().select_related(
        "account__product", "account__cardholder").get(pk=request.subject_id)
    if plan.status != Plan.Status.PENDING_APPROVAL:
        raise ArrangementError(_("The plan is no longer awaiting approval."), "decided")
    plan.approved_by = actor if approve else None
    if approve:
        plan_activate(plan, actor=actor, on=max(today, plan.start_date))
    else:
        plan.status, plan.closed_on = Plan.Status.REJECTED, today
        plan.save(update_fields=["status", "closed_on"])


def _waiver_decided(request: ApprovalRequest, actor, approve: bool, today: date) -> None:
    waiver = Waiver.objects.select_for_update().select_related(
        "account__product").get(pk=request.subject_id)
    if waiver.status != Waiver.Status.PENDING_APPROVAL:
        raise ArrangementError(_("The waiver is no longer awaiting approval."), "decided")
    if not approve:
        waiver.status = Waiver.Status.REJECTED
        waiver.save(update_fields=["status"])
        return
    waiver.approved_by = actor
    if waiver.kind == Waiver.Kind.SETTLEMENT:
        waiver.status = Waiver.Status.APPROVED
        waiver.save(update_fields=["status", "approved_by"])
        return
    try:
        waiver_apply(waiver, actor=actor, on=today)
    except PostingRejected as error:
        raise ArrangementError(error.message, "ledger") from None


def approvals_pending_for(user) -> QuerySet:
    """Pending requests this user may decide: within one of their limits, not their own."""
    if _user(user) is None:
        return ApprovalRequest.objects.none()
    allowed = Q(pk__in=[])
    for kind in AUTHORITY_KINDS:
        for rule in authority_for(user, kind).rules:
            condition = Q(authority_kind=kind)
            if rule.max_amount_minor is not None:
                condition &= Q(amount_minor__lte=rule.max_amount_minor)
            if rule.max_months is not None:
                condition &= Q(months__isnull=True) | Q(months__lte=rule.max_months)
            if rule.max_share_of_balance is not None:
                basis_points = int(rule.max_share_of_balance * 10_000)
                condition &= Q(amount_minor__lte=F("balance_minor") * basis_points / 10_000)
            allowed |= condition
    return (ApprovalRequest.objects.filter(allowed, status=ApprovalRequest.Status.PENDING)
            .exclude(requested_by=user).select_related("account", "requested_by")
            .order_by("requested_at"))


def arrangements_evaluate(as_of: date, *, actor=None):
    """The nightly evaluation; see :mod:`arrears.arrangements.evaluation`."""
    from arrears.arrangements.evaluation import arrangements_evaluate as evaluate

    return evaluate(as_of, actor=actor)
