"""The whole night, step by step, on a synthetic portfolio of N accounts.

    .venv/bin/python benchmarks/bench_night.py --accounts 100000
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_night \\
        .venv/bin/python benchmarks/bench_night.py --accounts 100000

What is measured: ``arrears night --as-of DATE --files DIR`` in one process (the service
``arrears.night.services.night_run``), starting from a migrated database that holds only the
demo product, users, teams, scorecard and strategy. The day's files are the synthetic
portfolio of ``arrears synth`` (``arrears.demo.synthetic``: cardholders, accounts,
statements, postings; Parquet) — so the *import* step loads the whole book, not one day's
delta; with a contacts file (one mobile per cardholder) so that messages can be sent.
Each step's wall time comes from its ``StepRun`` record; accounts/s is N over it.
Not measured: generating the files (printed separately), migrations, the setup, and —
unless ``--send`` — sending (the step is skipped: the night ends with the outbox filled).

Without ``DATABASE_URL`` it uses a fresh SQLite file in a temporary directory. With one, the
database is dropped and created again, so its name must contain "bench".
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
ANCHOR = date(2026, 10, 1)


def _fresh_postgres(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: a benchmark database name must contain 'bench'")
    admin = url.replace(parsed.path, "/postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, help="where the files and ARREARS_HOME go")
    parser.add_argument("--send", action="store_true",
                        help="also send the outbox (paced by the gateways' rate limits and "
                             "the gate's lawful hours, so not a measure of the night's code)")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-night-"))
    os.environ.update(ARREARS_HOME=str(work / "home"), DJANGO_SETTINGS_MODULE="arrears.settings")
    url = os.environ.get("DATABASE_URL")
    if url:
        _fresh_postgres(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from arrears.demo.services import demo_product_ensure, demo_users_ensure
    from arrears.demo.synthetic import SNAPSHOT_FILE, synth_generate
    from arrears.night.services import night_run
    from arrears.scoring.services import scorecard_ensure_default
    from arrears.scoring.taiwan import Timeline
    from arrears.strategy.services import strategy_ensure_default
    from arrears.workbench.services import teams_ensure_demo

    files = work / "files"
    started = time.perf_counter()
    synth_generate(accounts=args.accounts, out_dir=files, seed=args.seed, anchor=ANCHOR,
                   contacts=True)
    (files / SNAPSHOT_FILE).unlink(missing_ok=True)  # the batch benchmark's file, not an import
    print(f"synthetic files: {args.accounts:,} accounts in {time.perf_counter() - started:.1f} s"
          f" ({files})", flush=True)

    call_command("migrate", interactive=False, verbosity=0)
    demo_product_ensure()
    demo_users_ensure(password="bench-night-1")
    teams_ensure_demo(password="bench-night-1")
    scorecard_ensure_default()
    strategy_ensure_default()
    as_of = Timeline(ANCHOR).data_end

    def progress(event, step):
        if event == "end":
            print(f"  {step.step:<13} {step.status:<8} {step.seconds:9.1f} s", flush=True)

    print(f"night of {as_of} on {connection.vendor}, {args.accounts:,} accounts:", flush=True)
    wall = time.perf_counter()
    night = night_run(as_of=as_of, files=files, progress=progress, send=args.send)
    wall = time.perf_counter() - wall
    print()
    print(f"{'step':<13} {'seconds':>9} {'accounts/s':>12}  counts")
    for step in night.steps.order_by("position"):
        rate = args.accounts / step.seconds if step.seconds else 0
        counts = ", ".join(f"{k}={v}" for k, v in step.counts.items()
                           if not isinstance(v, dict))
        print(f"{step.step:<13} {step.seconds:9.1f} {rate:12,.0f}  {counts}")
    print(f"{'night':<13} {wall:9.1f} {args.accounts / wall:12,.0f}  (wall, all steps)")


if __name__ == "__main__":
    main()
