"""The raw staging table of a large import, and the SQL that types its cells.

A file's cells are streamed as text into a temporary table (COPY on PostgreSQL, so that
Python does no per-cell work); SQL then types the cells it can prove well formed (ISO dates,
plain amounts such as ``-1234.5``, known choices, lengths) and leaves every other row to the
Python parsers, which give the exact reason with the column as the file names it. SQL only
ever says "surely good"; a refusal is always explained by the same Python rules as a small
file's.
"""

from datetime import date, timedelta

from django.db import connection

from arrears.ledger.writer import (
    BAD,
    UNCHANGED,
    TempTable,
    WriteProblem,
    WriteResult,
    _execute,
    _rows,
)
from arrears.portfolio.models import Statement

RAW = "arrears_import_raw"
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
AMOUNT_PATTERN = r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$"


def postgresql() -> bool:
    return connection.vendor == "postgresql"


def matches(column: str, pattern: str) -> str:
    operator = "~" if postgresql() else "REGEXP"
    return f"{column} {operator} '{pattern}'"


def iso_date(column: str) -> str:
    """``column`` as a date when it is a real ISO date, else NULL (never an error)."""
    if postgresql():
        return (f"CASE WHEN {matches(column, DATE_PATTERN)} AND left({column}, 4) <> '0000' "
                f"THEN CASE WHEN CAST(substr({column}, 9, 2) AS integer) <= EXTRACT(DAY FROM "
                f"make_date(CAST(left({column}, 4) AS integer), "
                f"CAST(substr({column}, 6, 2) AS integer), 1) + interval '1 month' "
                f"- interval '1 day') THEN CAST({column} AS date) END END")
    return (f"CASE WHEN {matches(column, DATE_PATTERN)} AND substr({column}, 1, 4) <> '0000' "
            f"AND date(julianday({column})) = {column} THEN {column} END")


def optional_date(column: str) -> str:
    """NULL for an empty cell; a cell that is not a real ISO date is caught by ``date_ok``."""
    if column == "''":  # a column the file does not have (PostgreSQL folds constants early)
        return "CAST(NULL AS date)" if postgresql() else "NULL"
    return f"CASE WHEN {column} = '' THEN NULL ELSE {iso_date(column)} END"


def date_ok(column: str, required: bool) -> str:
    if column == "''":
        return "1 = 0" if required else "1 = 1"
    check = f"{iso_date(column)} IS NOT NULL"
    return check if required else f"({column} = '' OR {check})"


def plain_minor(column: str, exponent: str) -> str:
    """The minor units of a plain amount (``-1234.5``) in a currency of ``exponent`` decimals
    (an SQL expression), exactly with integers; NULL when the amount is not plain or has more
    decimals than the currency."""
    decimals = (f"CASE WHEN {_position('.', column)} = 0 THEN 0 "
                f"ELSE length({column}) - {_position('.', column)} END")
    scale = (f"CASE {exponent} - ({decimals}) WHEN 0 THEN 1 WHEN 1 THEN 10 WHEN 2 THEN 100 "
             "WHEN 3 THEN 1000 END")
    digits = f"CAST(replace({column}, '.', '') AS bigint)"
    return f"CASE WHEN {matches(column, AMOUNT_PATTERN)} THEN {digits} * {scale} END"


def _position(needle: str, column: str) -> str:
    if postgresql():
        return f"strpos({column}, '{needle}')"
    return f"instr({column}, '{needle}')"


def text_ok(column: str, max_length: int | None, required: bool) -> str:
    checks = []
    if required:
        checks.append(f"{column} <> ''")
    if max_length is not None:
        checks.append(f"length({column}) <= {max_length}")
    return " AND ".join(checks) or "1 = 1"


def choice_ok(column: str, choices, required: bool) -> str:
    allowed = ", ".join(f"'{choice}'" for choice in choices if "'" not in choice)
    check = f"lower({column}) IN ({allowed})"
    return check if required else f"({column} = '' OR {check})"


DAYS = "arrears_import_days"
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def calendar() -> TempTable:
    """Every real day from 1900 to 2100 by its ISO text: a join types a date cell exactly
    (and cheaply); a cell it does not find is left to the Python parser."""
    days = TempTable(DAYS, (("iso", "varchar(10)"), ("day", "date")), key="iso")
    if postgresql():  # made by the server: 73,000 rows sent from Python took most of a second
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {DAYS} (iso, day) SELECT to_char(d, 'YYYY-MM-DD'), "
                           f"CAST(d AS date) FROM generate_series(CAST(%s AS date), "
                           f"CAST(%s AS date), interval '1 day') AS d",
                           [FIRST_DAY, LAST_DAY])
            cursor.execute(f"ANALYZE {DAYS}")
        return days
    rows, day = [], FIRST_DAY
    while day <= LAST_DAY:
        rows.append((day.isoformat(), day))
        day += timedelta(days=1)
    days.write(rows)
    return days


