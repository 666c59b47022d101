"""How a bank writes its files: text encoding, delimiter, date and amount formats, column names.

A ``FileFormat`` is declared, never guessed: by an import profile (``ImportProfile`` in the
admin) and ``--encoding``. Without one, an import reads the documented default: UTF-8 (a
byte-order mark may say UTF-8 or UTF-16), commas, ``YYYY-MM-DD`` dates and amounts in major
units as a spreadsheet writes them (``1,234.56``, ``5e+05``).

GB18030 is not detected: Big5 text decodes as GB18030 without a single error, into the wrong
characters, so guessing would silently change names and addresses. A file that is not UTF-8 is
refused with the line of the first byte that is not, and the advice to declare its encoding.
"""

import calendar
import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.rules.money import MAX_ABS_MINOR, AmountError, exponent_for

# The encodings a user may declare, by the name they declare, with the Python codec that reads
# them. UTF-8 always accepts a byte-order mark (Excel's "CSV UTF-8" writes one).
ENCODINGS: dict[str, str] = {
    "utf-8": "utf-8-sig",
    "utf-16": "utf-16",
    "gb18030": "gb18030",
    "gbk": "gbk",
    "gb2312": "gb2312",
    "big5": "big5",
    "cp950": "cp950",
    "big5hkscs": "big5hkscs",
}
ENCODING_LABELS = {
    "utf-8": gettext_lazy("UTF-8 (with or without a byte-order mark)"),
    "utf-16": gettext_lazy("UTF-16 with a byte-order mark (Excel's Unicode text)"),
    "gb18030": gettext_lazy("GB18030 (includes GBK and GB2312; mainland Chinese systems)"),
    "gbk": gettext_lazy("GBK"),
    "gb2312": gettext_lazy("GB2312"),
    "big5": gettext_lazy("Big5 (Taiwan, Hong Kong)"),
    "cp950": gettext_lazy("CP950 (Big5 as Windows writes it)"),
    "big5hkscs": gettext_lazy("Big5-HKSCS (Hong Kong)"),
}
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

DELIMITERS = {",": gettext_lazy("comma ,"), ";": gettext_lazy("semicolon ;"),
              "\t": gettext_lazy("tab"), "|": gettext_lazy("vertical bar |")}
DECIMAL_SEPARATORS = {".": gettext_lazy("point ."), ",": gettext_lazy("comma ,")}
THOUSANDS_SEPARATORS = {"": gettext_lazy("none"), ",": gettext_lazy("comma ,"),
                        ".": gettext_lazy("point ."), " ": gettext_lazy("space"),
                        "'": gettext_lazy("apostrophe '")}

# Characters no database column can hold: NUL (PostgreSQL refuses it in text) and lone
# surrogates (they have no UTF-8 form; they stand for bytes that were not text).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
ESCAPED_BYTE = re.compile("[\udc80-\udcff]+")


class FormatError(ValueError):
    """A declared format that cannot be used (an unknown encoding, a bad date pattern)."""


class CellError(ValueError):
    """A cell whose text is not a valid value for its column; the message says why."""


def encoding_named(name: str) -> str:
    """The declared encoding ``name`` (any spelling Python knows: ``GBK``, ``cp936``,
    ``utf8``, ``utf-8-sig``) as one of ``ENCODINGS``; ``FormatError`` if it is not one."""
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        codec = None
    codec = {"utf-8-sig": "utf-8"}.get(codec, codec)
    if codec not in ENCODINGS:
        raise FormatError(_("unknown encoding %(name)r: use one of %(names)s")
                          % {"name": name, "names": ", ".join(ENCODINGS)})
    return codec


def show_bytes(data: bytes, limit: int = 4) -> str:
    """``b"\\xd5\\xc5"`` → ``"0xD5 0xC5"`` (at most ``limit`` bytes, then "…")."""
    shown = " ".join(f"0x{byte:02X}" for byte in data[:limit])
    return shown + (" …" if len(data) > limit else "")


