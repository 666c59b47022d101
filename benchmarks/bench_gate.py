"""How fast the compliance gate answers (``gate_ask``) with millions of contact-history rows.

    .venv/bin/python benchmarks/bench_gate.py --rows 10000000 \
        --database-url postgres://root@127.0.0.1:5432/bench_gate

The database (its name must contain "bench") is dropped and created again, migrated, and filled
server-side: ``--cardholders`` cardholders (default rows / 10), one account, a mobile and a
Shanghai billing address each, 1% of accounts on hold, and ``--rows`` contact attempts spread
over the last 30 days (calls and SMS, mixed outcomes). The ledger's indexes are dropped for the
load and built again afterwards, as a bulk load would. Then ``gate_ask`` — one query for the
person's state, the rules, one INSERT of the stored answer — runs ``--asks`` times for random
accounts (after a warm-up) and the p50/p95/p99 latencies are printed in milliseconds, next to
the pure rule evaluation alone. ``--keep`` reuses a database filled by an earlier run.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="contact attempts")
    parser.add_argument("--cardholders", type=int, help="default: rows / 10")
    parser.add_argument("--asks", type=int, default=5_000, help="timed gate_ask calls")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="PostgreSQL URL; the database name must contain 'bench'")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database of an earlier run (no drop, no fill)")
    return parser.parse_args()


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def fill(rows: int, cardholders: int) -> None:
    from django.db import connection

    from arrears.compliance.models import ContactAttempt, Hold
    from arrears.portfolio.models import Account, Cardholder, ContactPoint, Product

    product = Product.objects.create(code="BENCH", name="Bench card")
    table = {m.__name__: m._meta.db_table for m in (ContactAttempt, Hold, Account, Cardholder,
                                                      ContactPoint)}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {table['Cardholder']} (external_id, name, national_id, employer, flags,
                language, time_zone, created_at, updated_at)
            SELECT 'C' || g, 'Bench ' || g, '', '', '', 'zh-hans', '', now(), now()
              FROM generate_series(1, %s) g""", [cardholders])
        cursor.execute(f"""
            INSERT INTO {table['Account']} (external_id, cardholder_id, product_id,
                credit_limit_minor, open_date, status, created_at, updated_at)
            SELECT 'A' || id, id, %s, 5000000, DATE '2024-01-01', 'active', now(), now()
              FROM {table['Cardholder']}""", [product.pk])
        cursor.execute(f"""
            INSERT INTO {table['ContactPoint']} (external_id, cardholder_id, kind, value,
                verified, source)
            SELECT 'M' || id, id, 'mobile', '138' || lpad(id::text, 8, '0'), true,
                   'application' FROM {table['Cardholder']}
            UNION ALL
            SELECT 'B' || id, id, 'billing_address', '上海市浦东新区世纪大道' || id || '号',
                   false, 'application' FROM {table['Cardholder']}""")
        cursor.execute(f"""
            INSERT INTO {table['Hold']} (account_id, kind, since, until, note, reference)
            SELECT id, (ARRAY['dispute','plan','promise','complaint'])[1 + id % 4],
                   now() - interval '10 days', NULL, '', ''
              FROM {table['Account']} WHERE id % 100 = 7""")
        cursor.execute("SELECT indexdef, indexname FROM pg_indexes WHERE tablename = %s "
                       "AND indexname NOT LIKE '%%pkey'", [table["ContactAttempt"]])
        indexes = cursor.fetchall()
        for _definition, name in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(f"""
            INSERT INTO {table['ContactAttempt']} (account_id, cardholder_id, channel, purpose,
                counterparty, contact_point_id, at, outcome, conversation, excluded_reason,
                debt_ids, note)
            SELECT c, c, CASE WHEN g % 5 = 0 THEN 'sms' ELSE 'call' END, 'collection',
                   'debtor', 2 * c - 1, now() - (g % 43200) * interval '1 minute',
                   o, o = 'right_party', CASE WHEN o = 'busy' THEN 'not_connected' ELSE '' END,
                   '', ''
              FROM (SELECT g, (1 + (g::bigint * 7919) % {int(cardholders)})::int AS c,
                           (ARRAY['no_answer','no_answer','right_party','busy','delivered'])
                               [1 + g % 5] AS o
                      FROM generate_series(1, {int(rows)}) g) s""")
        cursor.execute("SET session_replication_role = DEFAULT")
        loaded = time.perf_counter() - started
        for definition, _name in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {table['ContactAttempt']}")
        for name in ("Cardholder", "Account", "ContactPoint", "Hold"):
            cursor.execute(f"ANALYZE {table[name]}")
    print(f"filled {rows:,} attempts for {cardholders:,} cardholders in {loaded:.0f} s, "
          f"indexes in {time.perf_counter() - started - loaded:.0f} s")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return (f"p50 {pick(0.50):.3f} ms  p95 {pick(0.95):.3f} ms  p99 {pick(0.99):.3f} ms  "
            f"mean {statistics.fmean(ordered):.3f} ms")


def main() -> None:
    args = parse_args()
    url = args.database_url or ""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres") or "bench" not in parsed.path:
        sys.exit("--database-url must be a PostgreSQL database whose name contains 'bench' "
                 "(it is dropped and created again)")
    if not args.keep:
        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from arrears.compliance import gate
    from arrears.compliance.models import ContactAttempt
    from arrears.compliance.selectors import pack_live
    from arrears.compliance.services import contact_request_for, gate_ask
    from arrears.portfolio.models import Account

    translation.activate("en")
    cardholders = args.cardholders or max(1, args.rows // 10)
    if not args.keep:
        call_command("migrate", verbosity=0)
        fill(args.rows, cardholders)
    total = ContactAttempt.objects.count()
    accounts = list(Account.objects.values_list("pk", "cardholder_id")[:: max(1, cardholders
                                                                            // 20_000)])
    rng = random.Random(7)
    local_morning = datetime.now(UTC).replace(hour=2, minute=30, second=0, microsecond=0)
    sample = [Account(pk=pk, cardholder_id=holder) for pk, holder in
              (rng.choice(accounts) for _ in range(args.asks + 200))]
    for account in sample[:200]:
        gate_ask(account, channel="call", at=local_morning)
    timings, cpu, verdicts = [], [], {}
    for account in sample[200:]:
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        answer = gate_ask(account, channel="call", at=local_morning, reference="bench")
        timings.append((time.perf_counter_ns() - started) / 1e6)
        cpu.append((time.process_time_ns() - started_cpu) / 1e6)
        verdicts[answer.verdict] = verdicts.get(answer.verdict, 0) + 1
    pure = []
    pack = pack_live("CN-BANK")
    requests = [contact_request_for(a, channel="call", at=local_morning) for a in sample[:500]]
    for request in requests:
        started = time.perf_counter_ns()
        gate.gate_check(request, pack)
        pure.append((time.perf_counter_ns() - started) / 1e6)
    history = statistics.fmean(len(r.history) for r in requests)
    print(f"contact attempts: {total:,}; cardholders: {cardholders:,}; "
          f"history rows read per ask: {history:.1f}")
    print(f"gate_ask x {len(timings):,}: {percentiles(timings)}  {verdicts}")
    print(f"gate_ask, this process's CPU only: {percentiles(cpu)}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"gate_check (rules only) x {len(pure)}: {percentiles(pure)}")


if __name__ == "__main__":
    main()
