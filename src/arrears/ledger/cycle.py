"""The nightly cycle, set at a time: interest, late fees, balances and aging of every account.

:func:`cycle_run` is the one entry point (the ``cycle`` command and the night call it). It
reads the ledger, the statements and the interest stops of a range of accounts in a few
queries (``COPY`` on PostgreSQL), computes with NumPy over all the accounts of the range at
once, and writes the new postings, the positions and the bucket changes in bulk (``COPY`` /
``INSERT ... SELECT``), one transaction per range.

The pure rules in :mod:`arrears.rules` stay the reference: the per-account loop
(``arrears.ledger.services.cycle_run_per_account``) applies them account by account, and
tests/ledger/test_cycle_agreement.py runs both over every corner and asserts they agree to
the minor unit. How each step maps to the rules:

- *The ledger fold* (:func:`arrears.rules.ledger.fold`) is sequential within an account
  (a payment is allocated on the balances before it), so it runs in rounds: round *k*
  applies the *k*-th entry of every account at once. The rounds are as many as the longest
  account's history, the work is the number of entries.
- *Aging* (:func:`arrears.rules.aging.delinquency`): minimums are settled oldest first, so
  the unpaid part of the first *j* obligations is ``max(0, cumulative minimums(j) − paid)``;
  statements and payments are replayed in rounds the same way. An account whose statements'
  due dates do not follow their cycle dates (never the case for a card system's file, but the
  rules allow it) is computed by the reference rules instead, and so is an account with a
  posting the compliance gate refused (its later balances depend on the refusal).
- *Interest and fees* (:func:`arrears.rules.accrual.accrue`): a day at a time from the day
  after the last cycle, interest on the principal at the start of the day when the account is
  past due and no plan stops interest, a late fee on a statement's fee day.
"""

import io
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from arrears.audit.services import audit_record
from arrears.compliance import gate
from arrears.compliance.models import Hold
from arrears.compliance.selectors import pack_live, profiles_for
from arrears.compliance.services import PostingAsk, posting_refusals_store
from arrears.ledger.models import AccountPosition, BucketChange, CycleRun, InterestStop, Posting
from arrears.ledger.selectors import bucket_policies, ledgers_for, product_terms
from arrears.ledger.services import CycleError, _position_for
from arrears.portfolio.models import Account, Cardholder, Product, Statement
from arrears.rules.accrual import accrue
from arrears.rules.ledger import Entry

CHUNK_ACCOUNTS = 50_000  # small enough that reading the next range overlaps most of the work
EPOCH = date(1970, 1, 1)
NEVER = 10**7  # a day number beyond any date
KIND_CODES = {"purchase": 0, "cash": 1, "payment": 2, "reversal": 3, "interest": 4,
              "late_fee": 5, "waiver": 6, "adjustment": 7, "write_off": 8}
PAYMENT, REVERSAL, INTEREST, LATE_FEE, WAIVER, ADJUSTMENT, WRITE_OFF = 2, 3, 4, 5, 6, 7, 8
COMPONENT_CODES = {"principal": 0, "interest": 1, "fees": 2}
INTEREST_SCALE = 10**7  # Product.daily_interest_rate has 7 decimal places
FEE_SCALE = 10**5  # Product.late_fee_rate has 5
INT64_SAFE = 2**62


@dataclass
class CycleResult:
    """What one cycle did: the run record and its counts."""

    run: CycleRun
    counts: Counter = field(default_factory=Counter)  # accounts by bucket
    refused: int = 0  # accruals the compliance gate refused
    by_reference: int = 0  # accounts computed by the reference rules (see the module doc)
    seconds: float = 0.0
    phases: Counter = field(default_factory=Counter)  # seconds: read, compute, gate, write

    @property
    def pk(self) -> int:
        return self.run.pk

    @property
    def as_of(self) -> date:
        return self.run.as_of

    @property
    def accounts(self) -> int:
        return self.run.accounts

    @property
    def interest_postings(self) -> int:
        return self.run.interest_postings

    @property
    def fee_postings(self) -> int:
        return self.run.fee_postings

    @property
    def counts_by_bucket(self) -> dict:
        return self.run.counts_by_bucket

    @property
    def started_at(self) -> datetime:
        return self.run.started_at

    @property
    def finished_at(self) -> datetime:
        return self.run.finished_at


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_of(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


# --- reading ---------------------------------------------------------------------------------

def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _days(column: str) -> str:
    """A date column as days since 1970-01-01 (NULL stays NULL)."""
    if _postgres():
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


_ARROW: dict = {}


def _arrow_connection(slot: int = 0):
    """An ADBC connection to the same PostgreSQL database (binary COPY straight into Arrow),
    or None: without the driver, or inside a transaction whose rows another connection
    cannot see (tests). ``slot``: one connection per thread that reads at the same time."""
    if connection.in_atomic_block:
        return None
    try:
        import adbc_driver_postgresql.dbapi as adbc
    except ImportError:
        return None
    from urllib.parse import quote

    settings = connection.settings_dict
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    uri = f"postgresql://{credentials}{host}{port}/{quote(settings['NAME'], safe='')}"
    if (uri, slot) not in _ARROW:
        _ARROW[uri, slot] = adbc.connect(uri)
    return _ARROW[uri, slot]


def _arrow_close() -> None:
    while _ARROW:
        _ARROW.popitem()[1].close()


def _fetch(sql: str, names: tuple[str, ...], text: tuple[str, ...] = (),
           arrow=None) -> dict[str, np.ndarray]:
    """Run ``sql`` and return its columns as arrays (int64 unless named in ``text``).
    PostgreSQL sends them in binary straight into Arrow through ``arrow`` (an ADBC
    connection), else as CSV text parsed by Arrow; SQLite goes through the cursor."""
    if arrow is not None:
        aliases = ", ".join(f"c{i}" for i in range(len(names)))
        with arrow.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({sql}) AS q({aliases})")
            table = cursor.fetch_arrow_table()
        return {n: (table[f"c{i}"].to_numpy(zero_copy_only=False).astype(object) if n in text
                    else table[f"c{i}"].to_numpy().astype(np.int64))
                for i, n in enumerate(names)}
    if _postgres():
        import pyarrow as pa
        from pyarrow import csv

        # Rows come back joined into a few large CSV texts by the server (string_agg), not
        # one protocol message per row: reading 10 million rows one by one costs more than
        # the whole computation.
        fields = ", ".join(
            f"""'"' || replace(coalesce(c{i}, ''), '"', '""') || '"'""" if name in text
            else f"coalesce(c{i}::text, '')" for i, name in enumerate(names))
        aliases = ", ".join(f"c{i}" for i in range(len(names)))
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT string_agg(concat_ws(',', {fields}), E'\\n') "
                           f"FROM ({sql}) AS q({aliases}) GROUP BY c0 % 64")
            for (block,) in cursor.fetchall():
                buffer.write(block.encode())
                buffer.write(b"\n")
        if not buffer.tell():
            return {n: np.zeros(0, dtype=object if n in text else np.int64) for n in names}
        buffer.seek(0)
        types = {n: (pa.string() if n in text else pa.int64()) for n in names}
        table = csv.read_csv(
            buffer, read_options=csv.ReadOptions(column_names=list(names)),
            convert_options=csv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                               quoted_strings_can_be_null=False))
        return {n: (table[n].to_numpy(zero_copy_only=False).astype(object) if n in text
                    else table[n].to_numpy().astype(np.int64)) for n in names}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _n in names]
    return {n: (np.array(c, dtype=object) if n in text else np.array(c, dtype=np.int64))
            for n, c in zip(names, columns, strict=True)}


