"""Masking personal data for users who may not see it in full (COMPLIANCE.md b.3).

Pure functions over strings. Two display formats:

- ``"M1"`` — in-house collectors and team leads: enough stays visible to tell two people or
  two numbers apart on a screen (``110***********123X``, ``138****5678``, ``张*``).
- ``"M0"`` — external agencies, field agents and reports: the last four characters at most
  (``**************123X``, ``*******5678``), the city of an address.

``"full"`` leaves a value as it is; no role gets it by default, only a logged reveal with a
purpose code (see ``arrears.audit.services.pii_reveal``). An empty value stays empty. Every
``mask_*`` function takes ``level`` and defaults to ``"M1"``, so older callers keep working.
"""

import re
from dataclasses import dataclass
from typing import Literal

from arrears.portfolio.models import ADDRESS_KINDS, PHONE_KINDS

MASK = "*"
FULL, M1, M0 = "full", "M1", "M0"
MaskLevel = Literal["full", "M1", "M0"]
LEVELS = (FULL, M1, M0)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PLACE = r"[^\d\s,，]"
# A Chinese address: province (optional), city-level division, district-level division
# (optional). 北京市朝阳区…, 广东省深圳市南山区…, 新疆维吾尔自治区乌鲁木齐市天山区…, 台北市信義區….
# Digits never belong to it, so a postal code or house number written first is not kept.
_CN_AREA = re.compile(
    rf"(?P<province>{_PLACE}{{1,10}}?(?:省|自治区|特别行政区))?"
    rf"(?P<city>{_PLACE}{{1,10}}?(?:市|自治州|地区|盟|县|縣))"
    rf"(?P<district>{_PLACE}{{1,8}}?(?:区|區|县|縣|旗|市))?"
)

# Two-character Chinese surnames (复姓), simplified and traditional; a name starting with one
# keeps both characters in M1.
COMPOUND_SURNAMES = frozenset(
    "欧阳 歐陽 司马 司馬 上官 诸葛 諸葛 东方 東方 皇甫 尉迟 尉遲 公孙 公孫 慕容 长孙 長孫 宇文 "
    "司徒 夏侯 轩辕 軒轅 令狐 端木 百里 呼延 南宫 南宮 独孤 獨孤 西门 西門 万俟 萬俟 闻人 聞人 "
    "澹台 澹臺 公冶 宗政 濮阳 濮陽 太叔 申屠 钟离 鍾離 赫连 赫連 东郭 東郭 司空 拓跋 第五 羊舌 "
    "微生 梁丘 左丘 东门 東門 公羊 鲜于 鮮于 闾丘 閭丘 亓官 司寇 子车 子車 颛孙 顓孫 巫马 巫馬 "
    "公西 漆雕 乐正 樂正 壤驷 壤駟 公良 段干 谷梁 穀梁 夹谷 夾谷 宰父 归海 歸海 "
    "张简 張簡 范姜".split()
)


def _level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"Unknown masking level {level!r}; expected one of {LEVELS}.")
    return level


def _keep_ends(text: str, start: int, end: int) -> str:
    """Mask all but ``start`` leading and ``end`` trailing characters, keeping the length.

    A value too short to keep both ends and hide something keeps only a quarter at each end.
    """
    if len(text) <= start + end:
        start = end = len(text) // 4
    return text[:start] + MASK * (len(text) - start - end) + text[len(text) - end :]


