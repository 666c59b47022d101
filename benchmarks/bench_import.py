"""How fast a validating import of a bank's postings or statements file is: the staged path
(COPY into a staging table, checked set-at-a-time in SQL) against the chunked path it
replaced, in the same run, into the same database.

    .venv/bin/python benchmarks/bench_import.py --rows 1000000
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_import \\
        .venv/bin/python benchmarks/bench_import.py --rows 6000000 --kinds postings,statements

Without ``DATABASE_URL`` it uses a fresh SQLite file in a temporary directory. With one, the
database is dropped and created again, so its name must contain "bench".

The files are synthetic and written row by row (a 6,000,000-row file is never held in memory):
postings for ``--accounts`` accounts (purchases, payments, interest, fees, waivers and
adjustments within what is owed, reversals of earlier purchases, some amounts written like
``5e+05``) and statements (one per account and month). Every row is valid, so the import
creates them all; the time includes reading, parsing, every check and the commit.

Today's path is the import of the commit ``--baseline-ref`` (default: the last commit before
the staged path), run from ``git archive`` of that commit in a subprocess against the same
database, over the first ``--baseline-rows`` rows of the same file (it is too slow for the
whole file); the ratio compares rows per second. ``--baseline-ref ''`` skips it.
"""

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

BASELINE_REF = "fe1980c"  # main before the staged import (its chunked PostingImporter)
POSTING_HEADER = ["external_id", "account_id", "kind", "amount", "posting_date", "value_date",
                  "component", "reverses", "reason"]
STATEMENT_HEADER = ["external_id", "account_id", "cycle_date", "due_date",
                    "statement_balance", "minimum_due"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of each file")
    parser.add_argument("--accounts", type=int, default=3_000,
                        help="accounts of the postings file (statements: rows / 12)")
    parser.add_argument("--kinds", default="postings", help="postings, statements or both")
    parser.add_argument("--parquet", action="store_true",
                        help="import the postings from Parquet as well")
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--no-reimport", action="store_true",
                        help="skip importing the file a second time")
    return parser.parse_args()


