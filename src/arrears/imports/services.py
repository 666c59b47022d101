"""Importing the card system's files: products, cardholders, contacts, accounts, statements,
postings.

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
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, Model, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.imports.formats import (
    ENCODINGS,
    ISO_DATES,
    UNSTORABLE,
    AmountFormat,
    CellError,
    FileFormat,
    FormatError,
    encoding_named,
    unstorable_reason,
)
from arrears.imports.models import ImportProfile
from arrears.imports.readers import (
    CsvReader,
    FileRejected,
    ImportFileError,
    ParquetReader,
    Row,
    open_reader,
)
from arrears.imports.schemas import (
    KINDS,
    SCHEMAS,
    Column,
    cell_parser,
    check_contact_value,
    too_long,
)
from arrears.imports.staging import (
    DAYS,
    RAW,
    STATEMENT_STAGE,
    NotForArrow,
    RawStage,
    StatementBatch,
    arrow_batches,
    calendar,
    choice_ok,
    copy_arrow,
    plain_minor,
    postgresql,
    text_ok,
)
from arrears.imports.writer import RowWriter
from arrears.ledger.models import Posting
from arrears.ledger.writer import STAGE as POSTING_STAGE
from arrears.ledger.writer import AccountTerms, PostingBatch, TempTable, _execute, _rows
from arrears.portfolio.models import (
    PHONE_KINDS,
    Account,
    Cardholder,
    ContactPoint,
    Product,
    ThirdPartyContact,
)
from arrears.portfolio.search import search_keys_refresh
from arrears.portfolio.selectors import product_today
from arrears.rules.money import AmountError, exponent_for, format_amount, parse_amount

__all__ = ["ImportFileError", "ImportReport", "RowError", "import_file"]

CHUNK_SIZE = 5000
LOOKUP_BATCH = 900  # stays under SQLite's default limit of 999 query parameters
WRITE_BATCH = 1000
SQLITE_CACHE_KIB = -262144  # negative: KiB, so 256 MiB while an import runs
TERMS = "arrears_import_terms"
STAGED_WORK_MEM = "256MB"  # sorts and hashes of a whole file, for this transaction only
SEEN = "arrears_import_seen"
FULL_KINDS = ("cardholders", "accounts")
ABSENT_LISTED = 100


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
    full: bool = False
    absent: int = 0  # a full file: rows in the database the file does not have
    absent_ids: list[str] = field(default_factory=list)  # the first ABSENT_LISTED of them

    def counts(self) -> dict[str, int | bool]:
        return {
            name: value for name, value in asdict(self).items()
            if name not in {"errors", "path", "absent_ids"}
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
    profile: str | None = None,
    encoding: str | None = None,
    full: bool = False,
) -> ImportReport:
    """Import one delimited text or Parquet file of ``kind``; see ``docs/imports.md``.

    A file holds what changed (a delta: only its rows, and only its columns, are created or
    updated); ``full`` declares that it holds every cardholder or account, and then the ones
    in the database it does not have are reported (``absent``), never deleted or closed.

    ``profile`` names the ``ImportProfile`` of this kind that says how the file is written;
    ``encoding`` declares the text encoding (over the profile's). Raises ``ImportFileError``
    when the file cannot be imported at all (unknown kind, profile or encoding, a missing or
    unreadable file); every problem inside the file is an error in the report.
    """
    if kind not in KINDS:
        raise ImportFileError(
            _("unknown kind %(kind)r: use one of %(kinds)s")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    if full and kind not in FULL_KINDS:
        raise ImportFileError(_("--full is for the master data files (%(kinds)s): a file of "
                                "%(kind)s adds to what is there") % {
            "kinds": ", ".join(FULL_KINDS), "kind": kind})
    file_format = file_format_for(kind, profile=profile, encoding=encoding)
    path = Path(path)
    reader = open_reader(path, file_format)
    if encoding and isinstance(reader, ParquetReader):
        raise ImportFileError(_("--encoding is for text files: the text in a Parquet file is "
                                "always UTF-8"))
    report = ImportReport(kind=kind, path=str(path), full=full)
    bar = _progress_bar(reader, enabled=progress)
    try:
        with transaction.atomic(), _bulk_settings(staged=issubclass(IMPORTERS[kind],
                                                                    StagedImporter)):
            _import_rows(kind, reader, report, actor=actor, bar=bar, file_format=file_format,
                         dry_run=dry_run, skip_bad_rows=skip_bad_rows)
            if dry_run or (report.errors and not skip_bad_rows):
                raise _RollBack
            report.committed = True
    except _RollBack:
        pass
    except FileRejected as exc:
        report.errors.append(RowError(exc.line, getattr(exc, "label", ""), exc.reason))
    except OSError as exc:
        raise ImportFileError(_("cannot read %(path)s: %(error)s")
                              % {"path": path, "error": exc.strerror or exc}) from None
    finally:
        if bar is not None:
            bar.close()
    if not dry_run:
        audit_record(
            actor=actor,
            action="import",
            object_type=kind,
            details={"path": str(path), "skip_bad_rows": skip_bad_rows,
                     "profile": file_format.profile, "encoding": file_format.encoding,
                     **report.counts()},
        )
    return report


def file_format_for(kind: str, *, profile: str | None, encoding: str | None) -> FileFormat:
    """The format of a file of ``kind``: the named import profile's (else the default), with
    the declared ``encoding`` over it. ``ImportFileError`` for an unknown profile or encoding.
    """
    file_format = FileFormat()
    if profile:
        found = ImportProfile.objects.filter(name=profile, kind=kind).first()
        if found is None:
            raise ImportFileError(_unknown_profile(profile, kind))
        try:
            file_format = found.file_format()
        except FormatError as exc:
            raise ImportFileError(_("the import profile %(name)s for %(kind)s cannot be used: "
                                    "%(error)s") % {"name": profile, "kind": kind,
                                                    "error": exc}) from None
    if encoding:
        try:
            file_format = replace(file_format, encoding=encoding_named(encoding))
        except FormatError as exc:
            raise ImportFileError(str(exc)) from None
    return file_format


def _unknown_profile(name: str, kind: str) -> str:
    kinds = sorted(ImportProfile.objects.filter(name=name).values_list("kind", flat=True))
    if kinds:
        return _("the import profile %(name)s has no settings for %(kind)s, only for "
                 "%(kinds)s") % {"name": name, "kind": kind, "kinds": ", ".join(kinds)}
    names = sorted(ImportProfile.objects.filter(kind=kind).values_list("name", flat=True))
    return _("no import profile %(name)r for %(kind)s; the profiles for %(kind)s are: "
             "%(names)s (set them up in the admin, Imports → Import profiles)") % {
        "name": name, "kind": kind, "names": ", ".join(names) or _("none")}


@contextmanager
def _bulk_settings(*, staged: bool = False):
    """Database settings for a large import, restored afterwards.

    SQLite gets a page cache big enough for the indexes of a million-row insert. PostgreSQL
    is told not to scan whole tables: the statistics of a ledger filled inside this very
    transaction say it is small, and a sequential scan per chunk makes an import quadratic.
    """
    setting = {"sqlite": ("PRAGMA cache_size", "PRAGMA cache_size = {}", SQLITE_CACHE_KIB),
               "postgresql": ("SHOW enable_seqscan", "SET enable_seqscan = {}", "off")}
    if staged:  # whole-file joins over staging tables want sequential scans and hashes
        setting.pop("postgresql")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{STAGED_WORK_MEM}'")
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


def _import_rows(kind: str, reader, report: ImportReport, *, actor, bar,
                 file_format: FileFormat, dry_run: bool = False,
                 skip_bad_rows: bool = False) -> None:
    importer = None
    try:
        for header, rows in reader.chunks(CHUNK_SIZE):
            if importer is None:
                importer = IMPORTERS[kind](header=header, report=report, actor=actor,
                                           full=report.full,
                                           file_format=file_format,
                                           typed_columns=reader.typed_columns,
                                           header_line=reader.header_line)
                if report.errors:
                    raise _RollBack  # a bad header rejects the file, even with skip_bad_rows
                if isinstance(importer, StagedImporter) and importer.read_with_arrow(
                        reader, bar):
                    break  # every data row is staged
            importer.import_chunk(rows)
            if bar is not None:
                bar.update(len(rows))
    except FileRejected as exc:
        header = exc.header if importer is None else importer.file_header
        exc.label = column_label(header or [], file_format, exc.position)
        raise
    if report.rows_read == 0:
        report.errors.append(RowError(reader.header_line, "", _(
            "the file has no data rows, only a header: nothing to import")))
        raise _RollBack  # a file the bank's system cut short is never "imported"
    if isinstance(importer, StagedImporter):
        if bar is not None:
            bar.set_postfix_str(_("checking the file against the database"))
        clean = not report.errors
        importer.finish(insert=not dry_run and (skip_bad_rows or clean))
    if report.full:
        importer.report_absent()


def _data_lines(path: Path, header_line: int) -> int:
    """Lines after the header, the last one counted without a final line break."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n") - header_line


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
    """The errors of one row, each naming the column at fault as the file names it."""

    def __init__(self, line: int, labels: dict[str, str]):
        super().__init__()
        self.line = line
        self.labels = labels

    def add(self, column: str, reason: str) -> None:
        self.append(RowError(self.line, self.labels.get(column, column), reason))


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
    key = "external_id"  # the column (and model field) that identifies a row
    track_duplicates = True  # in memory, the line each key was first seen on

    def __init__(self, *, header: list[str], report: ImportReport, actor,
                 file_format: FileFormat | None = None, typed_columns=frozenset(),
                 header_line: int = 1, full: bool = False):
        self.report = report
        self.actor = actor
        self.format = file_format or FileFormat()
        self.schema: tuple[Column, ...] = SCHEMAS[self.kind]
        self.header_line = header_line
        self.file_header = header
        self.header = our_names(header, self.format)
        self.labels = {ours: _label(name, ours) for name, ours in zip(header, self.header,
                                                                      strict=True)
                       if ours and name.lower() != ours}
        self.columns = frozenset(self.header)
        self.positions = self._check_header()
        typed = {ours for name, ours in zip(header, self.header, strict=True)
                 if name in typed_columns}
        self.parsers = [(column, position, self._cell_parser(column, column.name in typed))
                        for column, position in self.positions]
        self.amount_parsers = {column.name: self._amount_parser(column.name in typed)
                               for column, _position in self.positions
                               if column.type == "amount"}
        self.seen: dict[str, int] = {}
        self.rejected_ids: set[str] = set()

    def _check_header(self) -> list[tuple[Column, int]]:
        header, line = self.header, self.header_line
        known = {column.name: column for column in self.schema}
        errors = self.report.errors
        for position, name in enumerate(header):
            if not name and self.file_header[position].lower() in self.format.columns:
                continue  # the profile leaves this column out
            if name not in known:
                errors.append(RowError(line, _printable(self.file_header[position]), _(
                    "unknown column; the columns of %(kind)s are: %(columns)s (an import "
                    "profile can map the bank's names to these, or leave a column out)"
                ) % {"kind": self.kind, "columns": ", ".join(known)}))
            elif name in header[:position]:
                errors.append(RowError(line, self.labels.get(name, name),
                                       _("the column appears twice in the header")))
        for column in self.schema:
            if column.required and column.name not in header:
                errors.append(RowError(line, column.name, _(
                    "required column is missing from the header"
                )))
        other = _kind_of(header) if errors else None
        if other is not None and other != self.kind:
            errors[:] = [RowError(line, "", _(
                "this is a file of %(other)s, not of %(kind)s: its header has the columns of "
                "%(other)s. Import it as %(other)s"
            ) % {"other": other, "kind": self.kind})]
        return [(known[name], position) for position, name in enumerate(header)
                if name in known and name not in header[:position]]

    def _cell_parser(self, column: Column, typed: bool) -> Callable[[str], object] | None:
        """Typed Parquet dates read as ISO text whatever date format the profile declares."""
        return cell_parser(column, ISO_DATES if typed else self.format.dates)

    def _amount_parser(self, typed: bool) -> Callable[[str, str], int]:
        """How an amount cell becomes minor units: the declared format, or by default major
        units as a spreadsheet writes them. A typed Parquet number is a number whatever the
        format says about separators and symbols; only "minor units" applies to it."""
        declared = self.format.amounts
        if declared is None or (typed and not declared.minor_units):
            return _spreadsheet_amount
        return PLAIN_MINOR_UNITS.parse if typed else declared.parse

    def import_chunk(self, rows: list[Row]) -> None:
        parsed = [self._parse(line, cells) for line, cells in rows]
        self.report.rows_read += len(parsed)
        self.note_ids(parsed)
        self.resolve([row for row in parsed if not row.errors])
        for row in parsed:
            if not row.errors:
                self.apply(row)
            if row.errors:
                self.report.rejected += 1
                self.report.errors.extend(row.errors)
                key = row.values.get(self.key)
                if key and self.seen.get(key) == row.line:
                    self.rejected_ids.add(key)
        self.flush()

    def _parse(self, line: int, cells: list[str]) -> ParsedRow:
        errors = RowErrors(line, self.labels)
        values: dict = {}
        if len(cells) != len(self.header):
            errors.add("", _("the line has %(found)d fields; the header has %(expected)d") % {
                "found": len(cells), "expected": len(self.header)})
            return ParsedRow(line, values, errors)
        if UNSTORABLE.search("".join(cells)):
            self._check_storable(cells, errors)
            if errors:
                return ParsedRow(line, values, errors)
        for column, position, parse in self.parsers:
            text = cells[position]
            if not text:
                if column.required:
                    errors.add(column.name, _("is empty; a value is required"))
                continue
            if column.max_length is not None and len(text) > column.max_length:
                errors.add(column.name, too_long(text, column.max_length))
                continue
            if parse is None:
                values[column.name] = text
                continue
            try:
                values[column.name] = parse(text)
            except CellError as exc:
                errors.add(column.name, str(exc))
        key = values.get(self.key) if self.track_duplicates else None
        if key is not None:
            first = self.seen.setdefault(key, line)
            if first != line:
                errors.add(self.key, _(
                    "duplicate external id %(id)r: already on line %(first)d of this file"
                ) % {"id": key, "first": first})
        return ParsedRow(line, values, errors)

    def note_ids(self, parsed: list[ParsedRow]) -> None:
        """Keep the ids a full file names (master data; other kinds keep none)."""
        del parsed

    def _check_storable(self, cells: list[str], errors: RowErrors) -> None:
        for column, position, _parse in self.parsers:
            reason = unstorable_reason(cells[position])
            if reason is not None:
                errors.add(column.name, reason)

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
        try:
            return self.amount_parsers[column](text, currency)
        except AmountError as exc:
            row.errors.add(column, str(exc))
            return None


