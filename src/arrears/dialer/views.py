"""Field-visit pages: the list of visits a user may see and one visit with its result form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from arrears.access import policy
from arrears.access.web import area_required
from arrears.audit.services import audit_record
from arrears.dialer.access import in_time_box
from arrears.dialer.forms import VisitResultForm
from arrears.dialer.models import VisitTask
from arrears.dialer.services import DialerError, visit_approve, visit_result_record
from arrears.lists import Column, Filter, ListSpec, list_respond
from arrears.portfolio.masking import mask_address, mask_name


def visits_visible_to(user):
    """The visits a user goes on, and the visits of the accounts the user may read (a team
    lead: their teams'; the overseeing roles: all)."""
    visits = VisitTask.objects.select_related("account__cardholder").order_by("-scheduled_for")
    if policy.sees_every_account(user):
        return visits
    return visits.filter(Q(collectors=user) | Q(account__in=policy.accounts_readable(user)))


def _visit_or_404(user, pk: int) -> VisitTask:
    visit = visits_visible_to(user).filter(pk=pk).first()
    if visit is None:
        raise Http404(_("No such visit."))
    return visit


def address_for(user, visit: VisitTask) -> tuple[str, bool]:
    """The address as this user may see it: in full only for the visit's own collectors within
    the visit's time box (that view is logged), masked for everyone else."""
    if in_time_box(user, visit):
        audit_record(actor=user, action="pii.view", object_type="dialer.VisitTask",
                     object_id=visit.pk, purpose="COLLECTION",
                     details={"fields": ["address"], "account": visit.account.external_id})
        return visit.address, True
    return mask_address(visit.address, policy.masking_level(user)), False


VISITS_LIST = ListSpec(
    name=policy.VISITS_LIST,
    title=gettext_lazy("Field visits"),
    columns=(
        Column("visit", gettext_lazy("Visit"), lambda visit, v: visit.pk, sort="pk",
               link=lambda visit: reverse("dialer:visit", args=[visit.pk])),
        Column("account", gettext_lazy("Account"), lambda visit, v: visit.account.external_id,
               sort="account__external_id"),
        Column("cardholder", gettext_lazy("Cardholder"),
               lambda visit, v: mask_name(visit.account.cardholder.name, v.level), personal=True),
        Column("area", gettext_lazy("Area"),
               lambda visit, v: mask_address(visit.address, v.level), personal=True),
        Column("scheduled", gettext_lazy("Scheduled for"), lambda visit, v: visit.scheduled_for,
               sort="scheduled_for"),
        Column("status", gettext_lazy("Status"), lambda visit, v: visit.get_status_display(),
               sort="status"),
        Column("result", gettext_lazy("Result"), lambda visit, v: visit.get_result_display(),
               sort="result"),
    ),
    filters=(
        Filter("status", gettext_lazy("Status"), lambda rows, value: rows.filter(status=value),
               choices=lambda: VisitTask.Status.choices, kind="choice"),
        Filter("result", gettext_lazy("Result"), lambda rows, value: rows.filter(result=value),
               choices=lambda: VisitTask.Result.choices, kind="choice"),
        Filter("account", gettext_lazy("Account"), lambda rows, value: rows.filter(
            account__external_id=value)),
        Filter("scheduled_from", gettext_lazy("Scheduled from"), lambda rows, value: rows.filter(
            scheduled_for__date__gte=value), kind="date"),
        Filter("scheduled_to", gettext_lazy("Scheduled to"), lambda rows, value: rows.filter(
            scheduled_for__date__lte=value), kind="date"),
    ),
    default_sort="-scheduled",
    page_size=50,
    table_id="visits",
    row_attributes=lambda visit: {"data-visit": visit.pk},
)


@area_required(policy.VISITS)
def visit_list(request):
    visits = VisitTask.objects.filter(pk__in=visits_visible_to(request.user).values("pk"))
    listing, export = list_respond(request, VISITS_LIST,
                                   visits.select_related("account__cardholder"))
    if export is not None:
        return export
    return render(request, "dialer/visit_list.html", {"list": listing})


@require_http_methods(["GET", "POST"])
@area_required(policy.VISITS)
def visit_detail(request, pk: int):
    visit = _visit_or_404(request.user, pk)
    may_record = visit.status == VisitTask.Status.APPROVED and (
        in_time_box(request.user, visit)
        or (request.user.has_perm("dialer.record_visit_result")
            and policy.may_work_account(request.user, visit.account))
    )
    form = VisitResultForm(request.POST or None, visit=visit)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(_("You may not record the result of this visit."))
        if form.is_valid():
            try:
                visit_result_record(visit, actor=request.user, **form.cleaned_data)
            except DialerError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The visit's result is recorded."))
                return redirect("dialer:visit", pk=visit.pk)
    address, full = address_for(request.user, visit)
    context = {
        "visit": visit,
        "address": address,
        "address_full": full,
        "name": mask_name(visit.account.cardholder.name, policy.masking_level(request.user)),
        "collectors": visit.collectors.all(),
        "form": form if may_record else None,
        "may_approve": (visit.status == VisitTask.Status.AWAITING_APPROVAL
                        and _may_approve(request.user, visit)),
    }
    return render(request, "dialer/visit_detail.html", context)


def _may_approve(user, visit: VisitTask) -> bool:
    """A team lead approves the visits of the accounts they may work (their teams')."""
    return (user.has_perm("dialer.approve_visittask")
            and policy.may_work_account(user, visit.account))


@require_POST
@area_required(policy.VISITS)
def visit_approve_view(request, pk: int):
    visit = _visit_or_404(request.user, pk)
    if not _may_approve(request.user, visit):
        raise PermissionDenied(_("You may not approve this visit."))
    try:
        visit_approve(visit, actor=request.user)
    except DialerError as error:
        messages.error(request, str(error))
    else:
        if visit.status == VisitTask.Status.APPROVED:
            messages.success(request, _("Visit approved."))
        else:
            messages.error(request, _("The compliance gate blocks this visit at its time "
                                      "(%(rules)s); name the collectors again for another "
                                      "time.") % {"rules": visit.gate_rule_ids or "—"})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(back)
    return redirect("dialer:visit", pk=visit.pk)
