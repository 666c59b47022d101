"""Importing the card system's files: cardholders, contacts, accounts, statements, postings.

One pass over the file inside one transaction. Rows are read in chunks; for each chunk the
external ids it mentions are resolved with a few ``__in`` queries, every row is validated, new
rows are inserted set-at-a-time (``RowWriter``: COPY on PostgreSQL) and changed ones updated
with ``bulk_update``. A file with any bad row is rolled back as a whole unless
``skip_bad_rows``; a dry run is always rolled back, so it checks exactly what a real import
would (database lookups and conflicts included).

Re-importing a file is harmless: master data (cardholders, contacts, accounts) with a known
external id is updated when a value changed and counted ``unchanged`` otherwise; statements and
postings are immutable, so a known external id with different values is a rejected row.
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.imports.readers import FileRejected, ImportFileError, Row, open_reader
from arrears.imports.schemas import (
    KINDS,
    SCHEMAS,
    CellError,
    Column,
    cell_parser,
    check_contact_value,
)
from arrears.imports.writer import RowWriter
from arrears.ledger.models import Posting
from arrears.portfolio.models import (
    PHONE_KINDS,
    Account,
    Cardholder,
    ContactPoint,
    Product,
    Statement,
    ThirdPartyContact,
)
from arrears.rules.money import AmountError, exponent_for, format_amount, parse_amount

__all__ = ["ImportFileError", "ImportReport", "RowError", "import_file"]

CHUNK_SIZE = 5000
LOOKUP_BATCH = 900  # stays under SQLite's default limit of 999 query parameters
WRITE_BATCH = 1000
SQLITE_CACHE_KIB = -262144  # negative: KiB, so 256 MiB while an import runs


@dataclass
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = _("line %(line)d") % {"line": self.line}
        if self.column:
            return f"{where}, {self.column}: {self.reason}"
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    path: str
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    def counts(self) -> dict[str, int | bool]:
        return {
            name: value for name, value in asdict(self).items() if name not in {"errors", "path"}
        }


PLAIN_AMOUNT = re.compile(r"-?([0-9]{1,13})(?:\.([0-9]{0,3}))?")


def plain_amount(text: str, currency: str) -> int | None:
    """The minor units of a plain amount like ``-1234.5``, or None to leave it to
    ``parse_amount`` (which gives the same answer, but a million times costs seconds)."""
    match = PLAIN_AMOUNT.fullmatch(text)
    if match is None:
        return None
    whole, fraction = match.groups()
    exponent = exponent_for(currency)
    fraction = fraction or ""
    if len(fraction) > exponent:
        return None
    minor = int(whole + fraction.ljust(exponent, "0"))
    return -minor if text[0] == "-" else minor


class _RollBack(Exception):
    """Raised inside the transaction to undo everything the import wrote."""


def import_file(
    *,
    kind: str,
    path,
    actor=None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    progress: bool = False,
) -> ImportReport:
    """Import one CSV or Parquet file of ``kind``; see ``docs/imports.md``.

    Raises ``ImportFileError`` when the file cannot be imported at all (unknown kind or
    format, missing file); every problem inside the file is an error in the report.
    """
    if kind not in KINDS:
        raise ImportFileError(
            _("unknown kind %(kind)r: use one of %(kinds)s")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    path = Path(path)
    reader = open_reader(path)
    report = ImportReport(kind=kind, path=str(path))
    bar = _progress_bar(reader, enabled=progress)
    try:
        with transaction.atomic(), _bulk_settings():
            _import_rows(kind, reader, report, actor=actor, bar=bar)
            if dry_run or (report.errors and not skip_bad_rows):
                raise _RollBack
            report.committed = True
    except _RollBack:
        pass
    except FileRejected as exc:
        report.errors.append(RowError(exc.line, "", exc.reason))
    finally:
        if bar is not None:
            bar.close()
    if not dry_run:
        audit_record(
            actor=actor,
            action="import",
            object_type=kind,
            details={"path": str(path), "skip_bad_rows": skip_bad_rows, **report.counts()},
        )
    return report


@contextmanager
def _bulk_settings():
    """Database settings for a large import, restored afterwards.

    SQLite gets a page cache big enough for the indexes of a million-row insert. PostgreSQL
    is told not to scan whole tables: the statistics of a ledger filled inside this very
    transaction say it is small, and a sequential scan per chunk makes an import quadratic.
    """
    setting = {"sqlite": ("PRAGMA cache_size", "PRAGMA cache_size = {}", SQLITE_CACHE_KIB),
               "postgresql": ("SHOW enable_seqscan", "SET enable_seqscan = {}", "off")}
    if connection.vendor not in setting:
        yield
        return
    show, assign, value = setting[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(show)
        (before,) = cursor.fetchone()
        cursor.execute(assign.format(value))
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(assign.format(before))
        except DatabaseError:
            pass  # the transaction failed and is rolled back, and a rollback undoes the SET


def _progress_bar(reader, *, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    try:
        total = reader.count_rows()
    except (OSError, FileRejected):
        total = None
    return tqdm(total=total, unit=" rows", desc=reader.path.name)


def _import_rows(kind: str, reader, report: ImportReport, *, actor, bar) -> None:
    importer = None
    for header, rows in reader.chunks(CHUNK_SIZE):
        if importer is None:
            importer = IMPORTERS[kind](header=header, report=report, actor=actor)
            if report.errors:
                raise _RollBack  # a bad header rejects the file, even with skip_bad_rows
        importer.import_chunk(rows)
        if bar is not None:
            bar.update(len(rows))


def _batched(values: Iterable, size: int = LOOKUP_BATCH) -> Iterable[list]:
    batch = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _lookup(queryset, field_name: str, keys: Iterable, *fields: str) -> list[tuple]:
    """``values_list(*fields)`` of the rows whose ``field_name`` is in ``keys``, in batches."""
    found: list[tuple] = []
    for batch in _batched(set(keys)):
        found.extend(queryset.filter(**{f"{field_name}__in": batch}).values_list(*fields))
    return found


class RowErrors(list):
    """The errors of one row, each naming the column at fault."""

    __slots__ = ("line",)

    def __init__(self, line: int):  # starts empty: list.__new__ made it so
        self.line = line

    def add(self, column: str, reason: str) -> None:
        self.append(RowError(self.line, column, reason))


@dataclass
class ParsedRow:
    line: int
    values: dict
    errors: RowErrors


class Importer(ABC):
    """What every kind shares: header check, cell parsing, duplicate ids, counting.

    A subclass says how to ``resolve`` the external ids a chunk mentions (a few queries) and
    how to ``apply`` one row (validate against the database and queue its write), then
    ``flush`` writes what was queued.
    """

    kind: str

    def __init__(self, *, header: list[str], report: ImportReport, actor):
        self.report = report
        self.actor = actor
        self.schema: tuple[Column, ...] = SCHEMAS[self.kind]
        self.header = header
        self.columns = frozenset(header)
        self.parsers = [(column.name, position, column.required, cell_parser(column))
                        for column, position in self._check_header(header)]
        self.seen: dict[str, int] = {}
        self.rejected_ids: set[str] = set()

    def _check_header(self, header: list[str]) -> list[tuple[Column, int]]:
        known = {column.name: column for column in self.schema}
        errors = self.report.errors
        for position, name in enumerate(header):
            if name not in known:
                errors.append(RowError(1, name, _(
                    "unknown column; the columns of %(kind)s are: %(columns)s"
                ) % {"kind": self.kind, "columns": ", ".join(known)}))
            elif name in header[:position]:
                errors.append(RowError(1, name, _("the column appears twice in the header")))
        for column in self.schema:
            if column.required and column.name not in header:
                errors.append(RowError(1, column.name, _(
                    "required column is missing from the header"
                )))
        return [(known[name], position) for position, name in enumerate(header)
                if name in known and name not in header[:position]]

    def import_chunk(self, rows: list[Row]) -> None:
        parsed = [self._parse(line, cells) for line, cells in rows]
        self.report.rows_read += len(parsed)
        self.resolve([row for row in parsed if not row.errors])
        for row in parsed:
            if not row.errors:
                self.apply(row)
            if row.errors:
                self.report.rejected += 1
                self.report.errors.extend(row.errors)
                external_id = row.values.get("external_id")
                if external_id and self.seen.get(external_id) == row.line:
                    self.rejected_ids.add(external_id)
        self.flush()

    def _parse(self, line: int, cells: list[str]) -> ParsedRow:
        errors = RowErrors(line)
        values: dict = {}
        if len(cells) != len(self.header):
            errors.add("", _("the line has %(found)d fields; the header has %(expected)d") % {
                "found": len(cells), "expected": len(self.header)})
            return ParsedRow(line, values, errors)
        for name, position, required, parse in self.parsers:
            text = cells[position]
            if not text:
                if required:
                    errors.add(name, _("is empty; a value is required"))
                continue
            try:
                values[name] = parse(text)
            except CellError as exc:
                errors.add(name, str(exc))
        external_id = values.get("external_id")
        if external_id is not None:
            first = self.seen.setdefault(external_id, line)
            if first != line:
                errors.add("external_id", _(
                    "duplicate external id %(id)r: already on line %(first)d of this file"
                ) % {"id": external_id, "first": first})
        return ParsedRow(line, values, errors)

    @abstractmethod
    def resolve(self, rows: list[ParsedRow]) -> None:
        """Load what the chunk's rows refer to (existing rows, accounts, products)."""

    @abstractmethod
    def apply(self, row: ParsedRow) -> None:
        """Check one parsed row against what was resolved and stage its write."""

    @abstractmethod
    def flush(self) -> None:
        """Write the staged rows of the chunk."""

    def amount(self, row: ParsedRow, column: str, currency: str) -> int | None:
        """The minor units of an amount cell, or None (and an error) when it is not valid."""
        text = row.values.get(column)
        if text is None:
            return None
        minor = plain_amount(text, currency)
        if minor is not None:
            return minor
        try:
            return parse_amount(text, currency)
        except AmountError as exc:
            row.errors.add(column, str(exc))
            return None