def our_names(header: list[str], file_format: FileFormat) -> list[str]:
    """Our names of the header's columns: the profile's mapping, else the name in lower case;
    "" for a column the profile leaves out."""
    return [file_format.columns.get(name.lower(), name.lower()) for name in header]


def _label(name: str, ours: str) -> str:
    """A column as an error names it: as the file names it, and ours when that differs."""
    return ours if not ours or name.lower() == ours else f"{name} ({ours})"


def column_label(header: list[str], file_format: FileFormat, position: int | None) -> str:
    """The label of the column at ``position`` of the file's ``header``."""
    if position is None or position >= len(header):
        return ""
    ours = our_names(header, file_format)[position]
    return _label(header[position], ours) if ours else header[position]


PLAIN_MINOR_UNITS = AmountFormat(thousands_separator="", minor_units=True)


def _spreadsheet_amount(text: str, currency: str) -> int:
    """The default: major units as a spreadsheet writes them (``1,234.56``, ``5e+05``)."""
    minor = plain_amount(text, currency)
    return parse_amount(text, currency) if minor is None else minor


def _kind_of(header: list[str]) -> str | None:
    """The kind whose columns the header has: all its required ones, and no unknown one."""
    names = {name for name in header if name}
    for kind, schema in SCHEMAS.items():
        known = {column.name for column in schema}
        required = {column.name for column in schema if column.required}
        if required <= names <= known:
            return kind
    return None


