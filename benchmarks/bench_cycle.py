"""How fast the nightly cycle is: set-based (``arrears.ledger.cycle.cycle_run``) against the
per-account loop of the pure rules (``cycle_run_per_account``), on PostgreSQL.

    .venv/bin/python benchmarks/bench_cycle.py --accounts 100000
    .venv/bin/python benchmarks/bench_cycle.py --accounts 1000000 --loop-accounts 0

The portfolio is the demo's synthetic one (``arrears.demo.synthetic``, the generator behind
``arrears synth``, fitted to the Taiwan data: six monthly statements per account, the
purchases and payments between them, about 15 % of the accounts past due), written straight
into a fresh database with COPY (``--database-url``, a PostgreSQL database whose name
contains "bench": dropped and created again). Then, each in a child process that reports its own
peak resident memory (``VmHWM``):

1. the set-based cycle for the last day of the data (no positions yet: every account's
   first night);
2. the set-based cycle for the next day (positions exist: the steady nightly case);
3. the per-account loop for the day after (``--loop-accounts``: run it only when the
   portfolio has at most that many accounts, 0 never).

It prints seconds, accounts per second, postings written and peak memory for each, and the
ratio of the loop to the set-based cycle.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
DEFAULT_PG = "postgres://root@127.0.0.1:5432/bench_cycle"
ANCHOR = date(2026, 10, 1)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_PG)
    parser.add_argument("--loop-accounts", type=int, default=1_000_000,
                        help="run the per-account loop only up to this many accounts")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database if it already holds the portfolio")
    parser.add_argument("--child", choices=["cycle", "loop"], help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    os.environ.setdefault("ARREARS_HOME", str(Path("/tmp") / "bench_cycle_home"))
    import django

    django.setup()


def database_reset(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not parsed.scheme.startswith("postgres") or "bench" not in name:
        sys.exit("--database-url must be a PostgreSQL database whose name contains 'bench' "
                 "(it is dropped and created again)")
    import psycopg

    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _minor(column) -> "np.ndarray":  # noqa: F821
    """The decimal(18, 2) money of the synthetic files back in minor units."""
    import numpy as np
    import pyarrow as pa

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    words = np.frombuffer(column.buffers()[1], dtype=np.int64)
    return words[2 * column.offset:2 * (column.offset + len(column)):2].copy()


def _number(column) -> "np.ndarray":  # noqa: F821
    """SYN-A-123[-suffix] → 123."""
    import pyarrow as pa
    import pyarrow.compute as pc

    digits = pc.extract_regex(column, r"^SYN-A-(?P<n>[0-9]+)")
    return pc.cast(pc.struct_field(digits, [0]), pa.int64()).to_numpy()


def _copy(cursor, table: str, data: dict) -> None:
    import io

    import pyarrow as pa
    from pyarrow import csv

    buffer = io.BytesIO()
    csv.write_csv(pa.table(data), buffer)
    with cursor.copy(f"COPY {table} ({', '.join(data)}) FROM STDIN "
                     f"WITH (FORMAT csv, HEADER true)") as copy:
        copy.write(buffer.getvalue())


def portfolio_load(accounts: int) -> date:
    """The synthetic portfolio into the database; returns the last day of its data."""
    import numpy as np
    import pyarrow as pa
    from django.core.management import call_command
    from django.db import connection

    from arrears.demo.services import demo_product_ensure
    from arrears.demo.synthetic import synth_portfolio, synth_tables
    from arrears.scoring.taiwan import Timeline

    call_command("migrate", verbosity=0)
    product = demo_product_ensure()
    timeline = Timeline(ANCHOR)
    opened = timeline.opening_date.isoformat()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO portfolio_cardholder (id, external_id, name, national_id, employer, "
            "flags, language, time_zone, created_at, updated_at) "
            "SELECT n, 'SYN-C-' || n, '陳家明', '', '', '', 'zh-hans', 'Asia/Taipei', now(), "
            "now() FROM generate_series(1, %s) n", [accounts])
        cursor.execute(
            "INSERT INTO portfolio_account (id, external_id, cardholder_id, product_id, "
            "credit_limit_minor, open_date, status, created_at, updated_at) "
            "SELECT n, 'SYN-A-' || n, n, %s, 10000000, %s, 'active', now(), now() "
            "FROM generate_series(1, %s) n", [product.pk, opened, accounts])
        raw = cursor.cursor
        for portfolio in synth_portfolio(accounts=accounts, seed=0, timeline=timeline):
            tables = synth_tables(portfolio, timeline, seed=0, product=product.code,
                                  contacts=False)
            s = tables["statements"]
            _copy(raw, "portfolio_statement", {
                "external_id": s["external_id"], "account_id": _number(s["account_id"]),
                "cycle_date": s["cycle_date"], "due_date": s["due_date"],
                "statement_balance_minor": _minor(s["statement_balance"]),
                "minimum_due_minor": _minor(s["minimum_due"]),
                "created_at": pa.array(np.full(len(s), np.datetime64("2026-01-01", "us")))
                .cast(pa.timestamp("us", tz="UTC")),
            })
            p = tables["postings"]
            n = len(p)
            _copy(raw, "ledger_posting", {
                "external_id": p["external_id"], "account_id": _number(p["account_id"]),
                "kind": p["kind"], "amount_minor": _minor(p["amount"]),
                "component": p["component"], "posting_date": p["posting_date"],
                "value_date": p["posting_date"], "reason": pa.array([""] * n),
                "source": pa.array(np.full(n, "import")),
                "created_at": pa.array(np.full(n, np.datetime64("2026-01-01T00:00:00", "us")))
                .cast(pa.timestamp("us", tz="UTC")),
            })
        for table in ("portfolio_cardholder", "portfolio_account"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM ledger_posting")
        postings = cursor.fetchone()[0]
    print(f"loaded {accounts:,} accounts, {postings:,} postings, {accounts * 6:,} statements "
          f"in {time.monotonic() - started:.1f} s", flush=True)
    return timeline.data_end


def child(args) -> None:
    django_setup(args.database_url)
    from arrears.ledger.cycle import cycle_run
    from arrears.ledger.services import cycle_run_per_account

    as_of = date.fromisoformat(args.as_of)
    started = time.monotonic()
    phases = {}
    if args.child == "cycle":
        result = cycle_run(as_of=as_of)
        run, phases = result.run, {k: round(v, 1) for k, v in result.phases.items()}
    else:
        run = cycle_run_per_account(as_of=as_of)
    seconds = time.monotonic() - started
    # VmHWM: this process's own peak resident memory since exec (ru_maxrss of a forked
    # child also counts the parent's memory at the fork)
    status = Path("/proc/self/status").read_text()
    peak_kib = int(next(line.split()[1] for line in status.splitlines()
                        if line.startswith("VmHWM:")))
    print(json.dumps({"seconds": seconds, "accounts": run.accounts, "peak_kib": peak_kib,
                      "phases": phases,
                      "interest": run.interest_postings, "fees": run.fee_postings,
                      "buckets": run.counts_by_bucket}))


def measure(args, what: str, as_of: date) -> dict:
    command = [sys.executable, __file__, "--child", what, "--as-of", as_of.isoformat(),
               "--database-url", args.database_url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=os.environ.copy())
    output = process.stdout.read()
    if process.wait() != 0:
        sys.exit(f"{what} failed")
    result = json.loads(output.decode().strip().splitlines()[-1])
    result["peak_mib"] = result["peak_kib"] / 1024
    return result


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        child(args)
        return
    if not args.keep:
        database_reset(args.database_url)
    django_setup(args.database_url)
    from arrears.portfolio.models import Account
    from arrears.scoring.taiwan import Timeline

    if args.keep and Account.objects.count() == args.accounts:
        from arrears.ledger.models import CycleRun

        latest = CycleRun.objects.order_by("-as_of").values_list("as_of", flat=True).first()
        data_end = max(Timeline(ANCHOR).data_end, latest + timedelta(days=1) if latest
                       else Timeline(ANCHOR).data_end)
    else:
        data_end = portfolio_load(args.accounts)
    rows = []
    steps = [("set-based, first night", "cycle", data_end),
             ("set-based, next night", "cycle", data_end + timedelta(days=1))]
    if args.accounts <= args.loop_accounts:
        steps.append(("per-account loop, next night", "loop", data_end + timedelta(days=2)))
    for label, what, as_of in steps:
        result = measure(args, what, as_of)
        rows.append((label, result))
        print(f"{label:<30} {result['seconds']:8.1f} s  "
              f"{result['accounts'] / result['seconds']:>10,.0f} accounts/s  "
              f"{result['interest']:>9,} interest  {result['fees']:>8,} fees  "
              f"peak {result['peak_mib']:,.0f} MiB  {result['phases'] or ''}", flush=True)
    print("buckets:", rows[-1][1]["buckets"])
    if len(rows) == 3:
        print(f"per-account loop / set-based (next night): "
              f"{rows[2][1]['seconds'] / rows[1][1]['seconds']:.1f}×")


if __name__ == "__main__":
    main()