class ReferenceCache:
    """External id → (primary key, extra) of rows another file created, loaded as needed."""

    def __init__(self, queryset, *fields: str):
        self.queryset = queryset
        self.fields = fields
        self.known: dict[str, tuple] = {}

    def load(self, keys: Iterable[str]) -> None:
        missing = {key for key in keys if key is not None and key not in self.known}
        for found in _lookup(self.queryset, "external_id", missing, "external_id", *self.fields):
            self.known[found[0]] = found[1:]

    def get(self, key: str) -> tuple | None:
        return self.known.get(key)


def _cardholders() -> ReferenceCache:
    return ReferenceCache(Cardholder.objects.all(), "pk")


def _accounts() -> ReferenceCache:
    return ReferenceCache(Account.objects.all(), "pk", "product__currency")


class MasterImporter(Importer):
    """Master data: created when new, updated when a value changed, else unchanged.

    Only the columns present in the file are compared and written, so a file without, say,
    ``employer`` leaves every cardholder's employer as it is.
    """

    model: type[Model]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.existing: dict[str, Model] = {}
        self.to_create: list[tuple[type[Model], str, dict]] = []
        self.to_update: list[Model] = []
        self.update_fields: set[str] = set()

    def resolve(self, rows: list[ParsedRow]) -> None:
        ids = [row.values["external_id"] for row in rows]
        self.existing = self.model.objects.in_bulk(ids, field_name="external_id")

    def fields(self, row: ParsedRow) -> dict:
        """The model field values of a row (only for columns in the file); errors to the row.

        Every master importer that uses the shared ``apply`` defines it; one that writes two
        models (contacts) overrides ``apply`` instead."""
        raise NotImplementedError(f"{type(self).__name__} must define fields() or apply()")

    def apply(self, row: ParsedRow) -> None:
        values = self.fields(row)
        if row.errors:
            return
        external_id = row.values["external_id"]
        self.save(self.model, self.existing.get(external_id), external_id, values)

    def save(self, model: type[Model], current: Model | None, external_id: str, values: dict):
        if current is None:
            self.to_create.append((model, external_id, values))
            self.report.created += 1
            return
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        if not changed:
            self.report.unchanged += 1
            return
        for name in changed:
            setattr(current, name, values[name])
        self.to_update.append(current)
        self.update_fields.update(changed)
        self.report.updated += 1

    def flush(self) -> None:
        _write(self.to_create, self.to_update, self.update_fields)
        self.to_create, self.to_update, self.update_fields = [], [], set()

    def optional(self, row: ParsedRow, column: str, field_name: str, default, values: dict):
        """Copy an optional column into ``values`` when the file has it (blank → default)."""
        if column in self.columns:
            values[field_name] = row.values.get(column, default)