def _printable(name: str) -> str:
    return name if name.isprintable() else ascii(name)


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
        self.to_create: list[tuple[type[Model], dict]] = []
        self.to_update: list[Model] = []
        self.update_fields: set[str] = set()
        self.seen_ids = None
        if kwargs.get("full"):
            self.seen_ids = TempTable(SEEN, (("external_id", "varchar(64)"),))

    def note_ids(self, parsed: list[ParsedRow]) -> None:
        """A full file: every id it names (a bad row's too: the row is there, only wrong)."""
        if self.seen_ids is not None:
            self.seen_ids.write([(row.values[self.key],) for row in parsed
                                 if self.key in row.values])

    def report_absent(self) -> None:
        """The rows in the database a full file does not name: counted and the first listed,
        never deleted (a file the bank's system cut short must not close half the book)."""
        table = self.model._meta.db_table
        missing = (f"FROM {table} x WHERE NOT EXISTS (SELECT 1 FROM {SEEN} s "
                   "WHERE s.external_id = x.external_id)")
        self.report.absent = _rows(f"SELECT COUNT(*) {missing}")[0][0]
        self.report.absent_ids = [external_id for (external_id,) in _rows(
            f"SELECT x.external_id {missing} ORDER BY x.external_id LIMIT {ABSENT_LISTED}")]
        self.seen_ids.drop()

    def resolve(self, rows: list[ParsedRow]) -> None:
        ids = [row.values[self.key] for row in rows]
        self.existing = self.model.objects.in_bulk(ids, field_name=self.key)

    def fields(self, row: ParsedRow) -> dict:
        """The model field values of a row (only for columns in the file); errors to the row.

        Every master importer that uses the shared ``apply`` defines it; one that writes two
        models (contacts) overrides ``apply`` instead."""
        raise NotImplementedError(f"{type(self).__name__} must define fields() or apply()")

    def apply(self, row: ParsedRow) -> None:
        values = self.fields(row)
        if row.errors:
            return
        key = row.values[self.key]
        self.save(self.model, self.existing.get(key), key, values)

    def save(self, model: type[Model], current: Model | None, key: str, values: dict):
        if current is None:
            self.to_create.append((model, {self.key: key, **values}))
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