def unstorable_reason(text: str) -> str | None:
    """Why a cell cannot be stored, or None when it can."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("holds a NUL character (byte 0x00), which a database cannot store; "
                 "remove it from the file")
    escaped = ESCAPED_BYTE.match(text, found.start())
    data = bytes(ord(char) - 0xDC00 for char in escaped.group()) if escaped else b""
    return _("holds bytes that are not UTF-8 text (%(bytes)s), which a database cannot store")\
        % {"bytes": show_bytes(data) or repr(found.group())}


_DATE_TOKEN = re.compile(r"YYYY|MM|DD|M|D|[A-Za-z0-9]|.", re.S)
_DATE_PARTS = {"YYYY": ("year", "[0-9]{4}"), "MM": ("month", "[0-9]{2}"),
               "M": ("month", "[0-9]{1,2}"), "DD": ("day", "[0-9]{2}"), "D": ("day", "[0-9]{1,2}")}


@dataclass(frozen=True)
class DateFormat:
    """A date written as ``pattern``: ``YYYY`` the year, ``MM``/``DD`` two-digit month and
    day, ``M``/``D`` one or two digits, anything else (``-``, ``/``, ``.``, ``年``) literally.
    ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD``, ``DD.MM.YYYY``."""

    pattern: str = "YYYY-MM-DD"
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        parts, seen = [], set()
        for token in _DATE_TOKEN.findall(self.pattern):
            if token in _DATE_PARTS:
                name, digits = _DATE_PARTS[token]
                if name in seen:
                    raise FormatError(_("date format %(pattern)r names the %(part)s twice")
                                      % {"pattern": self.pattern, "part": token})
                seen.add(name)
                parts.append(f"(?P<{name}>{digits})")
            elif token.isascii() and token.isalnum():
                raise FormatError(_(
                    "date format %(pattern)r: %(token)r is not YYYY, MM, M, DD or D "
                    "(two-digit years are not accepted)") % {"pattern": self.pattern,
                                                             "token": token})
            else:
                parts.append(re.escape(token))
        if seen != {"year", "month", "day"}:
            raise FormatError(_("date format %(pattern)r must name YYYY, the month (MM or M) "
                                "and the day (DD or D)") % {"pattern": self.pattern})
        object.__setattr__(self, "regex", re.compile("".join(parts)))

    def parse(self, text: str) -> date:
        match = self.regex.fullmatch(text)
        if match is None:
            raise CellError(_("%(value)r is not a date in the form %(format)s")
                            % {"value": text, "format": self.pattern})
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
        try:
            return date(year, month, day)
        except ValueError:
            raise CellError(not_a_real_date(text, year, month, day)) from None


class IsoDateFormat(DateFormat):
    """``YYYY-MM-DD``, the default, read by ``date.fromisoformat`` when it is well formed (a
    million rows hold two million dates)."""

    def parse(self, text: str) -> date:
        if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        return super().parse(text)


ISO_DATES = IsoDateFormat()


def date_format(pattern: str) -> DateFormat:
    return ISO_DATES if pattern == ISO_DATES.pattern else DateFormat(pattern)


def not_a_real_date(text: str, year: int, month: int, day: int) -> str:
    """Why a date in the right form does not exist (not that its form is wrong)."""
    if year < 1:
        reason = _("there is no year 0")
    elif not 1 <= month <= 12:
        reason = _("there is no month %(month)d") % {"month": month}
    else:
        days = calendar.monthrange(year, month)[1]
        reason = _("%(month)s %(year)d has %(days)d days") % {
            "month": MONTHS[month], "year": year, "days": days}
    return _("%(value)s is not a real date: %(reason)s") % {"value": text, "reason": reason}


@dataclass(frozen=True)
class AmountFormat:
    """Amounts as a bank's feed writes them, read exactly into integer minor units.

    The sign comes first (``-12.30``, ``-¥12.30`` or ``¥-12.30``); the thousands separator,
    when declared, may be left out but must group by three where it is written; the currency
    symbol, when declared, may stand before or after the number and may be left out. With
    ``minor_units`` the number is whole minor units (分, cents): ``123456`` is 1,234.56 CNY.
    Digits become an ``int`` directly: no float and no rounding anywhere.
    """

    decimal_separator: str = "."
    thousands_separator: str = ","
    currency_symbol: str = ""
    minor_units: bool = False
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        symbol = unicodedata.normalize("NFKC", self.currency_symbol.strip())
        object.__setattr__(self, "currency_symbol", symbol)
        if self.decimal_separator not in DECIMAL_SEPARATORS:
            raise FormatError(_("the decimal separator must be a point or a comma"))
        if self.thousands_separator not in THOUSANDS_SEPARATORS:
            raise FormatError(_("the thousands separator must be none, a comma, a point, a "
                                "space or an apostrophe"))
        if self.thousands_separator == self.decimal_separator:
            raise FormatError(_("the thousands separator must differ from the decimal "
                                "separator"))
        if any(char.isdigit() or char in "+-.," for char in symbol):
            raise FormatError(_("the currency symbol %(symbol)r must not hold digits, signs "
                                "or separators") % {"symbol": symbol})
        thousands = re.escape(self.thousands_separator)
        whole = (rf"[0-9]{{1,3}}(?:{thousands}[0-9]{{3}})+|[0-9]+" if thousands else "[0-9]+")
        number = rf"(?P<whole>{whole})"
        if not self.minor_units:
            number += rf"(?:{re.escape(self.decimal_separator)}(?P<fraction>[0-9]+))?"
        if symbol:
            sym = re.escape(symbol)
            pattern = (rf"(?P<sign>[+-]?)(?P<before>{sym} ?)?(?P<sign2>[+-]?){number}"
                       rf"(?P<after> ?{sym})?")
        else:
            pattern = rf"(?P<sign>[+-]?){number}"
        object.__setattr__(self, "regex", re.compile(pattern))

    def parse(self, text: str, currency: str) -> int:
        match = self.regex.fullmatch(unicodedata.normalize("NFKC", text))
        if match is None or _twice(match):
            raise AmountError(self.mismatch(text))
        whole = match["whole"].replace(self.thousands_separator, "") \
            if self.thousands_separator else match["whole"]
        if self.minor_units:
            digits = whole
        else:
            exponent = exponent_for(currency)
            fraction = (match["fraction"] or "").rstrip("0")
            if len(fraction) > exponent:
                raise AmountError(
                    _("%(amount)r has more decimals than %(currency)s allows (%(decimals)d)")
                    % {"amount": text, "currency": currency, "decimals": exponent})
            digits = whole + fraction.ljust(exponent, "0")
        minor = int(digits)
        if minor >= MAX_ABS_MINOR:
            raise AmountError(_("%(amount)r is too large") % {"amount": text})
        negative = "-" in (match["sign"], match.groupdict().get("sign2"))
        return -minor if negative else minor

    def mismatch(self, text: str) -> str:
        """The error for text that is not in this format, with examples of what is."""
        symbol, point = self.currency_symbol, self.decimal_separator
        grouped = f"1{self.thousands_separator}234" if self.thousands_separator else "1234"
        if self.minor_units:
            examples = [f"{symbol}123456", "123456", "-1230"] if symbol else ["123456", "-1230"]
            return _("%(value)r is not an amount in the declared format: whole minor units "
                     "(fen, cents), like %(examples)s") % {"value": text,
                                                          "examples": ", ".join(examples)}
        examples = [f"{symbol}{grouped}{point}56", f"1234{point}56", f"-12{point}30"]
        return _("%(value)r is not an amount in the declared format, like %(examples)s") % {
            "value": text, "examples": ", ".join(dict.fromkeys(examples))}


def _twice(match: re.Match) -> bool:
    """A sign or a currency symbol written twice (``-¥-1``, ``¥1¥``)."""
    found = match.groupdict()
    return bool(found.get("sign") and found.get("sign2")) or bool(
        found.get("before") and found.get("after"))


@dataclass(frozen=True)
class FileFormat:
    """Everything an import needs to know about how a file is written.

    ``encoding`` is a name of ``ENCODINGS`` or None (a byte-order mark, else UTF-8).
    ``amounts`` None means the default: major units as a spreadsheet writes them.
    ``columns`` maps a header as the bank writes it (lower case) to our column name, or to ""
    for a column the import leaves out. ``profile`` names where the format came from.
    """

    encoding: str | None = None
    delimiter: str = ","
    dates: DateFormat = ISO_DATES
    amounts: AmountFormat | None = None
    columns: dict[str, str] = field(default_factory=dict)
    profile: str = ""
