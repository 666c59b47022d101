"""Each account's state on a past date, derived set-at-a-time from append-only rows only: the
bucket from the bucket history, the balance from the ledger, charged off from the ledger's
write-offs. Nothing here reads the cached ``AccountPosition`` or an account's current status,
so a state of a past date never changes when later activity is posted.

The SQL is plain and portable (SQLite and PostgreSQL): derived tables and ``GROUP BY``, no
loop over accounts. Each builder returns ``(sql, params)`` to be nested in a larger query.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from arrears.ledger.models import BucketChange, Posting
from arrears.portfolio.models import Account, Product
from arrears.rules.aging import BUCKET_CODES

CHARGED_OFF = "CO"  # the state after a write-off that no reversal undid
CURRENT = BUCKET_CODES[0]

POSTING = Posting._meta.db_table
BUCKET_CHANGE = BucketChange._meta.db_table
ACCOUNT = Account._meta.db_table
PRODUCT = Product._meta.db_table

# What one posting does to the total balance, for a posting alias: +1 raises it, -1 lowers it.
# An adjustment carries its own sign; a reversal undoes its target (see ``_EFFECT``).
_DEBITS = ("purchase", "cash", "interest", "late_fee", "adjustment")
_CREDITS = ("payment", "waiver", "write_off")


def _sign(alias: str) -> str:
    debits = ", ".join(f"'{kind}'" for kind in _DEBITS)
    credits = ", ".join(f"'{kind}'" for kind in _CREDITS)
    return (f"(CASE WHEN {alias}.kind IN ({debits}) THEN 1 "
            f"WHEN {alias}.kind IN ({credits}) THEN -1 ELSE 0 END)")


# A reversal undoes its target; a reversal of a reversal restores the first posting.
_REVERSAL_EFFECT = (
    f"CASE WHEN t.kind <> 'reversal' THEN -{_sign('t')} * t.amount_minor "
    f"ELSE {_sign('t2')} * t2.amount_minor END"
)


def db_date(day: date):
    return connection.ops.adapt_datefield_value(day)


def db_datetime(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def day_start(day: date) -> datetime:
    """Midnight opening ``day`` in the installation's time zone: the reports' days run from
    local midnight to midnight (``settings.TIME_ZONE``)."""
    return datetime.combine(day, time.min, ZoneInfo(settings.TIME_ZONE))


def day_end(day: date) -> datetime:
    """The first instant after ``day`` (exclusive end of a window)."""
    return day_start(day + timedelta(days=1))


def balances_sql(on: date, accounts: list[int] | None = None) -> tuple[str, list]:
    """Per account: the total balance (principal, interest, fees) after every posting dated on
    or before ``on``, in minor units. The few reversals are summed apart, joined to what they
    reverse, so the whole ledger is read once and never joined to itself."""
    only, only_params = "", []
    if accounts is not None:
        only = (f" AND p.account_id IN ({', '.join(['%s'] * len(accounts))})" if accounts
                else " AND 1 = 0")
        only_params = list(accounts)
    sql = (f"SELECT e.account_id AS account_id, SUM(e.amount) AS balance FROM ("
           f"SELECT p.account_id AS account_id, SUM({_sign('p')} * p.amount_minor) AS amount "
           f"FROM {POSTING} p WHERE p.posting_date <= %s AND p.kind <> 'reversal'{only} "
           f"GROUP BY p.account_id UNION ALL "
           f"SELECT p.account_id, SUM({_REVERSAL_EFFECT}) FROM {POSTING} p "
           f"JOIN {POSTING} t ON t.id = p.reverses_id "
           f"LEFT JOIN {POSTING} t2 ON t2.id = t.reverses_id "
           f"WHERE p.posting_date <= %s AND p.kind = 'reversal'{only} GROUP BY p.account_id"
           f") e GROUP BY e.account_id")
    return sql, [db_date(on), *only_params, db_date(on), *only_params]


def _until(column: str, value: str) -> str:
    return f"CASE WHEN {column} <= %s THEN {value} ELSE 0 END"


def pair_balances_sql(start: date, end: date) -> tuple[str, list]:
    """Per account: the balance on ``start`` and on ``end`` in one pass over the ledger."""
    own, undo = f"{_sign('p')} * p.amount_minor", _REVERSAL_EFFECT
    sql = (f"SELECT e.account_id AS account_id, SUM(e.amount0) AS balance0, "
           f"SUM(e.amount1) AS balance1 FROM ("
           f"SELECT p.account_id AS account_id, SUM({_until('p.posting_date', own)}) AS amount0, "
           f"SUM({own}) AS amount1 FROM {POSTING} p "
           f"WHERE p.posting_date <= %s AND p.kind <> 'reversal' GROUP BY p.account_id "
           f"UNION ALL SELECT p.account_id, SUM({_until('p.posting_date', undo)}), SUM({undo}) "
           f"FROM {POSTING} p JOIN {POSTING} t ON t.id = p.reverses_id "
           f"LEFT JOIN {POSTING} t2 ON t2.id = t.reverses_id "
           f"WHERE p.posting_date <= %s AND p.kind = 'reversal' GROUP BY p.account_id"
           f") e GROUP BY e.account_id")
    return sql, [db_date(start), db_date(end), db_date(start), db_date(end)]


def pair_buckets_sql(start: date, end: date) -> tuple[str, list]:
    """Per account with a bucket history: the bucket of its last change on or before
    ``start`` (``bucket0``, NULL if none) and before ``end`` (``bucket1``); at most one change
    a day, so the last one is unique."""
    sql = (f"SELECT l.account_id AS account_id, b0.to_bucket AS bucket0, "
           f"b1.to_bucket AS bucket1 FROM (SELECT account_id, "
           f"MAX(CASE WHEN changed_on <= %s THEN changed_on END) AS last0, "
           f"MAX(changed_on) AS last1 FROM {BUCKET_CHANGE} WHERE changed_on <= %s "
           f"GROUP BY account_id) l "
           f"LEFT JOIN {BUCKET_CHANGE} b0 ON b0.account_id = l.account_id "
           f"AND b0.changed_on = l.last0 "
           f"JOIN {BUCKET_CHANGE} b1 ON b1.account_id = l.account_id AND b1.changed_on = l.last1")
    return sql, [db_date(start), db_date(end)]


def pair_charged_off_sql(start: date, end: date) -> tuple[str, list]:
    """Per account with a write-off: 1 in ``co0`` (``co1``) if a write-off posted on or
    before ``start`` (``end``) stands then, no reversal posted by then having undone it."""

    def standing(on: str) -> str:
        return (f"MAX(CASE WHEN w.posting_date <= {on} AND NOT EXISTS (SELECT 1 FROM {POSTING} "
                f"r WHERE r.reverses_id = w.id AND r.posting_date <= {on}) THEN 1 ELSE 0 END)")

    sql = (f"SELECT w.account_id AS account_id, {standing('%s')} AS co0, "
           f"{standing('%s')} AS co1 FROM {POSTING} w "
           f"WHERE w.kind = 'write_off' AND w.posting_date <= %s GROUP BY w.account_id")
    return sql, [db_date(start), db_date(start), db_date(end), db_date(end), db_date(end)]


def _state(n: int) -> str:
    return (f"CASE WHEN co.co{n} = 1 THEN '{CHARGED_OFF}' "
            f"ELSE COALESCE(b.bucket{n}, '{CURRENT}') END")


def pair_states_sql(start: date, end: date, *, within: tuple[str, list] = ("", [])
                    ) -> tuple[str, list]:
    """Per account opened on or before ``end`` (and meeting ``within``: a condition on the
    account ``a`` with its parameters): ``account_id``, ``product_id``, and on each date its
    bucket (``CO`` when charged off, ``M0`` before any bucket change; NULL on ``start`` for an
    account opened after it) and balance: ``bucket0``, ``balance0`` on ``start``; ``bucket1``,
    ``balance1`` on ``end``."""
    buckets, bucket_params = pair_buckets_sql(start, end)
    balances, balance_params = pair_balances_sql(start, end)
    charged, charged_params = pair_charged_off_sql(start, end)
    condition, condition_params = within
    where = "a.open_date <= %s" + (f" AND {condition}" if condition else "")
    params = [db_date(start), *bucket_params, *balance_params, *charged_params, db_date(end),
              *condition_params]
    sql = (f"SELECT a.id AS account_id, a.product_id AS product_id, "
           f"CASE WHEN a.open_date <= %s THEN {_state(0)} END AS bucket0, "
           f"COALESCE(bal.balance0, 0) AS balance0, {_state(1)} AS bucket1, "
           f"COALESCE(bal.balance1, 0) AS balance1 "
           f"FROM {ACCOUNT} a LEFT JOIN ({buckets}) b ON b.account_id = a.id "
           f"LEFT JOIN ({balances}) bal ON bal.account_id = a.id "
           f"LEFT JOIN ({charged}) co ON co.account_id = a.id "
           f"WHERE {where}")
    return sql, params


def transitions_sql(start: date, end: date, *, within: tuple[str, list] = ("", [])
                    ) -> tuple[str, list]:
    """Per account open and not charged off on ``start``: its bucket and balance on ``start``
    (``bucket0``, ``balance0``) and on ``end`` (``bucket1``, ``balance1``)."""
    states, params = pair_states_sql(start, end, within=within)
    sql = (f"SELECT s.account_id AS account_id, s.product_id AS product_id, "
           f"s.bucket0 AS bucket0, s.balance0 AS balance0, s.bucket1 AS bucket1, "
           f"s.balance1 AS balance1 FROM ({states}) s "
           f"WHERE s.bucket0 IS NOT NULL AND s.bucket0 <> '{CHARGED_OFF}'")
    return sql, params


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