class RawStage(TempTable):
    """The file's cells as text, one column per column of the kind (``c_<name>``)."""

    def __init__(self, names: list[str]):
        self.names = names
        super().__init__(RAW, [("line", "bigint"), *((f"c_{name}", "text") for name in names)])

    def write(self, rows) -> None:
        if not rows or not postgresql():
            super().write(rows)
            return
        names = ", ".join(self.columns)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {self.name} ({names}) FROM STDIN") as copy:
                copy.write(copy_text(rows, len(self.names)))


STATEMENT_STAGE = "arrears_statement_stage"
STATEMENT_MARKS = "arrears_statement_marks"


class StatementBatch:
    """Statements staged for one import, checked set-at-a-time: duplicate ids in the file,
    ids already imported (the same values: unchanged; others: refused, statements cannot
    change), a second statement of an account for the same cycle (in the file or the
    database); then every good row inserted with one ``INSERT ... SELECT``."""

    COLUMNS = (("line", "bigint"), ("external_id", "varchar(64)"), ("account_id", "bigint"),
               ("account_ext", "varchar(64)"), ("cycle_date", "date"), ("due_date", "date"),
               ("balance_minor", "bigint"), ("minimum_minor", "bigint"), ("bad", "integer"))

    def __init__(self):
        self.stage = TempTable(STATEMENT_STAGE, self.COLUMNS,
                               indexes=("line", "external_id", "account_id"))
        self.marks = TempTable(STATEMENT_MARKS, (("line", "bigint"), ("mark", "integer")),
                               key="line")
        self.pending: list[tuple] = []
        self.problems = []

    def add(self, row: tuple) -> None:
        self.pending.append(row)
        if len(self.pending) >= 5000:
            self.flush()

    def flush(self) -> None:
        self.stage.write(self.pending)
        self.pending = []

    def finish(self, *, insert: bool):
        from django.utils.translation import gettext as _

        self.flush()
        if postgresql():
            _execute(f"ANALYZE {STATEMENT_STAGE}")
        table = Statement._meta.db_table
        good = f"NOT EXISTS (SELECT 1 FROM {STATEMENT_MARKS} m WHERE m.line = s.line)"
        problems: list[WriteProblem] = []

        def refuse(found: list[WriteProblem]) -> None:
            problems.extend(found)
            lines = sorted({p.line for p in found})
            if lines:
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {STATEMENT_MARKS} (line, mark) VALUES (%s, {BAD})",
                        [(line,) for line in lines])

        _execute(f"INSERT INTO {STATEMENT_MARKS} (line, mark) SELECT line, {BAD} "
                 f"FROM {STATEMENT_STAGE} WHERE bad = 1")
        refuse([WriteProblem(line, "external_id", "duplicate", _(
            "duplicate external id %(id)r: already on line %(first)d of this file")
            % {"id": external_id, "first": first}) for line, external_id, first in _rows(
            f"SELECT s.line, s.external_id, d.first FROM {STATEMENT_STAGE} s JOIN ("
            f"SELECT external_id, MIN(line) AS first FROM {STATEMENT_STAGE} "
            "GROUP BY external_id HAVING COUNT(*) > 1) d ON d.external_id = s.external_id "
            "WHERE s.line > d.first")])
        equal = ("p.account_id = s.account_id AND p.cycle_date = s.cycle_date "
                 "AND p.due_date = s.due_date AND p.statement_balance_minor = s.balance_minor "
                 "AND p.minimum_due_minor = s.minimum_minor")
        joined = (f"FROM {STATEMENT_STAGE} s JOIN {table} p ON p.external_id = s.external_id "
                  f"WHERE {good}")
        found = _rows(f"SELECT s.line, s.external_id {joined} AND NOT ({equal})")
        _execute(f"INSERT INTO {STATEMENT_MARKS} (line, mark) SELECT s.line, {UNCHANGED} "
                 f"{joined} AND {equal}")
        refuse([WriteProblem(line, "external_id", "conflict", _(
            "statement %(id)s already exists with different values; statements cannot be "
            "changed") % {"id": external_id}) for line, external_id in found])
        # a second statement of an account for a cycle: in the database, or on an earlier line
        in_database = _rows(
            "SELECT s.line, s.account_ext, s.cycle_date, p.external_id "
            f"FROM {STATEMENT_STAGE} s JOIN {table} p ON p.account_id = s.account_id "
            f"AND p.cycle_date = s.cycle_date WHERE {good}")
        in_file = _rows(
            "SELECT s.line, s.account_ext, s.cycle_date, d.first "
            f"FROM {STATEMENT_STAGE} s JOIN (SELECT account_id, cycle_date, MIN(line) AS first "
            f"FROM {STATEMENT_STAGE} s WHERE {good} GROUP BY account_id, cycle_date "
            "HAVING COUNT(*) > 1) d ON d.account_id = s.account_id "
            f"AND d.cycle_date = s.cycle_date WHERE s.line > d.first AND {good}")
        other = {line: (account, cycle, where) for line, account, cycle, where in in_database}
        for line, account, cycle, first in in_file:
            other.setdefault(line, (account, cycle, _("line %(line)d") % {"line": first}))
        refuse([WriteProblem(line, "cycle_date", "cycle", _(
            "account %(account)s already has a statement for %(cycle)s (%(other)s)") % {
            "account": account, "cycle": cycle, "other": where})
            for line, (account, cycle, where) in sorted(other.items())])
        result = WriteResult(problems=sorted(problems, key=lambda p: p.line))
        ((rows, marked_bad, marked_same),) = _rows(
            f"SELECT (SELECT COUNT(*) FROM {STATEMENT_STAGE}), "
            f"COALESCE(SUM(CASE WHEN mark = {BAD} THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN mark = {UNCHANGED} THEN 1 ELSE 0 END), 0) "
            f"FROM {STATEMENT_MARKS}")
        result.unchanged = int(marked_same)
        result.created = int(rows) - int(marked_bad) - int(marked_same)
        if insert:
            from django.utils import timezone

            now = connection.ops.adapt_datetimefield_value(timezone.now())
            _execute(
                f"INSERT INTO {table} (external_id, account_id, cycle_date, due_date, "
                "statement_balance_minor, minimum_due_minor, created_at) "
                "SELECT s.external_id, s.account_id, s.cycle_date, s.due_date, "
                f"s.balance_minor, s.minimum_minor, %s FROM {STATEMENT_STAGE} s "
                f"WHERE {good} ORDER BY s.line", [now])
            result.inserted = True
        self.stage.drop()
        self.marks.drop()
        return result



