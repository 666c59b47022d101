"""Reading import files as rows of text, with the line number a user sees in the file.

A reader yields chunks of ``(line, cells)``: ``cells`` is a list of stripped strings in header
order. Text (CSV) line numbers are physical lines as a text editor counts them: the header is
line 1, a quoted field spanning lines counts them all, blank lines count and are skipped; a line
ends at ``\\n``, ``\\r\\n`` or ``\\r``. Parquet rows are numbered as if they were a CSV file with
a header: the first row is line 2.

Text is decoded strictly in the declared encoding (see ``arrears.imports.formats``). When a
byte is not valid, the file is read a second time with each bad byte marked, through the same
CSV parser, to name the physical line and the column where it is.
"""

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from arrears.imports.formats import (
    ENCODINGS,
    ESCAPED_BYTE,
    UTF8_BOM,
    UTF16_BOMS,
    FileFormat,
    show_bytes,
    unstorable_reason,
)

Row = tuple[int, list[str]]

TEXT_SUFFIXES = (".csv", ".txt", ".dat")
FORMATS = {**dict.fromkeys(TEXT_SUFFIXES, "csv"), ".parquet": "parquet", ".pq": "parquet"}
LINE_BREAK = re.compile(r"\r\n|\r|\n")
MARK_ERRORS = "arrears-mark-undecodable"