@dataclass
class _Chunk:
    """A range of accounts and everything the cycle reads about them, as arrays."""

    ids: np.ndarray
    external_ids: np.ndarray
    product: np.ndarray
    accruing: np.ndarray
    zone: np.ndarray
    old_bucket: np.ndarray
    accrued_through: np.ndarray  # -1: never
    old_values: np.ndarray  # (n, 6) the position's values as stored
    stored: np.ndarray  # whether the account has a position
    # entries, sorted in fold order within each account
    e_id: np.ndarray = None
    e_acct: np.ndarray = None
    e_kind: np.ndarray = None
    e_amount: np.ndarray = None
    e_day: np.ndarray = None
    e_comp: np.ndarray = None
    e_target: np.ndarray = None  # index of the reversed entry, -1
    e_reversed_on: np.ndarray = None  # the day a reversal of it is posted, NEVER
    # statements, by cycle date within each account
    s_acct: np.ndarray = None
    s_cycle: np.ndarray = None
    s_due: np.ndarray = None
    s_minimum: np.ndarray = None
    s_charged: np.ndarray = None  # a late fee already carries this statement's cycle date
    stops: tuple = (np.zeros(0, np.int64),) * 3  # account index, first day, last day


POSITION_VALUES = ("principal_minor", "interest_minor", "fees_minor", "past_due_minor",
                   "days_past_due", "cycles_delinquent")