_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(rows, width: int) -> str:
    """Rows of ``(line, text, text, ...)`` in COPY's text format, escaped where needed."""
    out = []
    tabs = width - 1
    for line, *cells in rows:
        text = "\t".join(cells)
        if text.count("\t") != tabs or "\\" in text or "\n" in text or "\r" in text:
            text = "\t".join(cell.translate(_COPY_ESCAPES) for cell in cells)
        out.append(f"{line}\t{text}\n")
    return "".join(out)


ARROW_BLOCK = 16 << 20


class NotForArrow(Exception):
    """The file needs the row-by-row reader (line numbers, bytes or shapes Arrow cannot
    vouch for); nothing read by Arrow is kept."""


def arrow_batches(path, *, header: list[str], header_line: int, delimiter: str,
                  expected_rows: int):
    """The data rows of a UTF-8 delimited file as Arrow batches of stripped strings, read by
    Arrow's C++ reader, with each row's physical line. Raises ``NotForArrow`` for anything
    where a row's line number would be uncertain (a blank line, a line break inside a quoted
    field: the row count must equal the file's line count) or a cell the row-by-row reader
    must explain (a NUL byte, a row of the wrong width, bytes that are not UTF-8)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = [f"f{position}" for position in range(len(header))]
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=header_line,
                                           block_size=ARROW_BLOCK, use_threads=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
        line = header_line + 1
        seen = 0
        for batch in reader:
            columns = []
            empty = None
            for column in batch.columns:
                if pc.any(pc.match_substring(column, "\x00")).as_py():
                    raise NotForArrow
                columns.append(pc.utf8_trim_whitespace(column))
                blank = pc.equal(pc.utf8_length(column), 0)
                empty = blank if empty is None else pc.and_(empty, blank)
            if empty is not None and pc.any(empty).as_py():
                raise NotForArrow  # a blank line (the row-by-row reader skips it)
            lines = pa.array(range(line, line + batch.num_rows), type=pa.int64())
            line += batch.num_rows
            seen += batch.num_rows
            yield lines, columns
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        raise NotForArrow from None
    if seen != expected_rows:
        raise NotForArrow


def copy_arrow(table: TempTable, lines, columns) -> None:
    """Append Arrow columns to a staging table: CSV written by Arrow into COPY on PostgreSQL
    (no Python per row), ``executemany`` elsewhere."""
    import pyarrow as pa

    if not len(lines):
        return
    if not postgresql():
        table.write(list(zip(lines.to_pylist(), *(column.to_pylist() for column in columns),
                             strict=True)))
        return
    import io

    import pyarrow.csv as pacsv

    batch = pa.table([lines, *columns], names=table.columns)
    buffer = io.BytesIO()
    pacsv.write_csv(batch, buffer, write_options=pacsv.WriteOptions(include_header=False))
    names = ", ".join(table.columns)
    texts = ", ".join(table.columns[1:])
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table.name} ({names}) FROM STDIN WITH (FORMAT csv, "
                                f"FORCE_NOT_NULL ({texts}))") as copy:
            copy.write(buffer.getvalue())
