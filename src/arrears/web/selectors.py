"""Reads behind the web pages: the portfolio by bucket, account search and one account's picture.

Portfolio-wide numbers come from ``ledger.AccountPosition`` (the balances and aging as of the
last cycle) and are aggregated by the database, never by a loop over accounts.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.ledger.models import AccountPosition, CycleRun
from arrears.portfolio import search
from arrears.portfolio.masking import (
    FULL,
    M0,
    M1,
    mask_contact_value,
    mask_name,
    mask_national_id,
    mask_phone,
)
from arrears.portfolio.models import Account, Cardholder, SearchKey
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


SEARCH_KINDS = {
    "any": gettext_lazy("Anything"),
    "account": gettext_lazy("Account number"),
    "cardholder": gettext_lazy("Cardholder number"),
    "name": gettext_lazy("Name"),
    "phone": gettext_lazy("Phone"),
    "id4": gettext_lazy("Last four of the ID"),
}
_PHONE_SHAPE = re.compile(r"\+?[\d\s()\-]{7,30}")


class SearchRefused(ValueError):
    """A search that would find too much or cannot be a search of its kind."""


def search_kind_of(*, query: str, kind: str, within: QuerySet[Account]) -> str:
    """The kind of search ``query`` is. "any" means: an account or cardholder number when one
    matches exactly, else four characters like ``123X`` are the ID's last four, a number of
    seven or more digits a phone, anything else a name."""
    if kind != "any":
        return kind
    if len(query) <= 64 and within.filter(external_id=query).exists():
        return "account"
    if len(query) <= 64 and within.filter(cardholder__external_id=query).exists():
        return "cardholder"
    if search.ID_LAST4.fullmatch(query.upper()):
        return "id4"
    if _PHONE_SHAPE.fullmatch(query) and search.phone_key(query):
        return "phone"
    return "name"


def account_search(*, query: str, within: QuerySet[Account], kind: str = "any"
                   ) -> QuerySet[Account]:
    """Accounts among ``within`` (the user's readable accounts) found by ``query`` as ``kind``
    (see :data:`SEARCH_KINDS`). Numbers match exactly: a partial number could list accounts of
    people nobody asked about. Names, phones and the ID's last four go through the search keys'
    index (``arrears.portfolio.search``). Raises :class:`SearchRefused` for a query that is not
    a search of its kind."""
    query = query.strip()
    if kind not in SEARCH_KINDS:
        raise SearchRefused(_("Unknown kind of search."))
    if not query:
        return Account.objects.none()
    kind = search_kind_of(query=query, kind=kind, within=within)
    if kind == "account":
        found = within.filter(external_id=query)
    elif kind == "cardholder":
        found = within.filter(cardholder__external_id=query)
    elif kind == "id4":
        if not search.ID_LAST4.fullmatch(query.upper()):
            raise SearchRefused(_("Type the last four characters of the ID number, e.g. "
                                  "1234 or 123X."))
        found = within.filter(cardholder__in=search.cardholders_by_key(
            SearchKey.Kind.ID_LAST4, query.upper()))
    elif kind == "phone":
        key = search.phone_key(query)
        if not key:
            raise SearchRefused(_("Type the whole phone number (at least seven digits)."))
        found = within.filter(cardholder__in=search.cardholders_by_key(SearchKey.Kind.PHONE, key))
    else:
        if len(query) > 100:
            raise SearchRefused(_("A name is at most 100 characters."))
        holders = search.cardholders_by_name(query)
        if holders is None:
            raise SearchRefused(_("Type at least one character of a name."))
        found = within.filter(cardholder__in=holders)
    return found.select_related("cardholder", "product").order_by("external_id")


def search_query_for_audit(query: str, kind: str) -> str:
    """What the audit trail keeps of a search: numbers as typed, a name masked (M1), a phone
    with its last four digits only, nothing of an ID."""
    query = query.strip()
    if kind in ("account", "cardholder"):
        return query[:64]
    if kind == "phone":
        return mask_phone(query, M0)
    if kind == "id4":
        return "****"
    return mask_name(query[:100], M1)


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