def prepare_database(workdir: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        os.environ["DATABASE_URL"] = url
        return "SQLite"
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not parsed.scheme.startswith("postgres") or "bench" not in name:
        sys.exit("DATABASE_URL must be a PostgreSQL database whose name contains 'bench' "
                 "(it is dropped and created again)")
    import psycopg

    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return "PostgreSQL"


def write_postings(path: Path, rows: int, accounts: int, seed: int = 7) -> None:
    """Postings a card system could have sent, every one valid under the ledger rules: a
    payment, waiver or credit never takes more than a running lower bound of what is owed."""
    rng = random.Random(seed)
    start = date(2023, 1, 1)
    # per account: [principal, interest, fees] debits less credits, and payments so far
    owed = [[0, 0, 0] for _ in range(accounts)]
    paid = [0] * accounts
    purchases: list[list[tuple[str, int]]] = [[] for _ in range(accounts)]
    components = ("principal", "interest", "fees")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(POSTING_HEADER)
        for n in range(rows):
            account = rng.randrange(accounts)
            day = (start + timedelta(days=n * 540 // rows)).isoformat()
            external_id = f"P{n:09d}"
            kind = rng.choices(
                ("purchase", "payment", "interest", "late_fee", "waiver", "adjustment",
                 "reversal"), weights=(60, 22, 6, 3, 2, 3, 4))[0]
            amount = rng.randint(100, 500_000)
            component = reverses = reason = ""
            balance = owed[account]
            low = [value - paid[account] for value in balance]
            if kind == "reversal" and purchases[account]:
                reverses, amount = purchases[account].pop()
                balance[0] -= amount
                reason = "merchant refund"
            elif kind == "payment" and sum(balance) - paid[account] > 200:
                amount = rng.randint(100, (sum(balance) - paid[account]) // 2)
                paid[account] += amount
            elif kind in ("waiver", "adjustment") and max(low) > 200:
                index = low.index(max(low))
                component = components[index]
                amount = rng.randint(1, low[index] // 4)
                if kind == "adjustment":
                    amount = -amount
                balance[index] -= amount if kind == "waiver" else -amount
                reason = "goodwill"
            else:
                kind = rng.choice(("purchase", "purchase", "interest", "late_fee"))
                index = {"purchase": 0, "interest": 1, "late_fee": 2}[kind]
                balance[index] += amount
                if kind == "purchase":
                    purchases[account].append((external_id, amount))
                    del purchases[account][:-20]
            if amount % 100 == 0 and amount > 0 and rng.random() < 0.3:
                text = f"{amount // 100}e+00"
            else:
                text = f"{'-' if amount < 0 else ''}{abs(amount) // 100}.{abs(amount) % 100:02d}"
            out.writerow([external_id, f"A{account:07d}", kind, text, day, "", component,
                          reverses, reason])


def write_statements(path: Path, rows: int) -> int:
    """One statement a month per account, twelve months; returns the number of accounts."""
    accounts = max(-(-rows // 12), 1)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(STATEMENT_HEADER)
        n = 0
        for month in range(1, 13):
            cycle = date(2024, month, 20)
            due = (cycle + timedelta(days=25)).isoformat()
            for account in range(accounts):
                if n >= rows:
                    return accounts
                balance = (account * 7919 + month * 104729) % 5_000_000
                out.writerow([f"S{n:09d}", f"A{account:07d}", cycle.isoformat(), due,
                              f"{balance // 100}.{balance % 100:02d}",
                              f"{balance // 1000}.{(balance // 10) % 100:02d}"])
                n += 1
    return accounts


def head(path: Path, rows: int, target: Path) -> Path:
    with open(path, encoding="utf-8") as source, open(target, "w", encoding="utf-8") as out:
        for n, line in enumerate(source):
            if n > rows:
                break
            out.write(line)
    return target


def create_accounts(count: int) -> None:
    from django.db import connection

    from arrears.imports.writer import RowWriter
    from arrears.portfolio.models import Account, Cardholder, Product

    product, _ = Product.objects.get_or_create(code="BENCH", defaults={
        "name": "Benchmark card", "currency": "CNY"})
    have = Account.objects.count()
    batch = 100_000
    for offset in range(have, count, batch):
        numbers = range(offset, min(offset + batch, count))
        RowWriter(Cardholder, ("external_id", "name")).insert(
            [(f"C{n:07d}", f"Holder {n}") for n in numbers])
        holders = dict(Cardholder.objects.filter(
            external_id__in=[f"C{n:07d}" for n in numbers]).values_list("external_id", "pk"))
        RowWriter(Account, ("external_id", "cardholder_id", "product_id", "credit_limit_minor",
                            "open_date")).insert(
            [(f"A{n:07d}", holders[f"C{n:07d}"], product.pk, 5_000_000, date(2022, 1, 1))
             for n in numbers])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def empty(kind: str) -> None:
    from django.db import connection

    from arrears.ledger.models import Posting
    from arrears.portfolio.models import Statement

    table = {"postings": Posting, "statements": Statement}[kind]._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} CASCADE")  # a benchmark database only
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")


def baseline(ref: str, kind: str, path: Path, workdir: Path) -> float | None:
    """Rows per second of the import at ``ref`` (a subprocess on the same database)."""
    tree = workdir / "baseline"
    if not tree.exists():
        try:
            archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "src"],
                                     check=True, capture_output=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"  (no baseline: git archive {ref} failed: {exc})")
            return None
        tree.mkdir()
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    code = ("import time, sys, django; django.setup()\n"
            "from arrears.imports.services import import_file\n"
            "began = time.perf_counter()\n"
            f"report = import_file(kind={kind!r}, path={str(path)!r})\n"
            "elapsed = time.perf_counter() - began\n"
            "assert report.committed and not report.errors, (report.counts(), report.errors[:3])\n"
            "print(report.created / elapsed)\n")
    env = {**os.environ, "PYTHONPATH": str(tree / "src"),
           "DJANGO_SETTINGS_MODULE": "arrears.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode:
        print(f"  (baseline failed: {done.stderr.strip().splitlines()[-1:]})")
        return None
    return float(done.stdout.strip().splitlines()[-1])


def timed_import(kind: str, path: Path, rows: int) -> float:
    from arrears.imports.services import import_file

    began = time.perf_counter()
    report = import_file(kind=kind, path=path)
    elapsed = time.perf_counter() - began
    if report.errors or report.created != rows or not report.committed:
        sys.exit(f"import went wrong: {report.counts()} {[str(e) for e in report.errors[:5]]}")
    return elapsed


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench_import_"))
    os.environ["ARREARS_HOME"] = str(workdir)
    backend = prepare_database(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    for kind in kinds:
        path = workdir / f"{kind}.csv"
        began = time.perf_counter()
        if kind == "postings":
            write_postings(path, args.rows, args.accounts)
            accounts = args.accounts
        else:
            accounts = write_statements(path, args.rows)
        generated = time.perf_counter() - began
        began = time.perf_counter()
        create_accounts(accounts)
        print(f"{backend}: {kind}, {args.rows:,} rows for {accounts:,} accounts (file "
              f"{path.stat().st_size / 1e6:.0f} MB written in {generated:.0f}s, accounts "
              f"{time.perf_counter() - began:.0f}s)", flush=True)
        empty(kind)
        elapsed = timed_import(kind, path, args.rows)
        rate = args.rows / elapsed
        print(f"  staged import, CSV     {elapsed:8.1f}s  {rate:>10,.0f} rows/s", flush=True)
        if kind == "postings" and args.parquet:
            import pyarrow.csv as pacsv
            import pyarrow.parquet as pq

            parquet = workdir / "postings.parquet"
            options = pacsv.ConvertOptions(column_types={n: "string" for n in POSTING_HEADER})
            pq.write_table(pacsv.read_csv(path, convert_options=options), parquet)
            empty(kind)
            seconds = timed_import(kind, parquet, args.rows)
            print(f"  staged import, Parquet {seconds:8.1f}s  {args.rows / seconds:>10,.0f} "
                  "rows/s", flush=True)
        if not args.no_reimport:
            from arrears.imports.services import import_file

            began = time.perf_counter()
            again = import_file(kind=kind, path=path)
            print(f"  re-import (all unchanged) {time.perf_counter() - began:.1f}s, "
                  f"unchanged={again.unchanged:,}", flush=True)
        if args.baseline_ref:
            sample = min(args.baseline_rows, args.rows)
            small = head(path, sample, workdir / f"{kind}-head.csv")
            empty(kind)
            connection.close()
            old = baseline(args.baseline_ref, kind, small, workdir)
            empty(kind)
            seconds = timed_import(kind, small, sample)
            new = sample / seconds
            if old:
                print(f"  same {sample:,} rows: today's path ({args.baseline_ref}) "
                      f"{old:,.0f} rows/s, staged {new:,.0f} rows/s: {new / old:.1f}x",
                      flush=True)
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