def _coverage(run_id: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The runs' progress (``accounts_through``, ascending) and, for each, the latest date
    of a run that reached at least that far."""
    rows = sorted(CycleRun.objects.filter(accounts_through__isnull=False).exclude(pk=run_id)
                  .values_list("accounts_through", "as_of"))
    through = np.array([r[0] for r in rows], np.int64)
    days = np.array([day_number(r[1]) for r in rows], np.int64)
    latest = np.maximum.accumulate(days[::-1])[::-1] if len(days) else days
    return through, latest


def _lifted(ids: np.ndarray, own: np.ndarray, coverage: tuple) -> np.ndarray:
    """A position's accrued-through day lifted to the latest run that reached its account
    (-1 stays -1: no position, never accrued)."""
    through, latest = coverage
    at = np.searchsorted(through, ids)  # the first run whose progress reaches the account
    covered = np.where(at < len(through), latest[np.minimum(at, len(latest) - 1)], -1) \
        if len(through) else np.full(len(ids), -1, np.int64)
    return np.where(own >= 0, np.maximum(own, covered), -1)


def _load(lo: int, hi: int, coverage: tuple, arrows: tuple = (None, None)) -> _Chunk:
    """Everything the cycle reads about the accounts ``lo``..``hi``. With two ADBC
    connections (``arrows``) the postings, the largest table, are read on the second one
    while the others are read on the first (the server works on both cores)."""
    posting_sql = _postings_sql(lo, hi)
    postings = None
    if arrows[1] is not None:
        postings = _READERS.submit(_fetch, posting_sql, POSTING_COLUMNS, (), arrows[1])
    account, cardholder = Account._meta.db_table, Cardholder._meta.db_table
    position = AccountPosition._meta.db_table
    accruing = ", ".join(f"'{s}'" for s in (Account.Status.ACTIVE, Account.Status.BLOCKED))
    where = f"BETWEEN {int(lo)} AND {int(hi)}"
    values = ", ".join(f"COALESCE(p.{name}, -1)" for name in POSITION_VALUES)
    a = _fetch(
        f"SELECT a.id, a.external_id, a.product_id, "
        f"CASE WHEN a.status IN ({accruing}) THEN 1 ELSE 0 END, COALESCE(c.time_zone, ''), "
        f"COALESCE(p.bucket, ''), COALESCE({_days('p.accrued_through')}, -1), {values} "
        f"FROM {account} a JOIN {cardholder} c ON c.id = a.cardholder_id "
        f"LEFT JOIN {position} p ON p.account_id = a.id WHERE a.id {where} ORDER BY a.id",
        ("id", "ext", "product", "accruing", "zone", "bucket", "accrued", *POSITION_VALUES),
        text=("ext", "zone", "bucket"), arrow=arrows[0])
    order = np.argsort(a["id"])
    a = {name: values[order] for name, values in a.items()}
    old_values = np.stack([a[name] for name in POSITION_VALUES], axis=1) \
        if len(a["id"]) else np.zeros((0, 6), np.int64)
    stored = a["bucket"] != ""
    chunk = _Chunk(a["id"], a["ext"], a["product"], a["accruing"].astype(bool), a["zone"],
                   np.where(stored, a["bucket"], "M0").astype(object),
                   _lifted(a["id"], a["accrued"], coverage), old_values, stored)
    s = _fetch(
        f"SELECT account_id, {_days('cycle_date')}, {_days('due_date')}, minimum_due_minor, id "
        f"FROM {Statement._meta.db_table} WHERE account_id {where}",
        ("account", "cycle", "due", "minimum", "id"), arrow=arrows[0])
    t = _fetch(
        f"SELECT account_id, {_days('first_day')}, COALESCE({_days('last_day')}, {NEVER}) "
        f"FROM {InterestStop._meta.db_table} WHERE account_id {where}",
        ("account", "first", "last"), arrow=arrows[0])
    chunk.stops = (np.searchsorted(chunk.ids, t["account"]), t["first"], t["last"])
    e = postings.result() if postings is not None else _fetch(
        posting_sql, POSTING_COLUMNS, arrow=arrows[0])
    if (e["kind"] < 0).any():
        raise CycleError(_("The ledger holds a posting of a kind the cycle does not know."))
    acct = np.searchsorted(chunk.ids, e["account"])
    accrual_last = np.where((e["kind"] == INTEREST) | (e["kind"] == LATE_FEE), 0, 1)
    order = np.lexsort((e["id"], accrual_last, e["day"], acct))
    chunk.e_id, chunk.e_acct = e["id"][order], acct[order]
    chunk.e_kind, chunk.e_amount = e["kind"][order], e["amount"][order]
    chunk.e_day, chunk.e_comp = e["day"][order], e["comp"][order]
    reverses, cycle_of_fee = e["reverses"][order], e["cycle"][order]
    by_id = np.argsort(chunk.e_id)
    is_reversal = chunk.e_kind == REVERSAL
    target = np.full(len(order), -1, np.int64)
    if is_reversal.any():
        where_ = np.searchsorted(chunk.e_id, reverses[is_reversal], sorter=by_id)
        target[is_reversal] = by_id[np.minimum(where_, len(by_id) - 1)]
    chunk.e_target = target
    reversed_on = np.full(len(order), NEVER, np.int64)
    reversed_on[target[is_reversal]] = chunk.e_day[is_reversal]
    chunk.e_reversed_on = reversed_on
    s_acct = np.searchsorted(chunk.ids, s["account"])
    order = np.lexsort((s["id"], s["cycle"], s_acct))
    chunk.s_acct, chunk.s_cycle = s_acct[order], s["cycle"][order]
    chunk.s_due, chunk.s_minimum = s["due"][order], s["minimum"][order]
    # fees_charged: cycle dates of late fees not reversed (whatever their posting date)
    fee = (chunk.e_kind == LATE_FEE) & (cycle_of_fee >= 0) & (reversed_on == NEVER)
    charged_keys = np.unique(chunk.e_acct[fee] * (1 << 24) + cycle_of_fee[fee] + (1 << 22))
    statement_keys = chunk.s_acct * (1 << 24) + chunk.s_cycle + (1 << 22)
    chunk.s_charged = np.isin(statement_keys, charged_keys)
    return chunk


POSTING_COLUMNS = ("id", "account", "kind", "amount", "day", "comp", "reverses", "cycle")


def _postings_sql(lo: int, hi: int) -> str:
    kinds = " ".join(f"WHEN '{k}' THEN {v}" for k, v in KIND_CODES.items())
    comps = " ".join(f"WHEN '{k}' THEN {v}" for k, v in COMPONENT_CODES.items())
    return (f"SELECT id, account_id, CASE kind {kinds} ELSE -1 END, amount_minor, "
            f"{_days('posting_date')}, CASE component {comps} ELSE -1 END, "
            f"COALESCE(reverses_id, 0), COALESCE({_days('statement_cycle_date')}, -1) "
            f"FROM {Posting._meta.db_table} WHERE account_id BETWEEN {int(lo)} AND {int(hi)}")


# --- the fold --------------------------------------------------------------------------------

@dataclass
class _Terms:
    """The product terms of every account of a chunk, as arrays."""

    interest_rate: np.ndarray  # × INTEREST_SCALE
    fee_rate: np.ndarray  # × FEE_SCALE
    fee_min: np.ndarray
    fee_max: np.ndarray  # -1: none
    grace: np.ndarray
    tolerance: np.ndarray
    order: np.ndarray  # (n, 3) component codes, paid first to last


def _scaled(rate: Decimal, scale: int) -> int:
    value = Decimal(rate) * scale
    if value != value.to_integral_value():
        raise CycleError(_("A product rate has more decimals than the cycle can hold."))
    return int(value)


def _terms(chunk: _Chunk, products: dict) -> _Terms:
    codes = sorted(set(chunk.product.tolist()))
    table = {}
    for pk in codes:
        terms = products[pk]
        table[pk] = (_scaled(terms.daily_interest_rate, INTEREST_SCALE),
                     _scaled(terms.late_fee_rate, FEE_SCALE), terms.late_fee_min,
                     -1 if terms.late_fee_max is None else terms.late_fee_max,
                     terms.grace_days, terms.past_due_tolerance,
                     *(COMPONENT_CODES[c] for c in terms.allocation_order))
    index = np.searchsorted(np.array(codes, np.int64), chunk.product)
    rows = np.array([table[pk] for pk in codes], np.int64).reshape(len(codes), 9)[index]
    return _Terms(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4], rows[:, 5],
                  rows[:, 6:9])


def _round_half_up(amount: np.ndarray, rate: np.ndarray, scale: int) -> np.ndarray:
    """round_half_up(amount × rate / scale) for amount ≥ 0, exactly (Python integers where
    int64 could overflow)."""
    if len(amount) and int(amount.max()) * int(max(rate.max(), 1)) * 2 >= INT64_SAFE:
        big = amount.astype(object) * rate.astype(object)
        return np.array([(2 * v + scale) // (2 * scale) for v in big], dtype=np.int64)
    return (2 * amount * rate + scale) // (2 * scale)


def _ranks(groups: np.ndarray) -> np.ndarray:
    """The position of each element within its run of equal ``groups`` (sorted)."""
    if not len(groups):
        return groups
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    return np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))


def _by_round(selected: np.ndarray, groups: np.ndarray):
    """``selected`` (sorted by group) split into rounds: the k-th of each group in round k."""
    if not len(selected):
        return
    rank = _ranks(groups)
    order = np.argsort(rank, kind="stable")
    rank = rank[order]
    bounds = np.searchsorted(rank, np.arange(rank[-1] + 2))
    for r in range(rank[-1] + 1):
        yield selected[order[bounds[r]:bounds[r + 1]]]


def _fold(chunk: _Chunk, terms: _Terms, balances: np.ndarray, effects: np.ndarray,
          selected: np.ndarray) -> None:
    """Apply the entries ``selected`` (in fold order) to ``balances``, as
    :func:`arrears.rules.ledger.apply` does, recording each entry's effect."""
    for rows in _by_round(selected, chunk.e_acct[selected]):
        acct, kind = chunk.e_acct[rows], chunk.e_kind[rows]
        amount, comp = chunk.e_amount[rows], chunk.e_comp[rows]
        change = np.zeros((len(rows), 3), np.int64)
        line = np.arange(len(rows))
        debit = np.select([kind <= 1, kind == INTEREST, kind == LATE_FEE], [0, 1, 2], -1)
        hit = debit >= 0
        change[line[hit], debit[hit]] = amount[hit]
        hit = kind == WAIVER
        change[line[hit], comp[hit]] = -amount[hit]
        hit = kind == ADJUSTMENT
        change[line[hit], comp[hit]] = amount[hit]
        hit = kind == REVERSAL
        if hit.any():
            change[hit] = -effects[chunk.e_target[rows[hit]]]
        hit = np.flatnonzero((kind == PAYMENT) | (kind == WRITE_OFF))
        if len(hit):
            owner = acct[hit]
            left = amount[hit].copy()
            parts = np.zeros((len(hit), 3), np.int64)
            at = np.arange(len(hit))
            for place in range(3):
                component = terms.order[owner, place]
                owed = np.maximum(balances[owner, component], 0)
                taken = np.minimum(owed, left)
                parts[at, component] += taken
                left -= taken
            parts[:, 0] += left
            change[hit] = -parts
        balances[acct] += change
        effects[rows] = change


# --- aging -----------------------------------------------------------------------------------

@dataclass
class _Aging:
    days_past_due: np.ndarray
    cycles: np.ndarray
    past_due: np.ndarray


def _aging(chunk: _Chunk, terms: _Terms, day: int, paid_before: int) -> _Aging:
    """:func:`arrears.rules.aging.delinquency` on ``day`` for every account, counting the
    payments posted before ``paid_before`` that no reversal posted before it undid."""
    n = len(chunk.ids)
    if not len(chunk.s_acct):
        return _Aging(np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64))
    shown = np.flatnonzero(chunk.s_cycle <= day)
    paid = np.flatnonzero((chunk.e_kind == PAYMENT) & (chunk.e_day < paid_before)
                          & (chunk.e_reversed_on >= paid_before) & (chunk.e_day <= day))
    # events: payments before statements of the same day (open_obligations)
    acct = np.r_[chunk.e_acct[paid], chunk.s_acct[shown]]
    when = np.r_[chunk.e_day[paid], chunk.s_cycle[shown]]
    kind = np.r_[np.zeros(len(paid), np.int64), np.ones(len(shown), np.int64)]
    ref = np.r_[paid, shown]
    order = np.lexsort((np.arange(len(ref)), kind, when, acct))
    acct, kind, ref = acct[order], kind[order], ref[order]
    settled = np.zeros(n, np.int64)
    owed = np.zeros(n, np.int64)
    cumulative = np.zeros(len(chunk.s_acct), np.int64)
    new_part = np.zeros(len(chunk.s_acct), np.int64)
    # obligations of an account with a due date before a cycle date: a prefix (checked)
    base = chunk.s_acct * (1 << 24) + (1 << 22)
    due_keys = np.maximum.accumulate(base + chunk.s_due) if len(base) else base
    first_of = np.searchsorted(chunk.s_acct, np.arange(n))
    for rows in _by_round(np.arange(len(ref)), acct):
        a, k, r = acct[rows], kind[rows], ref[rows]
        pay = k == 0
        if pay.any():
            who = a[pay]
            settled[who] = np.minimum(settled[who] + chunk.e_amount[r[pay]], owed[who])
        bill = ~pay
        if bill.any():
            s, who = r[bill], a[bill]
            before = np.minimum(np.searchsorted(due_keys, base[s] + chunk.s_cycle[s]), s)
            upto = np.where(before > first_of[who], cumulative[np.maximum(before - 1, 0)], 0)
            carried = np.maximum(upto - settled[who], 0)
            part = np.maximum(chunk.s_minimum[s] - carried, 0)
            new_part[s] = part
            owed[who] += part
            cumulative[s] = owed[who]
    shown_to = np.searchsorted(chunk.s_acct * (1 << 24) + chunk.s_cycle + (1 << 22),
                               np.arange(n) * (1 << 24) + day + (1 << 22), side="right")
    overdue_to = np.minimum(
        np.searchsorted(due_keys, np.arange(n) * (1 << 24) + (1 << 22) + day), shown_to)
    upto = np.where(overdue_to > first_of, cumulative[np.maximum(overdue_to - 1, 0)], 0)
    past_due = np.maximum(upto - settled, 0)
    late = past_due > terms.tolerance
    days = np.zeros(n, np.int64)
    cycles = np.zeros(n, np.int64)
    if late.any():
        s_all = np.arange(len(chunk.s_acct))
        owner = chunk.s_acct
        beyond = (late[owner] & (s_all < overdue_to[owner])
                  & (cumulative > settled[owner] + terms.tolerance[owner]))
        who, first = np.unique(owner[beyond], return_index=True)
        first_late = np.full(n, -1, np.int64)
        first_late[who] = s_all[beyond][first]
        days[who] = day - chunk.s_due[first_late[who]]
        counted = (late[owner] & (s_all >= first_late[owner]) & (first_late[owner] >= 0)
                   & (s_all < overdue_to[owner]) & (new_part > 0))
        cycles = np.bincount(owner[counted], minlength=n).astype(np.int64)
    return _Aging(days, cycles, past_due)


