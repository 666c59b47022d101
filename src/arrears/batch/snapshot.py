"""The decision input: one row per account, extracted from the operational database.

:func:`snapshot_write` builds the whole portfolio's snapshot set-at-a-time (a handful of SQL
queries per chunk of accounts, never a query per account) into a Parquet file with exactly the
columns of :data:`SNAPSHOT_SCHEMA`. :func:`snapshot_row` gives the same values for one account,
derived through the ledger selectors instead, for single decisions (``arrears decide``); the tests
hold the two to each other for every account of a test portfolio.

Definitions (as of a business date ``as_of``, after that day's nightly cycle):

- balances, past due and aging come from the account's position as of the cycle;
- ``days_since_last_payment``: days from the last payment posted on or before ``as_of`` that no
  reversal posted on or before ``as_of`` has undone; 9999 if there is none;
- ``payment_ratio_3m``: such payments posted after the cycle date of the oldest of the last three
  statements (cycle date on or before ``as_of``) and on or before ``as_of``, divided by the sum of
  those statements' minimum due; 0 when nothing was due; capped at 10;
- ``utilisation``: balance ÷ credit limit, 0 when the limit is 0;
- ``promise_status``: ``active``, ``kept``, ``broken`` or ``none`` from the account's latest
  promise or plan (:func:`arrears.arrangements.selectors.promise_status_by_account`);
- ``hold``: the strongest of the cardholder flags and the compliance holds active at the end of
  ``as_of``, in the order of :data:`HOLD_ORDER`, or ``none``;
- ``previous_treatment``: the account's treatment in the latest decision run before ``as_of``.
"""

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection

from arrears.arrangements.selectors import end_of, promise_status_by_account
from arrears.batch.models import Decision, DecisionRun
from arrears.compliance.services import holds_active_by_account
from arrears.ledger.models import AccountPosition, Posting
from arrears.ledger.selectors import account_summary, ledgers_for
from arrears.portfolio.models import Account, Cardholder, Product, Statement
from arrears.rules.ledger import payments_net_of_reversals

SNAPSHOT_SCHEMA = pa.schema([
    ("account_id", pa.int64()),
    ("account_external_id", pa.string()),
    ("product", pa.string()),
    ("currency", pa.string()),
    ("bucket", pa.string()),
    ("days_past_due", pa.int32()),
    ("cycles_delinquent", pa.int32()),
    ("balance_minor", pa.int64()),
    ("past_due_minor", pa.int64()),
    ("credit_limit_minor", pa.int64()),
    ("days_since_last_payment", pa.int32()),
    ("payment_ratio_3m", pa.float64()),
    ("utilisation", pa.float64()),
    ("promise_status", pa.string()),
    ("hold", pa.string()),
    ("previous_treatment", pa.string()),
    ("language", pa.string()),
    ("region", pa.string()),
    ("vip", pa.bool_()),
])
SNAPSHOT_COLUMNS = tuple(SNAPSHOT_SCHEMA.names)
HOLD_ORDER = ("deceased", "bankruptcy", "dispute", "cease_contact", "legal_representation",
              "complaint", "capacity", "hardship", "plan", "promise")
NEVER_PAID_DAYS = 9999
PAYMENT_RATIO_CAP = 10.0
RATIO_STATEMENTS = 3
SNAPSHOT_CHUNK = 50_000


def hold_from_flags(flags: str, holds: Iterable[str] = ()) -> str:
    present = {f.strip() for f in (flags or "").split(";")} | set(holds)
    return next((flag for flag in HOLD_ORDER if flag in present), "none")


def payment_ratio(paid_minor: int, minimum_minor: int) -> float:
    if minimum_minor <= 0:
        return 0.0
    return min(float(paid_minor) / float(minimum_minor), PAYMENT_RATIO_CAP)


def utilisation_of(balance_minor: int, limit_minor: int) -> float:
    return float(balance_minor) / float(limit_minor) if limit_minor else 0.0


def previous_run(as_of: date) -> DecisionRun | None:
    """The latest finished decision run before ``as_of``: yesterday's decisions."""
    return (DecisionRun.objects.filter(as_of__lt=as_of, finished_at__isnull=False)
            .order_by("-as_of", "-started_at").first())


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- set-at-a-time ---------------------------------------------------------------------------

