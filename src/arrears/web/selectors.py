"""Reads behind the web pages: the portfolio by bucket, account search and one account's picture.

Portfolio-wide numbers come from ``ledger.AccountPosition`` (the balances and aging as of the
last cycle) and are aggregated by the database, never by a loop over accounts.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from arrears.ledger.models import AccountPosition, CycleRun
from arrears.portfolio.masking import (
    FULL,
    M0,
    mask_contact_value,
    mask_name,
    mask_national_id,
)
from arrears.portfolio.models import Account, Cardholder
from arrears.rules.aging import BUCKET_CODES


@dataclass(frozen=True)
class BucketRow:
    bucket: str
    accounts: int
    balance_minor: int
    past_due_minor: int
    account_share: Decimal  # percent, one decimal
    balance_share: Decimal  # percent, one decimal


@dataclass(frozen=True)
class CurrencyPortfolio:
    """One currency's accounts and balances by bucket, every bucket present (M0 … M7+)."""

    currency: str
    rows: tuple[BucketRow, ...]
    accounts: int
    balance_minor: int
    past_due_minor: int


def _percent(part: int, whole: int) -> Decimal:
    if whole <= 0:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def portfolio_by_bucket() -> list[CurrencyPortfolio]:
    """Accounts, balance and past-due amount by currency and bucket, in one GROUP BY query.

    Amounts of different currencies are never added together. The share of balance is the
    bucket's share of the currency's total balance (credit balances count as negative).
    """
    grouped = (
        AccountPosition.objects.order_by()
        .values(currency=F("account__product__currency"), code=F("bucket"))
        .annotate(
            accounts=Count("pk"),
            balance=Sum(F("principal_minor") + F("interest_minor") + F("fees_minor")),
            past_due=Sum("past_due_minor"),
        )
    )
    by_currency: dict[str, dict[str, dict]] = {}
    for group in grouped:
        by_currency.setdefault(group["currency"], {})[group["code"]] = group
    portfolios = []
    for currency in sorted(by_currency):
        groups = by_currency[currency]
        accounts = sum(g["accounts"] for g in groups.values())
        balance = sum(g["balance"] for g in groups.values())
        past_due = sum(g["past_due"] for g in groups.values())
        codes = list(BUCKET_CODES) + sorted(set(groups) - set(BUCKET_CODES))
        rows = []
        for code in codes:
            group = groups.get(code, {"accounts": 0, "balance": 0, "past_due": 0})
            rows.append(
                BucketRow(
                    bucket=code,
                    accounts=group["accounts"],
                    balance_minor=group["balance"],
                    past_due_minor=group["past_due"],
                    account_share=_percent(group["accounts"], accounts),
                    balance_share=_percent(group["balance"], balance),
                )
            )
        portfolios.append(
            CurrencyPortfolio(
                currency=currency,
                rows=tuple(rows),
                accounts=accounts,
                balance_minor=balance,
                past_due_minor=past_due,
            )
        )
    return portfolios


def cycle_run_last() -> CycleRun | None:
    """The most recent finished run of the nightly cycle, or None before the first one."""
    return CycleRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()


def account_search(*, query: str, within: QuerySet[Account]) -> QuerySet[Account]:
    """Accounts among ``within`` (the user's readable accounts) whose external id, or whose
    cardholder's external id, is ``query``.

    Exact matches only: a partial id could list accounts of people nobody asked about.
    """
    query = query.strip()
    if not query:
        return Account.objects.none()
    return (
        within.filter(Q(external_id=query) | Q(cardholder__external_id=query))
        .select_related("cardholder", "product")
        .order_by("external_id")
    )


@dataclass(frozen=True)
class ContactLine:
    kind: str
    label: str
    value: str
    verified: bool


@dataclass(frozen=True)
class ThirdPartyLine:
    """An emergency or reference contact: relationship and masked name; never the number."""

    name: str
    relation: str
    verified: bool


@dataclass(frozen=True)
class CardholderPicture:
    """What the account page shows about a person, at masking ``level`` ("M1", "M0", or
    "full" for one page view after a logged reveal)."""

    external_id: str
    name: str
    national_id: str
    level: str
    contacts: tuple[ContactLine, ...]
    third_parties: tuple[ThirdPartyLine, ...]

    @property
    def masked(self) -> bool:
        return self.level != FULL


REVEALED_FIELDS = ("name", "national_id", "contact_points")


def cardholder_picture(*, cardholder: Cardholder, level: str) -> CardholderPicture:
    """The cardholder's personal data masked at ``level`` (COMPLIANCE.md b.3). Emergency and
    reference contacts keep a masked name and no number, whatever the level."""
    contacts = tuple(
        ContactLine(
            kind=point.kind,
            label=point.get_kind_display(),
            value=mask_contact_value(point.kind, point.value, level),
            verified=point.verified,
        )
        for point in cardholder.contact_points.order_by("kind", "pk")
    )
    third_parties = tuple(
        ThirdPartyLine(
            name=mask_name(contact.name, M0 if level == FULL else level),
            relation=contact.get_relation_display(),
            verified=contact.verified,
        )
        for contact in cardholder.third_party_contacts.order_by("relation", "pk")
    )
    return CardholderPicture(
        external_id=cardholder.external_id,
        name=mask_name(cardholder.name, level),
        national_id=mask_national_id(cardholder.national_id, level),
        level=level,
        contacts=contacts,
        third_parties=third_parties,
    )
