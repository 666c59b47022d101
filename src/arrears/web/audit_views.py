"""The audit trail page for compliance officers and auditors: filter, and export with a second
person's approval (COMPLIANCE.md b.4, b.5)."""

import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.access import policy
from arrears.access.web import area_required
from arrears.audit.models import ExportRequest
from arrears.audit.permissions import APPROVE_EXPORT
from arrears.audit.services import (
    ExportRefused,
    audit_events_between,
    audit_export_write,
    client_of,
    export_decide,
    export_request,
    export_start,
)
from arrears.command_args import parse_date

AUDIT_KIND = "audit_events"
FILTERS = ("actor", "action", "object_id", "from", "to")
PAGE_LIMIT = 200


def _events(filters: dict[str, str]):
    def day(name):
        try:
            return parse_date(filters[name]) if filters.get(name) else None
        except Exception:  # noqa: BLE001 — a bad date in a filter is ignored, not an error page
            return None

    return audit_events_between(day("from"), day("to"), actor=filters.get("actor", ""),
                                action=filters.get("action", ""),
                                object_id=filters.get("object_id", ""))


@area_required(policy.AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    filters = {name: request.GET.get(name, "").strip() for name in FILTERS}
    events = _events(filters)
    pending = ExportRequest.objects.none()
    if request.user.has_perm(APPROVE_EXPORT):
        pending = ExportRequest.objects.filter(status=ExportRequest.Status.PENDING).exclude(
            requester=request.user)
    return render(request, "web/audit.html", {
        "filters": filters,
        "events": events.order_by("-sequence")[:PAGE_LIMIT],
        "count": events.count(),
        "mine": ExportRequest.objects.filter(requester=request.user, kind=AUDIT_KIND)[:20],
        "pending": pending.select_related("requester"),
    })


@require_POST
@area_required(policy.AUDIT)
def audit_export_request(request: HttpRequest) -> HttpResponse:
    filters = {name: request.POST.get(name, "").strip() for name in FILTERS}
    try:
        export_request(request.user, kind=AUDIT_KIND, count=_events(filters).count(),
                       reason=request.POST.get("reason", ""), params=filters,
                       client=client_of(request))
        messages.success(request, _("Export requested; a second person must approve it."))
    except ExportRefused as refused:
        messages.error(request, str(refused))
    return redirect("web:audit")


@require_POST
@area_required(policy.AUDIT)
def audit_export_decide(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(ExportRequest, pk=pk)
    try:
        export_decide(export, actor=request.user, approve=request.POST.get("approve") == "1",
                      note=request.POST.get("note", ""))
    except ExportRefused as refused:
        messages.error(request, str(refused))
    return redirect("web:audit")


@require_POST
@area_required(policy.AUDIT)
def audit_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(ExportRequest, pk=pk, kind=AUDIT_KIND)
    try:
        export_start(export, actor=request.user, client=client_of(request))
    except ExportRefused as refused:
        messages.error(request, str(refused))
        return redirect("web:audit")
    buffer = io.StringIO()
    audit_export_write(buffer, _events(export.params), fmt="jsonl")
    response = HttpResponse(buffer.getvalue(), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="audit-{export.pk}.jsonl"'
    return response