def _write(to_create: list[tuple[type[Model], str, dict]], to_update: list[Model],
           update_fields: set[str]) -> None:
    """Create and update master-data rows, grouped by model (contacts are two models)."""
    by_columns: dict[tuple, list[tuple]] = {}
    for model, external_id, values in to_create:
        by_columns.setdefault((model, tuple(values)), []).append((external_id, *values.values()))
    for (model, columns), rows in by_columns.items():
        RowWriter(model, ("external_id", *columns)).insert(rows)
    by_model: dict[type[Model], list[Model]] = {}
    for obj in to_update:
        by_model.setdefault(type(obj), []).append(obj)
    now = timezone.now()
    for model, objs in by_model.items():
        names = {f.attname for f in model._meta.concrete_fields}
        fields = sorted(update_fields & names)
        if "updated_at" in names:
            for obj in objs:
                obj.updated_at = now
            fields.append("updated_at")
        if fields:
            model.objects.bulk_update(objs, fields, batch_size=WRITE_BATCH)


class CardholderImporter(MasterImporter):
    kind = "cardholders"
    model = Cardholder

    def fields(self, row: ParsedRow) -> dict:
        values = {"name": row.values["name"]}
        self.optional(row, "national_id", "national_id", "", values)
        self.optional(row, "date_of_birth", "date_of_birth", None, values)
        self.optional(row, "employer", "employer", "", values)
        self.optional(row, "flags", "flags", "", values)
        self.optional(row, "language", "language", "zh-hans", values)
        self.optional(row, "time_zone", "time_zone", "", values)
        if "monthly_income" in self.columns:
            income = self.amount(row, "monthly_income", settings.ARREARS_DEFAULT_CURRENCY)
            if income is not None and income < 0:
                row.errors.add("monthly_income", _("must not be negative"))
            values["income_minor"] = income
        born = values.get("date_of_birth")
        if born is not None and born > date.today():
            row.errors.add("date_of_birth", _("is in the future"))
        return values


