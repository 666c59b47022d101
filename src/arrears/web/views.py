"""The pages a collections user sees: the portfolio overview, account search and one account.

Views only read the request, call selectors and shape what the templates show.
"""

from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.access import policy
from arrears.access.web import account_readable_or_404, area_required, home_url
from arrears.audit.services import (
    PURPOSE_LABELS,
    RevealRefused,
    audit_record,
    client_of,
    pii_reveal,
)
from arrears.ledger.models import BucketChange, Posting
from arrears.ledger.selectors import account_summary_today
from arrears.lists import Column, Filter, ListSpec, list_respond
from arrears.portfolio.masking import FULL, mask_name, mask_national_id
from arrears.portfolio.models import Account, Product
from arrears.rules.aging import BUCKET_CODES
from arrears.rules.money import format_amount
from arrears.web.charts import bucket_bar_chart
from arrears.web.selectors import (
    REVEALED_FIELDS,
    SEARCH_KINDS,
    SearchRefused,
    cardholder_picture,
    cycle_run_last,
    portfolio_by_bucket,
    search_kind_of,
    search_query_for_audit,
)
from arrears.web.selectors import (
    account_search as account_search_select,
)

POSTINGS_PER_PAGE = 25


@login_required
def portfolio_overview(request: HttpRequest) -> HttpResponse:
    """The portfolio by bucket; a role without it is sent to its own first page."""
    if not policy.may_use(request.user, policy.PORTFOLIO):
        return redirect(home_url(request.user))
    portfolios = [
        {"portfolio": portfolio, "chart": bucket_bar_chart(portfolio)}
        for portfolio in portfolio_by_bucket()
    ]
    return render(
        request,
        "web/portfolio.html",
        {"portfolios": portfolios, "cycle_run": cycle_run_last()},
    )


portfolio_overview.access_area = policy.PORTFOLIO


def _product_choices():
    return [(code, code) for code in Product.objects.order_by("code").values_list(
        "code", flat=True)]


ACCOUNTS_LIST = ListSpec(
    name=policy.ACCOUNTS_LIST,
    title=gettext_lazy("Accounts found"),
    columns=(
        Column("account", gettext_lazy("Account"), lambda a, v: a.external_id,
               sort="external_id", link=lambda a: reverse("web:account", args=[a.external_id])),
        Column("cardholder", gettext_lazy("Cardholder number"),
               lambda a, v: a.cardholder.external_id, sort="cardholder__external_id"),
        Column("name", gettext_lazy("Name"), lambda a, v: mask_name(a.cardholder.name, v.level),
               personal=True),
        Column("national_id", gettext_lazy("ID number"),
               lambda a, v: mask_national_id(a.cardholder.national_id, v.level), personal=True),
        Column("product", gettext_lazy("Product"), lambda a, v: a.product.code,
               sort="product__code"),
        Column("status", gettext_lazy("Status"), lambda a, v: a.get_status_display(),
               sort="status"),
        Column("bucket", gettext_lazy("Bucket"),
               lambda a, v: getattr(getattr(a, "position", None), "bucket", ""),
               sort="position__bucket"),
    ),
    filters=(
        Filter("status", gettext_lazy("Status"), lambda rows, value: rows.filter(status=value),
               choices=lambda: Account.Status.choices, kind="choice"),
        Filter("bucket", gettext_lazy("Bucket"),
               lambda rows, value: rows.filter(position__bucket=value),
               choices=lambda: [(code, code) for code in BUCKET_CODES], kind="choice"),
        Filter("product", gettext_lazy("Product"), lambda rows, value: rows.filter(
            product__code=value), choices=_product_choices, kind="choice"),
    ),
    default_sort="account",
    page_size=25,
)