def _irregular(chunk: _Chunk) -> np.ndarray:
    """Accounts whose statements the prefix arithmetic of :func:`_aging` cannot take: due
    dates going back, or two statements on one cycle date. The reference rules age them."""
    n = len(chunk.ids)
    flagged = np.zeros(n, bool)
    same = chunk.s_acct[1:] == chunk.s_acct[:-1]
    bad = same & ((chunk.s_due[1:] < chunk.s_due[:-1]) | (chunk.s_cycle[1:] == chunk.s_cycle[:-1]))
    flagged[chunk.s_acct[1:][bad]] = True
    reversal = np.flatnonzero(chunk.e_kind == REVERSAL)
    target = chunk.e_target[reversal]
    wrong = (target < 0) | (target >= reversal) | (chunk.e_acct[np.maximum(target, 0)]
                                                      != chunk.e_acct[reversal])
    flagged[chunk.e_acct[reversal[wrong]]] = True
    return flagged


# --- the cycle of one chunk ------------------------------------------------------------------

@dataclass
class _Accruals:
    acct: list = field(default_factory=list)
    kind: list = field(default_factory=list)
    amount: list = field(default_factory=list)
    day: list = field(default_factory=list)
    cycle: list = field(default_factory=list)

    def add(self, acct, kind, amount, day, cycle):
        self.acct.append(np.asarray(acct, np.int64))
        self.kind.append(np.full(len(acct), kind, np.int64))
        self.amount.append(np.asarray(amount, np.int64))
        self.day.append(np.full(len(acct), day, np.int64) if np.isscalar(day)
                        else np.asarray(day, np.int64))
        self.cycle.append(np.asarray(cycle, np.int64))

    def arrays(self):
        if not self.acct:
            return tuple(np.zeros(0, np.int64) for _i in range(5))
        parts = [np.concatenate(p) for p in (self.acct, self.kind, self.amount, self.day,
                                             self.cycle)]
        order = np.lexsort((parts[1], parts[3], parts[0]))  # account, day, interest first
        return tuple(p[order] for p in parts)


