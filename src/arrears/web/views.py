"""The pages a collections user sees: the portfolio overview, account search and one account.

Views only read the request, call selectors and shape what the templates show.
"""

from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

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
from arrears.ledger.selectors import account_summary
from arrears.portfolio.masking import FULL
from arrears.rules.money import format_amount
from arrears.web.charts import bucket_bar_chart
from arrears.web.selectors import (
    REVEALED_FIELDS,
    cardholder_picture,
    cycle_run_last,
    portfolio_by_bucket,
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


@area_required(policy.ACCOUNTS)
def account_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    accounts = list(
        account_search_select(query=query, within=policy.accounts_readable(request.user))[:50]
    )
    if len(accounts) == 1:
        return redirect("web:account", external_id=accounts[0].external_id)
    return render(request, "web/search.html", {"query": query, "accounts": accounts})


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
    position = getattr(account, "position", None)
    # Aging as of the last nightly cycle, like the overview; balances with everything booked
    # through today (a payment or waiver of today shows at once); payoff for today.
    as_of = position.as_of if position else today
    summary = account_summary(account=account, as_of=as_of, payoff_date=max(today, as_of),
                              booked_through=today)

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