def _write(to_create: list[tuple[type[Model], dict]], to_update: list[Model],
           update_fields: set[str]) -> None:
    """Create and update master-data rows, grouped by model (contacts are two models) and by
    the fields given (the key first: ``external_id``, or a product's ``code``)."""
    by_columns: dict[tuple, list[tuple]] = {}
    for model, values in to_create:
        by_columns.setdefault((model, tuple(values)), []).append(tuple(values.values()))
    for (model, columns), rows in by_columns.items():
        RowWriter(model, columns).insert(rows)
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

    def flush(self) -> None:
        """Write the batch, then rebuild the search keys (name, ID) of its cardholders."""
        touched = [values["external_id"] for _model, values in self.to_create]
        touched += [obj.external_id for obj in self.to_update]
        super().flush()
        for ids in _batched(touched):
            search_keys_refresh(Cardholder.objects.filter(external_id__in=ids)
                                .values_list("pk", flat=True))

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


class ProductImporter(MasterImporter):
    """Products and their terms, by code. A product's currency is the currency of every amount
    of its accounts, so it cannot change once the product has accounts."""

    kind = "products"
    model = Product
    key = "code"
    TERMS = ("time_zone", "daily_interest_rate", "late_fee_rate", "min_payment_rate",
             "grace_days", "allocation_order", "statement_day", "due_days")
    AMOUNTS = {"late_fee_min": "late_fee_min_minor", "late_fee_max": "late_fee_max_minor",
               "min_payment_floor": "min_payment_floor_minor",
               "past_due_tolerance": "past_due_tolerance_minor"}

    def resolve(self, rows: list[ParsedRow]) -> None:
        super().resolve(rows)
        with_accounts = Product.objects.filter(
            Exists(Account.objects.filter(product=OuterRef("pk"))))
        self.with_accounts = {code for (code,) in _lookup(
            with_accounts, "code", [row.values["code"] for row in rows], "code")}

    def fields(self, row: ParsedRow) -> dict:
        v = row.values
        currency = v["currency"]
        current = self.existing.get(v["code"])
        if (current is not None and current.currency != currency
                and v["code"] in self.with_accounts):
            row.errors.add("currency", _(
                "product %(code)s has accounts in %(currency)s; its currency cannot change")
                % {"code": v["code"], "currency": current.currency})
        values = {"name": v["name"], "currency": currency}
        for name in self.TERMS:
            self.optional(row, name, name, _default(Product, name), values)
        for column, field_name in self.AMOUNTS.items():
            if column not in self.columns:
                continue
            minor = self.amount(row, column, currency)
            if minor is not None and minor < 0:
                row.errors.add(column, _("must not be negative"))
            values[field_name] = _default(Product, field_name) if column not in v else minor
        least = values.get("late_fee_min_minor", getattr(current, "late_fee_min_minor", 0))
        most = values.get("late_fee_max_minor", getattr(current, "late_fee_max_minor", None))
        if least is not None and most is not None and most < least:
            row.errors.add("late_fee_max", _("is less than the smallest late fee (%(least)s)")
                           % {"least": format_amount(least, currency)})
        return values


