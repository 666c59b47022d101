"""Finding cardholders by name, phone or the last four characters of the national ID through
an index (``SearchKey``), never by scanning every cardholder.

- **name**: every two-character piece of the name, case and spaces ignored (``张三丰`` →
  ``张三``, ``三丰``); a search for part of a name looks up its pieces and then checks the
  name itself on the few cardholders that have them all. A one-character name is kept whole.
- **phone**: the digits of each phone contact point, without a +86/0086 country code.
- **id4**: the last four characters of the national ID, upper case (the check character may
  be ``X``).

The keys are derived data: :func:`search_keys_refresh` rebuilds them for a set of
cardholders at a time; the import calls it after each batch it writes and a signal after a
single save (``PortfolioConfig.ready``).
"""

import re
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from arrears.portfolio.models import PHONE_KINDS, Cardholder, ContactPoint, SearchKey

BATCH = 900  # ids per query: under SQLite's limit of 999 parameters
NAME_PIECES_LOOKED_UP = 3  # a longer name is narrowed by its first three pieces, then checked
_NAME_NOISE = re.compile(r"[\s·•・.\-_'’,，]+")
ID_LAST4 = re.compile(r"[0-9]{3}[0-9X]")


def name_normal(name: str) -> str:
    return _NAME_NOISE.sub("", name).casefold()


def name_pieces(name: str) -> list[str]:
    """The keys of a name: its two-character pieces in order, or the name if it is shorter."""
    text = name_normal(name)
    if len(text) < 2:
        return [text] if text else []
    return list(dict.fromkeys(text[i:i + 2] for i in range(len(text) - 1)))


def phone_key(value: str) -> str:
    """The digits of a phone number without a +86 / 0086 country code; "" when fewer than
    seven digits remain (not a phone number one can search for)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if 7 <= len(digits) <= 20 else ""


def id_last4(national_id: str) -> str:
    text = national_id.strip().upper()
    return text[-4:] if len(text) >= 8 else ""


def _batched(values: Iterable, size: int = BATCH) -> Iterator[list]:
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _keys_of(pk: int, name: str, national_id: str) -> Iterator[tuple]:
    for piece in name_pieces(name):
        yield (pk, SearchKey.Kind.NAME.value, piece)
    if last4 := id_last4(national_id):
        yield (pk, SearchKey.Kind.ID_LAST4.value, last4)


def search_keys_refresh(cardholder_ids: Iterable[int]) -> int:
    """Rebuild the search keys of these cardholders from their name, ID and phone contact
    points, a batch at a time: three reads, one delete and one multi-row insert per batch
    (plain rows, no model instances, ``COPY`` on PostgreSQL: a portfolio's worth of keys is
    written at import).
    Returns the number of keys written."""
    table = connection.ops.quote_name(SearchKey._meta.db_table)
    insert = f"INSERT INTO {table} (cardholder_id, kind, {connection.ops.quote_name('key')}) " \
             "VALUES (%s, %s, %s)"
    written = 0
    for ids in _batched(sorted(set(cardholder_ids))):
        rows: list[tuple] = []
        for pk, name, national_id in Cardholder.objects.filter(pk__in=ids).values_list(
                "pk", "name", "national_id"):
            rows.extend(_keys_of(pk, name, national_id))
        phones = set()
        for pk, value in ContactPoint.objects.filter(
                cardholder_id__in=ids, kind__in=PHONE_KINDS).values_list("cardholder_id", "value"):
            if key := phone_key(value):
                phones.add((pk, SearchKey.Kind.PHONE.value, key))
        rows.extend(sorted(phones))
        with transaction.atomic(), connection.cursor() as cursor:
            SearchKey.objects.filter(cardholder_id__in=ids).delete()
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} (cardholder_id, kind, "
                                        f"{connection.ops.quote_name('key')}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(insert, rows)
        written += len(rows)
    return written


def cardholders_by_name(query: str) -> QuerySet[Cardholder] | None:
    """Cardholders whose name holds ``query`` (case and spaces ignored), looked up by its
    pieces; None when the query has fewer than two characters of a name (too broad) — a
    one-character name is then matched whole."""
    pieces = name_pieces(query)
    if not pieces:
        return None
    text = name_normal(query)
    if len(text) < 2:
        return Cardholder.objects.filter(pk__in=SearchKey.objects.filter(
            kind=SearchKey.Kind.NAME, key=text).values("cardholder_id"))
    found = Cardholder.objects.all()
    for piece in pieces[:NAME_PIECES_LOOKED_UP]:
        found = found.filter(pk__in=SearchKey.objects.filter(
            kind=SearchKey.Kind.NAME, key=piece).values("cardholder_id"))
    words = query.split()
    condition = Q()
    for word in words:  # each typed word appears in the name
        condition &= Q(name__icontains=word)
    return found.filter(condition)


def cardholders_by_key(kind: str, key: str) -> QuerySet[Cardholder]:
    return Cardholder.objects.filter(pk__in=SearchKey.objects.filter(
        kind=kind, key=key).values("cardholder_id"))
