"""Where in the world is the debtor? Candidate IANA time zones from an address or a phone number.

The gate decides in the debtor's local time. When the location is ambiguous (an address in one
zone and a phone number in another, a province that spans two zones) every candidate is kept
and only times lawful in all of them are allowed (US-02, COMPLIANCE.md section 0.4).
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone

# Chinese provinces written in English (addresses in Chinese are placed by their divisions,
# ``arrears.compliance.divisions``).
CN_ENGLISH_ZONES: dict[str, tuple[str, ...]] = {
    "Xinjiang": ("Asia/Shanghai", "Asia/Urumqi"), "Taiwan": ("Asia/Taipei",),
    "Hong Kong": ("Asia/Hong_Kong",), "Macau": ("Asia/Macau",), "Macao": ("Asia/Macau",),
}
CN_ENGLISH_MAINLAND = (
    "Beijing", "Shanghai", "Tianjin", "Chongqing", "Guangdong", "Zhejiang", "Jiangsu", "Fujian",
    "Shandong", "Henan", "Hebei", "Hubei", "Hunan", "Sichuan", "Shaanxi", "Shanxi", "Anhui",
    "Jiangxi", "Liaoning", "Jilin", "Heilongjiang", "Yunnan", "Guizhou", "Guangxi", "Hainan",
    "Gansu", "Qinghai", "Ningxia", "Tibet", "Xizang", "Inner Mongolia",
)
# Phone numbers that say nothing about where their holder is.
NON_GEOGRAPHIC_TYPES = frozenset({
    phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST, phonenumbers.PhoneNumberType.VOIP,
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER, phonenumbers.PhoneNumberType.UAN,
    phonenumbers.PhoneNumberType.PAGER, phonenumbers.PhoneNumberType.VOICEMAIL,
})

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
    Chinese address by its administrative divisions (or a province written in English);
    () when the address says nothing we know."""
    if not address:
        return ()
    match = US_STATE_CODE.search(address)
    if match and match.group(1) in US_STATE_ZONES:
        return US_STATE_ZONES[match.group(1)]
    for name, code in sorted(US_STATE_NAMES.items(), key=lambda item: -len(item[0])):
        if re.search(rf"\b{name}\b", address):
            return US_STATE_ZONES[code]
    from arrears.compliance.divisions import zones_for_chinese_address

    zones = zones_for_chinese_address(address)
    if zones:
        return zones
    for name, zones in CN_ENGLISH_ZONES.items():
        if re.search(rf"\b{name}\b", address):
            return zones
    if any(re.search(rf"\b{name}\b", address) for name in CN_ENGLISH_MAINLAND):
        return ("Asia/Shanghai",)
    return ()


@lru_cache(maxsize=4096)
def zones_for_phone(phone: str, region: str = "CN") -> tuple[str, ...]:
    """Candidate zones of a geographic phone number (phonenumbers' area-code table); () when
    unknown or not geographic: a toll-free, VoIP, personal or premium number, or one that maps
    to more than ``MAX_PHONE_ZONES`` zones (a whole calling code) says nothing about where its
    holder is. ``region`` reads numbers written without a country code."""
    if not phone:
        return ()
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return ()
    if phonenumbers.number_type(number) in NON_GEOGRAPHIC_TYPES:
        return ()
    zones = tuple(z for z in phone_timezone.time_zones_for_number(number)
                  if z != phone_timezone.UNKNOWN_TIMEZONE)
    return zones if len(zones) <= MAX_PHONE_ZONES else ()


@dataclass(frozen=True)
class Location:
    """The debtor's candidate zones and what they come from: explicit, address, phone,
    address+phone, or unknown (no signal: every zone of the jurisdiction)."""

    zones: tuple[str, ...]
    source: str

    @property
    def unknown(self) -> bool:
        return self.source == "unknown"


@lru_cache(maxsize=65536)
def locate(*, explicit: tuple[str, ...] = (), address: str = "", phone: str = "",
           region: str = "CN", unknown: tuple[str, ...] = ("Asia/Shanghai",)) -> Location:
    """Where the debtor may be: the explicit zones when given; else the address's and the
    geographic phone's together; else, with no signal at all, every zone of the jurisdiction
    (``unknown``), so only times lawful in all of them are used (COMPLIANCE.md section 0.4),
    never one zone chosen silently. The first zone is the debtor's calendar for counting
    days."""
    if explicit:
        return Location(tuple(dict.fromkeys(explicit)), "explicit")
    from_address = zones_for_address(address)
    from_phone = zones_for_phone(phone, region)
    zones = tuple(dict.fromkeys((*from_address, *from_phone)))
    if zones:
        source = "+".join(s for s, z in (("address", from_address), ("phone", from_phone)) if z)
        return Location(zones, source)
    return Location(tuple(dict.fromkeys(unknown)), "unknown")


def candidate_zones(*, explicit: tuple[str, ...] = (), address: str = "", phone: str = "",
                    region: str = "CN", default: str = "Asia/Shanghai") -> tuple[str, ...]:
    """The candidate zones of ``locate`` with a single zone for the unknown case."""
    return locate(explicit=explicit, address=address, phone=phone, region=region,
                  unknown=(default,)).zones


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
