"""How fast ``arrears import postings`` is, against a naive one-row-at-a-time loop.

    .venv/bin/python benchmarks/bench_import.py --rows 1000000
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_import \
        .venv/bin/python benchmarks/bench_import.py --rows 1000000

Without ``DATABASE_URL`` it uses a fresh SQLite file in a temporary directory. With one, the
database is dropped and created again, so its name must contain "bench". It generates postings
for a few thousand accounts (purchases, payments, interest, fees, waivers, adjustments and
reversals of earlier purchases, some amounts written like ``5e+05``) into a CSV and a Parquet
file, imports each into an empty ledger, and prints rows per second and the ratio to a naive
loop (``Account.objects.get`` + ``Posting.objects.create`` per row) over a small sample.
"""

import argparse
import csv
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

HEADER = ["external_id", "account_id", "kind", "amount", "posting_date", "value_date",
          "component", "reverses", "reason"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="postings to import")
    parser.add_argument("--accounts", type=int, default=3_000)
    parser.add_argument("--baseline-rows", type=int, default=5_000,
                        help="rows for the naive per-row loop")
    parser.add_argument("--formats", default="csv,parquet", help="csv, parquet or both")
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


def generate(rows: int, accounts: int, seed: int = 7) -> list[list[str]]:
    """Postings that a card system could have sent: every one valid, reversals included."""
    rng = random.Random(seed)
    start = date(2023, 1, 1)
    open_purchases: dict[int, list[tuple[str, str, date]]] = {}
    out: list[list[str]] = []
    for n in range(rows):
        account = rng.randrange(accounts)
        day = start + timedelta(days=n * 540 // rows)
        posting_date = day.isoformat()
        external_id = f"P{n:08d}"
        kind = rng.choices(
            ("purchase", "payment", "interest", "late_fee", "waiver", "adjustment", "reversal"),
            weights=(60, 22, 6, 3, 2, 3, 4),
        )[0]
        component = reverses = reason = ""
        if kind == "reversal" and open_purchases.get(account):
            reverses, amount, _ = open_purchases[account].pop()
            reason = "merchant refund"
        else:
            if kind == "reversal":
                kind = "purchase"
            if rng.random() < 0.05:
                amount = f"{rng.randint(1, 9)}e+0{rng.randint(2, 4)}"
            else:
                amount = f"{rng.randint(100, 500_000) / 100:.2f}"
            if kind in ("waiver", "adjustment"):
                component = rng.choice(("principal", "interest", "fees"))
                reason = "goodwill"
            if kind == "adjustment" and rng.random() < 0.5:
                amount = "-" + amount
            if kind == "purchase":
                open_purchases.setdefault(account, []).append((external_id, amount, day))
        out.append([external_id, f"A{account:06d}", kind, amount, posting_date, "",
                    component, reverses, reason])
    return out


def write_files(rows: list[list[str]], workdir: Path) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path = workdir / "postings.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    parquet_path = workdir / "postings.parquet"
    table = pa.table({name: pa.array([row[i] for row in rows], type=pa.string())
                      for i, name in enumerate(HEADER)})
    pq.write_table(table, parquet_path)
    return {"csv": csv_path, "parquet": parquet_path}


def create_accounts(count: int) -> None:
    from arrears.portfolio.models import Account, Cardholder, Product

    product = Product.objects.create(code="BENCH", name="Benchmark card", currency="CNY")
    Cardholder.objects.bulk_create(
        [Cardholder(external_id=f"C{n:06d}", name=f"Holder {n}") for n in range(count)],
        batch_size=1000,
    )
    holders = dict(Cardholder.objects.values_list("external_id", "pk"))
    Account.objects.bulk_create(
        [Account(external_id=f"A{n:06d}", cardholder_id=holders[f"C{n:06d}"], product=product,
                 credit_limit_minor=5_000_000, open_date=date(2022, 1, 1))
         for n in range(count)],
        batch_size=1000,
    )


def naive_rows_per_second(rows: list[list[str]]) -> float:
    """One query to find the account and one INSERT per row, each in its own transaction."""
    from arrears.ledger.models import Posting
    from arrears.portfolio.models import Account
    from arrears.rules.money import parse_amount

    began = time.perf_counter()
    for external_id, account_id, kind, amount, posting_date, _, component, _, reason in rows:
        account = Account.objects.select_related("product").get(external_id=account_id)
        Posting.objects.create(
            external_id="N" + external_id, account=account, kind=kind,
            amount_minor=parse_amount(amount, account.product.currency), component=component,
            posting_date=date.fromisoformat(posting_date),
            value_date=date.fromisoformat(posting_date), reason=reason, source="import",
        )
    elapsed = time.perf_counter() - began
    Posting.objects.filter(external_id__startswith="N").delete()
    return len(rows) / elapsed


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

    from arrears.imports.services import import_file
    from arrears.ledger.models import Posting

    call_command("migrate", verbosity=0)
    create_accounts(args.accounts)
    began = time.perf_counter()
    rows = generate(args.rows, args.accounts)
    files = write_files(rows, workdir)
    print(f"{backend}: {args.rows:,} postings for {args.accounts:,} accounts "
          f"(generated in {time.perf_counter() - began:.1f}s, CSV "
          f"{files['csv'].stat().st_size / 1e6:.0f} MB)")

    rates = {}
    for fmt in [f.strip() for f in args.formats.split(",") if f.strip()]:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Posting._meta.db_table}")
        began = time.perf_counter()
        report = import_file(kind="postings", path=files[fmt])
        elapsed = time.perf_counter() - began
        if report.errors or report.created != args.rows or not report.committed:
            sys.exit(f"import went wrong: {report.counts()} {report.errors[:5]}")
        rates[fmt] = args.rows / elapsed
        print(f"  import {fmt:<8} {elapsed:8.1f}s  {rates[fmt]:>10,.0f} rows/s")
    began = time.perf_counter()
    again = import_file(kind="postings", path=files["csv"])
    print(f"  re-import (all unchanged) {time.perf_counter() - began:.1f}s, "
          f"unchanged={again.unchanged:,}")

    sample = [row for row in rows[: args.baseline_rows * 2] if row[2] != "reversal"]
    naive = naive_rows_per_second(sample[: args.baseline_rows])
    print(f"  naive per-row create ({args.baseline_rows:,} rows) {naive:>10,.0f} rows/s")
    for fmt, rate in rates.items():
        print(f"  ratio {fmt} import / naive loop: {rate / naive:.1f}x")
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