class AccountImporter(MasterImporter):
    kind = "accounts"
    model = Account

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.cardholders = _cardholders()
        self.products: dict[str, tuple[int, str]] = {}  # code → (pk, currency)

    def resolve(self, rows: list[ParsedRow]) -> None:
        super().resolve(rows)
        self.cardholders.load(row.values["cardholder_id"] for row in rows)
        codes = {row.values["product"] for row in rows} - set(self.products)
        for code, pk, currency in _lookup(Product.objects.all(), "code", codes,
                                          "code", "pk", "currency"):
            self.products[code] = (pk, currency)

    def fields(self, row: ParsedRow) -> dict:
        cardholder = self.cardholders.get(row.values["cardholder_id"])
        if cardholder is None:
            row.errors.add("cardholder_id", _("unknown cardholder %(id)r") % {
                "id": row.values["cardholder_id"]})
        product = self.products.get(row.values["product"])
        if product is None:
            row.errors.add("product", _("unknown product code %(code)r") % {
                "code": row.values["product"]})
            return {}
        limit = self.amount(row, "credit_limit", product[1])
        if limit is not None and limit < 0:
            row.errors.add("credit_limit", _("must not be negative"))
        values = {
            "cardholder_id": cardholder[0] if cardholder else None,
            "product_id": product[0],
            "credit_limit_minor": limit,
            "open_date": row.values["open_date"],
        }
        self.optional(row, "status", "status", Account.Status.ACTIVE, values)
        return values