def _stopped(chunk: _Chunk, day: int) -> np.ndarray:
    who, first, last = chunk.stops
    stopped = np.zeros(len(chunk.ids), bool)
    stopped[who[(first <= day) & (day <= last)]] = True
    return stopped


def _late_fee(unpaid: np.ndarray, terms: _Terms, owner: np.ndarray) -> np.ndarray:
    fee = _round_half_up(unpaid, terms.fee_rate[owner], FEE_SCALE)
    fee = np.maximum(fee, terms.fee_min[owner])
    capped = terms.fee_max[owner] >= 0
    fee = np.where(capped, np.minimum(fee, terms.fee_max[owner]), fee)
    return np.where(unpaid > terms.tolerance[owner], fee, 0)


@dataclass
class _Outcome:
    accruals: tuple  # acct, kind, amount, day, cycle (arrays)
    balances: np.ndarray  # (n, 3)
    aging: _Aging
    reference: np.ndarray  # accounts whose position the reference rules give


def _compute(chunk: _Chunk, terms: _Terms, as_of: int) -> _Outcome:
    n = len(chunk.ids)
    start = np.where(chunk.accrued_through >= 0, chunk.accrued_through + 1, as_of)
    accruing = chunk.accruing & (start <= as_of)
    cut = np.where(accruing, start, as_of + 1)
    balances = np.zeros((n, 3), np.int64)
    effects = np.zeros((len(chunk.e_id), 3), np.int64)
    _fold(chunk, terms, balances, effects, np.flatnonzero(chunk.e_day < cut[chunk.e_acct]))
    charged = chunk.s_charged.copy()
    fee_day = chunk.s_due + terms.grace[chunk.s_acct] + 1
    accruals = _Accruals()
    first_day = int(start[accruing].min()) if accruing.any() else as_of + 1
    for day in range(first_day, as_of + 1):
        active = accruing & (start <= day)
        late = _aging(chunk, terms, day, day)
        behind = active & (late.days_past_due > 0)
        earning = np.flatnonzero(behind & ~_stopped(chunk, day) & (balances[:, 0] > 0))
        interest = _round_half_up(balances[earning, 0], terms.interest_rate[earning],
                                  INTEREST_SCALE)
        keep = interest > 0
        accruals.add(earning[keep], INTEREST, interest[keep], day,
                     np.full(int(keep.sum()), -1))
        balances[earning, 1] += interest
        due = np.flatnonzero((fee_day == day) & behind[chunk.s_acct] & ~charged)
        owner = chunk.s_acct[due]
        fee = _late_fee(late.past_due[owner], terms, owner)
        keep = fee > 0
        charged[due[keep]] = True
        accruals.add(owner[keep], LATE_FEE, fee[keep], day, chunk.s_cycle[due[keep]])
        np.add.at(balances[:, 2], owner[keep], fee[keep])
        _fold(chunk, terms, balances, effects,
              np.flatnonzero((chunk.e_day == day) & active[chunk.e_acct]))
    aging = _aging(chunk, terms, as_of, as_of + 1)
    return _Outcome(accruals.arrays(), balances, aging, _irregular(chunk))


# --- the compliance gate ---------------------------------------------------------------------

