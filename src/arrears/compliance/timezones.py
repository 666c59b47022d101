"""Where in the world is the debtor? Candidate IANA time zones from an address or a phone number.

The gate decides in the debtor's local time. When the location is ambiguous (an address in one
zone and a phone number in another, a province that spans two zones) every candidate is kept
and only times lawful in all of them are allowed (US-02, COMPLIANCE.md section 0.4).
"""

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone

# 新疆 keeps two clocks in daily life: Beijing time officially, Xinjiang time (UTC+6) locally.
CN_PROVINCE_ZONES: dict[str, tuple[str, ...]] = {
    "新疆": ("Asia/Shanghai", "Asia/Urumqi"),
    "Xinjiang": ("Asia/Shanghai", "Asia/Urumqi"),
    "台湾": ("Asia/Taipei",),
    "臺灣": ("Asia/Taipei",),
    "Taiwan": ("Asia/Taipei",),
    "香港": ("Asia/Hong_Kong",),
    "Hong Kong": ("Asia/Hong_Kong",),
    "澳门": ("Asia/Macau",),
    "Macau": ("Asia/Macau",),
}
CN_MAINLAND_MARKERS = (
    "省", "自治区", "北京", "上海", "天津", "重庆", "市", "区", "县",
    "Beijing", "Shanghai", "Tianjin", "Chongqing", "Guangdong", "Zhejiang", "Jiangsu",
)

# A US state is named by its postal code before the ZIP code, or by its name. States that span
# two zones list both; the gate then allows only hours lawful in both.
US_STATE_ZONES: dict[str, tuple[str, ...]] = {
    "AL": ("America/Chicago",), "AK": ("America/Anchorage",), "AZ": ("America/Phoenix",),
    "AR": ("America/Chicago",), "CA": ("America/Los_Angeles",), "CO": ("America/Denver",),
    "CT": ("America/New_York",), "DE": ("America/New_York",), "DC": ("America/New_York",),
    "FL": ("America/New_York", "America/Chicago"), "GA": ("America/New_York",),
    "HI": ("Pacific/Honolulu",), "ID": ("America/Boise", "America/Los_Angeles"),
    "IL": ("America/Chicago",), "IN": ("America/Indiana/Indianapolis", "America/Chicago"),
    "IA": ("America/Chicago",), "KS": ("America/Chicago", "America/Denver"),
    "KY": ("America/New_York", "America/Chicago"), "LA": ("America/Chicago",),
    "ME": ("America/New_York",), "MD": ("America/New_York",), "MA": ("America/New_York",),
    "MI": ("America/Detroit", "America/Chicago"), "MN": ("America/Chicago",),
    "MS": ("America/Chicago",), "MO": ("America/Chicago",), "MT": ("America/Denver",),
    "NE": ("America/Chicago", "America/Denver"), "NV": ("America/Los_Angeles",),
    "NH": ("America/New_York",), "NJ": ("America/New_York",), "NM": ("America/Denver",),
    "NY": ("America/New_York",), "NC": ("America/New_York",),
    "ND": ("America/Chicago", "America/Denver"), "OH": ("America/New_York",),
    "OK": ("America/Chicago",), "OR": ("America/Los_Angeles", "America/Boise"),
    "PA": ("America/New_York",), "RI": ("America/New_York",), "SC": ("America/New_York",),
    "SD": ("America/Chicago", "America/Denver"), "TN": ("America/Chicago", "America/New_York"),
    "TX": ("America/Chicago", "America/Denver"), "UT": ("America/Denver",),
    "VT": ("America/New_York",), "VA": ("America/New_York",), "WA": ("America/Los_Angeles",),
    "WV": ("America/New_York",), "WI": ("America/Chicago",), "WY": ("America/Denver",),
    "PR": ("America/Puerto_Rico",), "GU": ("Pacific/Guam",),
}
US_STATE_NAMES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI",
    "Wyoming": "WY",
}
US_STATE_CODE = re.compile(r"\b([A-Z]{2})\.?,?\s+\d{5}(?:-\d{4})?\b")
# A phone number that maps to more zones than this is not geographic (a toll-free or mobile
# range without an area): it adds nothing when an address is known.
MAX_PHONE_ZONES = 3


class UnknownTimeZone(ValueError):
    """A time zone name that is not in the IANA database."""


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or UnknownTimeZone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(name) from None


def zones_for_address(address: str) -> tuple[str, ...]:
    """Candidate zones of a postal address: a US state (code before the ZIP, or name), a
    Chinese province or region; () when the address says nothing we know."""
    if not address:
        return ()
    match = US_STATE_CODE.search(address)
    if match and match.group(1) in US_STATE_ZONES:
        return US_STATE_ZONES[match.group(1)]
    for name, code in sorted(US_STATE_NAMES.items(), key=lambda item: -len(item[0])):
        if re.search(rf"\b{name}\b", address):
            return US_STATE_ZONES[code]
    for marker, zones in CN_PROVINCE_ZONES.items():
        if marker in address:
            return zones
    if any(marker in address for marker in CN_MAINLAND_MARKERS):
        return ("Asia/Shanghai",)
    return ()


@lru_cache(maxsize=4096)
def zones_for_phone(phone: str, region: str = "CN") -> tuple[str, ...]:
    """Candidate zones of a phone number (phonenumbers' area-code table); () when unknown.
    ``region`` reads numbers written without a country code."""
    if not phone:
        return ()
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return ()
    zones = phone_timezone.time_zones_for_number(number)
    return tuple(z for z in zones if z != phone_timezone.UNKNOWN_TIMEZONE)


@lru_cache(maxsize=65536)
def candidate_zones(
    *, explicit: tuple[str, ...] = (), address: str = "", phone: str = "", region: str = "CN",
    default: str = "Asia/Shanghai",
) -> tuple[str, ...]:
    """The debtor's candidate zones: the explicit ones when given; else the address's and the
    phone's together (a non-geographic number only when there is no address); else
    ``default``. The first zone is the debtor's calendar for counting days."""
    if explicit:
        return tuple(dict.fromkeys(explicit))
    from_address = zones_for_address(address)
    from_phone = zones_for_phone(phone, region)
    if from_address and len(from_phone) > MAX_PHONE_ZONES:
        from_phone = ()
    zones = tuple(dict.fromkeys((*from_address, *from_phone)))
    return zones or (default,)


ZONE_COUNTRIES = {"Europe/London": "GB", "Asia/Shanghai": "CN", "Asia/Urumqi": "CN",
                  **{z: "US" for zones in US_STATE_ZONES.values() for z in zones
                     if z not in ("America/Puerto_Rico", "Pacific/Guam")}}


@lru_cache(maxsize=4096)
def residence_country(zones: tuple[str, ...] = (), phone: str = "") -> str:
    """The country the debtor lives in, as far as the zone (else the phone number) tells:
    an ISO 3166 code, or '' when neither says."""
    for name in zones:
        if name in ZONE_COUNTRIES:
            return ZONE_COUNTRIES[name]
    if not phone or not phone.startswith("+"):
        return ""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(phone, None)) or ""
    except phonenumbers.NumberParseException:
        return ""
