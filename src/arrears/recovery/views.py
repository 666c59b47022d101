"""Recovery pages: the agency register, placement batches (preview, then confirm), the
placements list (paged, exportable), one placement (extend, recall) and the agency's own page of
its placed accounts. Each view parses input, calls one service or selector and renders."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from arrears.access import policy
from arrears.access.web import area_required
from arrears.lists import Column, Filter, ListSpec, Money, Name, list_respond
from arrears.portfolio.masking import mask_name
from arrears.portfolio.models import Account
from arrears.recovery.allocation import band_label
from arrears.recovery.forms import (
    BatchForm,
    CommissionForm,
    ExtendForm,
    RecallForm,
    month_so_far,
)
from arrears.recovery.models import Agency, Placement, PlacementBatch
from arrears.recovery.selectors import (
    accounts_to_place_from_run,
    agencies_with_counts,
    agency_of,
    decision_run_latest,
    placements_visible_to,
)
from arrears.recovery.services import (
    RecoveryError,
    commission_for,
    placement_batch_create,
    placement_extend,
    placement_plan,
    placement_recall,
)

REFUSALS_SHOWN = 200


def _agency_choices():
    return [(str(pk), Name(code)) for pk, code in Agency.objects.values_list("pk", "code")]


def _placement_columns(*, with_agency: bool) -> tuple[Column, ...]:
    columns = [
        Column("account", gettext_lazy("Account"), lambda p, v: p.account.external_id,
               sort="account__external_id",
               link=lambda p: reverse("web:account", args=[p.account.external_id])),
        Column("cardholder", gettext_lazy("Cardholder"),
               lambda p, v: mask_name(p.account.cardholder.name, v.level), personal=True),
    ]
    if with_agency:
        columns.append(Column("agency", gettext_lazy("Agency"), lambda p, v: Name(p.agency.code),
                              sort="agency__code"))
    columns += [
        Column("bucket", gettext_lazy("Bucket"), lambda p, v: p.bucket, sort="bucket"),
        Column("balance", gettext_lazy("Balance at placement"),
               lambda p, v: Money(p.balance_minor, p.account.product.currency),
               sort="balance_minor", numeric=True),
        Column("placed_on", gettext_lazy("Placed on"), lambda p, v: p.placed_on,
               sort="placed_on"),
        Column("due_on", gettext_lazy("Recall due on"), lambda p, v: p.due_on, sort="due_on"),
    ]
    if with_agency:
        columns += [
            Column("status", gettext_lazy("Status"), lambda p, v: p.get_status_display(),
                   sort="status"),
            Column("open", gettext_lazy("Placement"), lambda p, v: p.pk, sort="pk",
                   link=lambda p: reverse("recovery:placement", args=[p.pk])),
        ]
    return tuple(columns)


PLACEMENTS_LIST = ListSpec(
    name=policy.PLACEMENTS_LIST,
    title=gettext_lazy("Placements"),
    columns=_placement_columns(with_agency=True),
    filters=(
        Filter("agency", gettext_lazy("Agency"), lambda rows, value: rows.filter(
            agency_id=value), choices=_agency_choices, kind="choice"),
        Filter("status", gettext_lazy("Status"), lambda rows, value: rows.filter(status=value),
               choices=lambda: Placement.Status.choices, kind="choice"),
        Filter("account", gettext_lazy("Account"), lambda rows, value: rows.filter(
            account__external_id=value)),
    ),
    default_sort="-placed_on",
    page_size=50,
    table_id="placements",
    row_attributes=lambda p: {"data-placement": p.pk},
)

# The agency's own page: the same rows, never exported (agencies export nothing, b.4).
PLACED_LIST = ListSpec(
    name=policy.PLACEMENTS_LIST,
    title=gettext_lazy("Accounts placed with your agency"),
    columns=_placement_columns(with_agency=False),
    filters=(Filter("account", gettext_lazy("Account"), lambda rows, value: rows.filter(
        account__external_id=value)),),
    default_sort="due_on",
    page_size=50,
    table_id="placed",
)


@area_required(policy.AGENCIES)
def agency_list(request):
    return render(request, "recovery/agency_list.html", {
        "agencies": agencies_with_counts(),
        "may_place": request.user.has_perm("recovery.add_placementbatch"),
        "may_edit": request.user.has_perm("recovery.change_agency"),
    })


@area_required(policy.AGENCIES)
def agency_detail(request, pk: int):
    agency = get_object_or_404(agencies_with_counts(), pk=pk)
    form = CommissionForm(request.GET or month_so_far(timezone.localdate()))
    statement = None
    if form.is_valid():
        try:
            statement = commission_for(agency, form.cleaned_data["start"],
                                       form.cleaned_data["end"])
        except RecoveryError as error:
            form.add_error(None, str(error))
    tiers = agency.tiers.prefetch_related("levels").order_by("position", "pk")
    return render(request, "recovery/agency_detail.html", {
        "agency": agency, "tiers": tiers, "form": form, "statement": statement,
        "may_edit": request.user.has_perm("recovery.change_agency"),
    })


def _account_ids(form: BatchForm):
    """The batch's accounts as ids, or a sub-query; an error names unknown numbers."""
    if form.cleaned_data["source"] == "night":
        run = decision_run_latest()
        if run is None:
            raise RecoveryError(_("No night has been published yet."))
        return accounts_to_place_from_run(run), run
    numbers = form.cleaned_data["numbers"]
    found = dict(Account.objects.filter(external_id__in=numbers).values_list("external_id", "pk"))
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise RecoveryError(_("Unknown account numbers: %(numbers)s")
                            % {"numbers": ", ".join(unknown[:10])})
    return list(found.values()), None