def _gate(chunk: _Chunk, accruals: tuple, cache: dict) -> np.ndarray:
    """Which accruals the gate allows, as ``postings_ask`` answers them (one evaluation per
    distinct profiles, holds, action, fee kind and day), set at a time."""
    acct, kind, _amount, day, _cycle = accruals
    if not len(acct):
        return np.zeros(0, bool)
    first = day_of(day.min())
    holds: dict[int, list] = {}
    ids = chunk.ids
    rows = (Hold.objects.filter(account_id__gte=int(ids[0]), account_id__lte=int(ids[-1]),
                                released_at__isnull=True)
            .exclude(until__lte=datetime.combine(first, clock(0), UTC))
            .values_list("account_id", "kind", "since", "until"))
    for account_id, hold_kind, since, until in rows:
        holds.setdefault(account_id, []).append(gate.HoldState(hold_kind, since, until))
    profiles_by_zone = cache.setdefault("profiles", {})
    answers = cache.setdefault("answers", {})
    refused = cache.setdefault("refused", [])
    for zone in set(chunk.zone[np.unique(acct)].tolist()):
        if zone not in profiles_by_zone:
            profiles_by_zone[zone] = tuple(profiles_for(Account(), zones=(zone,)))
    # accounts without holds share one answer per zone, kind and day
    held = np.isin(ids[acct], np.fromiter(holds, np.int64, len(holds)))
    zones, zone_code = np.unique(chunk.zone[acct].astype(str), return_inverse=True)
    group = (zone_code.astype(np.int64) * 16 + kind) * (1 << 24) + day + (1 << 22)
    group[held] = -1 - np.arange(int(held.sum()))
    _keys, first_of_group, which = np.unique(group, return_index=True, return_inverse=True)
    verdicts = np.zeros(len(first_of_group), bool)
    for g, index in enumerate(first_of_group.tolist()):
        zone, code, number = zones[zone_code[index]], int(kind[index]), int(day[index])
        state = tuple(sorted(holds.get(int(ids[acct[index]]), ()), key=repr))
        profiles = profiles_by_zone[zone]
        action = "interest_post" if code == INTEREST else "fee_post"
        fee_kind = "" if code == INTEREST else "late_fee"
        posting_date = day_of(number)
        answer_key = (profiles, state, action, fee_kind, posting_date)
        if answer_key not in answers:
            request = gate.ContactRequest(
                at=datetime.combine(posting_date, clock(12), UTC), profile=profiles[0],
                profiles=profiles[1:], action=action, holds=state, fee_kind=fee_kind)
            answers[answer_key] = gate.gate_check(request, {p: pack_live(p) for p in profiles})
        verdicts[g] = answers[answer_key].verdict == "allow"
        if not verdicts[g]:
            for member in np.flatnonzero(which == g).tolist():
                refused.append((PostingAsk(Account(pk=int(ids[acct[member]])), action,
                                           posting_date, fee_kind), answers[answer_key]))
    return verdicts[which]


# --- the reference rules, for the accounts the arrays do not take ---------------------------

def _reference_accruals(chunk: _Chunk, accounts: np.ndarray, products: dict, as_of: int,
                        ledgers: dict) -> tuple:
    rows = _Accruals()
    for index in accounts.tolist():
        if not chunk.accruing[index]:
            continue
        through = int(chunk.accrued_through[index])
        start = day_of(through + 1 if through >= 0 else as_of)
        if start > day_of(as_of):
            continue
        ledger = ledgers[int(chunk.ids[index])]
        for accrual in accrue(entries=ledger.entries, statements=ledger.statements,
                              terms=products[int(chunk.product[index])], start=start,
                              end=day_of(as_of), fees_charged_for=ledger.fees_charged_for,
                              interest_stops=ledger.interest_stops):
            cycle = accrual.statement_cycle_date
            rows.add([index], INTEREST if accrual.kind == "interest" else LATE_FEE,
                     [accrual.amount], day_number(accrual.posting_date),
                     [day_number(cycle) if cycle else -1])
    return rows.arrays()


def _reference_positions(chunk: _Chunk, accounts: np.ndarray, products: dict, as_of: int,
                         ledgers: dict, accruals: tuple, outcome: _Outcome) -> None:
    """Balances and aging of ``accounts`` by the reference rules (the ledger with the
    accruals allowed), written into ``outcome``."""
    acct, kind, amount, day, _cycle = accruals
    for index in accounts.tolist():
        ledger = ledgers[int(chunk.ids[index])]
        mine = np.flatnonzero(acct == index)
        entries = list(ledger.entries) + [
            Entry(-(n + 1), "interest" if kind[i] == INTEREST else "late_fee", int(amount[i]),
                  day_of(day[i])) for n, i in enumerate(mine.tolist())]
        position = _position_for(Account(pk=int(chunk.ids[index])),
                                 type(ledger)(entries, ledger.statements,
                                              ledger.fees_charged_for, ledger.interest_stops),
                                 products[int(chunk.product[index])], day_of(as_of))
        outcome.balances[index] = (position.principal_minor, position.interest_minor,
                                   position.fees_minor)
        outcome.aging.days_past_due[index] = position.days_past_due
        outcome.aging.cycles[index] = position.cycles_delinquent
        outcome.aging.past_due[index] = position.past_due_minor


def _replace(accruals: tuple, accounts: np.ndarray, others: tuple) -> tuple:
    keep = ~np.isin(accruals[0], accounts)
    merged = [np.r_[a[keep], b] for a, b in zip(accruals, others, strict=True)]
    order = np.lexsort((merged[1], merged[3], merged[0]))
    return tuple(m[order] for m in merged)


# --- writing ---------------------------------------------------------------------------------