def _mark_undecodable(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode each bad byte as a lone surrogate (U+DC00 + byte), as ``surrogateescape`` does
    but for any byte and any codec: no strict decoder ever yields one, so it marks the spot."""
    bad = error.object[error.start:error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(MARK_ERRORS, _mark_undecodable)


class ImportFileError(Exception):
    """The file cannot be imported at all: it is missing, or its kind or format is unknown."""


class FileRejected(Exception):
    """The content of the file cannot be read past a point (bad encoding, broken Parquet).

    ``position`` is the index of the column in ``header`` where the problem is, if known."""

    def __init__(self, line: int, reason: str, position: int | None = None,
                 header: list[str] | None = None):
        super().__init__(reason)
        self.line = line
        self.reason = reason
        self.position = position
        self.header = header


class CsvReader:
    """A delimited text file (``.csv``, ``.txt``, ``.dat``) in a declared or detected encoding.
    """

    typed_columns: frozenset[str] = frozenset()

    def __init__(self, path: Path, file_format: FileFormat | None = None):
        self.path = path
        self.format = file_format or FileFormat()
        self.header_line = 1

    def count_rows(self) -> int:
        """An estimate of the number of data rows for a progress bar: lines minus the header."""
        lines, last = 0, b"\n"
        with open(self.path, "rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        return max(lines - (last == b"\n"), 0)

    def codec(self) -> str:
        """The Python codec to read the file with: the declared encoding, checked against a
        byte-order mark, or the one a byte-order mark names, else UTF-8."""
        with open(self.path, "rb") as handle:
            start = handle.read(4)
        found = ("utf-8" if start.startswith(UTF8_BOM)
                 else "utf-16" if start.startswith(UTF16_BOMS) else None)
        declared = self.format.encoding
        if declared is None:
            return ENCODINGS[found or "utf-8"]
        if declared == "utf-16" and found != "utf-16":
            raise FileRejected(1, _("the file was declared UTF-16 but does not start with a "
                                    "UTF-16 byte-order mark"))
        if found is not None and found != declared:
            raise FileRejected(1, _(
                "the file starts with a %(found)s byte-order mark, but its encoding was "
                "declared %(declared)s: declare %(found)s, or save the file in %(declared)s "
                "without the mark") % {"found": found.upper(), "declared": declared.upper()})
        return ENCODINGS[declared]

    def _csv(self, handle):
        return csv.reader(handle, delimiter=self.format.delimiter)

    def chunks(self, size: int) -> Iterator[tuple[list[str], list[Row]]]:
        """Yield ``(header, rows)`` chunks of at most ``size`` rows; the first may be empty."""
        codec = self.codec()
        line = 0
        try:
            with open(self.path, encoding=codec, newline="") as handle:
                reader = self._csv(handle)
                header = None
                for cells in reader:
                    if any(cells):
                        header = cells
                        break
                    line = reader.line_num
                if header is None:
                    raise FileRejected(1, _("the file is empty: it has no header line"))
                self.header_line = line + 1
                header = [name.strip() for name in header]
                line = reader.line_num
                rows: list[Row] = []
                yield header, rows
                for cells in reader:
                    start, line = line + 1, reader.line_num
                    if not any(cells):
                        continue
                    rows.append((start, [cell.strip() for cell in cells]))
                    if len(rows) >= size:
                        yield header, rows
                        rows = []
                if rows:
                    yield header, rows
        except UnicodeDecodeError:
            raise self._undecodable(codec) from None
        except csv.Error as exc:
            raise FileRejected(line + 1, _("broken CSV: %(error)s") % {"error": exc}) from None

    def _undecodable(self, codec: str) -> FileRejected:
        """Where the first byte that is not text in ``codec`` is: read the file again with bad
        bytes marked, through the same CSV parser, and find the first mark."""
        line = 0
        header = None
        with open(self.path, encoding=codec, errors=MARK_ERRORS, newline="") as handle:
            reader = self._csv(handle)
            try:
                for cells in reader:
                    start, line = line + 1, reader.line_num
                    for position, cell in enumerate(cells):
                        mark = ESCAPED_BYTE.search(cell)
                        if mark is None:
                            continue
                        before = "".join(cells[:position]) + cell[:mark.start()]
                        bad = bytes(ord(char) - 0xDC00 for char in mark.group())
                        return FileRejected(start + len(LINE_BREAK.findall(before)),
                                            self._undecodable_reason(bad),
                                            None if header is None else position, header)
                    if header is None and any(cells):
                        header = [name.strip() for name in cells]
            except csv.Error as exc:
                return FileRejected(line + 1, _("broken CSV: %(error)s") % {"error": exc})
        return FileRejected(line + 1, self._undecodable_reason(b""))

    def _undecodable_reason(self, bad: bytes) -> str:
        declared = self.format.encoding
        if declared is None:
            return _(
                "%(bytes)s is not UTF-8 text: the file is in another encoding. Chinese bank "
                "systems mostly write GB18030 (GBK): declare it with --encoding gb18030, or in "
                "the import profile (big5 for Big5 files); the encoding is never guessed"
            ) % {"bytes": show_bytes(bad)}
        reason = _("%(bytes)s is not %(encoding)s text: the file is not in the declared "
                   "encoding, or it is damaged here") % {"bytes": show_bytes(bad),
                                                        "encoding": declared.upper()}
        if declared in ("gbk", "gb2312"):
            reason += "; " + _("GB18030 holds every GBK character and more: try gb18030")
        return reason


class ParquetReader:
    def __init__(self, path: Path, file_format: FileFormat | None = None):
        self.path = path
        self.header_line = 1
        self.typed_columns: frozenset[str] = frozenset()

    def _open(self):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise FileRejected(1, _("not a readable Parquet file: %(error)s") % {"error": exc}) \
                from None

    def count_rows(self) -> int:
        return self._open().metadata.num_rows

    def chunks(self, size: int) -> Iterator[tuple[list[str], list[Row]]]:
        import pyarrow as pa

        parquet = self._open()
        schema = parquet.schema_arrow
        header = [name.strip() for name in schema.names]
        self.typed_columns = frozenset(
            name for name, column in zip(header, schema, strict=True) if not _is_text(column.type))
        yield header, []
        line = 1
        try:
            for batch in parquet.iter_batches(batch_size=size):
                columns = [_as_text(column) for column in batch.columns]
                rows: list[Row] = []
                for cells in zip(*columns, strict=True):
                    line += 1
                    rows.append((line, list(cells)))
                yield header, rows
        except pa.ArrowException as exc:
            raise FileRejected(
                line + 1, _("not a readable Parquet file: %(error)s") % {"error": exc}
            ) from None


def _is_text(arrow_type) -> bool:
    """Strings and bytes are text cells; numbers, dates and booleans are typed values."""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return (pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
            or pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type))


def _as_text(column) -> list[str]:
    """A Parquet column as stripped strings ("" for null), the way it would read in a CSV.

    Bytes that are not UTF-8 are kept as marks (``surrogateescape``), so the row is refused
    with its line and column instead of storing ``b'...'``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(column, pa.string()).to_pylist()
        return ["" if value is None else value.strip() for value in values]
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return ["" if value is None else _text_of(value).strip() for value in column.to_pylist()]


def _text_of(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def open_reader(path: Path, file_format: FileFormat | None = None) -> CsvReader | ParquetReader:
    fmt = FORMATS.get(path.suffix.lower())
    if path.is_dir():
        raise ImportFileError(_("%(path)s is a directory, not a file") % {"path": path})
    if fmt is None:
        raise ImportFileError(
            _("cannot tell the format of %(path)s: the name must end in %(suffixes)s "
              "(delimited text) or .parquet")
            % {"path": path, "suffixes": ", ".join(TEXT_SUFFIXES)}
        )
    if not path.exists():
        raise ImportFileError(_("no such file: %(path)s") % {"path": path})
    if not path.is_file():
        raise ImportFileError(_("%(path)s is not a regular file") % {"path": path})
    return CsvReader(path, file_format) if fmt == "csv" else ParquetReader(path, file_format)


def csv_records(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """A small CSV file (a print house's or a dialer's answer) as ``(line, {column: text})``
    records, numbered as every import numbers lines (the header is line 1). Raises
    ``FileRejected`` for unreadable content, a header without the ``required`` columns or a
    cell a database cannot store, and ``OSError`` when the file cannot be opened."""
    header: list[str] = []
    rows: list[Row] = []
    for chunk_header, chunk in CsvReader(path).chunks(10_000):  # copy each chunk as it comes
        header = [name.lower() for name in chunk_header]
        rows.extend(chunk)
    missing = sorted(set(required) - set(header))
    if missing:
        raise FileRejected(1, _("the header needs the columns %(cols)s; missing: %(missing)s")
                           % {"cols": ",".join(required), "missing": ", ".join(missing)})
    width = len(header)
    records = []
    for line, cells in rows:
        for position, (name, cell) in enumerate(zip(header, cells, strict=False)):
            reason = unstorable_reason(cell)
            if reason is not None:
                raise FileRejected(line, f"{name}: {reason}", position)
        records.append((line, dict(zip(header, cells + [""] * (width - len(cells)),
                                       strict=False))))
    return records
