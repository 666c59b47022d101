"""The audit trail page for compliance officers and auditors: filter, and export with a second
person's approval (COMPLIANCE.md b.4, b.5)."""

import io
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from arrears.access import policy
from arrears.access.web import area_required
from arrears.audit.labels import action_label
from arrears.audit.models import AuditEvent, ExportRequest
from arrears.audit.permissions import APPROVE_EXPORT
from arrears.audit.services import (
    PURPOSE_LABELS,
    ExportRefused,
    audit_events_between,
    audit_export_write,
    client_of,
    export_decide,
    export_request,
    export_start,
)
from arrears.command_args import parse_date
from arrears.lists import Column, Filter, ListSpec, list_respond

AUDIT_KIND = "audit_events"
FILTERS = ("actor", "action", "object_id", "from", "to")


def _events(filters: dict[str, str]):
    def day(name):
        try:
            return parse_date(filters[name]) if filters.get(name) else None
        except Exception:  # noqa: BLE001 — a bad date in a filter is ignored, not an error page
            return None

    return audit_events_between(day("from"), day("to"), actor=filters.get("actor", ""),
                                action=filters.get("action", ""),
                                object_id=filters.get("object_id", ""))


# The last event counted when the export was requested: the file holds what was approved.
UP_TO = "up_to_sequence"


def _events_approved(params: dict):
    events = _events(params)
    if UP_TO not in params:  # a request made before the bound was kept
        return events
    return events.filter(sequence__lte=int(params[UP_TO]))


def _day_start(value):
    return datetime.combine(value, time.min, timezone.get_default_timezone())


AUDIT_LIST = ListSpec(
    name=policy.AUDIT_LIST,
    title=gettext_lazy("Audit trail"),
    columns=(
        Column("sequence", "#", lambda e, v: e.sequence, sort="sequence"),
        Column("at", gettext_lazy("At"), lambda e, v: e.at, sort="at"),
        Column("actor", gettext_lazy("Actor"),
               lambda e, v: e.actor_label if e.actor_id else f"{_('System')} {e.actor_label}",
               sort="actor_label", template="web/_audit_actor.html"),
        Column("action", gettext_lazy("Action"),
               lambda e, v: f"{action_label(e.action)} ({e.action})", sort="action",
               template="web/_audit_action.html"),
        Column("object", gettext_lazy("Object"), lambda e, v: f"{e.object_type} {e.object_id}",
               sort="object_id", template="web/_audit_object.html"),
        Column("purpose", gettext_lazy("Purpose"),
               lambda e, v: str(PURPOSE_LABELS.get(e.purpose, e.purpose))),
        Column("hash", gettext_lazy("Hash"), lambda e, v: f"{e.hash[:12]}…"),
    ),
    filters=(
        Filter("actor", gettext_lazy("Actor"), lambda rows, value: rows.filter(
            actor_label=value)),
        Filter("action", gettext_lazy("Action"), lambda rows, value: rows.filter(action=value)),
        Filter("object_id", gettext_lazy("Object"), lambda rows, value: rows.filter(
            object_id=value)),
        Filter("from", pgettext_lazy("date range", "From"), lambda rows, value: rows.filter(
            at__gte=_day_start(value)), kind="date"),
        Filter("to", pgettext_lazy("date range", "To"), lambda rows, value: rows.filter(
            at__lt=_day_start(value + timedelta(days=1))), kind="date"),
    ),
    default_sort="-sequence",
    page_size=100,
    table_id="audit-events",
    row_attributes=lambda e: {"data-sequence": e.sequence},
)


@area_required(policy.AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    listing, export = list_respond(request, AUDIT_LIST,
                                   AuditEvent.objects.exclude(sequence=None))
    if export is not None:
        return export
    filters = {name: listing.filters.get(name, "") for name in FILTERS}
    pending = ExportRequest.objects.none()
    if request.user.has_perm(APPROVE_EXPORT):
        pending = ExportRequest.objects.filter(status=ExportRequest.Status.PENDING).exclude(
            requester=request.user)
    return render(request, "web/audit.html", {
        "filters": filters,
        "list": listing,
        "count": listing.page.paginator.count,
        "mine": ExportRequest.objects.filter(requester=request.user, kind=AUDIT_KIND)[:20],
        "pending": pending.select_related("requester"),
    })


@require_POST
@area_required(policy.AUDIT)
def audit_export_request(request: HttpRequest) -> HttpResponse:
    filters = {name: request.POST.get(name, "").strip() for name in FILTERS}
    events = _events(filters)
    last = events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    try:
        export_request(request.user, kind=AUDIT_KIND, count=events.count(),
                       reason=request.POST.get("reason", ""),
                       params={**filters, UP_TO: last},
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
    audit_export_write(buffer, _events_approved(export.params), fmt="jsonl")
    response = HttpResponse(buffer.getvalue(), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="audit-{export.pk}.jsonl"'
    return response