def _default(model: type[Model], field_name: str):
    return model._meta.get_field(field_name).get_default()


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

    def flush(self) -> None:
        """Write the batch, then rebuild the search keys (phones) of its cardholders."""
        touched = [values["cardholder_id"] for model, values in self.to_create
                   if model is ContactPoint]
        touched += [obj.cardholder_id for obj in self.to_update if isinstance(obj, ContactPoint)]
        super().flush()
        search_keys_refresh(touched)

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


class StagedImporter(Importer):
    """A kind whose files can hold millions of rows (statements, postings).

    Each chunk's cells are streamed as text into a staging table (``staging.RawStage``: COPY
    on PostgreSQL) when the file is written in the default formats (ISO dates, amounts in
    major units); once the file is staged, SQL types every row it can prove good and checks
    it against the database (accounts, limits), and the rows it cannot are parsed here by the
    same parsers and rules as ever, which say why a row is bad with its line and column. A
    file in a profile's own formats is parsed here row by row. Either way the typed rows go
    to the kind's batch, which checks duplicates, conflicts with the database and the rules
    between rows set-at-a-time in SQL, then inserts the good rows at once. Memory stays
    bounded: no row is kept in Python after its chunk."""

    track_duplicates = False  # the staging table finds them, with the line of the first
    ACCOUNT_CACHE = 200_000

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.account_terms: dict[str, AccountTerms] = {}
        self.products: dict[int, Product] = {}
        self.names = [column.name for column, _position in self.positions]
        self.width = len(self.header)
        self.typed = bool(kwargs.get("typed_columns"))
        self.raw = RawStage(self.names) if self.raw_allowed() else None
        self.raw_rows: list[tuple] = []

    def read_with_arrow(self, reader, bar) -> bool:
        """Stage every data row with Arrow's reader (a UTF-8 delimited text file in the
        default formats), or nothing and False: then the row-by-row reader reads the file."""
        if self.raw is None or not isinstance(reader, CsvReader):
            return False
        if reader.codec() != ENCODINGS["utf-8"] or len(self.format.delimiter) != 1:
            return False
        positions = [position for _column, position in self.positions]
        expected = _data_lines(reader.path, reader.header_line)
        staged = 0
        try:
            for lines, columns in arrow_batches(
                    reader.path, header=self.file_header, header_line=reader.header_line,
                    delimiter=self.format.delimiter, expected_rows=expected):
                copy_arrow(self.raw, lines, [columns[position] for position in positions])
                staged += len(lines)
                if bar is not None:
                    bar.update(len(lines))
        except NotForArrow:
            _execute(f"DELETE FROM {RAW}")
            if bar is not None:
                bar.reset()
            return False
        self.report.rows_read += staged
        return True

    def raw_allowed(self) -> bool:
        """Whether SQL can type this file's cells: text in the default date and amount
        formats (a profile's own formats, and typed Parquet columns, are parsed here)."""
        return (not self.report.errors and not self.typed
                and self.format.dates.pattern == ISO_DATES.pattern
                and self.format.amounts is None)

    def load_accounts(self, keys: Iterable[str]) -> None:
        """The accounts a chunk names (and their products), a few ``__in`` queries."""
        if len(self.account_terms) > self.ACCOUNT_CACHE:
            self.account_terms = {}
        missing = {key for key in keys if key not in self.account_terms}
        found = _lookup(Account.objects.all(), "external_id", missing,
                        "external_id", "pk", "open_date", "product_id")
        products = {product_id for *_rest, product_id in found} - set(self.products)
        if products:
            self.products.update(Product.objects.in_bulk(products))
        for external_id, pk, opened, product_id in found:
            self.account_terms[external_id] = AccountTerms(pk, opened, self.products[product_id])

    def import_chunk(self, rows: list[Row]) -> None:
        self.report.rows_read += len(rows)
        if self.raw is None:
            self.parse_and_stage(rows)
            return
        width, positions, slow = self.width, [p for _c, p in self.positions], []
        staged = self.raw_rows
        for line, cells in rows:
            if len(cells) != width or UNSTORABLE.search("".join(cells)):
                slow.append((line, cells))
            else:
                staged.append((line, *[cells[position] for position in positions]))
        if slow:
            self.parse_and_stage(slow)
        self.raw.write(staged)
        self.raw_rows = []

    def parse_and_stage(self, rows: list[Row]) -> None:
        """Parse rows here (the column parsers, the rules per row) and stage them."""
        parsed = [self._parse(line, cells) for line, cells in rows]
        self.load_accounts(row.values["account_id"] for row in parsed
                           if "account_id" in row.values)
        for row in parsed:
            self.stage(row)
            if row.errors:
                self.report.errors.extend(row.errors)

    def account(self, row: ParsedRow) -> AccountTerms | None:
        account = self.account_terms.get(row.values.get("account_id"))
        if account is None and "account_id" in row.values:
            row.errors.add("account_id", _("unknown account %(id)r") % {
                "id": row.values["account_id"]})
        return account

    def cell(self, name: str) -> str:
        """The raw cell of our column ``name`` in SQL ('' when the file leaves it out)."""
        return f"r.c_{name}" if name in self.names else "''"

    def type_raw(self) -> None:
        """Type the raw rows SQL proves good into the batch's stage, then parse the rest
        here, a chunk at a time, in line order."""
        if postgresql():
            _execute(f"ANALYZE {RAW}")
        terms = TempTable(TERMS, (("product_id", "bigint"), ("exponent", "integer"),
                                  ("ceiling", "bigint"), ("today", "date")))
        terms.write([(product.pk, exponent_for(product.currency),
                      product.limits.amount_ceiling, product_today(product))
                     for product in Product.objects.all()])
        if postgresql():
            _execute(f"ANALYZE {TERMS}")
        days = calendar()
        self.type_raw_sql()
        terms.drop()
        days.drop()
        columns = ", ".join(f"r.c_{name}" for name in self.names)
        positions = [position for _column, position in self.positions]
        with connection.chunked_cursor() as cursor:  # server-side: never the whole rest
            cursor.execute(f"SELECT r.line, {columns} FROM {RAW} r WHERE NOT EXISTS (SELECT 1 "
                           f"FROM {self.stage_table} s WHERE s.line = r.line) ORDER BY r.line")
            while rows := cursor.fetchmany(CHUNK_SIZE):
                chunk = []
                for line, *values in rows:
                    cells = [""] * self.width
                    for position, value in zip(positions, values, strict=True):
                        cells[position] = value
                    chunk.append((line, cells))
                self.parse_and_stage(chunk)
        self.raw.drop()

    @abstractmethod
    def type_raw_sql(self) -> None:
        """Insert the raw rows SQL proves good into the batch's stage, typed."""

    @abstractmethod
    def stage(self, row: ParsedRow) -> None:
        """Stage one parsed row (a bad one too, when it has its key)."""

    def resolve(self, rows):
        raise NotImplementedError(f"{type(self).__name__} is staged: its chunks go through "
                                  "import_chunk, not resolve()")

    def apply(self, row):
        raise NotImplementedError(f"{type(self).__name__} is staged: its rows go through "
                                  "stage(), not apply()")

    def flush(self) -> None:
        pass

    def finish(self, *, insert: bool) -> None:
        """Check the staged file and insert its good rows when ``insert``."""
        if self.raw is not None:
            self.type_raw()
        result = self.batch.finish(insert=insert)
        labels = self.labels
        self.report.errors.extend(
            RowError(problem.line, labels.get(problem.field, problem.field), problem.message)
            for problem in result.problems)
        self.report.errors.sort(key=lambda error: error.line)
        self.report.created = result.created
        self.report.unchanged = result.unchanged
        self.report.rejected = len({error.line for error in self.report.errors})