_RECENT_STATEMENTS_SQL = """
WITH ranked AS (
    SELECT s.account_id, s.cycle_date, s.minimum_due_minor,
           ROW_NUMBER() OVER (PARTITION BY s.account_id ORDER BY s.cycle_date DESC) AS rn
    FROM {statement} s
    WHERE s.cycle_date <= %(as_of)s AND s.account_id BETWEEN %(lo)s AND %(hi)s
), recent AS (
    SELECT account_id, MIN(cycle_date) AS since, SUM(minimum_due_minor) AS minimum_due
    FROM ranked WHERE rn <= %(n)s GROUP BY account_id
)
SELECT r.account_id, r.minimum_due, (
    SELECT COALESCE(SUM(p.amount_minor), 0) FROM {posting} p
    WHERE p.account_id = r.account_id AND p.kind = 'payment'
      AND p.posting_date > r.since AND p.posting_date <= %(as_of)s
      AND NOT EXISTS (SELECT 1 FROM {posting} x
                      WHERE x.reverses_id = p.id AND x.kind = 'reversal'
                        AND x.posting_date <= %(as_of)s)
) AS paid
FROM recent r
"""

_LAST_PAYMENT_SQL = """
SELECT p.account_id, MAX(p.posting_date)
FROM {posting} p
WHERE p.kind = 'payment' AND p.posting_date <= %(as_of)s
  AND p.account_id BETWEEN %(lo)s AND %(hi)s
  AND NOT EXISTS (SELECT 1 FROM {posting} x
                  WHERE x.reverses_id = p.id AND x.kind = 'reversal'
                    AND x.posting_date <= %(as_of)s)
GROUP BY p.account_id
"""

_ACCOUNTS_SQL = """
SELECT a.id, a.external_id, pr.code, pr.currency, a.credit_limit_minor, c.flags, c.language,
       pos.bucket, pos.days_past_due, pos.cycles_delinquent,
       pos.principal_minor, pos.interest_minor, pos.fees_minor, pos.past_due_minor
FROM {account} a
JOIN {product} pr ON pr.id = a.product_id
JOIN {cardholder} c ON c.id = a.cardholder_id
LEFT JOIN {position} pos ON pos.account_id = a.id
WHERE a.id BETWEEN %(lo)s AND %(hi)s
ORDER BY a.id
"""


TABLES = {"statement": Statement, "posting": Posting, "account": Account, "product": Product,
          "cardholder": Cardholder, "position": AccountPosition}


def _query(sql: str, params: dict) -> list[tuple]:
    names = {key: model._meta.db_table for key, model in TABLES.items()}
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**names), params)
        return cursor.fetchall()


def _chunk_table(lo: int, hi: int, as_of: date, previous: DecisionRun | None) -> pa.Table:
    params = {"as_of": as_of, "lo": lo, "hi": hi, "n": RATIO_STATEMENTS}
    accounts = _query(_ACCOUNTS_SQL, params)
    last_paid = {a: _as_date(d) for a, d in _query(_LAST_PAYMENT_SQL, params)}
    recent = {a: (int(m or 0), int(p or 0)) for a, m, p in _query(_RECENT_STATEMENTS_SQL, params)}
    promise_statuses = promise_status_by_account(lo, hi, as_of)
    holds = holds_active_by_account([row[0] for row in accounts], end_of(as_of))
    treatments: dict[int, str] = {}
    if previous is not None:
        treatments = dict(Decision.objects.filter(run=previous, account_id__gte=lo,
                                                  account_id__lte=hi)
                          .values_list("account_id", "treatment"))
    columns: dict[str, list] = {name: [] for name in SNAPSHOT_COLUMNS}
    for (pk, external_id, product, currency, limit, flags, language, bucket, dpd, cycles,
         principal, interest, fees, past_due) in accounts:
        balance = (principal or 0) + (interest or 0) + (fees or 0)
        paid_on = last_paid.get(pk)
        minimum_due, paid = recent.get(pk, (0, 0))
        flag_set = {f.strip() for f in (flags or "").split(";")}
        row = {
            "account_id": pk, "account_external_id": external_id, "product": product,
            "currency": currency, "bucket": bucket or "M0", "days_past_due": dpd or 0,
            "cycles_delinquent": cycles or 0, "balance_minor": balance,
            "past_due_minor": past_due or 0, "credit_limit_minor": limit,
            "days_since_last_payment": ((as_of - paid_on).days if paid_on
                                        else NEVER_PAID_DAYS),
            "payment_ratio_3m": payment_ratio(paid, minimum_due),
            "utilisation": utilisation_of(balance, limit),
            "promise_status": promise_statuses.get(pk, "none"),
            "hold": hold_from_flags(flags, holds.get(pk, ())),
            "previous_treatment": treatments.get(pk, "none"),
            "language": language, "region": "", "vip": "vip" in flag_set,
        }
        for name, value in row.items():
            columns[name].append(value)
    return pa.table(columns, schema=SNAPSHOT_SCHEMA)


