"""The decisions pages: the night's decisions and queues, one account's decision, my queue.

Views only read the request, call selectors and shape what the templates show.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from arrears.access import policy
from arrears.access.web import account_readable_or_404, area_required
from arrears.batch.models import Decision
from arrears.charts import count_bar_chart
from arrears.portfolio.masking import mask_name
from arrears.portfolio.models import Account
from arrears.rules.money import format_amount
from arrears.scoring.scorecard import reason_description
from arrears.workbench import labels
from arrears.workbench.selectors import (
    account_decision_history,
    account_queue_entry,
    decision_counts,
    decision_run_latest,
    queue_for_collector,
    queue_summary,
)

QUEUE_PAGE_LIMIT = 500


@area_required(policy.DECISIONS)
def decisions_overview(request: HttpRequest) -> HttpResponse:
    run = decision_run_latest()
    if run is None:
        return render(request, "workbench/decisions.html", {"run": None})
    counts = decision_counts(run=run)
    return render(
        request,
        "workbench/decisions.html",
        {
            "run": run,
            "counts": counts,
            "segment_chart": count_bar_chart(counts.by_segment, labels.segment_label),
            "treatment_chart": count_bar_chart(counts.by_treatment, labels.treatment_label),
            "teams": queue_summary(run=run),
        },
    )


@area_required(policy.DECISION_ACCOUNT)
def account_lookup(request: HttpRequest) -> HttpResponse:
    """The account-number form of the decisions page: go to that account's decision."""
    number = request.GET.get("q", "").strip()
    if not number:
        return redirect("workbench:decisions")
    return redirect("workbench:account", external_id=number)


def _person_name(request: HttpRequest, account: Account) -> tuple[str, bool]:
    """The cardholder's name in the user's masking format; a name is seen in full only through
    a reveal with a purpose code on the account page."""
    return mask_name(account.cardholder.name, policy.masking_level(request.user)), True


def _reasons(decision: Decision) -> list[tuple[str, str]]:
    codes = (decision.reason_1, decision.reason_2, decision.reason_3)
    return [(code, reason_description(code)) for code in codes if code]


def _percent(probability: float | None) -> str | None:
    """0.8234 → "82.3" (one decimal); None stays None."""
    return None if probability is None else f"{probability * 100:.1f}"


@area_required(policy.DECISION_ACCOUNT)
def account_decision(request: HttpRequest, external_id: str) -> HttpResponse:
    account = account_readable_or_404(request.user, external_id=external_id)
    history = account_decision_history(account=account)
    latest_run = decision_run_latest()
    current = None
    if history and latest_run is not None and history[0].run_id == latest_run.pk:
        current = history[0]
    name, masked = _person_name(request, account)
    currency = account.product.currency
    for decision in history:
        decision.recovery_text = format_amount(decision.expected_recovery_minor, currency)
    return render(
        request,
        "workbench/account.html",
        {
            "account": account,
            "currency": currency,
            "cardholder_name": name,
            "masked": masked,
            "latest_run": latest_run,
            "decision": current,
            "reasons": _reasons(current) if current else [],
            "probability_percent": _percent(current.probability_pay) if current else None,
            "queue_entry": account_queue_entry(account=account, run=latest_run)
            if latest_run
            else None,
            "history": history,
            "account_url": reverse("web:account", kwargs={"external_id": account.external_id}),
        },
    )


@area_required(policy.WORK)
def my_queue(request: HttpRequest) -> HttpResponse:
    run = decision_run_latest()
    entries = []
    if run is not None:
        entries = list(queue_for_collector(user=request.user, run=run)[:QUEUE_PAGE_LIMIT])
    level = policy.masking_level(request.user)
    accounts = [entry.account_id for entry in entries]
    decisions = {d.account_id: d for d in Decision.objects.filter(run=run, account_id__in=accounts)}
    for entry in entries:
        entry.decision = decisions.get(entry.account_id)
        holder = entry.account.cardholder
        entry.cardholder_name = mask_name(holder.name, level)
        entry.recovery_text = format_amount(
            entry.expected_recovery_minor, entry.account.product.currency
        )
    return render(
        request,
        "workbench/queue.html",
        {"run": run, "entries": entries, "masked": True},
    )
