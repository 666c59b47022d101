"""The collector's workbench (/work/): the queue, the one-screen account view and its actions.

Every view finds its account through the access policy (:mod:`arrears.access`): a user who
edits a URL to an account outside their work gets a 404, on GET and POST; a role that may read
an account but not work it (the oversight roles) sees the screen without its forms, and any
POST it makes is refused with 403.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.access import policy
from arrears.access.web import account_readable_or_404, account_workable_or_403, area_required
from arrears.arrangements.services import (
    ArrangementError,
    plan_propose,
    plan_quote,
    waiver_propose,
)
from arrears.charts import aging_chart
from arrears.compliance.services import gate_ask
from arrears.dialer.selectors import visits_of_collector
from arrears.lists import Column, Filter, ListSpec, Money, list_respond
from arrears.portfolio.masking import mask_address, mask_name
from arrears.portfolio.models import Account, ContactPoint, ThirdPartyContact
from arrears.rules.aging import BUCKET_CODES
from arrears.workbench import screen
from arrears.workbench.forms import NoteForm, OutcomeForm, PlanForm, WaiverForm
from arrears.workbench.labels import TREATMENT_LABELS, treatment_label
from arrears.workbench.models import OutcomeKind
from arrears.workbench.selectors import decision_run_latest
from arrears.workbench.services import PromiseTerms, WorkRejected, note_add, outcome_record

QUEUE_LIST = ListSpec(
    name=policy.QUEUE_LIST,
    title=gettext_lazy("Today's work"),
    columns=(
        Column("rank", "#", lambda e, v: e.rank, sort="rank", numeric=True),
        Column("account", gettext_lazy("Account"), lambda e, v: e.account.external_id,
               sort="account__external_id",
               link=lambda e: reverse("work:account", args=[e.account_id])),
        Column("bucket", gettext_lazy("Bucket"), lambda e, v: e.bucket,
               sort="account__position__bucket"),
        Column("dpd", gettext_lazy("DPD"), lambda e, v: e.days_past_due,
               sort="account__position__days_past_due", numeric=True),
        Column("balance", gettext_lazy("Balance"),
               lambda e, v: Money(e.balance_minor, e.account.product.currency), numeric=True),
        Column("recovery", gettext_lazy("Expected recovery"),
               lambda e, v: Money(e.expected_recovery_minor, e.account.product.currency),
               sort="expected_recovery_minor", numeric=True),
        Column("treatment", gettext_lazy("Treatment"), lambda e, v: treatment_label(e.treatment),
               sort="treatment"),
        Column("last_outcome", gettext_lazy("Last outcome"), lambda e, v: e.last_outcome),
        Column("next_action", gettext_lazy("Next action"), lambda e, v: e.next_action_on,
               sort="account__work__next_action_on"),
    ),
    filters=(
        Filter("bucket", gettext_lazy("Bucket"),
               lambda rows, value: rows.filter(account__position__bucket=value),
               choices=lambda: [(code, code) for code in BUCKET_CODES], kind="choice"),
        Filter("treatment", gettext_lazy("Treatment"),
               lambda rows, value: rows.filter(treatment=value),
               choices=lambda: [(code, treatment_label(code)) for code in TREATMENT_LABELS],
               kind="choice"),
        Filter("account", gettext_lazy("Account"),
               lambda rows, value: rows.filter(account__external_id=value)),
    ),
    default_sort="-recovery",
    page_size=50,
    table_id="work-queue",
    table_class="work-queue",
    table_attributes=(("data-keys", "rows"),),
    row_attributes=lambda e: {"data-account": e.account.external_id,
                              "data-href": reverse("work:account", args=[e.account_id])},
)


@area_required(policy.WORK)
def work_queue(request: HttpRequest) -> HttpResponse:
    """Today's work: the accounts of the user's queue, and the field visits they go on."""
    run = decision_run_latest()
    level = policy.masking_level(request.user)
    listing, export = list_respond(
        request, QUEUE_LIST, screen.queue_entries(user=request.user, run=run),
        prepare=lambda rows, view: screen.queue_rows_prepare(rows))
    if export is not None:
        return export
    visits = [
        {"item": item, "name": mask_name(item.visit.account.cardholder.name, level),
         "area": mask_address(item.visit.address, level)}
        for item in visits_of_collector(request.user)
    ]
    return render(
        request,
        "workbench/work_queue.html",
        {"run": run, "entries": listing.page.paginator.count, "list": listing,
         "visits": visits},
    )


def _account_context(request: HttpRequest, account: Account, **extra) -> dict:
    level = screen.masking_level(request.user)
    summary = screen.balances(account)
    contacts, third_parties = screen.contact_lines(account, level)
    run = decision_run_latest()
    decision = screen.decision_last_night(account, run)
    promises, plans, waivers = screen.arrangements(account)
    letters, outbox = screen.letters_and_messages(account)
    previous_id, next_id = screen.queue_neighbours(user=request.user, account=account, run=run)
    currency = account.product.currency
    name = screen.masking.mask_name(account.cardholder.name, level)
    context = {
        "account": account,
        "currency": currency,
        "cardholder_name": name,
        "masked": level != "full",
        "summary": summary,
        "money": screen.money(summary),
        "aging": aging_chart(screen.bucket_history(account), screen.today_for(account)),
        "statements": screen.statements(account),
        "payments": screen.payments(account),
        "contacts": contacts,
        "third_parties": third_parties,
        "notes": screen.notes(account),
        "outcomes": screen.outcomes(account),
        "promises": promises,
        "plans": plans,
        "waivers": waivers,
        "holds": screen.holds(account),
        "self_service": screen.self_service_activity(account),
        "letters": letters,
        "outbox": outbox,
        "decision": decision,
        "script": screen.script_for(account, decision, translation.get_language(), level),
        "previous_id": previous_id,
        "next_id": next_id,
        "outcome_kinds": OutcomeKind.choices,
        "outcome_form": OutcomeForm(currency=currency),
        "note_form": NoteForm(),
        "plan_form": PlanForm(currency=currency),
        "waiver_form": WaiverForm(currency=currency),
        "today": screen.today_for(account),
        "may_work": policy.may_work_account(request.user, account),
    }
    context.update(extra)
    return context


@area_required(policy.WORK)
def work_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_readable_or_404(request.user, pk=pk)
    extra = {}
    if "kind" in request.GET:
        extra = _plan_quote_context(
            account, PlanForm(request.GET, currency=account.product.currency)
        )
    return render(
        request, "workbench/work_account.html", _account_context(request, account, **extra)
    )


@require_POST
@area_required(policy.WORK)
def work_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the compliance gate whether this number may be called now, and show its answer."""
    account = _workable(request, pk)
    point = _contact_point(account, request.POST.get("contact_point"))
    answer = gate_ask(
        account,
        channel="call",
        contact_point=point,
        actor=request.user,
        reference=f"work:{request.user.pk}",
    )
    return render(
        request,
        "workbench/work_account.html",
        _account_context(request, account, gate_answer=answer, gate_point=point),
    )


