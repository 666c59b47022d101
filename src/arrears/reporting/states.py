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
_EFFECT = (
    f"CASE WHEN p.kind <> 'reversal' THEN {_sign('p')} * p.amount_minor "
    f"WHEN t.kind <> 'reversal' THEN -{_sign('t')} * t.amount_minor "
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
    or before ``on``, in minor units."""
    only = ""
    params: list = [db_date(on)]
    if accounts is not None:
        only = f" AND p.account_id IN ({', '.join(['%s'] * len(accounts))})" if accounts else \
            " AND 1 = 0"
        params += list(accounts)
    sql = (f"SELECT p.account_id AS account_id, SUM({_EFFECT}) AS balance "
           f"FROM {POSTING} p LEFT JOIN {POSTING} t ON t.id = p.reverses_id "
           f"LEFT JOIN {POSTING} t2 ON t2.id = t.reverses_id "
           f"WHERE p.posting_date <= %s{only} GROUP BY p.account_id")
    return sql, params


def buckets_sql(on: date) -> tuple[str, list]:
    """Per account with a bucket history: the bucket of its last change on or before ``on``
    (at most one change a day, so the last one is unique)."""
    sql = (f"SELECT bc.account_id AS account_id, bc.to_bucket AS bucket FROM {BUCKET_CHANGE} bc "
           f"JOIN (SELECT account_id, MAX(changed_on) AS last_on FROM {BUCKET_CHANGE} "
           f"WHERE changed_on <= %s GROUP BY account_id) l "
           f"ON l.account_id = bc.account_id AND l.last_on = bc.changed_on")
    return sql, [db_date(on)]


def charged_off_sql(on: date) -> tuple[str, list]:
    """Accounts with a write-off posted on or before ``on`` that no reversal posted by then
    undid."""
    sql = (f"SELECT DISTINCT w.account_id AS account_id FROM {POSTING} w "
           f"WHERE w.kind = 'write_off' AND w.posting_date <= %s AND NOT EXISTS ("
           f"SELECT 1 FROM {POSTING} r WHERE r.reverses_id = w.id AND r.posting_date <= %s)")
    return sql, [db_date(on), db_date(on)]


def states_sql(on: date, *, product_ids: list[int] | None = None) -> tuple[str, list]:
    """Per account opened on or before ``on`` (of ``product_ids`` if given): ``account_id``,
    ``product_id``, ``bucket`` (``CO`` when charged off, ``M0`` before any bucket change) and
    ``balance`` on that date."""
    buckets, bucket_params = buckets_sql(on)
    balances, balance_params = balances_sql(on)
    charged, charged_params = charged_off_sql(on)
    where = "a.open_date <= %s"
    params = [*bucket_params, *balance_params, *charged_params, db_date(on)]
    if product_ids is not None:
        where += (f" AND a.product_id IN ({', '.join(['%s'] * len(product_ids))})"
                  if product_ids else " AND 1 = 0")
        params += list(product_ids)
    sql = (f"SELECT a.id AS account_id, a.product_id AS product_id, "
           f"CASE WHEN co.account_id IS NOT NULL THEN '{CHARGED_OFF}' "
           f"ELSE COALESCE(b.bucket, '{CURRENT}') END AS bucket, "
           f"COALESCE(bal.balance, 0) AS balance "
           f"FROM {ACCOUNT} a LEFT JOIN ({buckets}) b ON b.account_id = a.id "
           f"LEFT JOIN ({balances}) bal ON bal.account_id = a.id "
           f"LEFT JOIN ({charged}) co ON co.account_id = a.id "
           f"WHERE {where}")
    return sql, params


def transitions_sql(start: date, end: date, *, product_ids: list[int] | None = None
                    ) -> tuple[str, list]:
    """Per account not charged off on ``start``: its bucket and balance on ``start``
    (``bucket0``, ``balance0``) and on ``end`` (``bucket1``, ``balance1``)."""
    before, before_params = states_sql(start, product_ids=product_ids)
    after, after_params = states_sql(end, product_ids=product_ids)
    sql = (f"SELECT s0.account_id AS account_id, s0.product_id AS product_id, "
           f"s0.bucket AS bucket0, s0.balance AS balance0, "
           f"s1.bucket AS bucket1, s1.balance AS balance1 "
           f"FROM ({before}) s0 JOIN ({after}) s1 ON s1.account_id = s0.account_id "
           f"WHERE s0.bucket <> '{CHARGED_OFF}'")
    return sql, [*before_params, *after_params]


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
