"""How fast the nightly decisions are: snapshot → scores, segments, treatments and queues.

    .venv/bin/python benchmarks/bench_nightly.py --accounts 10000000 --publish
    .venv/bin/python benchmarks/bench_nightly.py --accounts 50000000

Steps, on the synthetic portfolio (``arrears.demo.synthetic``, fitted to the Taiwan data):

1. the synthetic snapshot (cached in ``--work``), turned into the decision-input columns of
   docs/batch.md (the synthetic file has no payment history by statement nor cardholder flags:
   ``payment_ratio_3m`` is the last payment over the last minimum, holds, VIPs, languages,
   regions and yesterday's treatments are drawn from a hash of the account);
2. the DuckDB pipeline (``arrears.batch.pipeline.pipeline_run``: scorecard, strategy,
   champion/challenger, expected recovery, then the call and visit queues), in a child process
   whose peak RSS is measured;
3. the plain per-account Python loop of the same rules — ``score_one`` then the strategy's
   zen-engine ``decide_one`` — over ``--loop-sample`` accounts, extrapolated to the same N;
4. with ``--publish``: the decisions published to PostgreSQL (``--database-url``, a database
   whose name contains "bench": dropped and created again), accounts created in SQL first.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
DEFAULT_PG = "postgres://root@127.0.0.1:5432/bench_nightly"
ANCHOR = date(2026, 10, 1)

# The synthetic snapshot → the decision input (docs/batch.md), in DuckDB.
CONVERT_SQL = """
COPY (
  WITH s AS (
    SELECT *, CAST(substr(account_id, 7) AS BIGINT) AS id,
           CAST(hash(account_id) % 10000 AS BIGINT) AS h
    FROM read_parquet('{source}')
  )
  SELECT id AS account_id, account_id AS account_external_id, product, 'TWD' AS currency,
         bucket, days_past_due, cycles_delinquent, balance_minor, past_due_minor,
         credit_limit_minor,
         CAST(CASE WHEN months_since_last_payment IS NULL THEN 9999
                   ELSE months_since_last_payment * 30 + h % 28 END AS INTEGER)
           AS days_since_last_payment,
         CASE WHEN minimum_due_minor > 0
              THEN LEAST(last_payment_minor / minimum_due_minor, 10.0) ELSE 0.0 END
           AS payment_ratio_3m,
         CASE WHEN credit_limit_minor > 0 THEN balance_minor / credit_limit_minor ELSE 0.0 END
           AS utilisation,
         'none' AS promise_status,
         CASE WHEN h < 5 THEN 'deceased' WHEN h < 15 THEN 'bankruptcy'
              WHEN h < 40 THEN 'dispute' WHEN h < 60 THEN 'cease_contact'
              WHEN h < 160 THEN 'complaint' WHEN h < 260 THEN 'hardship' ELSE 'none' END AS hold,
         CASE WHEN bucket = 'M0' THEN 'none'
              ELSE ['sms', 'call', 'letter', 'none'][1 + h % 4] END AS previous_treatment,
         CASE WHEN h % 50 = 0 THEN 'en' ELSE 'zh-hans' END AS language,
         ['TPE', 'NTP', 'TXG', 'KHH', 'TNN', 'TAO'][1 + h % 6] AS region,
         h % 200 = 7 AS vip
  FROM s
) TO '{target}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
"""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/arrears-bench-nightly"),
                        help="where the snapshots are cached and results written")
    parser.add_argument("--loop-sample", type=int, default=20_000,
                        help="accounts for the per-account Python loop")
    parser.add_argument("--no-queues", action="store_true",
                        help="decisions only: leave out the queue step")
    parser.add_argument("--publish", action="store_true",
                        help="also publish the decisions to PostgreSQL (timed)")
    parser.add_argument("--database-url", default=DEFAULT_PG)
    parser.add_argument("--child", choices=["pipeline", "publish"], help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()


def snapshot_prepare(accounts: int, work: Path) -> Path:
    target = work / f"snapshot-{accounts}.parquet"
    if target.exists():
        return target
    import duckdb

    from arrears.demo.synthetic import SNAPSHOT_FILE, synth_generate

    raw = work / f"synthetic-{accounts}"
    if not (raw / SNAPSHOT_FILE).exists():
        print(f"generating the synthetic snapshot of {accounts:,} accounts …", flush=True)
        synth_generate(accounts=accounts, out_dir=raw, anchor=ANCHOR, snapshot_only=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(CONVERT_SQL.format(source=raw / SNAPSHOT_FILE, target=target))
    (raw / SNAPSHOT_FILE).unlink()
    return target


def rules_default():
    """The shipped default scorecard and strategy, no challenger, synthetic collectors."""
    from arrears.batch.pipeline import BatchRules
    from arrears.scoring.scorecard import Scorecard
    from arrears.scoring.services import DEFAULT_SCORECARD_PATH
    from arrears.strategy.services import default_strategy_text

    scorecard = Scorecard.from_json(json.loads(DEFAULT_SCORECARD_PATH.read_text())["scorecard"])
    strategy = json.loads(default_strategy_text())
    return BatchRules(scorecard=scorecard, strategy=strategy, tests=(),
                      collectors=collectors_synthetic(), model_version=scorecard.name,
                      strategy_version="default")


def collectors_synthetic() -> list[dict]:
    """A call centre of 400 collectors (60 a day; some by language or bucket) and 40 visitors."""
    rows = []
    teams = [(1, "call", 1, "", "", "M1,M2"), (2, "call", 2, "", "", ""),
             (3, "field_visit", 1, "", "", "")]
    collector = 0
    for team_id, channel, order, languages, regions, buckets in teams:
        size = 40 if channel == "field_visit" else 200
        for k in range(size):
            collector += 1
            rows.append({
                "team_id": team_id, "team_channel": channel, "team_routing_order": order,
                "team_languages": languages, "team_regions": regions, "team_buckets": buckets,
                "collector_id": collector, "collector_order": k,
                "capacity": 8 if channel == "field_visit" else 60,
                "languages": "en" if k % 20 == 0 else "", "regions": "",
                "buckets": "M1" if k % 3 == 0 and team_id == 1 else "",
            })
    return rows


def child_pipeline(snapshot: Path, work: Path, queues: bool) -> dict:
    django_setup()
    import dataclasses

    from arrears.batch.engines import DuckDBEngine
    from arrears.batch.pipeline import pipeline_run

    rules = rules_default()
    if not queues:
        rules = dataclasses.replace(rules, collectors=None)
    started = time.perf_counter()
    result = pipeline_run(snapshot_path=snapshot, out_dir=work / "out", rules=rules,
                          engine=DuckDBEngine())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "decisions_seconds": result.decisions_seconds,
            "accounts": result.accounts, "queued": result.queued,
            "treatments": result.counts_by_treatment,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def python_loop(snapshot: Path, sample: int) -> float:
    """Seconds per account of score_one + zen decide_one, one account at a time."""
    import pyarrow.parquet as pq

    from arrears.scoring.scorecard import score_one
    from arrears.strategy.services import decide_one

    rules = rules_default()
    rows = pq.ParquetFile(snapshot).read_row_group(0).slice(0, sample).to_pylist()
    started = time.perf_counter()
    for row in rows:
        inputs = {**row, **score_one(row, rules.scorecard)}
        decide_one(inputs, strategy=rules.strategy)
    return (time.perf_counter() - started) / len(rows)


def database_recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit("--database-url must name a database containing 'bench' (it is dropped)")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def child_publish(accounts: int, work: Path) -> dict:
    django_setup()
    from django.core.management import call_command
    from django.db import connection

    from arrears.batch.pipeline import BatchRules, PipelineResult
    from arrears.batch.publish import decisions_publish

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO portfolio_product (id, code, name, currency, time_zone, "
                       "daily_interest_rate, late_fee_rate, late_fee_min_minor, "
                       "min_payment_rate, min_payment_floor_minor, grace_days, "
                       "past_due_tolerance_minor, allocation_order, statement_day, due_days) "
                       "VALUES (1, 'TW-STD', 'bench', 'TWD', 'Asia/Taipei', 0.0005, 0.05, 0, "
                       "0.1, 10000, 0, 0, 'fees,interest,principal', 20, 25)")
        cursor.execute("INSERT INTO portfolio_cardholder (id, external_id, name, national_id, "
                       "employer, flags, language, time_zone, created_at, updated_at) "
                       "SELECT g, 'SYN-C-' || g, 'x', '', '', '', 'zh-hans', '', now(), now() "
                       "FROM generate_series(1, %s) g", [accounts])
        cursor.execute("INSERT INTO portfolio_account (id, external_id, cardholder_id, "
                       "product_id, credit_limit_minor, open_date, status, created_at, "
                       "updated_at) SELECT g, 'SYN-A-' || g, g, 1, 100000, '2026-01-01', "
                       "'active', now(), now() FROM generate_series(1, %s) g", [accounts])
        cursor.execute("ANALYZE")
    setup = time.perf_counter() - started
    out = work / "out"
    result = PipelineResult(out / "decisions.parquet", None, accounts)
    started = time.perf_counter()
    decisions_publish(as_of=ANCHOR, result=result, rules=BatchRules(None, None), engine="duckdb")
    return {"seconds": time.perf_counter() - started, "setup_seconds": setup,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_child(args: argparse.Namespace, kind: str, snapshot: Path, env: dict | None = None):
    command = [sys.executable, __file__, "--child", kind, "--accounts", str(args.accounts),
               "--work", str(args.work), "--snapshot", str(snapshot)]
    command += ["--no-queues"] if args.no_queues else []
    done = subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode:
        sys.exit(f"{kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.child == "pipeline":
        print(json.dumps(child_pipeline(args.snapshot, args.work, not args.no_queues)))
        return
    if args.child == "publish":
        print(json.dumps(child_publish(args.accounts, args.work)))
        return
    django_setup()
    n = args.accounts
    started = time.perf_counter()
    snapshot = snapshot_prepare(n, args.work)
    print(f"snapshot: {snapshot} ({snapshot.stat().st_size / 1e6:.0f} MB, "
          f"ready in {time.perf_counter() - started:.1f} s)")
    run_child(args, "pipeline", snapshot)  # warm the file cache, as a nightly run would be
    batch = run_child(args, "pipeline", snapshot)
    print(f"DuckDB pipeline, {n:,} accounts: {batch['seconds']:.2f} s "
          f"({n / batch['seconds'] / 1e6:.2f} M/s), peak RSS {batch['peak_rss_mb']:.0f} MB, "
          f"{batch['queued']:,} queued; of which snapshot → decisions file "
          f"{batch['decisions_seconds']:.2f} s, queues "
          f"{batch['seconds'] - batch['decisions_seconds']:.2f} s")
    print("  treatments: " + ", ".join(f"{k} {v:,}" for k, v in
                                       sorted(batch["treatments"].items(), key=lambda x: -x[1])))
    per_account = python_loop(snapshot, args.loop_sample)
    loop_seconds = per_account * n
    print(f"Python loop (score_one + zen decide_one), {args.loop_sample:,} accounts: "
          f"{per_account * 1e6:.1f} µs/account → {loop_seconds:.1f} s for {n:,} (extrapolated)")
    print(f"ratio: DuckDB pipeline is {loop_seconds / batch['seconds']:.1f}× the Python loop")
    if args.publish:
        database_recreate(args.database_url)
        try:
            published = run_child(args, "publish", snapshot, {"DATABASE_URL": args.database_url})
        finally:
            database_drop(args.database_url)
        print(f"publish {n:,} decisions to PostgreSQL (COPY): {published['seconds']:.2f} s "
              f"({n / published['seconds'] / 1e6:.2f} M rows/s), peak RSS "
              f"{published['peak_rss_mb']:.0f} MB (accounts created in "
              f"{published['setup_seconds']:.1f} s, untimed)")


if __name__ == "__main__":
    main()