def _last(text: str, count: int, stars: int) -> str:
    """``stars`` stars and the last ``count`` characters (fewer for a very short value)."""
    count = min(count, len(text) // 2)
    return MASK * stars + text[len(text) - count :] if count else MASK * stars


def mask_national_id(value: str, level: MaskLevel = M1) -> str:
    """CN resident ID. 18 characters: M1 ``110***********123X`` (3 + 11 + 4), M0
    ``**************123X``. Legacy 15 digits: ``110*********123`` / ``************123``.

    Another shape (a Taiwan ID, a passport number) keeps a quarter at each end in M1 and
    only the last quarter in M0.
    """
    text = value.strip()
    if _level(level) == FULL or not text:
        return text
    if len(text) == 18:
        return _keep_ends(text, 3, 4) if level == M1 else MASK * 14 + text[-4:]
    if len(text) == 15 and text.isdigit():
        return _keep_ends(text, 3, 3) if level == M1 else MASK * 12 + text[-3:]
    if level == M1:
        return _keep_ends(text, len(text) // 4, len(text) // 4)
    return _keep_ends(text, 0, len(text) // 4)


def _cn_area_code_length(national: str) -> int:
    """Length of a CN area code written without a separator: 010 and 02x have three digits,
    every other area code four."""
    return 3 if national[:2] in {"01", "02"} else 4


def mask_phone(value: str, level: MaskLevel = M1) -> str:
    """A phone number by its shape.

    - CN mobile (11 digits, 1xx, optionally +86): M1 ``138****5678``, M0 ``*******5678``.
    - CN landline (0 + area code): M1 ``021-****5678``, M0 ``****5678``.
    - International E.164 (``+`` and a country code other than 86): M1 ``+44 ******* 5678``
      (country code and last four), M0 ``****5678``.
    - A number written with an area code and a separator keeps the area code in M1
      (``02-2712-3456`` → ``02-****3456``); anything else keeps its first three and last four
      digits (``0912345678`` → ``091****5678``). M0 keeps the last four digits only.
    The stars are a fixed count, so the length of the number does not show.
    """
    text = value.strip()
    if _level(level) == FULL or not text:
        return text
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) <= 4:
        return MASK * len(digits)
    national, country = digits, ""
    if text.startswith("+") or digits.startswith("00"):
        country, national = _split_country_code(digits.removeprefix("00"))
    if country in {"", "86"} and len(national) == 11 and national.startswith("1"):
        shown = national[:3] + MASK * 4 if level == M1 else MASK * 7
        return shown + national[-4:]
    if level == M0:
        return MASK * 4 + national[-4:]
    if country and country != "86":
        return f"+{country} {MASK * 7} {national[-4:]}"
    if national.startswith("0"):
        area = re.match(r"\(?(0\d{1,3})\)?[\s-]", text.removeprefix("+86").strip())
        if area:
            return f"{area.group(1)}-{MASK * 4}{national[-4:]}"
        if len(national) in (11, 12):  # a CN area code and a 7- or 8-digit local number
            return f"{national[: _cn_area_code_length(national)]}-{MASK * 4}{national[-4:]}"
    return national[:3] + MASK * 4 + national[-4:]


def _split_country_code(digits: str) -> tuple[str, str]:
    """``"447911123456"`` → ``("44", "7911123456")`` using the ITU country-code table."""
    import phonenumbers  # only international numbers need it

    for length in (1, 2, 3):
        code = digits[:length]
        if phonenumbers.region_code_for_country_code(int(code or 0)) != "ZZ":
            return code, digits[length:]
    return "", digits


def mask_card_number(value: str, level: MaskLevel = M1) -> str:
    """Bank card or account number: M1 first six and last four at most
    (``622202******1234``), M0 ``**** 1234``."""
    text = value.strip()
    if _level(level) == FULL or not text:
        return text
    digits = "".join(ch for ch in text if ch.isalnum())
    if level == M0:
        return f"{MASK * 4} {digits[-4:]}" if len(digits) > 8 else _last(digits, 4, 4)
    if len(digits) >= 13:
        return _keep_ends(digits, 6, 4)
    return _keep_ends(digits, 0, min(4, len(digits) // 2))


def mask_email(value: str, level: MaskLevel = M1) -> str:
    """``"zhangsan@example.com"`` → M1 ``"z***@example.com"``, M0 ``"***@example.com"``.

    The masked name has a fixed length so that it does not reveal how long the name is.
    """
    text = value.strip()
    if _level(level) == FULL or not text:
        return text
    local, at, domain = text.rpartition("@")
    if not at or not local:
        return _keep_ends(text, 1 if level == M1 else 0, 0)
    return f"{local[0] if level == M1 else ''}{MASK * 3}@{domain}"


def mask_address(value: str, level: MaskLevel = M1) -> str:
    """M1 keeps the province, city and district, M0 only the city; the street and house
    number are always hidden.

    ``"广东省深圳市南山区科技园路1号"`` → M1 ``"广东省深圳市南山区****"``, M0 ``"深圳市****"``;
    ``"12 Main St, Springfield, IL"`` → M1 ``"****, Springfield, IL"``, M0
    ``"****, Springfield"``. An address of neither shape keeps its first few characters in M1
    (two for a Chinese address, after any postal code) and nothing in M0.
    """
    text = value.strip()
    if _level(level) == FULL or not text:
        return text
    if _CJK.search(text):
        match = _CN_AREA.search(text)
        if match and match.end() < len(text):
            if level == M0:
                return match.group("city") + MASK * 4
            return match.group(0) + MASK * 4
        if level == M0:
            return MASK * 4
        area = text.lstrip("0123456789 ")  # a postal code written first is not kept
        return area[: min(2, len(area) // 3)] + MASK * 4
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > 1 and parts[1]:
        if level == M0:
            return f"{MASK * 4}, {parts[1]}"
        return MASK * 4 + ", " + ", ".join(parts[1:])
    if level == M0:
        return MASK * 4
    return text[: min(6, len(text) // 3)] + MASK * 4


def chinese_surname(name: str) -> str:
    """The surname of a Chinese name: two characters for a compound surname (欧阳), else one."""
    return name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]


def mask_name(value: str, level: MaskLevel = M1) -> str:
    """A Chinese name keeps its surname and one star: ``"张三丰"`` → ``"张*"``; M1 keeps a
    compound surname whole (``"欧阳娜娜"`` → ``"欧阳*"``), M0 its first character (``"欧*"``).

    A Latin-script name keeps initials with a fixed number of stars, so the length of the
    name does not show: M1 ``"John Smith"`` → ``"J*** S***"``, M0 ``"J***"``.
    """
    text = value.strip()
    if _level(level) == FULL or not text:
        return text
    if _CJK.search(text) or " " not in text:
        if len(text) == 1:
            return MASK
        surname = chinese_surname(text) if level == M1 else text[0]
        return surname + MASK
    words = text.split()
    shown = words if level == M1 else words[:1]
    return " ".join(word[0] + MASK * 3 for word in shown)


def mask_emergency_contact(relation: str, name: str, level: MaskLevel = M1) -> str:
    """An emergency or reference contact: the relationship and ``王*``; the number never shows."""
    masked = mask_name(name, M0 if level == FULL else level)
    return f"{relation} {masked}".strip()


def mask_contact_value(kind: str, value: str, level: MaskLevel = M1) -> str:
    """Mask a contact point's value by its kind (see ``ContactPoint.Kind``)."""
    if _level(level) == FULL:
        return value
    if kind in PHONE_KINDS:
        return mask_phone(value, level)
    if kind == "email":
        return mask_email(value, level)
    if kind in ADDRESS_KINDS:
        return mask_address(value, level)
    return _keep_ends(value, 1, 1) if level == M1 else _last(value, 2, 4)


MASKERS = {
    "name": mask_name,
    "national_id": mask_national_id,
    "phone": mask_phone,
    "email": mask_email,
    "address": mask_address,
    "card_number": mask_card_number,
}


def mask_value(field: str, value: str, level: MaskLevel = M1) -> str:
    """Mask ``value`` as the data ``field`` (a key of ``MASKERS``) at ``level``."""
    return MASKERS[field](value, level)


# --- Free text ------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CARD_CANDIDATE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_MOBILE_CANDIDATE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?!\d)")


@dataclass(frozen=True)
class PiiFinding:
    """One piece of personal data found in free text: what it is and where it was."""

    kind: str  # "national_id" | "card_number" | "mobile"
    start: int
    end: int
    masked: str


def national_id_valid(value: str) -> bool:
    """GB 11643-1999: 17 digits, a birth date, and an ISO 7064 MOD 11-2 check character."""
    text = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return False
    month, day = int(text[10:12]), int(text[12:14])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17]


def luhn_valid(digits: str) -> bool:
    """The Luhn check digit of card numbers (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def pii_scrub(text: str) -> tuple[str, list[PiiFinding]]:
    """Mask ID numbers (checked with MOD 11-2), card numbers (Luhn, 13–19 digits) and CN
    mobile numbers in free text, in the M0 format so a note can go anywhere.

    Returns the scrubbed text and what was found (positions in the original text), so the
    page can warn the author. Text without personal data comes back unchanged.
    """
    findings: list[PiiFinding] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def scan(pattern: re.Pattern, kind: str, accept, mask) -> None:
        for match in pattern.finditer(text):
            raw = match.group(0)
            digits = re.sub(r"[^\dXx]", "", raw)
            if free(match.start(), match.end()) and accept(digits):
                taken.append((match.start(), match.end()))
                findings.append(PiiFinding(kind, match.start(), match.end(), mask(digits)))

    scan(_ID_CANDIDATE, "national_id", national_id_valid, lambda d: mask_national_id(d, M0))
    scan(_CARD_CANDIDATE, "card_number", luhn_valid, lambda d: mask_card_number(d, M0))
    scan(_MOBILE_CANDIDATE, "mobile", lambda d: True, lambda d: mask_phone(d[-11:], M0))
    findings.sort(key=lambda finding: finding.start)
    pieces, cursor = [], 0
    for finding in findings:
        pieces.append(text[cursor : finding.start])
        pieces.append(finding.masked)
        cursor = finding.end
    pieces.append(text[cursor:])
    return "".join(pieces), findings