@area_required(policy.ACCOUNTS)
def account_search(request: HttpRequest) -> HttpResponse:
    """Find accounts by number, name, phone or the ID's last four, among the accounts the
    user may read; names and numbers shown masked; every search is audited."""
    query = request.GET.get("q", "").strip()[:200]
    asked = request.GET.get("kind", "any")
    kind = asked if asked in SEARCH_KINDS else "any"
    within = policy.accounts_readable(request.user)
    problem = ""
    resolved = kind
    try:
        if query:
            resolved = search_kind_of(query=query, kind=kind, within=within)
        accounts = account_search_select(query=query, within=within, kind=resolved)
    except SearchRefused as refused:
        problem, accounts = str(refused), Account.objects.none()
    listing, export = list_respond(request, ACCOUNTS_LIST,
                                   accounts.select_related("position"),
                                   extra={"q": query, "kind": kind})
    if export is not None:
        return export
    count = listing.page.paginator.count
    if query:
        audit_record(
            actor=request.user, action="account.search", object_type="search",
            object_id=resolved, client=client_of(request),
            details={"kind": resolved, "results": count,
                     "query": search_query_for_audit(query, resolved),
                     "masking": listing.level},
        )
    if count == 1 and resolved in ("account", "cardholder") and not listing.filters:
        return redirect("web:account", external_id=listing.rows[0].external_id)
    return render(request, "web/search.html", {
        "query": query, "kind": kind, "resolved": resolved, "problem": problem,
        "kinds": SEARCH_KINDS.items(), "kind_label": SEARCH_KINDS.get(resolved, ""),
        "list": listing,
    })


@area_required(policy.ACCOUNTS)
def account_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    """One account the user may open. A POST is the reveal form: with a purpose code and a
    reason, a user who may reveal this account's data sees it unmasked for this page view, and
    the reveal is audited."""
    account = account_readable_or_404(
        request.user, external_id=external_id, related=("cardholder", "product", "position")
    )
    currency = account.product.currency
    today = timezone.localdate(timezone=ZoneInfo(account.product.time_zone))
    summary = account_summary_today(account, today)

    level = policy.masking_level(request.user)
    may_reveal = policy.may_reveal_account(request.user, account)
    reveal_error = ""
    if request.method == "POST":
        try:
            if not may_reveal:
                raise RevealRefused(_("Your role may not reveal this account's personal data."))
            pii_reveal(
                request.user, object_type="cardholder", object_id=account.cardholder.external_id,
                fields=list(REVEALED_FIELDS), purpose=request.POST.get("purpose", ""),
                reason=request.POST.get("reason", ""), account_id=account.external_id,
                client=client_of(request),
            )
            level = FULL
        except RevealRefused as refused:
            reveal_error = str(refused)
    else:
        audit_record(
            actor=request.user, action="account.view", object_type="account",
            object_id=account.external_id, client=client_of(request),
            details={"page": "account", "masking": level},
        )
    person = cardholder_picture(cardholder=account.cardholder, level=level)

    postings = Paginator(
        account.postings.order_by("-posting_date", "-pk").select_related("reverses"),
        POSTINGS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    for posting in postings:
        posting.amount_text = format_amount(posting.amount_minor, currency)
    statements = list(account.statements.order_by("-cycle_date"))
    for statement in statements:
        statement.balance_text = format_amount(statement.statement_balance_minor, currency)
        statement.minimum_text = format_amount(statement.minimum_due_minor, currency)

    return render(
        request,
        "web/account.html",
        {
            "account": account,
            "currency": currency,
            "summary": summary,
            "money": _summary_money(summary, currency),
            "credit_limit": format_amount(account.credit_limit_minor, currency),
            "person": person,
            "reveal_error": reveal_error,
            "may_reveal": may_reveal,
            "purpose_choices": PURPOSE_LABELS.items(),
            "statements": statements,
            "postings": postings,
            "posting_kinds": Posting.Kind,
            "bucket_changes": BucketChange.objects.filter(account=account).order_by(
                "-changed_on", "-pk"
            ),
        },
        status=403 if reveal_error else 200,
    )


def _summary_money(summary, currency: str) -> dict[str, str]:
    """The summary's amounts formatted for display, by name."""
    amounts = {
        "principal": summary.balances.principal,
        "interest": summary.balances.interest,
        "fees": summary.balances.fees,
        "balance": summary.balances.total,
        "past_due": summary.delinquency.past_due_amount,
        "payoff_principal": summary.payoff.principal,
        "payoff_interest": summary.payoff.interest,
        "payoff_fees": summary.payoff.fees,
        "projected_interest": summary.payoff.projected_interest,
        "projected_fees": summary.payoff.projected_fees,
        "payoff_total": summary.payoff.total,
    }
    return {name: format_amount(value, currency) for name, value in amounts.items()}
