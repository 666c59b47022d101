"""Report pages: read the filters, call one selector, shape the table, the chart and the files.

Every page wears ``area_required(REPORTS)``; a team lead's collector report holds only the
collectors of the teams they lead; the accounts behind a number are limited to what the user
reaches and masked like every other page (``arrears.access.policy``)."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.access import policy
from arrears.access.web import area_required
from arrears.charts import CountRow, count_bar_chart, heat_map, rate_bar_chart
from arrears.compliance.holds import HOLD_KINDS
from arrears.ledger.models import CycleRun
from arrears.lists import EXPORT_FORMATS, Column, ListSpec, Money, list_respond, table_export
from arrears.portfolio.masking import mask_name
from arrears.portfolio.models import Product
from arrears.reporting.selectors import (
    CURE_PARTS,
    DRILL_KINDS,
    ReportInputError,
    Scope,
    accounts_behind,
    balances_on,
    collector_performance,
    compliance_report,
    cure_rates,
    currencies_in_use,
    decision_run_on,
    month_ends,
    rate,
    roll_rates,
    scope_for,
)
from arrears.rules.money import to_decimal
from arrears.workbench.access import teams_led_by
from arrears.workbench.labels import segment_label, treatment_label
from arrears.workbench.models import Collector


def _latest_day() -> date:
    """The last day the nightly cycle ran for (today when it never ran)."""
    run = CycleRun.objects.order_by("-as_of").first()
    return run.as_of if run else date.today()


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month", "").strip()[:7]
    if raw:
        try:
            month = date.fromisoformat(f"{raw}-01")
            if 1900 <= month.year <= 2200:
                return month
        except ValueError:
            pass
        messages.warning(request, _("“%(value)s” is not a month (YYYY-MM); the latest month is "
                                    "shown.") % {"value": raw})
    return _latest_day().replace(day=1)


def _decided_choices(start: date) -> tuple[list, list]:
    """The segments and treatments of the decision run of the start date, labelled."""
    run = decision_run_on(start)
    if run is None:
        return [], []
    segments = [(code, segment_label(code)) for code in sorted(run.counts_by_segment)]
    treatments = [(code, treatment_label(code)) for code in sorted(run.counts_by_treatment)]
    return segments, treatments


def _scope(request: HttpRequest) -> tuple[Scope, dict]:
    """The report's month, products, segment and treatment from the query string; unknown
    values are said and ignored."""
    month = _month(request)
    start, end = month_ends(month)
    product = request.GET.get("product", "").strip()[:40]
    currency = request.GET.get("currency", "").strip()[:3]
    if product and not Product.objects.filter(code=product).exists():
        messages.warning(request, _("There is no product “%(code)s”; every product is shown.")
                         % {"code": product})
        product = ""
    if currency and currency not in currencies_in_use():
        currency = ""
    segments, treatments = _decided_choices(start)
    decided = {}
    for name, choices in (("segment", segments), ("treatment", treatments)):
        value = request.GET.get(name, "").strip()[:60]
        if value and value not in {code for code, _label in choices}:
            messages.warning(request, _("No account was decided into “%(value)s” on %(date)s; "
                                        "the filter was ignored.")
                             % {"value": value, "date": start.isoformat()})
            value = ""
        decided[name] = value
    scope = scope_for(start=start, end=end, currency=currency or None,
                      product_code=product or None, **decided)
    chosen = {"month": month.strftime("%Y-%m"), "product": product, "currency": scope.currency,
              **decided}
    return scope, chosen


def _filters_context(chosen: dict, scope: Scope) -> dict:
    segments, treatments = _decided_choices(scope.start)
    return {
        "chosen": chosen,
        "products": list(Product.objects.order_by("code").values_list("code", flat=True)),
        "currencies": currencies_in_use(),
        "segments": segments,
        "treatments": treatments,
        "query": urlencode({k: v for k, v in chosen.items() if v}),
    }


def _wants_file(request: HttpRequest) -> str:
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORT_FORMATS else ""


def _major(minor: int, currency: str):
    return to_decimal(minor, currency)


@area_required(policy.REPORTS)
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/index.html", {})


# --- roll rates ------------------------------------------------------------------------------

def _roll_lines(report, currency: str) -> tuple[list[str], list[list]]:
    header = [_("From"), _("To"), _("Accounts"), _("Share of accounts (%)"),
              _("Balance at start (%(currency)s)") % {"currency": currency},
              _("Share of balance (%)")]
    lines = []
    for source in report.row_codes:
        total = report.row_total(source)
        for target in report.codes:
            cell = report.cell(source, target)
            lines.append([source, target, cell.accounts, rate(cell.accounts, total.accounts),
                          _major(cell.balance_minor, currency),
                          rate(cell.balance_minor, total.balance_minor)])
    return header, lines


@area_required(policy.REPORTS)
def roll_rate_report(request: HttpRequest) -> HttpResponse:
    scope, chosen = _scope(request)
    report = roll_rates(scope)
    fmt = _wants_file(request)
    if fmt:
        header, lines = _roll_lines(report, scope.currency)
        return table_export(request, name="roll_rates", title=_("Roll rates"), header=header,
                            lines=lines, fmt=fmt, details=chosen)
    rows = []
    shares = {}
    for source in report.row_codes:
        total = report.row_total(source)
        cells = []
        for target in report.codes:
            cell = report.cell(source, target)
            share = rate(cell.accounts, total.accounts)
            shares[(source, target)] = share if total.accounts else None
            cells.append({"target": target, "cell": cell, "share": share,
                          "balance_share": rate(cell.balance_minor, total.balance_minor),
                          "drill": _drill_url(chosen, kind="roll", source=source,
                                              target=target) if cell.accounts else ""})
        rows.append({"source": source, "cells": cells, "total": total})
    return render(request, "reporting/rolls.html", {
        **_filters_context(chosen, scope), "report": report, "rows": rows, "scope": scope,
        "chart": heat_map(report.row_codes, report.codes, shares)})


def _drill_url(chosen: dict, **what) -> str:
    params = {**{k: v for k, v in chosen.items() if v}, **what}
    return reverse("reporting:accounts") + "?" + urlencode(params)


# --- cure rates ------------------------------------------------------------------------------

def _cure_lines(rows, currency: str) -> tuple[list[str], list[list]]:
    header = [_("Bucket"), _("Accounts"), _("Balance at start (%(currency)s)")
              % {"currency": currency}, _("Cured"), _("Cure rate (%)"),
              _("Cure rate by balance (%)"), _("Cured, worked"), _("Cured by themselves"),
              _("Self-cure rate (%)")]
    lines = [[row.bucket, row.accounts, _major(row.balance_minor, currency), row.cured,
              row.cure_rate, row.cure_rate_balance, row.cured_worked, row.cured_self,
              row.self_cure_rate] for row in rows]
    return header, lines


@area_required(policy.REPORTS)
def cure_rate_report(request: HttpRequest) -> HttpResponse:
    scope, chosen = _scope(request)
    rows = cure_rates(scope)
    fmt = _wants_file(request)
    if fmt:
        header, lines = _cure_lines(rows, scope.currency)
        return table_export(request, name="cure_rates", title=_("Cure rates"), header=header,
                            lines=lines, fmt=fmt, details=chosen)
    shown = [{"row": row, **{f"{part}_url": _drill_url(chosen, kind="cure", source=row.bucket,
                                                       part=part) for part in CURE_PARTS}}
             for row in rows]
    return render(request, "reporting/cures.html", {
        **_filters_context(chosen, scope), "rows": shown, "scope": scope,
        "chart": rate_bar_chart([(row.bucket, row.cure_rate) for row in rows])})


# --- collector performance -------------------------------------------------------------------

def _collectors_for(user):
    """Every collector for a role that sees every account; a team lead's own teams' else."""
    if policy.sees_every_account(user):
        return Collector.objects.all()
    return Collector.objects.filter(team__in=teams_led_by(user))


def _period(request: HttpRequest) -> tuple[date, date]:
    latest = _latest_day()
    start, end = latest.replace(day=1), latest
    for name in ("start", "end"):
        raw = request.GET.get(name, "").strip()[:10]
        if not raw:
            continue
        try:
            value = date.fromisoformat(raw)
            if not 1900 <= value.year <= 2200:
                raise ValueError(raw)
        except ValueError:
            messages.warning(request, _("“%(value)s” is not a date (YYYY-MM-DD); it was "
                                        "ignored.") % {"value": raw})
            continue
        if name == "start":
            start = value
        else:
            end = value
    if end < start:
        messages.warning(request, _("The period ended before it began; its dates were swapped."))
        start, end = end, start
    return start, end


def _money_text(amounts: dict[str, int]) -> str:
    return "; ".join(str(Money(minor, currency)) for currency, minor in sorted(amounts.items()))


def _collector_lines(rows, currencies: list[str]) -> tuple[list[str], list[list]]:
    header = [_("Collector"), _("Teams"), _("Contact attempts"), _("Right-party contacts"),
              _("Right-party rate (%)"), _("Promises taken"), _("Promises kept"),
              _("Promise-kept rate (%)"), _("Accounts worked"), _("Gate blocks"),
              _("Gate delays")]
    header += [_("Collected (%(currency)s)") % {"currency": c} for c in currencies]
    lines = [[row.name, row.teams, row.attempts, row.right_party, row.right_party_rate,
              row.promises, row.promises_kept, row.promise_kept_rate, row.accounts_worked,
              row.gate_blocks, row.gate_delays,
              *[_major(row.collected_minor.get(c, 0), c) for c in currencies]]
             for row in rows]
    return header, lines


@area_required(policy.REPORTS)
def collector_report(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    rows = collector_performance(start=start, end=end, collectors=_collectors_for(request.user))
    currencies = sorted({c for row in rows for c in row.collected_minor})
    fmt = _wants_file(request)
    if fmt:
        header, lines = _collector_lines(rows, currencies)
        return table_export(request, name="collector_performance",
                            title=_("Collector performance"), header=header, lines=lines,
                            fmt=fmt, details={"start": start.isoformat(),
                                              "end": end.isoformat()})
    query = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    shown = [{"row": row, "collected": _money_text(row.collected_minor),
              "promised": _money_text(row.promised_minor)} for row in rows]
    return render(request, "reporting/collectors.html", {
        "rows": shown, "start": start, "end": end, "query": query,
        "chart": rate_bar_chart([(row.name, row.right_party_rate) for row in rows]),
        "kept_chart": rate_bar_chart([(row.name, row.promise_kept_rate) for row in rows])})


# --- compliance ------------------------------------------------------------------------------

DISCLOSURE_LABELS = {
    "pii.reveal": gettext_lazy("Personal data revealed (with a purpose)"),
    "pii.view": gettext_lazy("Personal data viewed in full (field visits)"),
    "list.export": gettext_lazy("Lists exported"),
    "report.export": gettext_lazy("Reports exported"),
    "audit.export": gettext_lazy("Audit trail exported"),
    "export.run": gettext_lazy("Approved bulk exports run"),
}
COMPLIANCE_TABLES = ("rules", "holds", "disclosures")


def _compliance_lines(report, table: str) -> tuple[list[str], list[list]]:
    if table == "holds":
        return ([_("Hold"), _("In force at the end"), _("Placed in the period")],
                [[str(HOLD_KINDS.get(row.kind, row.kind)), row.in_force, row.placed]
                 for row in report.holds])
    if table == "disclosures":
        return ([_("Action"), _("Events"), _("People")],
                [[str(DISCLOSURE_LABELS.get(row.action, row.action)), row.events, row.people]
                 for row in report.disclosures])
    return ([_("Rule"), _("Blocked"), _("Delayed")],
            [[row.rule_id, row.blocked, row.delayed] for row in report.rules])


def _gate_chart(report):
    total = sum(row.blocked + row.delayed for row in report.rules)
    return count_bar_chart([CountRow(row.rule_id, row.blocked + row.delayed,
                                     float(rate(row.blocked + row.delayed, total) or 0))
                            for row in report.rules[:12]])


@area_required(policy.REPORTS)
def compliance_report_page(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    report = compliance_report(start=start, end=end)
    fmt = _wants_file(request)
    if fmt:
        table = request.GET.get("table", "rules")
        table = table if table in COMPLIANCE_TABLES else "rules"
        header, lines = _compliance_lines(report, table)
        return table_export(request, name=f"compliance_{table}",
                            title=_("Compliance report"), header=header, lines=lines, fmt=fmt,
                            details={"start": start.isoformat(), "end": end.isoformat()})
    return render(request, "reporting/compliance.html", {
        "report": report, "start": start, "end": end,
        "query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        "holds": [{"row": row, "label": HOLD_KINDS.get(row.kind, row.kind)}
                  for row in report.holds],
        "disclosures": [{"row": row, "label": DISCLOSURE_LABELS.get(row.action, row.action)}
                        for row in report.disclosures],
        "chart": _gate_chart(report) if report.rules else None})


# --- the accounts behind a number ------------------------------------------------------------

def _balance_at_start(account, view):
    balance = getattr(account, "balance_at_start", None)
    return None if balance is None else Money(balance, account.product.currency)


REPORT_ACCOUNTS = ListSpec(
    name=policy.REPORT_ACCOUNTS_LIST,
    title=gettext_lazy("Accounts behind a report figure"),
    columns=(
        Column("account", gettext_lazy("Account"), lambda a, v: a.external_id,
               sort="external_id"),
        Column("name", gettext_lazy("Name"), lambda a, v: mask_name(a.cardholder.name, v.level),
               personal=True),
        Column("product", gettext_lazy("Product"), lambda a, v: a.product.code,
               sort="product__code"),
        Column("balance", gettext_lazy("Balance at start"), _balance_at_start, numeric=True),
    ),
    default_sort="account",
    page_size=50,
)


def _drill_choice(request: HttpRequest) -> dict:
    kind = request.GET.get("kind", "roll")
    part = request.GET.get("part", "all")
    return {"kind": kind if kind in DRILL_KINDS else "roll",
            "source": request.GET.get("source", "").strip()[:4],
            "target": request.GET.get("target", "").strip()[:4],
            "part": part if part in CURE_PARTS else "all"}


@area_required(policy.REPORTS)
def report_accounts(request: HttpRequest) -> HttpResponse:
    """The accounts behind one figure, among those the user reaches, paged and masked."""
    scope, chosen = _scope(request)
    drill = _drill_choice(request)
    try:
        accounts = accounts_behind(scope, **drill)
    except ReportInputError as error:
        messages.error(request, str(error))
        accounts = policy.accounts_readable(request.user).none()
    total = accounts.count()
    reachable = accounts.filter(pk__in=policy.accounts_readable(request.user).values("pk")) \
        if not policy.sees_every_account(request.user) else accounts
    start = scope.start

    def prepare(rows, view):
        balances = balances_on(start, [a.pk for a in rows])
        for account in rows:
            account.balance_at_start = balances.get(account.pk, 0)

    listing, export = list_respond(
        request, REPORT_ACCOUNTS, reachable.select_related("cardholder", "product"),
        prepare=prepare, extra={**{k: v for k, v in chosen.items() if v},
                                **{k: v for k, v in drill.items() if v}})
    if export is not None:
        return export
    back = "reporting:cures" if drill["kind"] == "cure" else "reporting:rolls"
    return render(request, "reporting/accounts.html", {
        "list": listing, "drill": drill, "scope": scope, "total": total,
        "hidden": total - listing.page.paginator.count,
        "back_url": reverse(back) + "?" + urlencode({k: v for k, v in chosen.items() if v})})
