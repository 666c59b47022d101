"""What the portal shows a signed-in cardholder about their one account."""

from dataclasses import dataclass
from datetime import date

from arrears.arrangements.models import Plan, Promise
from arrears.arrangements.services import account_today
from arrears.ledger.models import Posting
from arrears.ledger.selectors import AccountSummary, account_summary_today
from arrears.portfolio.models import Account
from arrears.rules.money import format_money
from arrears.selfservice.models import PaymentIntent

STATEMENTS_SHOWN = 6
PAYMENTS_SHOWN = 10


@dataclass(frozen=True)
class Owed:
    """The 'what I owe' page: amounts already formatted in the reader's language."""

    today: date
    summary: AccountSummary
    money: dict[str, str]
    statements: list
    payments: list
    promise: Promise | None
    plan: Plan | None


def summary_today(account: Account) -> AccountSummary:
    """Aging as of the last nightly cycle, balances with today's postings, payoff for today
    (the same reading as the collector's account screen)."""
    return account_summary_today(account, account_today(account))


def owed(account: Account, language: str) -> Owed:
    summary = summary_today(account)
    currency = summary.currency

    def money(minor: int) -> str:
        return format_money(minor, currency, language)

    amounts = {
        "principal": summary.balances.principal, "interest": summary.balances.interest,
        "fees": summary.balances.fees, "balance": summary.balances.total,
        "past_due": summary.delinquency.past_due_amount, "payoff": summary.payoff.total,
    }
    statements = list(account.statements.order_by("-cycle_date")[:STATEMENTS_SHOWN])
    for row in statements:
        row.balance_text = money(row.statement_balance_minor)
        row.minimum_text = money(row.minimum_due_minor)
    payments = list(account.postings.filter(kind=Posting.Kind.PAYMENT)
                    .order_by("-posting_date", "-pk")[:PAYMENTS_SHOWN])
    for row in payments:
        row.amount_text = money(row.amount_minor)
    promise = (Promise.objects.filter(account=account, status=Promise.Status.PENDING)
               .order_by("-taken_at").first())
    if promise:
        promise.amount_text = money(promise.amount_minor)
    plan = (Plan.objects.filter(account=account, status=Plan.Status.ACTIVE)
            .order_by("-proposed_at").first())
    if plan:
        plan.total_text = money(plan.total_minor)
    return Owed(today=account_today(account), summary=summary,
                money={name: money(value) for name, value in amounts.items()},
                statements=statements, payments=payments, promise=promise, plan=plan)


def intent_of(account: Account, reference: str) -> PaymentIntent | None:
    """A payment intent of this account only: a reference of another account finds nothing."""
    return PaymentIntent.objects.filter(account=account, reference=reference[:64]).first()
