"""Channel pages: the night's outbox, the SMS simulator, template previews, and the endpoint
where an SMS gateway posts its delivery receipts."""

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from arrears.access import policy
from arrears.access.web import area_required, public
from arrears.channels.models import Channel, OutboxMessage, Template
from arrears.channels.receipts import ReceiptError, receipt_record
from arrears.channels.selectors import (
    masked_recipient,
    outbox_summary,
    simulated_sms_masked,
    template_codes,
)
from arrears.channels.templating import TemplateRenderError, render_source, sample_context
from arrears.charts import CountRow, count_bar_chart
from arrears.compliance.gate import verdict_label
from arrears.lists import Column, Filter, ListSpec, list_respond
from arrears.portfolio.masking import pii_scrub
from arrears.rules.text import describe, unstorable_in


def _count_rows(counts: dict[str, int], labels: dict[str, str]) -> list[CountRow]:
    total = sum(counts.values()) or 1
    return [
        CountRow(labels.get(key, key), n, round(100 * n / total, 1))
        for key, n in sorted(counts.items(), key=lambda item: -item[1])
    ]


def _gate_text(message: OutboxMessage, view) -> str:
    if message.gate_verdict:
        rules = ", ".join(message.gate_rule_ids or [])
        label = str(verdict_label(message.gate_verdict))
        return f"{label} ({rules})" if rules else label
    if message.channel in (Channel.CALL, Channel.VISIT):
        return str(ASKED_WHEN_CARRIED_OUT)
    return ""


ASKED_WHEN_CARRIED_OUT = gettext_lazy("asked when carried out")

OUTBOX_LIST = ListSpec(
    name=policy.OUTBOX_LIST,
    title=gettext_lazy("Outbox messages"),
    columns=(
        Column("created", gettext_lazy("Created"), lambda m, v: m.created_at,
               sort="created_at"),
        Column("account", gettext_lazy("Account"), lambda m, v: m.account.external_id,
               sort="account__external_id"),
        Column("channel", gettext_lazy("Channel"), lambda m, v: m.get_channel_display(),
               sort="channel"),
        Column("template", gettext_lazy("Template"),
               lambda m, v: f"{m.template_code} v{m.template_version}", sort="template_code"),
        Column("recipient", gettext_lazy("Recipient"),
               lambda m, v: masked_recipient(m.channel, m.recipient, v.level), personal=True),
        Column("status", gettext_lazy("Status"), lambda m, v: m.get_status_display(),
               sort="status"),
        Column("gate", gettext_lazy("Gate"), _gate_text),
        Column("attempts", gettext_lazy("Attempts"), lambda m, v: m.attempts, sort="attempts",
               numeric=True),
        Column("not_before", gettext_lazy("Not before"), lambda m, v: m.not_before,
               sort="not_before"),
        Column("last_error", gettext_lazy("Last error"),
               lambda m, v: pii_scrub(m.last_error)[0][:80]),
    ),
    filters=(
        Filter("status", gettext_lazy("Status"), lambda rows, value: rows.filter(status=value),
               choices=lambda: OutboxMessage.Status.choices, kind="choice"),
        Filter("channel", gettext_lazy("Channel"), lambda rows, value: rows.filter(
            channel=value), choices=lambda: Channel.choices, kind="choice"),
        Filter("template_code", gettext_lazy("Template"), lambda rows, value: rows.filter(
            template_code=value), choices=lambda: [(c, c) for c in template_codes()],
            kind="choice"),
        Filter("account", gettext_lazy("Account"), lambda rows, value: rows.filter(
            account__external_id=value)),
        Filter("created_from", gettext_lazy("Created from"), lambda rows, value: rows.filter(
            created_at__date__gte=value), kind="date"),
        Filter("created_to", gettext_lazy("Created to"), lambda rows, value: rows.filter(
            created_at__date__lte=value), kind="date"),
    ),
    default_sort="-created",
    page_size=50,
    table_id="latest-table",
    row_attributes=lambda m: {"data-status": m.status},
)


@area_required(policy.OUTBOX)
def outbox(request: HttpRequest) -> HttpResponse:
    reached = policy.within_reach(request.user, OutboxMessage.objects.all())
    listing, export = list_respond(request, OUTBOX_LIST, reached.select_related("account"))
    if export is not None:
        return export
    summary = outbox_summary(listing.queryset)
    status_labels = dict(OutboxMessage.Status.choices)
    return render(request, "channels/outbox.html", {
        "summary": summary,
        "status_chart": count_bar_chart(_count_rows(summary.by_status, status_labels)),
        "list": listing,
    })


@area_required(policy.SIMULATOR)
def simulator(request: HttpRequest) -> HttpResponse:
    rows = simulated_sms_masked(policy.masking_level(request.user))
    return render(request, "channels/simulator.html", {"rows": rows})


@area_required(policy.TEMPLATES)
def templates(request: HttpRequest) -> HttpResponse:
    rows = Template.objects.filter(active=True).order_by("code", "language")
    return render(request, "channels/templates.html", {"rows": rows})


@area_required(policy.TEMPLATES)
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(Template, pk=pk)
    context = sample_context(template.language)
    try:
        subject = render_source(template.subject, context)
        body = render_source(template.body, context)
        error = ""
    except TemplateRenderError as problem:
        subject, body, error = "", "", str(problem)
    versions = Template.objects.filter(code=template.code, language=template.language)
    return render(request, "channels/template_preview.html", {
        "template": template, "subject": subject, "body": body, "error": error,
        "versions": versions,
    })


@public
@csrf_exempt
@require_POST
def sms_receipts(request: HttpRequest) -> JsonResponse:
    """Delivery receipts from the SMS gateway: ``POST {"id", "status"}`` (or a list of them).

    The gateway must send ``Authorization: Bearer <ARREARS_SMS_TOKEN>``; without a token
    configured every receipt is refused (the demo's simulator sends none).
    """
    if not _receipt_secret_given(request):
        return JsonResponse({"error": _("a valid gateway token is required")}, status=403)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": _("the body is not JSON")}, status=400)
    for field, character in unstorable_in(payload):
        return JsonResponse({"error": _("%(field)s contains the character %(character)s, "
                                        "which cannot be stored")
                             % {"field": field or _("the body"),
                                "character": describe(character)}}, status=400)
    items = payload if isinstance(payload, list) else [payload]
    try:
        stored = [receipt_record(item, gateway="http-sms") for item in items]
    except ReceiptError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"stored": len(stored),
                         "matched": sum(1 for r in stored if r.message_id)})


def _receipt_secret_given(request: HttpRequest) -> bool:
    token = getattr(settings, "ARREARS_SMS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
