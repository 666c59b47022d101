"""Field-visit pages: the list of visits a user may see and one visit with its result form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arrears.audit.services import audit_record
from arrears.dialer.forms import VisitResultForm
from arrears.dialer.models import VisitTask
from arrears.dialer.services import DialerError, visit_approve, visit_result_record
from arrears.portfolio.masking import mask_address, mask_name, masking_level_for

UNMASKED_PII = "portfolio.view_unmasked_pii"


def visits_visible_to(user):
    """Everyone sees the visits they go on; team leads and staff who may view visits see all."""
    visits = VisitTask.objects.select_related("account__cardholder").order_by("-scheduled_for")
    if user.has_perm("dialer.view_visittask"):
        return visits
    return visits.filter(collectors=user)


def _visit_or_404(user, pk: int) -> VisitTask:
    visit = visits_visible_to(user).filter(pk=pk).first()
    if visit is None:
        raise Http404(_("No such visit."))
    return visit


def _is_assignee(user, visit: VisitTask) -> bool:
    return visit.collectors.filter(pk=user.pk).exists()


def address_for(user, visit: VisitTask) -> tuple[str, bool]:
    """The address as this user may see it: in full for the visit's collectors and for staff
    allowed to see unmasked personal data (that view is logged), masked for everyone else."""
    if _is_assignee(user, visit):
        return visit.address, True
    if user.has_perm(UNMASKED_PII):
        audit_record(actor=user, action="pii_view", object_type="dialer.VisitTask",
                     object_id=visit.pk, details={"field": "address", "purpose": "field_visit"})
        return visit.address, True
    return mask_address(visit.address, masking_level_for(user)), False


@login_required
def visit_list(request):
    visits = list(visits_visible_to(request.user)[:200])
    level = masking_level_for(request.user)
    rows = [
        {"visit": visit, "name": mask_name(visit.account.cardholder.name, level),
         "area": mask_address(visit.address, level)}
        for visit in visits
    ]
    return render(request, "dialer/visit_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request, pk: int):
    visit = _visit_or_404(request.user, pk)
    may_record = visit.status == VisitTask.Status.APPROVED and (
        _is_assignee(request.user, visit) or request.user.has_perm("dialer.record_visit_result")
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
        "name": (visit.account.cardholder.name if full
                 else mask_name(visit.account.cardholder.name, masking_level_for(request.user))),
        "collectors": visit.collectors.all(),
        "form": form if may_record else None,
        "may_approve": (visit.status == VisitTask.Status.AWAITING_APPROVAL
                        and request.user.has_perm("dialer.approve_visittask")),
    }
    return render(request, "dialer/visit_detail.html", context)


@login_required
@require_POST
def visit_approve_view(request, pk: int):
    visit = _visit_or_404(request.user, pk)
    try:
        visit_approve(visit, actor=request.user)
    except DialerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Visit approved."))
    return redirect("dialer:visit", pk=visit.pk)