class PostingImporter(StagedImporter):
    """Postings are immutable: a known external id must come with the same values.

    Every row goes through the one posting writer (``arrears.ledger.writer.PostingBatch``) the
    API and the workbench use: the same per-row rules, the same checks of the batch in SQL
    (duplicates, conflicts, reversals of unknown, foreign, rejected or already reversed
    postings) and the same ledger rules (a waiver above the component owed ...). A reversal may
    undo a posting already in the database or one on an earlier line of the same file.
    """

    kind = "postings"
    stage_table = POSTING_STAGE

    def __init__(self, **kwargs):
        self.batch = PostingBatch(source=Posting.Source.IMPORT.value, actor=kwargs["actor"],
                                  check_limits=True)
        super().__init__(**kwargs)

    def stage(self, row: ParsedRow) -> None:
        v = row.values
        external_id = v.get("external_id")
        account = self.account(row) if not row.errors else None
        amount = None
        if account is not None:
            amount = self.amount(row, "amount", account.currency)
        if external_id is None:
            return
        self.batch.add(
            line=row.line, external_id=external_id, account=account, kind=v.get("kind", ""),
            amount_minor=amount, posting_date=v.get("posting_date"),
            value_date=v.get("value_date"), component=v.get("component", ""),
            reverses=v.get("reverses", ""), reason=v.get("reason", ""),
            statement_cycle_date=v.get("statement_cycle_date"), bad=bool(row.errors))

    def type_raw_sql(self) -> None:
        self.batch.flush()
        cell = self.cell
        columns = {column.name: column for column in self.schema}
        kind, component = cell("kind"), cell("component")
        checks = " AND ".join([
            text_ok(cell("external_id"), 64, True),
            choice_ok(kind, columns["kind"].choices, True),
            choice_ok(component, columns["component"].choices, False),
            text_ok(cell("reverses"), 64, False),
            text_ok(cell("reason"), 500, False),
        ])
        days = []
        for name, alias in (("value_date", "vd"), ("statement_cycle_date", "cd")):
            if name in self.names:
                days.append((f"LEFT JOIN {DAYS} {alias} ON {alias}.iso = r.c_{name}",
                             f"{alias}.day", f"(r.c_{name} = '' OR {alias}.day IS NOT NULL)"))
            else:
                days.append(("", "CAST(NULL AS date)" if postgresql() else "NULL", "1 = 1"))
        (value_join, value_day, value_ok), (cycle_join, cycle_day, cycle_ok) = days
        _execute(
            f"WITH q AS MATERIALIZED (SELECT r.line, {cell('external_id')} AS external_id, "
            "a.id AS account_id, a.open_date AS opened, t.ceiling, t.today, "
            f"lower({kind}) AS kind, lower({component}) AS component, "
            f"{cell('reverses')} AS reverses, {cell('reason')} AS reason, "
            f"{plain_minor(cell('amount'), 't.exponent')} AS minor, "
            f"pd.day AS posting_date, {value_day} AS value_date, {cycle_day} AS cycle "
            f"FROM {RAW} r JOIN {Account._meta.db_table} a ON a.external_id = r.c_account_id "
            f"JOIN {TERMS} t ON t.product_id = a.product_id "
            f"JOIN {DAYS} pd ON pd.iso = r.c_posting_date {value_join} {cycle_join} "
            f"WHERE {checks} AND {value_ok} AND {cycle_ok}) "
            f"INSERT INTO {POSTING_STAGE} (line, external_id, account_id, kind, amount_minor, "
            "component, posting_date, value_date, reverses_ext, reason, statement_cycle_date, "
            "bad) SELECT line, external_id, account_id, kind, minor, component, posting_date, "
            "COALESCE(value_date, posting_date), reverses, reason, cycle, 0 FROM q "
            "WHERE minor IS NOT NULL AND minor <> 0 "
            "AND (minor > 0 OR kind = 'adjustment') "
            "AND NOT (kind IN ('waiver', 'adjustment') AND component = '') "
            "AND ((kind = 'reversal' AND reverses <> '') OR (kind <> 'reversal' "
            "AND reverses = '')) AND minor <= ceiling AND -minor <= ceiling "
            "AND posting_date >= opened AND posting_date <= today "
            "AND (value_date IS NULL OR (value_date >= opened AND value_date <= today))")
        self.batch.rows = _rows(f"SELECT COUNT(*) FROM {POSTING_STAGE}")[0][0]


