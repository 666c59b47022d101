"""Chinese addresses placed by their administrative divisions (province, city, district) from
the national list of division codes (``data/prc_divisions.csv``, see ``data/NOTICE.md``).

An address is read from its start, in administrative order: the province (or a municipality
directly under the central government), then a city of that province, then a district of that
city. A name is matched in full (上海市, 新疆维吾尔自治区) or in its short form (上海, 新疆);
"上海市新疆路100号" is in Shanghai, not in Xinjiang, because 新疆 here is a street, not the
first division. An address that names no province is placed by a city or district name at its
start when that name is unique, or by every division of that name when it is not (朝阳区 is in
Beijing and in Changchun: both candidates are kept).
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "prc_divisions.csv"
# Suffixes a division's short name drops (longest first); the short form must keep 2 characters.
SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县",
            "地区", "新区", "省", "市", "盟", "县", "区", "旗")
# Time zones by province code: 新疆 keeps two clocks (Beijing time officially, Xinjiang time in
# daily life); Hong Kong, Macau and Taiwan have their own zones.
PROVINCE_ZONES = {"65": ("Asia/Shanghai", "Asia/Urumqi"), "81": ("Asia/Hong_Kong",),
                  "82": ("Asia/Macau",), "71": ("Asia/Taipei",)}
MAINLAND_ZONE = ("Asia/Shanghai",)


@dataclass(frozen=True)
class Division:
    code: str
    name: str

    @property
    def level(self) -> int:
        """1 province, 2 city, 3 district or county (4+ below: not used)."""
        if self.code[2:] == "0" * 10:
            return 1
        if self.code[4:] == "0" * 8:
            return 2
        return 3 if self.code[6:] == "0" * 6 else 4

    @property
    def province_code(self) -> str:
        return self.code[:2]

    def names(self) -> tuple[str, ...]:
        short = next((self.name[:-len(s)] for s in SUFFIXES
                      if self.name.endswith(s) and len(self.name) - len(s) >= 2), "")
        return (self.name, short) if short else (self.name,)


@dataclass(frozen=True)
class Place:
    """Where an address is: the most precise division found, and the path to it."""

    divisions: tuple[Division, ...]

    @property
    def province(self) -> Division:
        return self.divisions[0]

    @property
    def zones(self) -> tuple[str, ...]:
        return PROVINCE_ZONES.get(self.province.province_code, MAINLAND_ZONE)


@lru_cache(maxsize=1)
def _divisions() -> tuple[Division, ...]:
    with DATA.open(encoding="utf-8") as handle:
        return tuple(Division(row["adcode"], row["name"]) for row in csv.DictReader(handle))


@lru_cache(maxsize=1)
def _children() -> dict[str, tuple[Division, ...]]:
    """Parent code → the divisions under it (a province's cities, a city's districts; the
    districts of a municipality and the county-level cities of a province directly)."""
    by_code = {d.code: d for d in _divisions()}
    children: dict[str, list[Division]] = {}
    for division in _divisions():
        if division.level == 1:
            continue
        parent = division.code[:4] + "0" * 8 if division.level == 3 else ""
        if division.level == 2 or parent not in by_code:
            parent = division.code[:2] + "0" * 10
        children.setdefault(parent, []).append(division)
    return {code: tuple(found) for code, found in children.items()}


def _match_at(text: str, candidates) -> tuple[Division, int] | None:
    """The candidate whose name (full or short) the text starts with, longest first."""
    best = None
    for division in candidates:
        for name in division.names():
            if text.startswith(name) and (best is None or len(name) > best[1]):
                best = (division, len(name))
    return best


def _descend(text: str, division: Division) -> tuple[Division, ...]:
    """From a province down the names that follow it. A municipality (上海市) is also its own
    city: its districts are looked for under the city of the same name."""
    path = [division]
    rest = text
    for _level in range(2):
        children = _children().get(path[-1].code, ())
        found = _match_at(rest.lstrip(), children)
        if found is None:
            same = [c for c in children if c.name == path[-1].name]
            if len(same) != 1:
                break
            found = _match_at(rest.lstrip(), _children().get(same[0].code, ()))
            if found is None:
                break
            path.append(same[0])
        path.append(found[0])
        rest = rest.lstrip()[found[1]:]
    return tuple(path)


@lru_cache(maxsize=4096)
def places(address: str) -> tuple[Place, ...]:
    """Where a Chinese address is (several places when a name at its start is ambiguous);
    () when it does not start with a division's name."""
    text = address.strip().removeprefix("中国").removeprefix("中华人民共和国").lstrip()
    if not text:
        return ()
    provinces = [d for d in _divisions() if d.level == 1]
    found = _match_at(text, provinces)
    if found is not None:
        return (Place(_descend(text[found[1]:], found[0])),)
    lower = [d for d in _divisions() if d.level in (2, 3)]
    names = {}
    for division in lower:
        for name in division.names():
            if text.startswith(name):
                names.setdefault(len(name), []).append(division)
    if not names:
        return ()
    longest = names[max(names)]
    by_code = {d.code: d for d in _divisions()}
    result = []
    for division in longest:
        province = by_code[division.code[:2] + "0" * 10]
        result.append(Place((province, division)))
    return tuple(result)


def zones_for_chinese_address(address: str) -> tuple[str, ...]:
    """The candidate time zones of a Chinese address, from the divisions it names."""
    return tuple(dict.fromkeys(z for place in places(address) for z in place.zones))