def _workable(request: HttpRequest, pk) -> Account:
    account = account_readable_or_404(request.user, pk=pk)
    return account_workable_or_403(request.user, account)


def _row_id(raw) -> int | None:
    """A row id from a form: a positive 64-bit integer, else None (``abc`` was HTTP 500)."""
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if 1 <= value < 2**63 else None


def _contact_point(account: Account, raw) -> ContactPoint | None:
    pk = _row_id(raw) if raw else None
    if pk is None:
        return None
    return ContactPoint.objects.filter(pk=pk, cardholder_id=account.cardholder_id).first()


def _third_party(account: Account, raw) -> ThirdPartyContact | None:
    pk = _row_id(raw) if raw else None
    if pk is None:
        return None
    return ThirdPartyContact.objects.filter(pk=pk, cardholder_id=account.cardholder_id).first()


def _rerender(request, account, **extra) -> HttpResponse:
    return render(
        request,
        "workbench/work_account.html",
        _account_context(request, account, **extra),
        status=400,
    )


@require_POST
@area_required(policy.WORK)
def work_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    account = _workable(request, pk)
    form = OutcomeForm(request.POST, currency=account.product.currency)
    if not form.is_valid():
        return _rerender(request, account, outcome_form=form)
    data = form.cleaned_data
    point = _contact_point(account, data.get("contact_point"))
    third_party = _third_party(account, data.get("third_party"))
    if (data.get("contact_point") and point is None) or (
            data.get("third_party") and third_party is None):
        form.add_error(None, _("That number is not one of this cardholder's."))
        return _rerender(request, account, outcome_form=form)
    promise = None
    if data["outcome"] == OutcomeKind.PROMISE:
        promise = PromiseTerms(amount_minor=data["amount"], due_date=data["due_date"])
    try:
        outcome = outcome_record(
            account,
            outcome=data["outcome"],
            actor=request.user,
            contact_point=point,
            third_party=third_party,
            promise=promise,
            note=data.get("note") or "",
            next_action_on=data.get("next_action_on"),
            check_id=data.get("check_id"),
        )
    except WorkRejected as error:
        form.add_error(None, str(error))
        return _rerender(request, account, outcome_form=form)
    messages.success(request, _("Recorded: %(outcome)s.") % {"outcome": outcome.get_kind_display()})
    return redirect("work:account", pk=account.pk)


