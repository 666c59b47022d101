"""Reading import files as rows of text, with the line number a user sees in the file.

A reader yields chunks of ``(line, cells)``: ``cells`` is a list of stripped strings in header
order. CSV line numbers are physical lines (the header is line 1; a quoted field spanning lines
counts them all; blank lines are skipped). Parquet rows are numbered as if they were a CSV file
with a header: the first row is line 2.
"""

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

Row = tuple[int, list[str]]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class ImportFileError(Exception):
    """The file cannot be imported at all: it is missing, or its kind or format is unknown."""


class FileRejected(Exception):
    """The content of the file cannot be read past a point (bad encoding, broken Parquet)."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


class CsvReader:
    def __init__(self, path: Path):
        self.path = path

    def count_rows(self) -> int:
        """An estimate of the number of data rows for a progress bar: lines minus the header."""
        lines, last = 0, b"\n"
        with open(self.path, "rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        return max(lines - (last == b"\n"), 0)

    def chunks(self, size: int) -> Iterator[tuple[list[str], list[Row]]]:
        """Yield ``(header, rows)`` chunks of at most ``size`` rows; the first may be empty."""
        line = 0
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader, None)
                if header is None:
                    raise FileRejected(1, _("the file is empty: it has no header line"))
                header = [name.strip().lower() for name in header]
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
            raise FileRejected(
                line + 1, _("the file is not UTF-8 text; save it as CSV UTF-8")
            ) from None
        except csv.Error as exc:
            raise FileRejected(line + 1, _("broken CSV: %(error)s") % {"error": exc}) from None


class ParquetReader:
    def __init__(self, path: Path):
        self.path = path

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
        header = [name.strip().lower() for name in parquet.schema_arrow.names]
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


def _as_text(column) -> list[str]:
    """A Parquet column as stripped strings ("" for null), the way it would read in a CSV."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(column, pa.string()).to_pylist()
        return ["" if value is None else value.strip() for value in values]
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return ["" if value is None else str(value).strip() for value in column.to_pylist()]


def open_reader(path: Path) -> CsvReader | ParquetReader:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImportFileError(
            _("cannot tell the format of %(path)s: the name must end in .csv or .parquet")
            % {"path": path}
        )
    if not path.is_file():
        raise ImportFileError(_("no such file: %(path)s") % {"path": path})
    return CsvReader(path) if fmt == "csv" else ParquetReader(path)


def csv_records(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """A small CSV file (a print house's or a dialer's answer) as ``(line, {column: text})``
    records, numbered as every import numbers lines (the header is line 1). Raises
    ``FileRejected`` for unreadable content or a header without the ``required`` columns, and
    ``OSError`` when the file cannot be opened."""
    header: list[str] = []
    rows: list[Row] = []
    for chunk_header, chunk in CsvReader(path).chunks(10_000):  # copy each chunk as it comes
        header = chunk_header
        rows.extend(chunk)
    missing = sorted(set(required) - set(header))
    if missing:
        raise FileRejected(1, _("the header needs the columns %(cols)s; missing: %(missing)s")
                           % {"cols": ",".join(required), "missing": ", ".join(missing)})
    width = len(header)
    return [(line, dict(zip(header, cells + [""] * (width - len(cells)), strict=False)))
            for line, cells in rows]