class ContactImporter(MasterImporter):
    """Contact rows: the cardholder's own contact points, or third-party contacts (relation)."""

    kind = "contacts"
    model = ContactPoint

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.cardholders = _cardholders()
        self.existing_third: dict[str, Model] = {}

    def resolve(self, rows: list[ParsedRow]) -> None:
        super().resolve(rows)
        ids = [row.values["external_id"] for row in rows]
        self.existing_third = ThirdPartyContact.objects.in_bulk(ids, field_name="external_id")
        self.cardholders.load(row.values["cardholder_id"] for row in rows)

    def apply(self, row: ParsedRow) -> None:
        v = row.values
        cardholder = self.cardholders.get(v["cardholder_id"])
        if cardholder is None:
            row.errors.add("cardholder_id", _("unknown cardholder %(id)r") % {
                "id": v["cardholder_id"]})
        try:
            check_contact_value(v["kind"], v["value"])
        except CellError as exc:
            row.errors.add("value", str(exc))
        relation = v.get("relation")
        own = self.existing.get(v["external_id"])
        third = self.existing_third.get(v["external_id"])
        if relation:
            if not v.get("contact_name"):
                row.errors.add("contact_name", _("is required for a third-party contact"))
            if v["kind"] not in PHONE_KINDS:
                row.errors.add("kind", _(
                    "a third-party contact must be a phone: mobile, home_phone or work_phone"))
            if own is not None:
                row.errors.add("relation", _(
                    "contact %(id)r exists as the cardholder's own contact point; "
                    "it cannot become a third-party contact") % {"id": v["external_id"]})
        else:
            if v.get("contact_name"):
                row.errors.add("contact_name", _(
                    "is only for a third-party contact: give its relation too"))
            if third is not None:
                row.errors.add("relation", _(
                    "contact %(id)r exists as a third-party contact; give its relation")
                    % {"id": v["external_id"]})
        if row.errors:
            return
        values = {"cardholder_id": cardholder[0]}
        self.optional(row, "verified", "verified", False, values)
        self.optional(row, "source", "source", "", values)
        if relation:
            values.update(name=v["contact_name"], relation=relation, phone=v["value"])
            if len(v["value"]) > 40:
                row.errors.add("value", _("a third-party phone is at most 40 characters"))
                return
            self.save(ThirdPartyContact, third, v["external_id"], values)
        else:
            values.update(kind=v["kind"], value=v["value"])
            self.save(ContactPoint, own, v["external_id"], values)


class StatementImporter(Importer):
    """Statements are immutable: a known external id must come with the same values."""

    kind = "statements"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.accounts = _accounts()
        self.cycles_in_file: dict[tuple[int, date], int] = {}
        self.to_create: list[tuple] = []
        self.writer = RowWriter(Statement, ("external_id", "account_id", "cycle_date",
                                            "due_date", "statement_balance_minor",
                                            "minimum_due_minor"))

    def resolve(self, rows: list[ParsedRow]) -> None:
        self.accounts.load(row.values["account_id"] for row in rows)
        ids = [row.values["external_id"] for row in rows]
        self.existing = {
            found[0]: found[1:]
            for found in _lookup(Statement.objects.all(), "external_id", ids, "external_id",
                                 "account_id", "cycle_date", "due_date",
                                 "statement_balance_minor", "minimum_due_minor")
        }
        account_pks = {known[0] for row in rows
                       if (known := self.accounts.get(row.values["account_id"]))}
        cycles = {row.values["cycle_date"] for row in rows}
        self.existing_cycles = {
            (account_pk, cycle): external_id
            for account_pk, cycle, external_id in _lookup(
                Statement.objects.filter(cycle_date__in=cycles), "account_id", account_pks,
                "account_id", "cycle_date", "external_id")
        }

    def apply(self, row: ParsedRow) -> None:
        v = row.values
        account = self.accounts.get(v["account_id"])
        if account is None:
            row.errors.add("account_id", _("unknown account %(id)r") % {"id": v["account_id"]})
            return
        account_pk, currency = account
        balance = self.amount(row, "statement_balance", currency)
        minimum = self.amount(row, "minimum_due", currency)
        if minimum is not None and minimum < 0:
            row.errors.add("minimum_due", _("must not be negative"))
        if v["due_date"] < v["cycle_date"]:
            row.errors.add("due_date", _("%(due)s is before the cycle date %(cycle)s") % {
                "due": v["due_date"], "cycle": v["cycle_date"]})
        if row.errors:
            return
        values = (account_pk, v["cycle_date"], v["due_date"], balance, minimum)
        known = self.existing.get(v["external_id"])
        if known is not None:
            if tuple(known) == values:
                self.report.unchanged += 1
            else:
                row.errors.add("external_id", _(
                    "statement %(id)s already exists with different values; "
                    "statements cannot be changed") % {"id": v["external_id"]})
            return
        cycle_key = (account_pk, v["cycle_date"])
        other = self.existing_cycles.get(cycle_key)
        first = self.cycles_in_file.setdefault(cycle_key, row.line)
        if other is not None or first != row.line:
            where = other or _("line %(line)d") % {"line": first}
            row.errors.add("cycle_date", _(
                "account %(account)s already has a statement for %(cycle)s (%(other)s)") % {
                "account": v["account_id"], "cycle": v["cycle_date"], "other": where})
            return
        self.to_create.append((v["external_id"], account_pk, v["cycle_date"], v["due_date"],
                               balance, minimum))
        self.report.created += 1

    def flush(self) -> None:
        self.writer.insert(self.to_create)
        self.to_create = []


