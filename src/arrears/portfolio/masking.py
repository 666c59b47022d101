"""Masking personal data for users who may not see it in full.

Pure functions over strings: enough of a value stays visible to tell two people or two
numbers apart on a screen (the first and last digits of an ID number, the area of an address),
never enough to contact or identify someone. An empty value stays empty.
"""

import re

MASK = "*"

# The first city-level division of a Chinese address, with its province if given:
# 北京市…, 广东省深圳市…, 新疆维吾尔自治区乌鲁木齐市…, 台北市…, 四川省阿坝藏族羌族自治州….
# Digits never belong to it, so a postal code or house number written first is not kept.
_CITY = re.compile(
    r"(?:[^\d\s,，]{1,10}?(?:省|自治区))?[^\d\s,，]{1,10}?(?:市|自治州|地区|盟|县|縣)"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _keep_ends(text: str, start: int, end: int) -> str:
    """Mask all but ``start`` leading and ``end`` trailing characters, keeping the length.

    A value too short to keep both ends and hide something keeps only a quarter at each end.
    """
    if len(text) <= start + end:
        start = end = len(text) // 4
    return text[:start] + MASK * (len(text) - start - end) + text[len(text) - end :]


def mask_national_id(value: str) -> str:
    """``"110101199003070015"`` → ``"110101********0015"`` (region code and last four kept)."""
    return _keep_ends(value.strip(), 6, 4)


def mask_phone(value: str) -> str:
    """``"13812345678"`` → ``"138****5678"``: the first three and last four digits are kept.

    Only digits are masked, so separators stay readable: ``"02-2712-3456"`` → ``"02-2***-3456"``.
    A number of seven digits or fewer keeps only a quarter of its digits at each end.
    """
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    start, end = (3, 4) if len(digits) > 7 else (len(digits) // 4, len(digits) // 4)
    hidden = set(digits[start : len(digits) - end])
    return "".join(MASK if i in hidden else ch for i, ch in enumerate(value))


def mask_email(value: str) -> str:
    """``"zhangsan@example.com"`` → ``"z***@example.com"``: the domain stays, the name does not.

    The masked name has a fixed length so that it does not reveal how long the name is.
    """
    local, at, domain = value.strip().rpartition("@")
    if not at or not local:
        return _keep_ends(value.strip(), 1, 0)
    return f"{local[0]}{MASK * 3}@{domain}"


def mask_address(value: str) -> str:
    """Keep the province and city, hide the street and house number.

    ``"北京市朝阳区建国路88号"`` → ``"北京市****"``; ``"12 Main St, Springfield, IL"`` →
    ``"****, Springfield, IL"``; an address of neither shape keeps its first few characters
    (two for a Chinese address, after any postal code).
    """
    text = value.strip()
    if not text:
        return ""
    if _CJK.search(text):
        match = _CITY.search(text)
        if match and match.end() < len(text):
            return match.group(0) + MASK * 4
        area = text.lstrip("0123456789 ")  # a postal code written first is not kept
        return area[: min(2, len(area) // 3)] + MASK * 4
    street, comma, rest = text.partition(",")
    if comma and rest.strip():
        return f"{MASK * 4},{rest}"
    return text[: min(6, len(text) // 3)] + MASK * 4


def mask_name(value: str) -> str:
    """``"张三丰"`` → ``"张*丰"``, ``"张三"`` → ``"张*"``, ``"John Smith"`` → ``"J*** S****"``."""
    text = value.strip()
    if not text:
        return ""
    if _CJK.search(text) or " " not in text:
        if len(text) == 1:
            return text
        if len(text) == 2:
            return text[0] + MASK
        return text[0] + MASK * (len(text) - 2) + text[-1]
    return " ".join(word[0] + MASK * (len(word) - 1) for word in text.split())


PHONE_KINDS = frozenset({"mobile", "home_phone", "work_phone"})
ADDRESS_KINDS = frozenset({"billing_address", "home_address"})


def mask_contact_value(kind: str, value: str) -> str:
    """Mask a contact point's value by its kind (see ``ContactPoint.Kind``)."""
    if kind in PHONE_KINDS:
        return mask_phone(value)
    if kind == "email":
        return mask_email(value)
    if kind in ADDRESS_KINDS:
        return mask_address(value)
    return _keep_ends(value, 1, 1)
