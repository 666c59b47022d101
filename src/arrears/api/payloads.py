"""The JSON shapes of accounts, payoff quotes and postings, shared by the API and the CLI.

Amounts are strings in major units with the currency's decimals (``"1234.56"``), never floats.
"""

from arrears.ledger.models import Posting
from arrears.ledger.selectors import AccountSummary
from arrears.rules.money import to_decimal


def money(minor: int, currency: str) -> str:
    return str(to_decimal(minor, currency))


def account_payload(summary: AccountSummary) -> dict:
    currency = summary.currency
    balances, late = summary.balances, summary.delinquency
    return {
        "account_id": summary.account.external_id,
        "status": summary.account.status,
        "currency": currency,
        "as_of": summary.as_of.isoformat(),
        "bucket": late.bucket,
        "days_past_due": late.days_past_due,
        "cycles_delinquent": late.cycles_delinquent,
        "past_due": money(late.past_due_amount, currency),
        "oldest_unpaid_due_date": (
            late.oldest_unpaid_due_date.isoformat() if late.oldest_unpaid_due_date else None
        ),
        "balances": {
            "principal": money(balances.principal, currency),
            "interest": money(balances.interest, currency),
            "fees": money(balances.fees, currency),
            "total": money(balances.total, currency),
        },
    }


def payoff_payload(summary: AccountSummary) -> dict:
    currency, quote = summary.currency, summary.payoff
    return {
        "account_id": summary.account.external_id,
        "currency": currency,
        "payoff_date": quote.payoff_date.isoformat(),
        "principal": money(quote.principal, currency),
        "interest": money(quote.interest, currency),
        "fees": money(quote.fees, currency),
        "projected_interest": money(quote.projected_interest, currency),
        "projected_fees": money(quote.projected_fees, currency),
        "total": money(quote.total, currency),
    }


def posting_payload(posting: Posting) -> dict:
    currency = posting.account.product.currency
    return {
        "external_id": posting.external_id,
        "account_id": posting.account.external_id,
        "kind": posting.kind,
        "amount": money(posting.amount_minor, currency),
        "currency": currency,
        "posting_date": posting.posting_date.isoformat(),
        "value_date": posting.value_date.isoformat(),
        "reverses": posting.reverses.external_id if posting.reverses_id else None,
        "reason": posting.reason,
        "created_at": posting.created_at.isoformat(),
    }