@dataclass
class _Target:
    """What a reversal needs to know about the posting it reverses."""

    external_id: str
    account_pk: int
    amount_minor: int
    posting_date: date
    pk: int | None = None
    pending: bool = False  # created in this chunk and not inserted yet


class PostingImporter(Importer):
    """Postings are immutable: a known external id must come with the same values.

    A reversal may undo a posting already in the database or one earlier in the same file.
    """

    kind = "postings"
    COMPARED = ("account_id", "kind", "amount_minor", "component", "posting_date",
                "value_date", "reverses_id", "reason", "statement_cycle_date")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.accounts = _accounts()
        self.to_create: list[tuple[tuple, _Target | None]] = []
        user = self.actor if getattr(self.actor, "is_authenticated", False) else None
        self.writer = RowWriter(Posting, (
            "external_id", "account_id", "kind", "amount_minor", "component", "posting_date",
            "value_date", "statement_cycle_date", "reason", "reverses_id",
        ), constants={"source": Posting.Source.IMPORT.value, "actor_id": user and user.pk})
        self.created_here: dict[str, _Target] = {}
        self.reversed_here: dict[str, str] = {}

    def resolve(self, rows: list[ParsedRow]) -> None:
        self.accounts.load(row.values["account_id"] for row in rows)
        ids = [row.values["external_id"] for row in rows]
        self.existing = {
            found[0]: found[1:]
            for found in _lookup(Posting.objects.all(), "external_id", ids, "external_id",
                                 *self.COMPARED)
        }
        targets = {row.values["reverses"] for row in rows if "reverses" in row.values}
        self.targets = {
            external_id: _Target(external_id, account_pk, amount, posting_date, pk=pk)
            for external_id, pk, account_pk, amount, posting_date in _lookup(
                Posting.objects.all(), "external_id", targets,
                "external_id", "pk", "account_id", "amount_minor", "posting_date")
        }
        by_pk = {target.pk: target.external_id for target in self.targets.values()}
        self.reversed_by = {
            by_pk[target_pk]: external_id
            for target_pk, external_id in _lookup(
                Posting.objects.all(), "reverses_id", by_pk, "reverses_id", "external_id")
        }
        self.created_here = {}
        self.reversed_here = {}

    def apply(self, row: ParsedRow) -> None:
        v = row.values
        account = self.accounts.get(v["account_id"])
        if account is None:
            row.errors.add("account_id", _("unknown account %(id)r") % {"id": v["account_id"]})
            return
        account_pk, currency = account
        kind = v["kind"]
        amount = self.amount(row, "amount", currency)
        if amount is not None:
            if amount == 0:
                row.errors.add("amount", _("must not be zero"))
            elif amount < 0 and kind != Posting.Kind.ADJUSTMENT:
                row.errors.add("amount", _(
                    "must be positive; only an adjustment may be negative"))
        component = v.get("component", "")
        if kind in (Posting.Kind.WAIVER, Posting.Kind.ADJUSTMENT) and not component:
            row.errors.add("component", _(
                "waiver and adjustment postings must name a component: principal, interest "
                "or fees"))
        reverses = v.get("reverses")
        if row.errors:
            return
        value_date = v.get("value_date", v["posting_date"])
        stored_target = self.targets.get(reverses) if reverses else None
        values = (account_pk, kind, amount, component, v["posting_date"], value_date,
                  stored_target.pk if stored_target else reverses,
                  v.get("reason", ""), v.get("statement_cycle_date"))
        known = self.existing.get(v["external_id"])
        if known is not None:
            if tuple(known) == values:
                self.report.unchanged += 1
            else:
                row.errors.add("external_id", _(
                    "posting %(id)s already exists with different values; "
                    "corrections are new postings (reversal)") % {"id": v["external_id"]})
            return
        target = self._check_reversal(row, kind, reverses, account_pk, amount, currency)
        if row.errors:
            return
        self.to_create.append((
            (v["external_id"], account_pk, kind, amount, component, v["posting_date"],
             value_date, v.get("statement_cycle_date"), v.get("reason", "")),
            target,
        ))
        if target is not None:
            self.reversed_here[target.external_id] = v["external_id"]
        self.created_here[v["external_id"]] = _Target(
            v["external_id"], account_pk, amount, v["posting_date"], pending=True)
        self.report.created += 1

    def _check_reversal(self, row, kind, reverses, account_pk, amount, currency):
        if kind != Posting.Kind.REVERSAL:
            if reverses:
                row.errors.add("reverses", _("only a reversal may name a posting to reverse"))
            return None
        if not reverses:
            row.errors.add("reverses", _("a reversal must name the posting it reverses"))
            return None
        target = self.created_here.get(reverses) or self.targets.get(reverses)
        if target is None:
            if reverses in self.rejected_ids:
                reason = _("posting %(id)r is rejected in this file, so it cannot be reversed")
            else:
                reason = _("unknown posting %(id)r")
            row.errors.add("reverses", reason % {"id": reverses})
            return None
        if target.account_pk != account_pk:
            row.errors.add("reverses", _(
                "posting %(id)s belongs to another account") % {"id": reverses})
            return None
        reverser = self.reversed_by.get(reverses) or self.reversed_here.get(reverses)
        if reverser is not None:
            row.errors.add("reverses", _(
                "posting %(id)s is already reversed (by %(by)s)")
                % {"id": reverses, "by": reverser})
            return None
        if amount != abs(target.amount_minor):
            row.errors.add("amount", _(
                "a reversal must have the amount of the posting it reverses (%(amount)s)")
                % {"amount": format_amount(abs(target.amount_minor), currency)})
            return None
        if row.values["posting_date"] < target.posting_date:
            row.errors.add("posting_date", _(
                "a reversal cannot be dated before the posting it reverses (%(date)s)")
                % {"date": target.posting_date})
            return None
        return target

    def flush(self) -> None:
        """Insert the chunk's postings; a reversal of a posting in the same chunk waits for it."""
        pending = self.to_create
        while pending:
            ready = [(row, t) for row, t in pending if t is None or not t.pending]
            waiting = [(row, t) for row, t in pending if t is not None and t.pending]
            if not ready:
                raise RuntimeError("reversal targets that are never inserted")
            self.writer.insert([(*row, target.pk if target else None) for row, target in ready])
            for external_id, pk in _lookup(
                Posting.objects.all(), "external_id", {t.external_id for _row, t in waiting},
                "external_id", "pk",
            ):
                self.created_here[external_id].pk = pk
                self.created_here[external_id].pending = False
            pending = waiting
        self.to_create = []


IMPORTERS: dict[str, type[Importer]] = {
    "cardholders": CardholderImporter,
    "contacts": ContactImporter,
    "accounts": AccountImporter,
    "statements": StatementImporter,
    "postings": PostingImporter,
}
