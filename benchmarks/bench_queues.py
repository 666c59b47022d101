"""How long the queue step takes on DuckDB: decisions in, per-collector queues out.

    .venv/bin/python benchmarks/bench_queues.py --accounts 10000000 --collectors 600

Generates a decisions table (about 30 % calls and 5 % field visits, buckets, two languages,
a few dozen regions, expected recoveries with many ties) and teams of collectors with
narrow and broad skills, then runs ``arrears.workbench.compile.queue_columns`` on an
in-memory DuckDB connection and prints the time, rows queued, accounts dealt and pooled.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def decisions_table(accounts: int, seed: int):
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    treatments = np.array(["call", "field_visit", "sms", "letter", "none"])
    buckets = np.array(["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"])
    regions = np.array([f"R{n:02d}" for n in range(30)] + [""])
    return pa.table(
        {
            "account_id": np.arange(1, accounts + 1, dtype=np.int64),
            "treatment": treatments[rng.choice(5, accounts, p=[0.30, 0.05, 0.35, 0.1, 0.2])],
            "priority": rng.integers(1, 10, accounts, dtype=np.int32),
            "expected_recovery_minor": (rng.integers(0, 2_000, accounts) * 500).astype(np.int64),
            "bucket": buckets[rng.integers(0, 8, accounts)],
            "language": np.where(rng.random(accounts) < 0.9, "zh-hans", "en"),
            "region": regions[rng.integers(0, len(regions), accounts)],
        }
    )


def collector_rows(collectors: int, seed: int) -> list[dict]:
    import random

    rng = random.Random(seed)
    teams = [
        (1, "call", 10, "M1,M2", ""),
        (2, "call", 20, "M3,M4,M5,M6", ""),
        (3, "call", 30, "", ""),
        (4, "field_visit", 10, "", ",".join(f"R{n:02d}" for n in range(15))),
        (5, "field_visit", 20, "", ""),
    ]
    rows = []
    for n in range(collectors):
        team_id, channel, order, buckets, regions = teams[n % len(teams)]
        rows.append(
            {
                "team_id": team_id,
                "team_channel": channel,
                "team_routing_order": order,
                "team_languages": "",
                "team_regions": regions,
                "team_buckets": buckets,
                "collector_id": n + 1,
                "collector_order": n,
                "capacity": 8 if channel == "field_visit" else rng.choice((40, 60, 80)),
                "languages": rng.choice(("", "", "", "en")),
                "regions": rng.choice(
                    ("", "", ",".join(f"R{k:02d}" for k in range(n % 30, 30, 7)))
                ),
                "buckets": "",
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--collectors", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import ibis

    from arrears.workbench.compile import collectors_table, queue_columns

    decisions = decisions_table(args.accounts, args.seed)
    collectors = collector_rows(args.collectors, args.seed)
    con = ibis.duckdb.connect()
    con.create_table("decisions", decisions)
    expr = queue_columns(con.table("decisions"), collectors_table(collectors))
    started = time.perf_counter()
    queue = con.to_pyarrow(expr)
    seconds = time.perf_counter() - started
    dealt = queue.num_rows - queue.column("collector_id").null_count
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.accounts:,} decisions, {args.collectors} collectors: {seconds:.2f} s, "
        f"{queue.num_rows:,} queued, {dealt:,} dealt, "
        f"{queue.num_rows - dealt:,} in pools, peak RSS {peak_mb:,.0f} MB"
    )


if __name__ == "__main__":
    main()