def _insert(table: str, columns: dict, *, dates=(), ignore_conflicts: bool = False,
            upsert: str = "") -> None:
    """Insert the rows given as arrays by column name in one statement (COPY on PostgreSQL);
    ``dates`` are day numbers. A unique conflict is an error unless ``ignore_conflicts``, or
    updates the row that has the same ``upsert`` key."""
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return
    conflict = "ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if upsert:
        conflict = (f"ON CONFLICT ({upsert}) DO UPDATE SET "
                    + ", ".join(f"{n} = excluded.{n}" for n in names if n != upsert))
    if _postgres():
        import pyarrow as pa
        from pyarrow import csv

        arrays = []
        for name in names:
            values = columns[name]
            if name in dates:
                days = np.asarray(values, np.int64)
                arrays.append(pa.array(days.astype(np.int32), mask=days < -(1 << 21))
                              .cast(pa.date32()))
            else:
                arrays.append(pa.array(values))
        data = io.BytesIO()
        csv.write_csv(pa.table(arrays, names=names), data)
        target = table
        with connection.cursor() as cursor:
            if conflict:
                target = f"cycle_load_{table}"
                cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {target} AS "
                               f"SELECT {', '.join(names)} FROM {table} LIMIT 0")
                cursor.execute(f"TRUNCATE {target}")
            with cursor.cursor.copy(f"COPY {target} ({', '.join(names)}) FROM STDIN "
                                    f"WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(data.getvalue())
            if conflict:
                cursor.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT "
                               f"{', '.join(names)} FROM {target} {conflict}")
        return
    lists = []
    for name in names:
        values = columns[name]
        if name in dates:
            lists.append([day_of(d).isoformat() if d > -(1 << 21) else None
                          for d in np.asarray(values).tolist()])
        else:
            lists.append(values.tolist() if isinstance(values, np.ndarray) else list(values))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                           f"({', '.join(['%s'] * len(names))}) {conflict}",
                           list(zip(*lists, strict=True)))


def _stamp(number: int) -> str:
    return day_of(number).strftime("%Y%m%d")


def _write(chunk: _Chunk, as_of: int, accruals: tuple, allowed: np.ndarray,
           outcome: _Outcome, buckets: np.ndarray, policy: np.ndarray, run: CycleRun) -> None:
    acct, kind, amount, day, cycle = (a[allowed] for a in accruals)
    stamps = {d: _stamp(d) for d in np.unique(np.r_[day, cycle[cycle >= 0]]).tolist()}
    externals = chunk.external_ids[acct].tolist()
    ids = [f"INT-{e}-{stamps[d]}" if k == INTEREST else f"FEE-{e}-{stamps[c]}"
           for e, k, d, c in zip(externals, kind.tolist(), day.tolist(), cycle.tolist(),
                                 strict=True)]
    now = timezone.now()
    created = now if _postgres() else connection.ops.adapt_datetimefield_value(now)
    _insert(Posting._meta.db_table, {
        "external_id": ids, "account_id": chunk.ids[acct],
        "kind": np.where(kind == INTEREST, Posting.Kind.INTEREST, Posting.Kind.LATE_FEE),
        "amount_minor": amount, "component": [""] * len(ids), "posting_date": day,
        "value_date": day, "statement_cycle_date": np.where(cycle >= 0, cycle, -(1 << 30)),
        "reason": [""] * len(ids), "source": [Posting.Source.CYCLE] * len(ids),
        "created_at": [created] * len(ids),
    }, dates=("posting_date", "value_date", "statement_cycle_date"))
    values = np.column_stack([outcome.balances, outcome.aging.past_due,
                              outcome.aging.days_past_due, outcome.aging.cycles])
    changed = np.flatnonzero((values != chunk.old_values).any(axis=1)
                             | (buckets != chunk.old_bucket) | ~chunk.stored)
    n = len(changed)
    _insert(AccountPosition._meta.db_table, {
        "account_id": chunk.ids[changed], "as_of": np.full(n, as_of),
        **{name: values[changed, i] for i, name in enumerate(POSITION_VALUES)},
        "bucket": buckets[changed], "accrued_through": np.full(n, as_of),
    }, dates=("as_of", "accrued_through"), upsert="account_id")
    if len(chunk.ids):
        run.accounts_through = int(chunk.ids[-1])
        CycleRun.objects.filter(pk=run.pk).update(accounts_through=run.accounts_through)
    moved = np.flatnonzero(buckets != chunk.old_bucket)
    _insert(BucketChange._meta.db_table, {
        "account_id": chunk.ids[moved], "changed_on": np.full(len(moved), as_of),
        "from_bucket": chunk.old_bucket[moved], "to_bucket": buckets[moved],
        "days_past_due": outcome.aging.days_past_due[moved],
        "cycle_run_id": np.full(len(moved), run.pk), "policy_id": policy[moved],
    }, dates=("changed_on",), ignore_conflicts=True)


def _buckets(chunk: _Chunk, days_past_due: np.ndarray, policies: dict):
    """The bucket of each account by its product's policy, and the policy's id (or None)."""
    n = len(chunk.ids)
    codes = np.empty(n, dtype=object)
    policy = np.empty(n, dtype=object)
    for product in np.unique(chunk.product).tolist():
        chosen = policies.get(product) or policies[None]
        mine = chunk.product == product
        starts = np.array([b.min_days for b in chosen.buckets], np.int64)
        names = np.array([b.code for b in chosen.buckets], dtype=object)
        place = np.searchsorted(starts, days_past_due[mine], side="right") - 1
        codes[mine] = names[np.maximum(place, 0)]
        policy[mine] = chosen.policy_id
    return codes, policy


# --- the run ---------------------------------------------------------------------------------


