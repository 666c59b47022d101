"""Exact money: integer minor units inside, ``Decimal`` at the edges."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "HKD": "HK$", "TWD": "NT$", "EUR": "€", "JPY": "¥"}

# ISO 4217 minor-unit exponents for the currencies a card issuer here is likely to use;
# every other code defaults to 2.
CURRENCY_EXPONENTS = {"CNY": 2, "TWD": 2, "HKD": 2, "USD": 2, "EUR": 2, "JPY": 0, "KRW": 0}

MAX_ABS_MINOR = 10**17  # fits a signed 64-bit column with room to add many of them
MAX_DIGITS = len(str(MAX_ABS_MINOR)) - 1  # every amount below MAX_ABS_MINOR has at most this many

# Sign, whole part (plain or grouped by thousands), fraction, exponent of at most six digits
# (anything larger is nonsense for money); ASCII digits only.
_AMOUNT = re.compile(
    r"[+-]?(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<fraction>[0-9]*))?"
    r"(?:[eE][+-]?0*[0-9]{1,6})?"
)


class AmountError(ValueError):
    """An amount that is not a valid money value for its currency."""


def exponent_for(currency: str) -> int:
    return CURRENCY_EXPONENTS.get(currency.upper(), 2)


def round_half_up(value: Decimal) -> int:
    """Round a Decimal number of minor units to a whole minor unit, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount(text: str, currency: str = "CNY") -> int:
    """Parse a money amount written in major units ("1234.56", "5e+05") into minor units.

    Scientific notation is accepted because card-system exports written by spreadsheets use
    it; full-width digits are read as digits; commas must group thousands ("1,234.50", not
    "12,50", which elsewhere means 12.50). An amount with more decimals than the currency
    allows is rejected, never rounded, however many digits it has.
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    shown = repr(cleaned if len(cleaned) <= 40 else cleaned[:37] + "...")
    if not cleaned:
        raise AmountError(_("amount is empty"))
    match = _AMOUNT.fullmatch(cleaned)
    if match is None or not (match["whole"] or match["fraction"]):
        raise AmountError(_("%(amount)s is not a number") % {"amount": shown})
    sign, digits, exponent = Decimal(cleaned.replace(",", "")).as_tuple()
    significant = "".join(map(str, digits)).lstrip("0")
    if not significant:
        return 0
    core = significant.rstrip("0")
    shift = exponent + exponent_for(currency) + len(significant) - len(core)
    if shift < 0:
        raise AmountError(
            _("%(amount)s has more decimals than %(currency)s allows (%(decimals)d)")
            % {"amount": shown, "currency": currency, "decimals": exponent_for(currency)}
        )
    if len(core) + shift > MAX_DIGITS:
        raise AmountError(_("%(amount)s is too large") % {"amount": shown})
    minor = int(core) * 10**shift
    return -minor if sign else minor


def to_decimal(minor: int, currency: str = "CNY") -> Decimal:
    """Minor units to a Decimal in major units with the currency's number of decimals."""
    exponent = exponent_for(currency)
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def format_amount(minor: int, currency: str = "CNY") -> str:
    """``123456`` CNY → ``"1,234.56"``."""
    return f"{to_decimal(minor, currency):,}"


def format_money(minor: int, currency: str = "CNY", language: str | None = None) -> str:
    """``123456`` CNY → ``¥1,234.56`` in Chinese, ``CNY 1,234.56`` in English (default: the
    active language): how a message shows an amount to a person, never in minor units."""
    text = format_amount(minor, currency)
    if (language or get_language() or "zh-hans").startswith("zh"):
        return f"{CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + ' ')}{text}"
    return f"{currency.upper()} {text}"
