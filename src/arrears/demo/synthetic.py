"""A synthetic card portfolio of any size, fitted to the Taiwan data set.

:func:`fit` reads the Taiwan file once and writes a small JSON of distributions
(``taiwan_fit.json`` beside this module): credit limits, utilisation at the last statement
(for current and for delinquent accounts), the month-to-month change of utilisation, how
people pay (in full, at least the minimum, something below it, nothing) and the bucket mix
our own aging gives the real clients. :func:`synth_generate` needs only that JSON.

The generator works on whole columns with numpy, a chunk of accounts at a time, and writes
with pyarrow: per account six monthly statements on the product's calendar (the same calendar
as the Taiwan demo, see :class:`arrears.scoring.taiwan.Timeline`), the payments and net-spending
postings between them, and a one-row-per-account snapshot for batch benchmarks. Each account
first draws its bucket from the fitted mix; the payments of the months it has to be late for
stay below the minimum, every other month pays at least the minimum. Minimums, past-due
amounts and days past due are then computed exactly as ``arrears.rules`` computes them.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arrears.rules.aging import BUCKET_CODES, DEFAULT_BUCKETS
from arrears.rules.charges import ProductTerms
from arrears.scoring.taiwan import (
    MONTHS,
    TW_PRODUCT,
    TW_TERMS,
    Timeline,
    account_history,
    client_delinquency,
    clients_read,
)

FIT_PATH = Path(__file__).with_name("taiwan_fit.json")
QUANTILES = np.linspace(0, 1, 101)
CHUNK = 100_000
DELINQUENT_MIN_BALANCE = 600_000  # NT$ 6,000: its 2 % minimum is well above the tolerance
SNAPSHOT_FILE = "portfolio_snapshot.parquet"


def _quantiles(values) -> list[float]:
    return [round(float(v), 6) for v in np.quantile(np.asarray(values, dtype=float), QUANTILES)]


def fit(*, source: Path, terms: ProductTerms = TW_TERMS) -> dict:
    """The distributions of the Taiwan file that the generator reproduces."""
    timeline = Timeline(date(2005, 9, 1))
    limits, buckets, util_current, util_late, changes = [], [], [], [], []
    pay_kinds = {"full": 0, "partial": 0, "below_minimum": 0, "none": 0}
    partial_fraction, below_fraction = [], []
    for client in clients_read(source):
        history = account_history(client, timeline, terms)
        bucket = client_delinquency(history, timeline.data_end, terms).bucket
        limits.append(client.limit_minor // 100)
        buckets.append(bucket)
        utilisation = [b / client.limit_minor for b in client.bills]
        (util_current if bucket == "M0" else util_late).append(utilisation[-1])
        changes += [utilisation[k] - utilisation[k - 1] for k in range(1, MONTHS)]
        for k in range(1, MONTHS):
            minimum = history.statements[k - 1].minimum_due
            balance, paid = client.bills[k - 1], client.paid[k]
            if minimum <= 0:
                continue
            if paid >= balance:
                pay_kinds["full"] += 1
            elif paid >= minimum:
                pay_kinds["partial"] += 1
                partial_fraction.append((paid - minimum) / (balance - minimum))
            elif paid > 0:
                pay_kinds["below_minimum"] += 1
                below_fraction.append(paid / minimum)
            else:
                pay_kinds["none"] += 1
    values, counts = np.unique(np.asarray(limits), return_counts=True)
    total_pay = sum(pay_kinds.values())
    return {
        "source": "UCI 350 default of credit card clients (Taiwan, 2005), DOI 10.24432/C55S3H",
        "clients": len(limits),
        "terms": {"min_payment_rate": str(terms.min_payment_rate),
                  "min_payment_floor_minor": terms.min_payment_floor,
                  "past_due_tolerance_minor": terms.past_due_tolerance},
        "limit_ntd": {"values": values.tolist(),
                      "probabilities": (counts / counts.sum()).round(8).tolist()},
        "limit_quantiles_ntd": {f"p{int(q * 100)}": float(np.quantile(limits, q))
                                for q in (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)},
        "bucket_mix": {code: round(buckets.count(code) / len(buckets), 6)
                       for code in BUCKET_CODES},
        "utilisation_quantiles": {"current": _quantiles(util_current),
                                  "delinquent": _quantiles(util_late)},
        "utilisation_change_quantiles": _quantiles(changes),
        "payments": {kind: round(n / total_pay, 6) for kind, n in pay_kinds.items()},
        "partial_fraction_quantiles": _quantiles(partial_fraction),
        "below_minimum_fraction_quantiles": _quantiles(below_fraction),
    }


def fit_save(*, source: Path, path: Path = FIT_PATH) -> dict:
    params = fit(source=source)
    path.write_text(json.dumps(params, indent=1, ensure_ascii=False) + "\n")
    return params


def fit_load(path: Path = FIT_PATH) -> dict:
    return json.loads(path.read_text())


@dataclass(frozen=True)
class Portfolio:
    """One chunk of generated accounts: per-account columns and (n, months) matrices."""

    first_index: int
    limit: np.ndarray  # minor units
    balance: np.ndarray  # (n, MONTHS) statement balances
    paid: np.ndarray  # (n, MONTHS) payment of month t (pays statement t-1)
    minimum: np.ndarray  # (n, MONTHS)
    past_due: np.ndarray
    days_past_due: np.ndarray
    cycles_delinquent: np.ndarray
    bucket: np.ndarray  # index into BUCKET_CODES

    @property
    def size(self) -> int:
        return len(self.limit)


def _minimum(balance, past_due, terms: ProductTerms):
    """``arrears.rules.charges.minimum_payment`` over columns (no interest or fees)."""
    rate = Fraction(str(terms.min_payment_rate))
    base = np.maximum(balance - past_due, 0)
    share = (2 * base * rate.numerator + rate.denominator) // (2 * rate.denominator)
    minimum = np.minimum(np.maximum(share + np.maximum(past_due, 0), terms.min_payment_floor),
                         balance)
    return np.where(balance <= 0, 0, minimum)


def _sample(rng, quantiles, size):
    return np.interp(rng.random(size), QUANTILES, np.asarray(quantiles))


def _chunk(params: dict, rng, first_index: int, n: int, timeline: Timeline,
           terms: ProductTerms) -> Portfolio:
    mix = np.array([params["bucket_mix"][c] for c in BUCKET_CODES])
    target = rng.choice(len(BUCKET_CODES), size=n, p=mix / mix.sum())
    target = np.minimum(target, MONTHS - 1)  # six statements cannot be later than M5
    limit_values = np.asarray(params["limit_ntd"]["values"], dtype=np.int64) * 100
    limit_p = np.asarray(params["limit_ntd"]["probabilities"])
    limit = rng.choice(limit_values, size=n, p=limit_p / limit_p.sum())

    late = target > 0
    util = np.empty((n, MONTHS))
    util[:, -1] = np.where(late, _sample(rng, params["utilisation_quantiles"]["delinquent"], n),
                           _sample(rng, params["utilisation_quantiles"]["current"], n))
    change = params["utilisation_change_quantiles"]
    for t in range(MONTHS - 2, -1, -1):
        util[:, t] = np.clip(util[:, t + 1] - _sample(rng, change, n), -0.2, 1.5)
    balance = np.round(util * limit[:, None] / 100).astype(np.int64) * 100
    first_missed = MONTHS - target  # payment months first_missed.. are below the minimum
    months = np.arange(MONTHS)
    must_owe = late[:, None] & (months[None, :] >= (first_missed - 1)[:, None])
    balance = np.where(must_owe, np.maximum(balance, DELINQUENT_MIN_BALANCE), balance)

    pay = params["payments"]
    p_full = pay["full"] / (pay["full"] + pay["partial"])
    p_zero = pay["none"] / (pay["none"] + pay["below_minimum"])
    paid = np.zeros((n, MONTHS), dtype=np.int64)
    minimum = np.zeros((n, MONTHS), dtype=np.int64)
    remaining = np.zeros((n, MONTHS), dtype=np.int64)  # unpaid part of each statement's new min
    for t in range(MONTHS):
        if t > 0:
            required = minimum[:, t - 1]
            previous = balance[:, t - 1]
            full = rng.random(n) < p_full
            extra = _sample(rng, params["partial_fraction_quantiles"], n)
            on_time = np.where(full, previous, required + np.floor(
                extra * np.maximum(previous - required, 0)).astype(np.int64))
            oldest = remaining[np.arange(n), np.clip(first_missed - 1, 0, MONTHS - 1)]
            some = _sample(rng, params["below_minimum_fraction_quantiles"], n)
            cap = np.maximum(oldest - terms.past_due_tolerance - 1, 0) // 100 * 100
            below = np.minimum(np.floor(some * required / 100).astype(np.int64) * 100, cap)
            below = np.where(rng.random(n) < p_zero, 0, below)
            missed = late & (t >= first_missed)
            paid[:, t] = np.where(required > 0, np.where(missed, below, on_time), 0)
            left = paid[:, t].copy()
            for j in range(t):
                take = np.minimum(remaining[:, j], left)
                remaining[:, j] -= take
                left -= take
        carried = remaining[:, :t].sum(axis=1)
        minimum[:, t] = _minimum(balance[:, t], carried, terms)
        remaining[:, t] = np.maximum(minimum[:, t] - carried, 0)

    # Aging as of the data's last day: every statement but the last is due by then.
    overdue = remaining[:, : MONTHS - 1]
    past_due = overdue.sum(axis=1)
    running = np.cumsum(overdue, axis=1)
    beyond = running > terms.past_due_tolerance
    first_late = np.where(beyond.any(axis=1), beyond.argmax(axis=1), MONTHS - 1)
    is_late = past_due > terms.past_due_tolerance
    due_ordinals = np.array([timeline.due_date(t).toordinal() for t in range(MONTHS - 1)])
    days = np.where(is_late, timeline.data_end.toordinal()
                    - due_ordinals[np.minimum(first_late, MONTHS - 2)], 0)
    cols = np.arange(MONTHS - 1)[None, :]
    cycles = np.where(is_late, ((overdue > 0) & (cols >= first_late[:, None])).sum(axis=1), 0)
    edges = np.array([b.min_days for b in DEFAULT_BUCKETS])
    bucket = np.searchsorted(edges, days, side="right") - 1
    return Portfolio(first_index, limit, balance, paid, minimum, past_due, days, cycles, bucket)


def synth_portfolio(
    *, accounts: int, seed: int, timeline: Timeline, params: dict | None = None,
    terms: ProductTerms = TW_TERMS,
) -> Iterator[Portfolio]:
    """Chunks of generated accounts; account i is the same for a seed whatever ``accounts``."""
    params = params or fit_load()
    for start in range(0, accounts, CHUNK):
        rng = np.random.default_rng([seed, start // CHUNK])
        yield _chunk(params, rng, start, min(CHUNK, accounts - start), timeline, terms)


# --- writing ---------------------------------------------------------------------------------

def _ids(prefix: str, numbers: np.ndarray, suffix: pa.Array | str = "") -> pa.Array:
    text = pc.cast(pa.array(numbers, type=pa.int64()), pa.string())
    return pc.binary_join_element_wise(prefix, text, suffix, "")


def _money(minor: np.ndarray) -> pa.Array:
    """Minor units as an exact decimal in major units (two decimals): "1234.56" in a file."""
    minor = np.ascontiguousarray(minor, dtype=np.int64)
    words = np.empty((len(minor), 2), dtype=np.int64)
    words[:, 0] = minor
    words[:, 1] = minor >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(minor),
                                 [None, pa.py_buffer(words.tobytes())])


def _dates(days: np.ndarray) -> pa.Array:
    epoch = date(1970, 1, 1).toordinal()
    return pa.array(np.asarray(days, dtype=np.int32) - epoch, type=pa.date32())


SURNAMES = list("陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾彭游詹"
                "胡施沈余")
GIVEN = list("家志明俊宏怡君佳雅婷美玲淑芬惠文華建國偉傑宗翰冠宇柏承哲欣怡筱涵詩雨萱子晴")
ID_LETTER_CODES = {"A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17,
                   "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "P": 23, "Q": 24, "R": 25,
                   "S": 26, "T": 27, "U": 28, "V": 29, "X": 30, "Y": 31, "W": 32, "Z": 33,
                   "I": 34, "O": 35}


def _national_ids(rng, n: int) -> pa.Array:
    """Well-formed Taiwanese ID numbers (letter, sex digit, 7 digits, check digit)."""
    letters = np.array(list(ID_LETTER_CODES))
    codes = np.array(list(ID_LETTER_CODES.values()))
    pick = rng.integers(0, len(letters), n)
    digits = np.column_stack([rng.integers(1, 3, n), rng.integers(0, 10, (n, 7))])
    weights = np.array([8, 7, 6, 5, 4, 3, 2, 1])
    total = codes[pick] // 10 + (codes[pick] % 10) * 9 + digits @ weights
    check = (10 - total % 10) % 10
    number = digits @ (10 ** np.arange(7, -1, -1)) * 10 + check
    text = pc.utf8_lpad(pc.cast(pa.array(number), pa.string()), width=9, padding="0")
    return pc.binary_join_element_wise(pa.array(letters[pick]), text, "")


def _names(rng, n: int) -> pa.Array:
    parts = [np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)],
             np.array(GIVEN)[rng.integers(0, len(GIVEN), n)],
             np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]]
    return pc.binary_join_element_wise(*[pa.array(p) for p in parts], "")


def _mobiles(rng, n: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 10**8, n)), pa.string()), 8, "0")
    return pc.binary_join_element_wise("09", text, "")


def synth_tables(portfolio: Portfolio, timeline: Timeline, *, seed: int, product: str,
                 contacts: bool) -> dict[str, pa.Table]:
    """The import files and the snapshot rows of one chunk."""
    n = portfolio.size
    rng = np.random.default_rng([seed, portfolio.first_index // CHUNK, 1])
    number = np.arange(portfolio.first_index + 1, portfolio.first_index + n + 1)
    account = _ids("SYN-A-", number)
    holder = _ids("SYN-C-", number)
    months = [timeline.month(t) for t in range(MONTHS)]
    tables: dict[str, pa.Table] = {}
    tables["cardholders"] = pa.table({
        "external_id": holder, "name": _names(rng, n), "national_id": _national_ids(rng, n),
        "language": pa.array(np.full(n, "zh-hans")),
        "time_zone": pa.array(np.full(n, TW_PRODUCT["time_zone"])),
    })
    if contacts:
        tables["contacts"] = pa.table({
            "external_id": _ids("SYN-C-", number, "-mobile"), "cardholder_id": holder,
            "kind": pa.array(np.full(n, "mobile")), "value": _mobiles(rng, n),
            "verified": pa.array(rng.random(n) < 0.7),
        })
    tables["accounts"] = pa.table({
        "external_id": account, "cardholder_id": holder,
        "product": pa.array(np.full(n, product)), "credit_limit": _money(portfolio.limit),
        "open_date": _dates(np.full(n, timeline.opening_date.toordinal())),
        "status": pa.array(np.full(n, "active")),
    })
    stamp = np.array([f"{m:%Y%m}" for m in months])
    rows = np.repeat(np.arange(n), MONTHS)
    month_of_row = np.tile(np.arange(MONTHS), n)
    tables["statements"] = pa.table({
        "external_id": _ids("SYN-A-", number[rows], pa.array(np.char.add("-ST-",
                                                                         stamp[month_of_row]))),
        "account_id": account.take(pa.array(rows)),
        "cycle_date": _dates(np.array([timeline.cycle_date(t).toordinal()
                                       for t in range(MONTHS)])[month_of_row]),
        "due_date": _dates(np.array([timeline.due_date(t).toordinal()
                                     for t in range(MONTHS)])[month_of_row]),
        "statement_balance": _money(portfolio.balance.ravel()),
        "minimum_due": _money(portfolio.minimum.ravel()),
    })
    tables["postings"] = _postings(portfolio, timeline, number, account, stamp)
    tables["snapshot"] = _snapshot(portfolio, timeline, account, product)
    return tables


def _postings(portfolio: Portfolio, timeline: Timeline, number, account, stamp) -> pa.Table:
    n = portfolio.size
    spend = np.zeros((n, MONTHS), dtype=np.int64)
    spend[:, 0] = portfolio.balance[:, 0] + portfolio.paid[:, 0]
    spend[:, 1:] = np.diff(portfolio.balance, axis=1) + portfolio.paid[:, 1:]
    spend_dates = [timeline.opening_date] + [timeline.spending_date(t) for t in range(1, MONTHS)]
    kinds, suffixes, amounts, days, rows = [], [], [], [], []
    for t in range(MONTHS):
        label = "OPEN" if t == 0 else f"SPEND-{stamp[t]}"
        for kind, mask, value in (
            ("purchase", spend[:, t] > 0, spend[:, t]),
            ("adjustment", spend[:, t] < 0, spend[:, t]),
            ("payment", portfolio.paid[:, t] > 0, portfolio.paid[:, t]),
        ):
            where = np.flatnonzero(mask)
            on = spend_dates[t] if kind != "payment" else timeline.payment_date(t)
            rows.append(where)
            amounts.append(value[where])
            days.append(np.full(len(where), on.toordinal()))
            kinds.append(np.full(len(where), kind))
            suffixes.append(np.full(len(where), f"-PAY-{stamp[t]}" if kind == "payment"
                                    else f"-{label}"))
    row = np.concatenate(rows)
    day = np.concatenate(days)
    order = np.lexsort((day, row))
    row, day = row[order], day[order]
    kind = np.concatenate(kinds)[order]
    component = np.where(kind == "adjustment", "principal", "")
    return pa.table({
        "external_id": _ids("SYN-A-", number[row], pa.array(np.concatenate(suffixes)[order])),
        "account_id": account.take(pa.array(row)),
        "kind": pa.array(kind),
        "amount": _money(np.concatenate(amounts)[order]),
        "posting_date": _dates(day),
        "component": pa.array(component),
    })


def _snapshot(portfolio: Portfolio, timeline: Timeline, account, product: str) -> pa.Table:
    n = portfolio.size
    paid_any = portfolio.paid > 0
    last_paid_month = np.where(paid_any.any(axis=1),
                               MONTHS - 1 - np.argmax(paid_any[:, ::-1], axis=1), -1)
    last_payment = np.where(last_paid_month >= 0,
                            portfolio.paid[np.arange(n), np.maximum(last_paid_month, 0)], 0)
    since = np.where(last_paid_month >= 0, MONTHS - 1 - last_paid_month, -1)
    codes = np.array(BUCKET_CODES)
    return pa.table({
        "account_id": account,
        "product": pa.array(np.full(n, product)),
        "as_of": _dates(np.full(n, timeline.data_end.toordinal())),
        "credit_limit_minor": pa.array(portfolio.limit),
        "balance_minor": pa.array(portfolio.balance[:, -1]),
        "minimum_due_minor": pa.array(portfolio.minimum[:, -1]),
        "past_due_minor": pa.array(portfolio.past_due),
        "days_past_due": pa.array(portfolio.days_past_due.astype(np.int32)),
        "cycles_delinquent": pa.array(portfolio.cycles_delinquent.astype(np.int32)),
        "bucket": pa.array(codes[portfolio.bucket]),
        "months_since_last_payment": pa.array(since.astype(np.int32), mask=since < 0),
        "last_payment_minor": pa.array(last_payment),
        "utilisation": pa.array(np.round(portfolio.balance[:, -1] / portfolio.limit, 4)),
    })


class _Writers:
    def __init__(self, out_dir: Path, fmt: str):
        self.out_dir, self.fmt, self.writers, self.paths = out_dir, fmt, {}, {}

    def write(self, name: str, table: pa.Table) -> None:
        if name not in self.writers:
            if self.fmt == "parquet" or name == "snapshot":
                import pyarrow.parquet as pq

                path = self.out_dir / (SNAPSHOT_FILE if name == "snapshot"
                                       else f"{name}.parquet")
                self.writers[name] = pq.ParquetWriter(path, table.schema, compression="zstd")
            else:
                import pyarrow.csv as pacsv

                path = self.out_dir / f"{name}.csv"
                self.writers[name] = pacsv.CSVWriter(
                    path, table.schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
            self.paths[name] = path
        self.writers[name].write_table(table)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


@dataclass(frozen=True)
class SynthResult:
    accounts: int
    paths: dict[str, Path]
    bucket_counts: dict[str, int]
    seconds: float


def synth_generate(
    *, accounts: int, out_dir: Path, seed: int = 0, anchor: date, fmt: str = "parquet",
    contacts: bool = False, snapshot_only: bool = False, product: str = TW_PRODUCT["code"],
    progress=None,
) -> SynthResult:
    """Write ``accounts`` synthetic accounts to ``out_dir`` (import files + snapshot)."""
    import time

    if fmt not in {"parquet", "csv"}:
        raise ValueError(f"unknown format {fmt!r}: use parquet or csv")
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline = Timeline(anchor)
    writers = _Writers(out_dir, fmt)
    counts = np.zeros(len(BUCKET_CODES), dtype=np.int64)
    try:
        for portfolio in synth_portfolio(accounts=accounts, seed=seed, timeline=timeline):
            counts += np.bincount(portfolio.bucket, minlength=len(BUCKET_CODES))
            if snapshot_only:
                number = np.arange(portfolio.first_index + 1,
                                   portfolio.first_index + portfolio.size + 1)
                writers.write("snapshot", _snapshot(portfolio, timeline,
                                                    _ids("SYN-A-", number), product))
            else:
                for name, table in synth_tables(portfolio, timeline, seed=seed,
                                                product=product, contacts=contacts).items():
                    writers.write(name, table)
            if progress is not None:
                progress(portfolio.size)
    finally:
        writers.close()
    return SynthResult(accounts, dict(writers.paths),
                       dict(zip(BUCKET_CODES, counts.tolist(), strict=True)),
                       time.monotonic() - started)
