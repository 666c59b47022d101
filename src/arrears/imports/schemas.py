"""The columns of each import kind, and how one cell of text becomes a value.

The schemas are data: the importer validates against them, ``arrears import --help`` lists them
and ``docs/imports.md`` documents them (a test keeps the documentation in step).
"""

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache, partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from arrears.ledger.models import Posting
from arrears.portfolio.models import PHONE_KINDS, Account, ContactPoint, ThirdPartyContact

KINDS: tuple[str, ...] = ("cardholders", "contacts", "accounts", "statements", "postings")

CARDHOLDER_FLAGS = (
    "complaint", "hardship", "deceased", "bankruptcy", "dispute", "cease_contact", "vip",
)
LANGUAGES = ("zh-hans", "en")
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no", ""})


class CellError(ValueError):
    """A cell whose text is not a valid value for its column; the message says why."""


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    ``type`` is one of text, date, amount, bool, choice, flags, time_zone. Amounts are parsed
    by the importer because their currency comes from the account's product.
    """

    name: str
    type: str
    required: bool
    example: str
    meaning: object  # a lazy translation
    choices: tuple[str, ...] = ()
    max_length: int | None = None


def _col(name: str, type_: str, required: bool, example: str, meaning, **extra) -> Column:
    if "choices" in extra:
        extra["choices"] = tuple(extra["choices"])
    return Column(name, type_, required, example, meaning, **extra)


SCHEMAS: dict[str, tuple[Column, ...]] = {
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


def parse_date(text: str) -> date:
    """A date written exactly YYYY-MM-DD (``date.fromisoformat`` alone also takes 20240131)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise CellError(_("%(value)r is not a date in the form YYYY-MM-DD") % {"value": text})
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellError(
            _("%(value)r is not a date in the form YYYY-MM-DD") % {"value": text}
        ) from None


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


def cell_parser(column: Column) -> Callable[[str], object]:
    """How the stripped text of a non-empty cell of ``column`` becomes its value (amounts stay
    text); decided once per column, since an import calls it for every cell."""
    kind = column.type
    if kind in ("text", "amount"):
        convert = None
    elif kind == "date":
        convert = parse_date
    elif kind == "bool":
        convert = parse_bool
    elif kind == "choice":
        convert = partial(parse_choice, choices=column.choices)
    elif kind == "flags":
        convert = partial(parse_flags, choices=column.choices)
    elif kind == "time_zone":
        convert = parse_time_zone
    else:
        raise AssertionError(f"unknown column type {kind}")
    limit = column.max_length
    if limit is None:
        return convert or str

    def parse(text: str):
        if len(text) > limit:
            raise CellError(_("is %(length)d characters long; at most %(max)d allowed")
                            % {"length": len(text), "max": limit})
        return text if convert is None else convert(text)

    return parse