class StatementImporter(StagedImporter):
    """Statements are immutable: a known external id must come with the same values."""

    kind = "statements"
    stage_table = STATEMENT_STAGE

    def __init__(self, **kwargs):
        self.batch = StatementBatch()
        super().__init__(**kwargs)

    def stage(self, row: ParsedRow) -> None:
        v = row.values
        external_id = v.get("external_id")
        account = self.account(row) if not row.errors else None
        balance = minimum = None
        if account is not None:
            balance = self.amount(row, "statement_balance", account.currency)
            minimum = self.amount(row, "minimum_due", account.currency)
            if minimum is not None and minimum < 0:
                row.errors.add("minimum_due", _("must not be negative"))
            if v["due_date"] < v["cycle_date"]:
                row.errors.add("due_date", _("%(due)s is before the cycle date %(cycle)s") % {
                    "due": v["due_date"], "cycle": v["cycle_date"]})
        if external_id is None:
            return
        self.batch.add((row.line, external_id, account.pk if account else None,
                        v.get("account_id"), v.get("cycle_date"), v.get("due_date"), balance,
                        minimum, 1 if row.errors else 0))

    def type_raw_sql(self) -> None:
        self.batch.flush()
        cell = self.cell
        _execute(
            f"WITH q AS MATERIALIZED (SELECT r.line, {cell('external_id')} AS external_id, "
            "a.id AS account_id, r.c_account_id AS account_ext, cd.day AS cycle_date, "
            "dd.day AS due_date, "
            f"{plain_minor(cell('statement_balance'), 't.exponent')} AS balance, "
            f"{plain_minor(cell('minimum_due'), 't.exponent')} AS minimum "
            f"FROM {RAW} r JOIN {Account._meta.db_table} a ON a.external_id = r.c_account_id "
            f"JOIN {TERMS} t ON t.product_id = a.product_id "
            f"JOIN {DAYS} cd ON cd.iso = r.c_cycle_date JOIN {DAYS} dd ON dd.iso = r.c_due_date "
            f"WHERE {text_ok(cell('external_id'), 64, True)}) "
            f"INSERT INTO {STATEMENT_STAGE} (line, external_id, account_id, account_ext, "
            "cycle_date, due_date, balance_minor, minimum_minor, bad) SELECT line, external_id, "
            "account_id, account_ext, cycle_date, due_date, balance, minimum, 0 FROM q "
            "WHERE balance IS NOT NULL AND minimum IS NOT NULL AND minimum >= 0 "
            "AND due_date >= cycle_date")


IMPORTERS: dict[str, type[Importer]] = {
    "products": ProductImporter,
    "cardholders": CardholderImporter,
    "contacts": ContactImporter,
    "accounts": AccountImporter,
    "statements": StatementImporter,
    "postings": PostingImporter,
}
