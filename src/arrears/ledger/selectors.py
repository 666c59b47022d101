"""Reading an account's ledger and deriving its balances, aging and payoff quote."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max

from arrears.ledger.models import CycleRun, DelinquencyPolicy, InterestStop, Posting
from arrears.portfolio.models import Account, Product, Statement
from arrears.rules.accrual import PayoffQuote, payoff_quote
from arrears.rules.aging import (
    DEFAULT_BUCKETS,
    Bucket,
    Delinquency,
    Payment,
    StatementDue,
    delinquency,
)
from arrears.rules.allocation import Balances, parse_allocation_order
from arrears.rules.charges import ProductTerms
from arrears.rules.ledger import Entry, fold, payments_net_of_reversals

ENTRY_FIELDS = ("id", "account_id", "kind", "amount_minor", "posting_date", "component",
                "reverses_id", "statement_cycle_date")


@dataclass(frozen=True)
class AccountSummary:
    account: Account
    as_of: date  # the day of the aging (delinquency)
    currency: str
    balances: Balances  # after every posting booked through ``booked_through``
    delinquency: Delinquency
    payoff: PayoffQuote
    booked_through: date


@dataclass(frozen=True)
class AccountLedger:
    """Everything the rules need about one account, loaded once."""

    entries: list[Entry]
    statements: list[StatementDue]
    fees_charged_for: frozenset[date]
    interest_stops: tuple[tuple[date, date | None], ...] = ()


@dataclass(frozen=True)
class BucketPolicy:
    """The delinquency ranges in force for a product: the policy row (None: the built-in
    default, when no policy is stored) and its buckets."""

    policy_id: int | None
    buckets: tuple[Bucket, ...]


def bucket_policies(as_of: date) -> dict[int | None, BucketPolicy]:
    """The policy in force on ``as_of`` for each product that has one of its own, and under
    the key None the default for every other product: the latest version valid by then."""
    found: dict[int | None, BucketPolicy] = {}
    for policy in (DelinquencyPolicy.objects.filter(valid_from__lte=as_of)
                   .order_by("product_id", "-version").prefetch_related("ranges")):
        if policy.product_id in found:
            continue
        ranges = sorted(policy.ranges.all(), key=lambda r: r.min_days)
        if ranges:
            found[policy.product_id] = BucketPolicy(
                policy.pk, tuple(Bucket(r.code, r.min_days) for r in ranges))
    found.setdefault(None, BucketPolicy(None, DEFAULT_BUCKETS))
    return found


def bucket_policy_for(policies: dict[int | None, BucketPolicy], product_id: int
                      ) -> BucketPolicy:
    return policies.get(product_id) or policies[None]


def product_terms(product: Product) -> ProductTerms:
    return ProductTerms(
        daily_interest_rate=product.daily_interest_rate,
        late_fee_rate=product.late_fee_rate,
        late_fee_min=product.late_fee_min_minor,
        late_fee_max=product.late_fee_max_minor,
        min_payment_rate=product.min_payment_rate,
        min_payment_floor=product.min_payment_floor_minor,
        grace_days=product.grace_days,
        past_due_tolerance=product.past_due_tolerance_minor,
        allocation_order=parse_allocation_order(product.allocation_order),
    )


def entry_from_row(row: tuple) -> Entry:
    key, _account, kind, amount, posting_date, component, reverses, _cycle = row
    return Entry(key, kind, amount, posting_date, component or "", reverses)


def fees_charged(rows: Iterable[tuple]) -> frozenset[date]:
    """Cycle dates of statements that carry a late fee which has not been reversed."""
    rows = list(rows)
    reversed_ids = {r[6] for r in rows if r[2] == Posting.Kind.REVERSAL}
    return frozenset(
        r[7] for r in rows
        if r[2] == Posting.Kind.LATE_FEE and r[7] is not None and r[0] not in reversed_ids
    )


def ledgers_for(account_ids: list[int]) -> dict[int, AccountLedger]:
    """Load the entries and statements of many accounts in two queries."""
    rows_by_account: dict[int, list[tuple]] = {a: [] for a in account_ids}
    for row in Posting.objects.filter(account_id__in=account_ids).values_list(*ENTRY_FIELDS):
        rows_by_account[row[1]].append(row)
    statements: dict[int, list[StatementDue]] = {a: [] for a in account_ids}
    for account_id, cycle, due, minimum in (
        Statement.objects.filter(account_id__in=account_ids)
        .order_by("cycle_date")
        .values_list("account_id", "cycle_date", "due_date", "minimum_due_minor")
    ):
        statements[account_id].append(StatementDue(cycle, due, minimum))
    stops: dict[int, list[tuple[date, date | None]]] = {a: [] for a in account_ids}
    for account_id, first, last in (InterestStop.objects.filter(account_id__in=account_ids)
                                    .order_by("first_day")
                                    .values_list("account_id", "first_day", "last_day")):
        stops[account_id].append((first, last))
    return {
        a: AccountLedger(
            [entry_from_row(r) for r in rows_by_account[a]], statements[a],
            fees_charged(rows_by_account[a]), tuple(stops[a]),
        )
        for a in account_ids
    }


def delinquency_as_of(ledger: AccountLedger, as_of: date, terms: ProductTerms,
                      buckets: tuple[Bucket, ...] = DEFAULT_BUCKETS) -> Delinquency:
    payments = [
        Payment(d, amount)
        for d, amount in payments_net_of_reversals(ledger.entries, as_of + timedelta(days=1))
    ]
    return delinquency(ledger.statements, payments, as_of, tolerance=terms.past_due_tolerance,
                       buckets=buckets)


def cycled_through(account_id: int) -> date | None:
    """The date of the latest cycle run that reached this account (``accounts_through``)."""
    return (CycleRun.objects.filter(accounts_through__gte=account_id)
            .aggregate(last=Max("as_of"))["last"])


def position_as_of(position, field: str = "as_of") -> date | None:
    """The date an account's position holds for (``as_of``) or its interest is accrued
    through (``accrued_through``): the set-based cycle does not rewrite a position whose
    values did not change, so the row's own date is lifted to the latest run that covered
    the account."""
    own = getattr(position, field) if position is not None else None
    if own is None:
        return None
    covered = cycled_through(position.account_id)
    return max(own, covered) if covered else own


def account_summary_today(account: Account, today: date) -> AccountSummary:
    """What every account screen shows (staff and cardholder alike): aging as of the last
    nightly cycle, balances with everything booked through ``today`` (a payment or waiver of
    today shows at once) and the payoff quote for today."""
    position = getattr(account, "position", None)
    as_of = position_as_of(position) if position else today
    return account_summary(account=account, as_of=as_of, payoff_date=max(today, as_of),
                           booked_through=today)


def quote_horizon(account: Account, today: date) -> date:
    """The last date a payoff quote may be asked for: the product's horizon (bounded by the
    hard one), so that no request projects interest for years."""
    return today + timedelta(days=account.product.limits.horizon)


def account_summary(
    *, account: Account, as_of: date, payoff_date: date | None = None,
    booked_through: date | None = None,
) -> AccountSummary:
    """Balances and aging on ``as_of`` and the payoff quote for ``payoff_date`` (default as_of).

    ``booked_through`` (a day after ``as_of``) folds the balances over the postings booked
    since as well: the account pages age an account as of the last nightly cycle but must
    show the payments, reversals and waivers booked today in its balances."""
    terms = product_terms(account.product)
    ledger = ledgers_for([account.pk])[account.pk]
    position = getattr(account, "position", None)  # the cached relation, read at most once
    accrued_through = position_as_of(position, "accrued_through")
    quote = payoff_quote(
        entries=ledger.entries,
        statements=ledger.statements,
        terms=terms,
        accrued_through=accrued_through or as_of,
        payoff_date=payoff_date or as_of,
        fees_charged_for=ledger.fees_charged_for,
        interest_stops=ledger.interest_stops,
    )
    booked_through = max(as_of, booked_through or as_of)
    return AccountSummary(
        account=account,
        as_of=as_of,
        currency=account.product.currency,
        balances=fold(ledger.entries, terms.allocation_order, through=booked_through).balances,
        delinquency=delinquency_as_of(ledger, as_of, terms),
        payoff=quote,
        booked_through=booked_through,
    )