@require_POST
@area_required(policy.WORK)
def work_note(request: HttpRequest, pk: int) -> HttpResponse:
    account = _workable(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _rerender(request, account, note_form=form)
    note = note_add(
        account,
        text=form.cleaned_data["text"],
        actor=request.user,
        language=translation.get_language(),
    )
    if note.findings:
        messages.warning(
            request,
            _("Note saved; %(count)d passage(s) were removed or flagged — check the wording.")
            % {"count": len(note.findings)},
        )
    else:
        messages.success(request, _("Note saved."))
    return redirect("work:account", pk=account.pk)


def _plan_quote_context(account: Account, form: PlanForm) -> dict:
    """The calculator's schedule for the form's terms (nothing is written)."""
    if not form.is_valid():
        return {"plan_form": form}
    data = form.cleaned_data
    try:
        quote = plan_quote(
            account,
            kind=data["kind"],
            months=data["months"],
            waive_interest=data["waive_interest"],
            down_payment_minor=data.get("down_payment") or 0,
        )
    except ArrangementError as error:
        form.add_error(None, str(error))
        return {"plan_form": form}
    return {"plan_form": form, "quote": quote}


@require_POST
@area_required(policy.WORK)
def work_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose the plan the calculator showed; above the collector's authority it goes to the
    approval queue."""
    account = _workable(request, pk)
    form = PlanForm(request.POST, currency=account.product.currency)
    if not form.is_valid():
        return _rerender(request, account, plan_form=form)
    data = form.cleaned_data
    try:
        plan = plan_propose(
            account,
            kind=data["kind"],
            months=data["months"],
            waive_interest=data["waive_interest"],
            down_payment_minor=data.get("down_payment") or 0,
            actor=request.user,
        )
    except ArrangementError as error:
        form.add_error(None, str(error))
        return _rerender(request, account, plan_form=form)
    if plan.status == "pending_approval":
        messages.info(request, _("Plan sent for approval: it is above your authority."))
    else:
        messages.success(request, _("Plan active."))
    return redirect("work:account", pk=account.pk)


@require_POST
@area_required(policy.WORK)
def work_waiver(request: HttpRequest, pk: int) -> HttpResponse:
    account = _workable(request, pk)
    form = WaiverForm(request.POST, currency=account.product.currency)
    if not form.is_valid():
        return _rerender(request, account, waiver_form=form)
    data = form.cleaned_data
    try:
        waiver = waiver_propose(
            account,
            kind=data["kind"],
            amount_minor=data["amount"],
            actor=request.user,
            note=data["note"],
        )
    except ArrangementError as error:
        form.add_error(None, str(error))
        return _rerender(request, account, waiver_form=form)
    if getattr(waiver, "status", "") == "pending_approval":
        messages.info(request, _("Waiver sent for approval: it is above your authority."))
    else:
        messages.success(request, _("Waiver granted."))
    return redirect("work:account", pk=account.pk)
