"""Channel pages: the night's outbox, the SMS simulator, template previews, and the endpoint
where an SMS gateway posts its delivery receipts."""

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from arrears.access import policy
from arrears.access.web import area_required, public
from arrears.channels.models import Channel, OutboxMessage, Template
from arrears.channels.receipts import ReceiptError, receipt_record
from arrears.channels.selectors import (
    masked_recipient,
    outbox_messages,
    outbox_summary,
    simulated_sms_masked,
    template_codes,
)
from arrears.channels.templating import TemplateRenderError, render_source, sample_context
from arrears.charts import CountRow, count_bar_chart
from arrears.rules.text import describe, unstorable_in

LATEST_LIMIT = 100


def _count_rows(counts: dict[str, int], labels: dict[str, str]) -> list[CountRow]:
    total = sum(counts.values()) or 1
    return [
        CountRow(labels.get(key, key), n, round(100 * n / total, 1))
        for key, n in sorted(counts.items(), key=lambda item: -item[1])
    ]


@area_required(policy.OUTBOX)
def outbox(request: HttpRequest) -> HttpResponse:
    filters = {name: request.GET.get(name, "") for name in ("status", "channel", "template_code")}
    messages = policy.within_reach(request.user, outbox_messages(filters))
    level = policy.masking_level(request.user)
    summary = outbox_summary(messages)
    status_labels = dict(OutboxMessage.Status.choices)
    latest = [
        (message, masked_recipient(message.channel, message.recipient, level))
        for message in messages.select_related("account")[:LATEST_LIMIT]
    ]
    return render(request, "channels/outbox.html", {
        "summary": summary,
        "status_chart": count_bar_chart(_count_rows(summary.by_status, status_labels)),
        "latest": latest,
        "filters": filters,
        "status_choices": OutboxMessage.Status.choices,
        "channel_choices": Channel.choices,
        "template_codes": template_codes(),
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