def _id_ranges(chunk: int) -> Iterator[tuple[int, int]]:
    """Consecutive account id ranges of ``chunk`` accounts (keyset pagination)."""
    last = 0
    while True:
        ids = list(Account.objects.filter(pk__gt=last).order_by("pk")
                   .values_list("pk", flat=True)[:chunk])
        if not ids:
            return
        yield ids[0], ids[-1]
        last = ids[-1]


def snapshot_batches(*, as_of: date, chunk: int = SNAPSHOT_CHUNK) -> Iterator[pa.Table]:
    """The snapshot as Arrow tables of up to ``chunk`` accounts, in account order."""
    previous = previous_run(as_of)
    for lo, hi in _id_ranges(chunk):
        yield _chunk_table(lo, hi, as_of, previous)


def snapshot_write(*, as_of: date, path: Path, chunk: int = SNAPSHOT_CHUNK,
                   progress=None) -> int:
    """Write the whole portfolio's snapshot to ``path`` (Parquet); returns the number of rows."""
    rows = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(path, SNAPSHOT_SCHEMA, compression="zstd") as writer:
        for table in snapshot_batches(as_of=as_of, chunk=chunk):
            writer.write_table(table)
            rows += table.num_rows
            if progress is not None:
                progress(table.num_rows)
        if rows == 0:
            writer.write_table(SNAPSHOT_SCHEMA.empty_table())
    return rows


# --- one account -----------------------------------------------------------------------------

def _payments(entries: Iterable, as_of: date) -> list[tuple[date, int]]:
    return payments_net_of_reversals(entries, as_of + timedelta(days=1))


def snapshot_row(account: Account, as_of: date) -> dict:
    """The snapshot values of one account, derived from its ledger as of ``as_of``.

    Balances and aging are recomputed from the ledger (they equal the account's position when
    the cycle ran for ``as_of``), so a single decision needs no batch to have run.
    """
    account = Account.objects.select_related("product", "cardholder").get(pk=account.pk)
    summary = account_summary(account=account, as_of=as_of)
    ledger = ledgers_for([account.pk])[account.pk]
    payments = _payments(ledger.entries, as_of)
    last_paid = max((d for d, _amount in payments), default=None)
    recent = [s for s in ledger.statements if s.cycle_date <= as_of][-RATIO_STATEMENTS:]
    minimum_due = sum(s.minimum_due for s in recent)
    since = recent[0].cycle_date if recent else as_of
    paid = sum(amount for d, amount in payments if since < d <= as_of)
    previous = previous_run(as_of)
    treatment = "none"
    if previous is not None:
        treatment = (Decision.objects.filter(run=previous, account=account)
                     .values_list("treatment", flat=True).first() or "none")
    balance = summary.balances.total
    holder = account.cardholder
    return {
        "account_id": account.pk,
        "account_external_id": account.external_id,
        "product": account.product.code,
        "currency": account.product.currency,
        "bucket": summary.delinquency.bucket,
        "days_past_due": summary.delinquency.days_past_due,
        "cycles_delinquent": summary.delinquency.cycles_delinquent,
        "balance_minor": balance,
        "past_due_minor": summary.delinquency.past_due_amount,
        "credit_limit_minor": account.credit_limit_minor,
        "days_since_last_payment": (as_of - last_paid).days if last_paid else NEVER_PAID_DAYS,
        "payment_ratio_3m": payment_ratio(paid, minimum_due),
        "utilisation": utilisation_of(balance, account.credit_limit_minor),
        "promise_status": promise_status_by_account(account.pk, account.pk, as_of).get(
            account.pk, "none"),
        "hold": hold_from_flags(
            holder.flags, holds_active_by_account([account.pk], end_of(as_of)).get(
                account.pk, ())),
        "previous_treatment": treatment,
        "language": holder.language,
        "region": "",
        "vip": "vip" in holder.flag_set,
    }