@require_http_methods(["GET", "POST"])
@area_required(policy.AGENCIES)
def batch_new(request):
    if not request.user.has_perm("recovery.add_placementbatch"):
        raise PermissionDenied(_("Your role may not place accounts with agencies."))
    form = BatchForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            ids, run = _account_ids(form)
            as_of = timezone.localdate()
            if "confirm" in request.POST:
                batch = placement_batch_create(
                    ids, as_of=as_of, actor=request.user, seed=form.cleaned_data["seed"],
                    source=form.cleaned_data["source"], run=run)
                messages.success(request, _("%(placed)s accounts placed, %(refused)s not.")
                                 % {"placed": batch.placed, "refused": batch.refused})
                return redirect("recovery:batch", pk=batch.pk)
            plan = placement_plan(ids, as_of=as_of, seed=form.cleaned_data["seed"])
        except RecoveryError as error:
            form.add_error(None, str(error))
    return render(request, "recovery/batch_new.html", {"form": form, "plan": plan})


@area_required(policy.AGENCIES)
def batch_detail(request, pk: int):
    batch = get_object_or_404(PlacementBatch.objects.select_related("created_by", "run"), pk=pk)
    refusals = policy.within_reach(
        request.user, batch.refusals.select_related("account", "agency").order_by("pk"))
    strata = (batch.placements.values("agency__code", "bucket", "band")
              .annotate(accounts=Count("pk")).order_by("agency__code", "bucket", "band"))
    return render(request, "recovery/batch_detail.html", {
        "batch": batch,
        "strata": [{"agency": row["agency__code"], "bucket": row["bucket"],
                    "band": band_label(row["band"]), "accounts": row["accounts"]}
                   for row in strata],
        "refusals": refusals[:REFUSALS_SHOWN],
    })


@area_required(policy.AGENCIES)
def placement_list(request):
    rows = placements_visible_to(request.user)
    listing, export = list_respond(request, PLACEMENTS_LIST, rows)
    if export is not None:
        return export
    return render(request, "recovery/placement_list.html", {"list": listing})


def _placement_or_404(user, pk: int) -> Placement:
    placement = placements_visible_to(user).filter(pk=pk).first()
    if placement is None:
        raise Http404(_("No such placement."))
    return placement


@area_required(policy.AGENCIES)
def placement_detail(request, pk: int):
    placement = _placement_or_404(request.user, pk)
    may_change = (request.user.has_perm("recovery.change_placement")
                  and placement.status == Placement.Status.ACTIVE)
    return render(request, "recovery/placement_detail.html", {
        "placement": placement,
        "name": mask_name(placement.account.cardholder.name, policy.masking_level(request.user)),
        "extensions": placement.extensions.select_related("actor").order_by("at"),
        "extend_form": ExtendForm() if may_change else None,
        "recall_form": RecallForm() if may_change else None,
    })


@require_POST
@area_required(policy.AGENCIES)
def placement_change(request, pk: int, action: str):
    placement = _placement_or_404(request.user, pk)
    if not request.user.has_perm("recovery.change_placement"):
        raise PermissionDenied(_("Your role may not change placements."))
    form = (ExtendForm if action == "extend" else RecallForm)(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("recovery:placement", pk=placement.pk)
    try:
        if action == "extend":
            placement_extend(placement, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The placement is extended."))
        else:
            placement_recall(placement, actor=request.user, on=timezone.localdate(),
                             **form.cleaned_data)
            messages.success(request, _("The placement is recalled."))
    except RecoveryError as error:
        messages.error(request, str(error))
    return redirect("recovery:placement", pk=placement.pk)


@area_required(policy.PLACED)
def placed(request):
    """The agency user's first page: the accounts placed with their agency, masked M0."""
    agency = agency_of(request.user)
    rows = placements_visible_to(request.user) if agency else Placement.objects.none()
    listing, export = list_respond(request, PLACED_LIST, rows)
    if export is not None:
        return export
    return render(request, "recovery/placed.html", {"list": listing, "agency": agency})