def _cycle_chunk(loading, day: int, run: CycleRun, result: CycleResult,
                 products: dict, policies: dict, cache: dict) -> None:
    """The cycle of one range of accounts, read by ``loading`` (a future, or a callable):
    compute, ask the gate, write (one transaction). ``read`` counts the time spent waiting
    for the range to be read."""
    clock_ = time.monotonic()
    chunk = loading.result() if hasattr(loading, "result") else loading()
    result.phases["read"] += time.monotonic() - clock_
    clock_ = time.monotonic()
    outcome = _compute(chunk, _terms(chunk, products), day)
    result.phases["compute"] += time.monotonic() - clock_
    clock_ = time.monotonic()
    accruals = outcome.accruals
    irregular = np.flatnonzero(outcome.reference)
    ledgers = {}
    if len(irregular):
        ledgers = ledgers_for(chunk.ids[irregular].tolist())
        accruals = _replace(accruals, irregular, _reference_accruals(
            chunk, irregular, products, day, ledgers))
    allowed = _gate(chunk, accruals, cache)
    redo = np.union1d(irregular, np.unique(accruals[0][~allowed]))
    if len(redo):
        missing = [int(i) for i in chunk.ids[redo] if int(i) not in ledgers]
        ledgers.update(ledgers_for(missing))
        _reference_positions(chunk, redo, products, day, ledgers,
                             tuple(a[allowed] for a in accruals), outcome)
    buckets, policy = _buckets(chunk, outcome.aging.days_past_due, policies)
    result.phases["gate and rules"] += time.monotonic() - clock_
    clock_ = time.monotonic()
    try:
        with transaction.atomic():
            _write(chunk, day, accruals, allowed, outcome, buckets, policy, run)
            refused = cache.pop("refused", [])
            result.refused += posting_refusals_store(refused, reference=f"cycle:{run.pk}")
    except IntegrityError:
        raise CycleError(
            _("Accrual postings of this cycle exist but the account positions do not say "
              "so; the positions were changed outside the cycle.")) from None
    result.phases["write"] += time.monotonic() - clock_
    kinds = accruals[1][allowed]
    run.interest_postings += int((kinds == INTEREST).sum())
    run.fee_postings += int((kinds == LATE_FEE).sum())
    result.counts.update(Counter(buckets.tolist()))
    result.by_reference += len(redo)


_AHEAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cycle-read-ahead")
_READERS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cycle-read")


def _read_ahead(ranges: list, coverage: tuple, arrows: tuple):
    """Futures of the ranges read through ADBC, each submitted while the one before it is
    being computed and written: the database reads (one core) while NumPy computes (the
    other). At most two ranges are in memory."""
    pending = None
    try:
        for number, (lo, hi) in enumerate(ranges):
            current = pending or _AHEAD.submit(_load, lo, hi, coverage, arrows)
            following = ranges[number + 1] if number + 1 < len(ranges) else None
            pending = None
            if following is not None:
                pending = _AHEAD.submit(_load, *following, coverage, arrows)
            yield current
    finally:  # a range still being read when the cycle stops: let it end before closing
        if pending is not None and not pending.cancel():
            wait([pending])


def _chunks(ids: np.ndarray, size: int):
    for offset in range(0, len(ids), size):
        part = ids[offset:offset + size]
        yield int(part[0]), int(part[-1])


def cycle_run(*, as_of: date, actor=None, progress=None,
              chunk_accounts: int = CHUNK_ACCOUNTS) -> CycleResult:
    """Post the interest and late fees due up to ``as_of`` and re-age every account, set at
    a time (see the module doc); each accrual only with the compliance gate's allowing answer
    (fee_post, interest_post), a refused one never booked and its answer stored.

    Days missed since an account's last cycle are caught up; running the same date again
    posts nothing new and leaves the positions as they were. A date before the last run is
    refused so that positions never move back in time. ``progress``: True for a progress bar
    on the terminal, or a callable given the number of accounts done after each range.
    """
    latest = CycleRun.objects.filter(finished_at__isnull=False).order_by("-as_of").first()
    if latest and as_of < latest.as_of:
        raise CycleError(
            _("The cycle already ran for %(last)s; it cannot run for an earlier date "
              "(%(asked)s).") % {"last": latest.as_of, "asked": as_of}
        )
    started = time.monotonic()
    user = actor if getattr(actor, "is_authenticated", False) else None
    run = CycleRun.objects.create(as_of=as_of, started_at=timezone.now(), actor=user)
    result = CycleResult(run)
    products = {p.pk: product_terms(p) for p in Product.objects.all()}
    policies = bucket_policies(as_of)
    ids = np.fromiter(Account.objects.order_by("pk").values_list("pk", flat=True), np.int64)
    bar = tqdm(total=len(ids), unit="acct", desc=_("Nightly cycle"),
               disable=progress is not True)
    cache: dict = {}
    day = day_number(as_of)
    coverage = _coverage(run.pk)
    arrows = (_arrow_connection(0), _arrow_connection(1)) if _postgres() else (None, None)
    ranges = list(_chunks(ids, chunk_accounts))
    loads = ()
    try:
        if arrows[0] is None:  # read in turn, on this connection
            loads = ((lambda lo=lo, hi=hi: _load(lo, hi, coverage)) for lo, hi in ranges)
        else:  # the next range is read while this one is computed and written
            loads = _read_ahead(ranges, coverage, arrows)
        for (lo, hi), loading in zip(ranges, loads, strict=False):
            _cycle_chunk(loading, day, run, result, products, policies, cache)
            done = int(np.searchsorted(ids, hi, side="right") - np.searchsorted(ids, lo))
            bar.update(done)
            if callable(progress):
                progress(done)
    finally:
        if hasattr(loads, "close"):
            loads.close()
        _arrow_close()
    bar.close()
    run.accounts = len(ids)
    run.counts_by_bucket = dict(result.counts)
    run.finished_at = timezone.now()
    run.save()
    result.seconds = time.monotonic() - started
    audit_record(actor=actor, action="cycle_run", object_type="cycle", object_id=run.pk,
                 details={"as_of": as_of.isoformat(), "accounts": run.accounts,
                          "interest_postings": run.interest_postings,
                          "fee_postings": run.fee_postings,
                          "postings_refused_by_gate": result.refused,
                          "accounts_by_reference_rules": result.by_reference,
                          "phases": {k: round(v, 3) for k, v in result.phases.items()},
                          "seconds": round(result.seconds, 3)}, system="cycle")
    return result
