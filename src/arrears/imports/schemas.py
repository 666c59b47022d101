"""The columns of each import kind, and how one cell of text becomes a value.

The schemas are data: the importer validates against them, ``arrears import --help`` lists them
and ``docs/imports.md`` documents them (a test keeps the documentation in step).
"""

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from arrears.imports.formats import ISO_DATES, CellError, DateFormat
from arrears.ledger.models import Posting
from arrears.portfolio.models import (
    PHONE_KINDS,
    Account,
    ContactPoint,
    Product,
    ThirdPartyContact,
)
from arrears.rules.allocation import COMPONENTS

KINDS: tuple[str, ...] = (
    "products", "cardholders", "contacts", "accounts", "statements", "postings",
)

CARDHOLDER_FLAGS = (
    "complaint", "hardship", "deceased", "bankruptcy", "dispute", "cease_contact", "vip",
)
LANGUAGES = ("zh-hans", "en")
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no", ""})


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    ``type`` is one of text, date, amount, bool, choice, flags, time_zone, integer, rate,
    currency, allocation. Amounts are parsed by the importer because their currency comes
    from the account's product. ``bounds`` are the smallest and largest integer or rate;
    ``places`` the most decimals a rate may have.
    """

    name: str
    type: str
    required: bool
    example: str
    meaning: object  # a lazy translation
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    bounds: tuple | None = None
    places: int | None = None


def _col(name: str, type_: str, required: bool, example: str, meaning, **extra) -> Column:
    if "choices" in extra:
        extra["choices"] = tuple(extra["choices"])
    return Column(name, type_, required, example, meaning, **extra)


def _rate(name: str, example: str, meaning, *, most: str) -> Column:
    """A product rate, with the decimals and size its database column holds."""
    model_field = Product._meta.get_field(name)
    whole_digits = model_field.max_digits - model_field.decimal_places
    largest = min(Decimal(most), Decimal(10) ** whole_digits - Decimal(1).scaleb(
        -model_field.decimal_places))
    return Column(name, "rate", False, example, meaning, bounds=(Decimal(0), largest),
                  places=model_field.decimal_places)


SCHEMAS: dict[str, tuple[Column, ...]] = {
    "products": (
        _col("code", "text", True, "GOLD",
             _("The product code; accounts name it in their product column."), max_length=40),
        _col("name", "text", True, "金卡", _("Product name."), max_length=200),
        _col("currency", "currency", True, "CNY",
             _("ISO 4217 currency code; cannot change once the product has accounts.")),
        _col("time_zone", "time_zone", False, "Asia/Shanghai",
             _("IANA time zone of the product's cardholders (default Asia/Shanghai).")),
        _rate("daily_interest_rate", "0.0005",
              _("Daily overdue interest as a fraction (0.0005) or a percentage (0.05%); "
                "default 0.0005."),
              most="1"),
        _rate("late_fee_rate", "5%",
              _("Share of the unpaid minimum payment charged as late fee (default 0.05)."),
              most="1"),
        _col("late_fee_min", "amount", False, "0",
             _("Smallest late fee, in the product's currency (default 0).")),
        _col("late_fee_max", "amount", False, "300",
             _("Largest late fee, in the product's currency; blank: no maximum.")),
        _rate("min_payment_rate", "0.10",
              _("Share of the statement principal in the minimum payment (default 0.10)."),
              most="1"),
        _col("min_payment_floor", "amount", False, "100",
             _("Smallest minimum payment, in the product's currency (default 100.00 CNY, "
               "10000 minor units).")),
        _col("grace_days", "integer", False, "3",
             _("Days after the due date before a late fee (default 0)."), bounds=(0, 366)),
        _col("past_due_tolerance", "amount", False, "10",
             _("An unpaid minimum at or below this amount does not make an account late "
               "(default 0).")),
        _col("allocation_order", "allocation", False, "fees;interest;principal",
             _("Order in which a payment pays fees, interest and principal, separated by ; "
               "or , (default fees;interest;principal).")),
        _col("statement_day", "integer", False, "20",
             _("Day of the month statements are cut (default 20)."), bounds=(1, 31)),
        _col("due_days", "integer", False, "25",
             _("Days from statement to due date (default 25)."), bounds=(0, 366)),
    ),
    "cardholders": (
        _col("external_id", "text", True, "C1001", _("The card system's cardholder id."),
             max_length=64),
        _col("name", "text", True, "张三", _("Full name."), max_length=200),
        _col("national_id", "text", False, "110101199003070015", _("National ID number."),
             max_length=32),
        _col("date_of_birth", "date", False, "1990-03-07", _("Date of birth.")),
        _col("monthly_income", "amount", False, "12000",
             _("Monthly income in the default currency (ARREARS_DEFAULT_CURRENCY).")),
        _col("employer", "text", False, "北京某科技有限公司", _("Employer."), max_length=200),
        _col("flags", "flags", False, "complaint;hardship", _("Semicolon-separated flags."),
             choices=CARDHOLDER_FLAGS),
        _col("language", "choice", False, "zh-hans", _("Preferred language (default zh-hans)."),
             choices=LANGUAGES),
        _col("time_zone", "time_zone", False, "Asia/Shanghai",
             _("IANA time zone; blank: the product's.")),
    ),
    "contacts": (
        _col("external_id", "text", True, "K5001", _("The card system's contact id."),
             max_length=64),
        _col("cardholder_id", "text", True, "C1001", _("External id of the cardholder."),
             max_length=64),
        _col("kind", "choice", True, "mobile", _("What the value is."),
             choices=ContactPoint.Kind.values),
        _col("value", "text", True, "13800138000",
             _("Phone number, e-mail address or postal address."), max_length=500),
        _col("verified", "bool", False, "true",
             _("Whether the contact point is verified (default false).")),
        _col("source", "text", False, "application", _("Where the contact point came from."),
             max_length=100),
        _col("relation", "choice", False, "spouse",
             _("Blank: the cardholder's own contact point; otherwise a third-party contact."),
             choices=ThirdPartyContact.Relation.values),
        _col("contact_name", "text", False, "李四",
             _("Name of the third party (required with relation)."), max_length=200),
    ),
    "accounts": (
        _col("external_id", "text", True, "A2001", _("The card system's account id."),
             max_length=64),
        _col("cardholder_id", "text", True, "C1001", _("External id of the cardholder."),
             max_length=64),
        _col("product", "text", True, "GOLD", _("Product code; the product sets the currency."),
             max_length=40),
        _col("credit_limit", "amount", True, "50000", _("Credit limit in the product's currency.")),
        _col("open_date", "date", True, "2023-05-01", _("Date the account was opened.")),
        _col("status", "choice", False, "active", _("Account status (default active)."),
             choices=Account.Status.values),
    ),
    "statements": (
        _col("external_id", "text", True, "S3001", _("The card system's statement id."),
             max_length=64),
        _col("account_id", "text", True, "A2001", _("External id of the account."),
             max_length=64),
        _col("cycle_date", "date", True, "2024-01-20", _("Statement (billing cycle) date.")),
        _col("due_date", "date", True, "2024-02-14",
             _("Payment due date, on or after the cycle date.")),
        _col("statement_balance", "amount", True, "8800.00", _("Balance on the statement.")),
        _col("minimum_due", "amount", True, "880.00", _("Minimum payment due, not negative.")),
    ),
    "postings": (
        _col("external_id", "text", True, "P9001", _("The card system's transaction id."),
             max_length=64),
        _col("account_id", "text", True, "A2001", _("External id of the account."),
             max_length=64),
        _col("kind", "choice", True, "purchase", _("Kind of posting."),
             choices=Posting.Kind.values),
        _col("amount", "amount", True, "1234.56",
             _("Amount, positive (an adjustment may be negative, a credit).")),
        _col("posting_date", "date", True, "2024-01-05", _("Date the posting was booked.")),
        _col("value_date", "date", False, "2024-01-04",
             _("Date interest counts from (default posting_date).")),
        _col("component", "choice", False, "fees",
             _("principal, interest or fees; required for waiver and adjustment."),
             choices=[c for c in Posting.Component.values if c]),
        _col("reverses", "text", False, "P9000",
             _("For a reversal: external id of the posting it undoes."), max_length=64),
        _col("reason", "text", False, "duplicate charge",
             _("Why (for reversals, waivers, adjustments)."), max_length=500),
        _col("statement_cycle_date", "date", False, "2024-01-20",
             _("For a late fee: cycle date of the statement it is charged for.")),
    ),
}

IMPORT_ORDER = KINDS


def required_columns(kind: str) -> list[str]:
    return [c.name for c in SCHEMAS[kind] if c.required]


def parse_bool(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("%(value)r is not true/false, 1/0 or yes/no") % {"value": text})


def parse_choice(text: str, choices: tuple[str, ...]) -> str:
    value = text.lower()
    if value not in choices:
        raise CellError(
            _("%(value)r is not one of: %(choices)s")
            % {"value": text, "choices": ", ".join(choices)}
        )
    return value


def parse_flags(text: str, choices: tuple[str, ...]) -> str:
    flags: list[str] = []
    for part in text.split(";"):
        flag = part.strip().lower()
        if not flag or flag in flags:
            continue
        if flag not in choices:
            raise CellError(
                _("unknown flag %(value)r (known: %(choices)s)")
                % {"value": part.strip(), "choices": ", ".join(choices)}
            )
        flags.append(flag)
    return ";".join(flags)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_time_zone(text: str) -> str:
    if text not in _time_zones():
        raise CellError(_("%(value)r is not an IANA time zone such as Asia/Shanghai")
                        % {"value": text})
    return text


PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{5,30}$")


def check_contact_value(kind: str, value: str) -> None:
    """A light check that a phone is a phone and an e-mail address is one."""
    if kind in PHONE_KINDS:
        digits = sum(ch.isdigit() for ch in value)
        if not PHONE_PATTERN.match(value) or digits < 5:
            raise CellError(_("%(value)r is not a phone number") % {"value": value})
    elif kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            raise CellError(_("%(value)r is not an e-mail address") % {"value": value}) from None


INTEGER = re.compile(r"[+-]?[0-9]{1,9}")
RATE = re.compile(r"(?P<number>[0-9]{1,12}(?:\.[0-9]{1,12})?|\.[0-9]{1,12})\s*(?P<percent>%?)")
CURRENCY = re.compile(r"[A-Z]{3}")


def parse_integer(text: str, bounds: tuple[int, int]) -> int:
    if INTEGER.fullmatch(text) is None:
        raise CellError(_("%(value)r is not a whole number") % {"value": text})
    value = int(text)
    low, high = bounds
    if not low <= value <= high:
        raise CellError(_("%(value)d is not between %(low)d and %(high)d")
                        % {"value": value, "low": low, "high": high})
    return value


def parse_rate(text: str, bounds: tuple[Decimal, Decimal], places: int) -> Decimal:
    """A fraction (``0.0005``) or a percentage (``0.05%``), exactly, with at most ``places``
    decimals as a fraction: a rate is never rounded."""
    match = RATE.fullmatch(text)
    if match is None:
        raise CellError(_("%(value)r is not a rate such as 0.0005 or 0.05%%") % {"value": text})
    value = Decimal(match["number"])
    if match["percent"]:
        value = value.scaleb(-2)
    value = value.normalize() if value else Decimal(0)
    if -value.as_tuple().exponent > places:
        raise CellError(_("%(value)r has more decimals than a rate may have (%(places)d as a "
                          "fraction)") % {"value": text, "places": places})
    low, high = bounds
    if not low <= value <= high:
        raise CellError(_("%(value)r is not between %(low)s and %(high)s")
                        % {"value": text, "low": low, "high": high})
    return value


def parse_currency(text: str) -> str:
    code = text.upper()
    if CURRENCY.fullmatch(code) is None:
        raise CellError(_("%(value)r is not a three-letter ISO 4217 currency code such as CNY")
                        % {"value": text})
    return code


def parse_allocation(text: str) -> str:
    """``fees;interest;principal`` (or with commas) → ``fees,interest,principal``."""
    order = [part.strip().lower() for part in re.split(r"[;,]", text) if part.strip()]
    if sorted(order) != sorted(COMPONENTS):
        raise CellError(_("%(value)r must name each of %(components)s once")
                        % {"value": text, "components": ", ".join(COMPONENTS)})
    return ",".join(order)


def cell_parser(column: Column, dates: DateFormat = ISO_DATES) -> Callable[[str], object] | None:
    """How the stripped text of a non-empty cell of ``column`` becomes its value, or None
    when the text is the value (text; amounts too: their currency is known only with the row).
    The length of text is checked by the caller (``column.max_length``)."""
    kind = column.type
    if kind == "text" or kind == "amount":
        return None
    if kind == "date":
        return dates.parse
    if kind == "choice" or kind == "flags":
        choose = parse_choice if kind == "choice" else parse_flags
        return partial(choose, choices=column.choices)
    if kind == "integer":
        return partial(parse_integer, bounds=column.bounds)
    if kind == "rate":
        return partial(parse_rate, bounds=column.bounds, places=column.places)
    parsers = {"bool": parse_bool, "time_zone": parse_time_zone, "currency": parse_currency,
               "allocation": parse_allocation}
    if kind not in parsers:
        raise AssertionError(f"unknown column type {kind}")
    return parsers[kind]


def too_long(text: str, limit: int) -> str:
    return _("is %(length)d characters long; at most %(max)d allowed") % {
        "length": len(text), "max": limit}
