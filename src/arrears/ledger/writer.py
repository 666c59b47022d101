"""The one posting writer: the API, the workbench, the arrangements and file imports all book
postings through :class:`PostingBatch` (``posting_create`` is its one-row call).

A batch is checked in three steps, each with the same rules whoever sends the postings:

1. each row as it is added, in Python, with the pure rules (``arrears.rules.limits`` and the
   posting's shape: a zero amount, a negative one that is not an adjustment, a waiver without
   a component, a reversal without a target);
2. the whole batch set-at-a-time in SQL over a staging table (filled with COPY on PostgreSQL,
   ``executemany`` elsewhere): duplicate external ids inside the batch, ids already booked
   (the same values: unchanged; others: refused), reversals of unknown, foreign, already
   reversed or rejected postings, a reversal's amount and date;
3. the ledger rules of ``arrears.rules.ledger`` (a waiver above the component owed, a
   write-off above what is owed): a running sum in SQL bounds every account's balances from
   below; only the accounts where the bound cannot prove a waiver or write-off good have their
   ledgers folded with the pure rules (``apply``), which give the reason.

Then every good row is inserted with one ``INSERT ... SELECT`` (reversals of postings of the
same batch in a second statement, once their targets have ids).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.ledger.models import Posting
from arrears.ledger.selectors import ledgers_for, product_terms
from arrears.portfolio.models import Account, Product
from arrears.portfolio.selectors import product_today
from arrears.rules.ledger import Entry, LedgerError, LedgerState, apply, fold_order
from arrears.rules.limits import (
    HARD_MAX_AMOUNT_MINOR,
    amount_problem,
    payment_problem,
    posting_problems,
)
from arrears.rules.money import format_amount, format_money

STAGE = "arrears_posting_stage"
MARKS = "arrears_posting_marks"
BAD, UNCHANGED = 1, 2
FLUSH_ROWS = 5000
FOLD_CHUNK = 500
ACCRUALS = ("interest", "late_fee")

STAGE_COLUMNS = (
    ("line", "bigint"), ("external_id", "varchar(64)"), ("account_id", "bigint"),
    ("kind", "varchar(20)"), ("amount_minor", "bigint"), ("component", "varchar(12)"),
    ("posting_date", "date"), ("value_date", "date"), ("reverses_ext", "varchar(64)"),
    ("reason", "varchar(500)"), ("statement_cycle_date", "date"), ("bad", "integer"),
)


@dataclass(frozen=True)
class AccountTerms:
    """What the per-row checks need to know about an account."""

    pk: int
    opened: date
    product: object  # arrears.portfolio.models.Product

    @property
    def currency(self) -> str:
        return self.product.currency


@dataclass
class WriteProblem:
    """A refused row: its line, the field at fault, a stable code and the reason for people.
    ``labelled`` is the reason as an answer without a form field shows it."""

    line: int
    field: str
    code: str
    message: str
    labelled: str = ""

    def __post_init__(self):
        self.labelled = self.labelled or self.message


@dataclass
class WriteResult:
    created: int = 0
    unchanged: int = 0
    problems: list[WriteProblem] = field(default_factory=list)
    inserted: bool = False


class TempTable:
    """A temporary table of this connection, written in bulk (COPY on PostgreSQL)."""

    def __init__(self, name: str, columns: Sequence[tuple[str, str]], *, key: str = "",
                 reuse: bool = False, indexes: Sequence[str] = ()):
        """``reuse``: the columns never change, so a table this connection made earlier is
        emptied instead of made again (one posting at a time does not churn the catalogue)."""
        self.name = name
        self.columns = [column for column, _type in columns]
        self.reuse = reuse
        body = ", ".join(f"{column} {sql_type}" for column, sql_type in columns)
        if key:
            body += f", PRIMARY KEY ({key})"
        with connection.cursor() as cursor:
            if reuse:
                cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({body})")
                self.empty(cursor)
            else:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
                cursor.execute(f"CREATE TEMPORARY TABLE {name} ({body})")
            if connection.vendor == "sqlite":  # PostgreSQL hashes whole tables instead
                for column in indexes:
                    cursor.execute(f"CREATE INDEX IF NOT EXISTS {name}_{column} "
                                   f"ON {name} ({column})")

    def empty(self, cursor) -> None:
        verb = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"
        cursor.execute(f"{verb} {self.name}")

    def write(self, rows: Sequence[Sequence]) -> None:
        if not rows:
            return
        names = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.name} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.name} ({names}) VALUES ({marks})",
                                   [tuple(_sqlite_value(v) for v in row) for row in rows])

    def drop(self) -> None:
        with connection.cursor() as cursor:
            if self.reuse:
                self.empty(cursor)
            else:
                cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def _sqlite_value(value):
    return value.isoformat() if isinstance(value, date) else value


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _rows(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _execute(sql: str, params: Sequence = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def shape_problems(*, kind: str, amount_minor: int | None, component: str,
                   reverses: str) -> list[tuple[str, str, str]]:
    """What is wrong with a posting whatever its account: ``(field, code, message)``."""
    problems = []
    if amount_minor is not None:
        if amount_minor == 0:
            problems.append(("amount", "invalid_amount", _("must not be zero")))
        elif amount_minor < 0 and kind != Posting.Kind.ADJUSTMENT:
            problems.append(("amount", "invalid_amount", _(
                "must be positive; only an adjustment may be negative")))
    if kind in (Posting.Kind.WAIVER, Posting.Kind.ADJUSTMENT) and not component:
        problems.append(("component", "invalid_posting", _(
            "waiver and adjustment postings must name a component: principal, interest "
            "or fees")))
    if kind == Posting.Kind.REVERSAL and not reverses:
        problems.append(("reverses", "invalid_posting",
                         _("a reversal must name the posting it reverses")))
    elif kind != Posting.Kind.REVERSAL and reverses:
        problems.append(("reverses", "invalid_posting",
                         _("only a reversal may name a posting to reverse")))
    return problems


class PostingBatch:
    """Postings to book together; see the module's docstring.

    ``check_limits`` refuses dates before the account was opened or after today (every file
    import, and the API); ``owed`` also refuses a payment far above the balance before it (the
    API), which needs every account's ledger folded; ``fold_all`` folds every account of the
    batch with the pure rules (a few rows from a person), else only where SQL cannot prove a
    waiver or write-off good (a file).
    """

    def __init__(self, *, source: str, actor=None, check_limits: bool = False,
                 owed: bool = False, fold_all: bool = False):
        self.source = source
        user = actor if getattr(actor, "is_authenticated", False) else None
        self.actor_id = user.pk if user else None
        self.check_limits = check_limits
        self.owed = owed
        self.fold_all = fold_all or owed
        self.problems: list[WriteProblem] = []
        self.pending: list[tuple] = []
        self.today: dict[int, date] = {}
        self.stage = TempTable(STAGE, STAGE_COLUMNS, reuse=True,
                               indexes=("line", "external_id", "account_id"))
        self.marks = TempTable(MARKS, (("line", "bigint"), ("mark", "integer")), key="line",
                               reuse=True)
        self.rows = 0
        self.lines: set[int] | None = set() if self.fold_all else None

    # --- step 1: each row -------------------------------------------------------------

    def add(self, *, line: int, external_id: str, account: AccountTerms | None, kind: str,
            amount_minor: int | None, posting_date: date | None, value_date: date | None = None,
            component: str = "", reverses: str = "", reason: str = "",
            statement_cycle_date: date | None = None, bad: bool = False) -> bool:
        """Stage one row; ``bad``: the caller already refused it (it is staged so that a
        duplicate of it or a reversal of it says so). False when a per-row rule refuses it."""
        if not bad:
            found = [WriteProblem(line, *problem) for problem in shape_problems(
                kind=kind, amount_minor=amount_minor, component=component, reverses=reverses)]
            if amount_minor and account is not None and posting_date is not None:
                found += self._limit_problems(line, account, kind, amount_minor, posting_date,
                                              value_date)
            if found:
                self.problems.extend(sorted(found, key=_FIELD_ORDER.get_order))
                bad = True
        self.pending.append((
            line, external_id, account.pk if account else None, kind, amount_minor,
            component or "", posting_date, value_date or posting_date, reverses or "",
            reason or "", statement_cycle_date, 1 if bad else 0))
        if self.lines is not None:
            self.lines.add(line)
        if len(self.pending) >= FLUSH_ROWS:
            self.flush()
        return not bad

    def _limit_problems(self, line, account, kind, amount, posting_date, value_date):
        product = account.product
        limits = product.limits
        if not self.check_limits:
            problem = amount_problem(amount, limits, product.currency)
            return [WriteProblem(line, problem.field, problem.code, problem.message,
                                 problem.labelled)] if problem else []
        today = self.today.get(product.pk)
        if today is None:
            today = self.today[product.pk] = product_today(product)
        if (abs(amount) <= limits.amount_ceiling and account.opened <= posting_date <= today
                and (value_date is None or account.opened <= value_date <= today)):
            return []  # the common case, without building messages
        return [WriteProblem(line, p.field, p.code, p.message, p.labelled)
                for p in posting_problems(kind=kind, amount_minor=amount,
                                          posting_date=posting_date, value_date=value_date,
                                          opened=account.opened, today=today, limits=limits,
                                          currency=product.currency)]

    def flush(self) -> None:
        self.stage.write(self.pending)
        self.rows += len(self.pending)
        self.pending = []

    # --- steps 2 and 3: the batch ---------------------------------------------------------

    def finish(self, *, insert: bool, all_or_nothing: bool = False) -> WriteResult:
        """Check the batch; insert its good rows when ``insert`` (else only count them), and
        with ``all_or_nothing`` only when no row is refused."""
        self.flush()
        if connection.vendor == "postgresql" and self.rows > 1000:
            _execute(f"ANALYZE {STAGE}")  # no autovacuum for temporary tables
        _execute(f"INSERT INTO {MARKS} (line, mark) SELECT line, {BAD} FROM {STAGE} "
                 "WHERE bad = 1")
        self._duplicates()
        self._existing()
        self._reversals()
        self._ledger()
        result = WriteResult(problems=sorted(self.problems, key=lambda p: p.line))
        ((marked_bad, marked_same),) = _rows(
            f"SELECT COALESCE(SUM(CASE WHEN mark = {BAD} THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN mark = {UNCHANGED} THEN 1 ELSE 0 END), 0) FROM {MARKS}")
        result.unchanged = int(marked_same)
        result.created = self.rows - int(marked_bad) - int(marked_same)
        if insert and not (all_or_nothing and result.problems):
            self._insert()
            result.inserted = True
        self.stage.drop()
        self.marks.drop()
        return result

    def _refuse(self, problems: Iterable[WriteProblem]) -> None:
        problems = list(problems)
        if not problems:
            return
        self.problems.extend(problems)
        lines = sorted({p.line for p in problems})
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {MARKS} (line, mark) VALUES (%s, {BAD})",
                               [(line,) for line in lines])

    def _good(self, alias: str = "s") -> str:
        return f"NOT EXISTS (SELECT 1 FROM {MARKS} m WHERE m.line = {alias}.line)"

    def _duplicates(self) -> None:
        found = _rows(
            f"SELECT s.line, s.external_id, d.first FROM {STAGE} s JOIN ("
            f"SELECT external_id, MIN(line) AS first FROM {STAGE} GROUP BY external_id "
            "HAVING COUNT(*) > 1) d ON d.external_id = s.external_id WHERE s.line > d.first")
        self._refuse(WriteProblem(line, "external_id", "duplicate", _(
            "duplicate external id %(id)r: already on line %(first)d of this file")
            % {"id": external_id, "first": first}) for line, external_id, first in found)

    def _existing(self) -> None:
        """Rows whose external id is booked: unchanged when every value is the same."""
        table = Posting._meta.db_table
        same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
        equal = ("p.account_id = s.account_id AND p.kind = s.kind "
                 "AND p.amount_minor = s.amount_minor AND p.component = s.component "
                 "AND p.posting_date = s.posting_date AND p.value_date = s.value_date "
                 f"AND p.reason = s.reason AND p.statement_cycle_date {same} "
                 "s.statement_cycle_date AND COALESCE(t.external_id, '') = s.reverses_ext")
        joined = (f"FROM {STAGE} s JOIN {table} p ON p.external_id = s.external_id "
                  f"LEFT JOIN {table} t ON t.id = p.reverses_id WHERE {self._good()}")
        found = _rows(f"SELECT s.line, s.external_id {joined} AND NOT ({equal})")
        _execute(f"INSERT INTO {MARKS} (line, mark) SELECT s.line, {UNCHANGED} {joined} "
                 f"AND {equal}")
        self._refuse(WriteProblem(line, "external_id", "conflict", _(
            "posting %(id)s already exists with different values; corrections are new "
            "postings (reversal)") % {"id": external_id}) for line, external_id in found)

    def _reversals(self) -> None:
        """The target of each reversal: booked, or on an earlier line of the batch."""

        table = Posting._meta.db_table
        found = _rows(
            "SELECT s.line, s.reverses_ext, s.account_id, s.amount_minor, s.posting_date, "
            "p.id, p.account_id, p.amount_minor, p.posting_date, r.external_id, "
            "t.line, t.account_id, t.amount_minor, t.posting_date, tm.mark, acc_ccy.currency "
            f"FROM {STAGE} s "
            f"LEFT JOIN {table} p ON p.external_id = s.reverses_ext "
            f"LEFT JOIN {table} r ON r.reverses_id = p.id "
            f"LEFT JOIN {STAGE} t ON t.external_id = s.reverses_ext AND t.line < s.line "
            f"LEFT JOIN {MARKS} tm ON tm.line = t.line "
            f"LEFT JOIN (SELECT a.id AS account_id, pr.currency FROM {Account._meta.db_table} a "
            f"JOIN {Product._meta.db_table} pr ON pr.id = a.product_id) acc_ccy "
            "ON acc_ccy.account_id = s.account_id "
            f"WHERE s.kind = 'reversal' AND s.reverses_ext <> '' AND {self._good()} "
            "ORDER BY s.line, t.line")
        by_line: dict[int, tuple] = {}
        for row in found:
            by_line.setdefault(row[0], row)  # the first occurrence of a duplicated target
        claimed: dict[str, str] = {}  # target → the batch's reversal of it
        refused: set[int] = set()
        problems = []
        ids = dict(_rows(f"SELECT line, external_id FROM {STAGE} s WHERE s.kind = 'reversal' "
                         f"AND s.reverses_ext <> '' AND {self._good()}"))
        for line in sorted(by_line):
            (_line, target, account, amount, day, p_id, p_account, p_amount, p_day, p_by,
             t_line, t_account, t_amount, t_day, t_mark, currency) = by_line[line]
            in_batch = t_line is not None and t_mark != UNCHANGED
            if in_batch and (t_mark == BAD or t_line in refused):
                problem = ("reverses", _(
                    "posting %(id)r is rejected in this file, so it cannot be reversed"))
            elif in_batch:
                problem = self._reversal_problem(target, account, amount, day, t_account,
                                                 t_amount, t_day, claimed.get(target), currency)
            elif p_id is not None:
                problem = self._reversal_problem(target, account, amount, day, p_account,
                                                 p_amount, p_day,
                                                 p_by or claimed.get(target), currency)
            else:
                problem = ("reverses", _("unknown posting %(id)r"))
            if problem is None:
                claimed[target] = ids[line]
                continue
            refused.add(line)
            column, message = problem
            if "%(id)" in message:
                message = message % {"id": target}
            problems.append(WriteProblem(line, column, "invalid_reversal", message))
        self._refuse(problems)

    @staticmethod
    def _reversal_problem(target, account, amount, day, t_account, t_amount, t_day, by,
                          currency):
        if t_account != account:
            return "reverses", _("posting %(id)s belongs to another account") % {"id": target}
        if by is not None:
            return "reverses", _("posting %(id)s is already reversed (by %(by)s)") % {
                "id": target, "by": by}
        if amount != abs(t_amount):
            return "amount", _(
                "a reversal must have the amount of the posting it reverses (%(amount)s)") % {
                "amount": format_amount(abs(t_amount), currency or "CNY")}
        if _day(day) < _day(t_day):
            return "posting_date", _(
                "a reversal cannot be dated before the posting it reverses (%(date)s)") % {
                "date": _day(t_day)}
        return None

    # --- step 3: the ledger rules ----------------------------------------------------------

    def _ledger(self) -> None:
        accounts = self._accounts_to_fold()
        for start in range(0, len(accounts), FOLD_CHUNK):
            self._fold(accounts[start:start + FOLD_CHUNK])

    def _accounts_to_fold(self) -> list[int]:
        if self.fold_all:
            return [pk for (pk,) in _rows(
                f"SELECT DISTINCT account_id FROM {STAGE} s WHERE {self._good()}")]
        table = Posting._meta.db_table
        good = self._good()
        # Lower bounds of each component before each row: what debits, adjustments, waivers
        # and their exact reversals did to it, less every payment and write-off (a payment
        # takes at most its amount from any component). The total is exact.
        effect = {
            "p": "CASE WHEN kind IN ('purchase', 'cash') THEN a "
                 "WHEN kind = 'adjustment' AND comp = 'principal' THEN a "
                 "WHEN kind = 'waiver' AND comp = 'principal' THEN -a "
                 "WHEN kind = 'reversal' AND tk IN ('purchase', 'cash') THEN -ta "
                 "WHEN kind = 'reversal' AND tk = 'adjustment' AND tc = 'principal' THEN -ta "
                 "WHEN kind = 'reversal' AND tk = 'waiver' AND tc = 'principal' THEN ta "
                 "ELSE 0 END",
        }
        for key, component, debit in (("i", "interest", "interest"), ("f", "fees", "late_fee")):
            effect[key] = (
                f"CASE WHEN kind = '{debit}' THEN a "
                f"WHEN kind = 'adjustment' AND comp = '{component}' THEN a "
                f"WHEN kind = 'waiver' AND comp = '{component}' THEN -a "
                f"WHEN kind = 'reversal' AND tk = '{debit}' THEN -ta "
                f"WHEN kind = 'reversal' AND tk = 'adjustment' AND tc = '{component}' THEN -ta "
                f"WHEN kind = 'reversal' AND tk = 'waiver' AND tc = '{component}' THEN ta "
                "ELSE 0 END")
        total = ("CASE WHEN kind IN ('purchase', 'cash', 'interest', 'late_fee', 'adjustment') "
                 "THEN a WHEN kind IN ('payment', 'write_off', 'waiver') THEN -a "
                 "WHEN kind = 'reversal' AND tk IN ('purchase', 'cash', 'interest', "
                 "'late_fee', 'adjustment') THEN -ta "
                 "WHEN kind = 'reversal' AND tk IN ('payment', 'write_off', 'waiver') THEN ta "
                 "ELSE NULL END")
        window = ("OVER (PARTITION BY acc ORDER BY d, r, k "
                  "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)")
        found = _rows(
            f"WITH acc AS (SELECT DISTINCT account_id FROM {STAGE} s "
            f"WHERE s.kind IN ('waiver', 'write_off') AND {good}), "
            "u AS ("
            "SELECT p.account_id AS acc, p.posting_date AS d, "
            "CASE WHEN p.kind IN ('interest', 'late_fee') THEN 0 ELSE 1 END AS r, p.id AS k, "
            "p.kind AS kind, p.component AS comp, p.amount_minor AS a, t.kind AS tk, "
            "t.component AS tc, t.amount_minor AS ta, 0 AS line "
            f"FROM {table} p LEFT JOIN {table} t ON t.id = p.reverses_id "
            "WHERE p.account_id IN (SELECT account_id FROM acc) "
            "UNION ALL "
            "SELECT s.account_id, s.posting_date, "
            "CASE WHEN s.kind IN ('interest', 'late_fee') THEN 0 ELSE 1 END, "
            f"s.line + (SELECT COALESCE(MAX(id), 0) FROM {table}), s.kind, s.component, "
            "s.amount_minor, COALESCE(tp.kind, ts.kind), COALESCE(tp.component, ts.component), "
            "COALESCE(tp.amount_minor, ts.amount_minor), s.line "
            f"FROM {STAGE} s LEFT JOIN {table} tp ON s.reverses_ext <> '' "
            "AND tp.external_id = s.reverses_ext "
            f"LEFT JOIN {STAGE} ts ON s.reverses_ext <> '' AND tp.id IS NULL "
            "AND ts.external_id = s.reverses_ext AND ts.line < s.line "
            f"WHERE s.account_id IN (SELECT account_id FROM acc) AND {good}), "
            f"e AS (SELECT acc, d, r, k, kind, comp, a, line, {effect['p']} AS ep, "
            f"{effect['i']} AS ei, {effect['f']} AS ef, "
            "CASE WHEN kind IN ('payment', 'write_off') THEN a ELSE 0 END AS pay, "
            f"{total} AS et FROM u), "
            "w AS (SELECT acc, line, kind, comp, a, "
            f"COALESCE(SUM(ep) {window}, 0) - COALESCE(SUM(pay) {window}, 0) AS lp, "
            f"COALESCE(SUM(ei) {window}, 0) - COALESCE(SUM(pay) {window}, 0) AS li, "
            f"COALESCE(SUM(ef) {window}, 0) - COALESCE(SUM(pay) {window}, 0) AS lf, "
            f"COALESCE(SUM(et) {window}, 0) AS tot, "
            f"SUM(CASE WHEN et IS NULL THEN 1 ELSE 0 END) {window} AS unknown FROM e) "
            "SELECT DISTINCT acc FROM w WHERE line > 0 AND (COALESCE(unknown, 0) > 0 "
            "OR (kind = 'waiver' AND a > CASE comp WHEN 'principal' THEN lp "
            "WHEN 'interest' THEN li WHEN 'fees' THEN lf ELSE 0 END) "
            "OR (kind = 'write_off' AND a > tot))")
        return sorted(pk for (pk,) in found)

    def _fold(self, account_pks: list[int]) -> None:
        """Fold these accounts' ledgers with the batch's good rows, with the pure rules."""

        table = Posting._meta.db_table
        ((top,),) = _rows(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        marks = ", ".join(["%s"] * len(account_pks))
        staged: dict[int, list[tuple]] = {pk: [] for pk in account_pks}
        for row in _rows(
            "SELECT s.line, s.account_id, s.kind, s.amount_minor, s.posting_date, s.component, "
            "tp.id, ts.line FROM " + STAGE + " s "
            f"LEFT JOIN {table} tp ON s.reverses_ext <> '' AND tp.external_id = s.reverses_ext "
            f"LEFT JOIN {STAGE} ts ON s.reverses_ext <> '' AND tp.id IS NULL "
            "AND ts.external_id = s.reverses_ext AND ts.line < s.line "
            f"WHERE s.account_id IN ({marks}) AND {self._good()} ORDER BY s.line, ts.line",
            account_pks,
        ):
            rows = staged[row[1]]
            if not rows or rows[-1][0] != row[0]:
                rows.append(row)
        ledgers = ledgers_for(account_pks)
        accounts = Account.objects.select_related("product").in_bulk(account_pks)
        problems = []
        for pk in account_pks:
            account = accounts[pk]
            terms = product_terms(account.product)
            order = terms.allocation_order
            lines = {}
            entries = list(ledgers[pk].entries)
            for line, _acc, kind, amount, day, component, t_pk, t_line in staged[pk]:
                key = top + line
                lines[key] = (line, kind)
                reverses = t_pk if t_pk is not None else (top + t_line if t_line else None)
                entries.append(Entry(key, kind, amount, _day(day), component or "", reverses))
            state = LedgerState()
            for entry in sorted(entries, key=fold_order):
                if entry.key not in lines:
                    try:
                        apply(state, entry, order)
                    except LedgerError:
                        pass  # a booked posting is history, even one these rules refuse now
                    continue
                line, kind = lines[entry.key]
                problem = self._fold_problem(state, entry, order, account, line)
                if problem is not None:
                    problems.append(problem)
        self._refuse(problems)

    def _fold_problem(self, state: LedgerState, entry: Entry, order, account,
                      line: int) -> WriteProblem | None:
        product = account.product
        if self.owed and entry.kind == Posting.Kind.PAYMENT:
            problem = payment_problem(entry.amount, state.balances.total, product.limits,
                                      product.currency)
            if problem is not None:
                return WriteProblem(line, problem.field, problem.code, problem.message,
                                    problem.labelled)
        before = state.balances
        try:
            apply(state, entry, order)
        except LedgerError as error:
            return WriteProblem(line, "reverses" if entry.kind == "reversal" else "amount",
                                "invalid_posting", str(error))
        largest = max(abs(state.balances.get(c)) for c in ("principal", "interest", "fees"))
        if max(largest, abs(state.balances.total)) > HARD_MAX_AMOUNT_MINOR:
            state.balances = before
            state.effects.pop(entry.key, None)
            state.reversed_keys.discard(entry.reverses)
            return WriteProblem(line, "amount", "amount_too_large", _(
                "This posting would take the account's balance beyond %(ceiling)s, more than "
                "any account may owe.") % {"ceiling": format_money(HARD_MAX_AMOUNT_MINOR,
                                                                    product.currency)})
        return None

    # --- the insert ----------------------------------------------------------------------

    def _insert(self) -> None:
        """Every good row, in line order; reversals of rows of this batch once those have
        ids (a wave per depth of reversal of reversal)."""
        table = Posting._meta.db_table
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        columns = ("external_id, account_id, kind, amount_minor, component, posting_date, "
                   "value_date, statement_cycle_date, reason, reverses_id, source, actor_id, "
                   "created_at")
        select = ("s.external_id, s.account_id, s.kind, s.amount_minor, s.component, "
                  "s.posting_date, s.value_date, s.statement_cycle_date, s.reason, t.id, "
                  "%s, %s, %s")
        params = (self.source, self.actor_id, now)
        ((low,),) = _rows(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        condition = "(s.reverses_ext = '' OR (t.id IS NOT NULL AND t.id <= %s))"
        bounds: tuple = (low,)
        while True:
            inserted = _execute(
                f"INSERT INTO {table} ({columns}) SELECT {select} FROM {STAGE} s "
                f"LEFT JOIN {table} t ON s.reverses_ext <> '' AND t.external_id = s.reverses_ext "
                f"WHERE {self._good()} AND {condition} ORDER BY s.line",
                (*params, *bounds))
            if inserted <= 0:
                break
            ((high,),) = _rows(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            # the next wave: reversals of the rows this wave inserted
            condition = "(t.id > %s AND t.id <= %s)"
            bounds = (low, high)
            low = high


class _FieldOrder:
    """Problems of one row in the order of the file's columns: amount, dates, component."""

    ORDER = {"amount": 0, "posting_date": 1, "value_date": 2, "component": 3, "reverses": 4}

    def get_order(self, problem: WriteProblem) -> int:
        return self.ORDER.get(problem.field, 9)


_FIELD_ORDER = _FieldOrder()
