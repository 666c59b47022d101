"""The reports on a synthetic book: roll rates, cure rates and collector performance.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_reports \\
        .venv/bin/python benchmarks/bench_reports.py --accounts 100000

Creates (or empties) the database, writes ``--accounts`` accounts of one product with six
months of history (a purchase each, a monthly interest posting, payments on a third of them, a
reversal now and then, bucket changes following a random walk over the buckets, write-offs of
those that reach M7+), ten collectors with contact attempts, promises and gate answers on a
fifth of the accounts. Then times each report for the last month (best of 3) and prints
seconds and accounts per second. Without ``DATABASE_URL``: a SQLite file in a temporary
directory.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
MONTH_ENDS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
              date(2026, 5, 31), date(2026, 6, 30)]
BUCKETS = ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"]


def best_seconds(call, repeat: int = 3) -> float:
    times = []
    for _n in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def _setup(url: str, home: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, ARREARS_HOME=home, PYTHONPATH=str(REPO / "src"))
    if url.startswith("postgres"):
        subprocess.run([sys.executable, "-m", "django", "flush", "--noinput",
                        "--settings=arrears.settings"], env=env, capture_output=True)
    subprocess.run([sys.executable, "-m", "django", "migrate", "--verbosity", "0",
                    "--settings=arrears.settings"], env=env, check=True)
    os.environ.update(DATABASE_URL=url, ARREARS_HOME=home,
                      DJANGO_SETTINGS_MODULE="arrears.settings")
    import django

    django.setup()


def _book(accounts: int, rng: random.Random) -> None:
    from django.contrib.auth.models import User

    from arrears.arrangements.models import Promise
    from arrears.compliance.models import ContactAttempt, GateCheck
    from arrears.ledger.models import BucketChange, Posting
    from arrears.portfolio.models import Account, Cardholder, Product
    from arrears.workbench.models import Collector, Team

    product = Product.objects.create(code="BENCH", name="Bench card")
    holders = Cardholder.objects.bulk_create(
        [Cardholder(external_id=f"BC{n}", name="王伟") for n in range(accounts)], batch_size=5000)
    rows = Account.objects.bulk_create(
        [Account(external_id=f"BA{n}", cardholder=h, product=product, credit_limit_minor=1,
                 open_date=date(2025, 6, 1)) for n, h in enumerate(holders)], batch_size=5000)
    team = Team.objects.create(name="Bench", channel="call")
    users = [User.objects.create_user(f"bench{n}") for n in range(10)]
    for user in users:
        Collector.objects.create(user=user, team=team)
    postings, changes, attempts, promises, checks = [], [], [], [], []
    seq = 0
    for account in rows:
        seq += 1
        postings.append(Posting(external_id=f"BP{seq}", account=account, kind="purchase",
                                amount_minor=rng.randint(10_000, 900_000),
                                posting_date=date(2025, 12, 1), value_date=date(2025, 12, 1),
                                source="import"))
        bucket = 0
        for month_end in MONTH_ENDS:
            seq += 1
            postings.append(Posting(external_id=f"BP{seq}", account=account, kind="interest",
                                    amount_minor=rng.randint(100, 5_000), posting_date=month_end,
                                    value_date=month_end, source="cycle"))
            day = month_end - timedelta(days=rng.randint(1, 25))
            step = rng.choice((-1, 0, 0, 1)) if bucket else rng.choice((0, 0, 0, 1))
            if bucket == 7 and rng.random() < 0.5:
                seq += 1
                postings.append(Posting(external_id=f"BP{seq}", account=account,
                                        kind="write_off", amount_minor=1, posting_date=day,
                                        value_date=day, source="import"))
                break
            if step:
                new = min(max(bucket + step, 0), 7)
                changes.append(BucketChange(account=account, changed_on=day,
                                            from_bucket=BUCKETS[bucket], to_bucket=BUCKETS[new],
                                            days_past_due=0))
                bucket = new
            if rng.random() < 0.33:
                seq += 1
                postings.append(Posting(external_id=f"BP{seq}", account=account, kind="payment",
                                        amount_minor=rng.randint(1_000, 50_000),
                                        posting_date=day, value_date=day, source="import"))
            if rng.random() < 0.2:
                user = rng.choice(users)
                moment = datetime.combine(day, datetime.min.time(), UTC)
                attempts.append(ContactAttempt(account=account, cardholder_id=account.cardholder_id,
                                               channel="call", at=moment, actor=user,
                                               outcome=rng.choice(("no_answer", "right_party"))))
                if rng.random() < 0.3:
                    promises.append(Promise(account=account, amount_minor=10_000, due_date=day,
                                            taken_by=user, taken_at=moment, status="kept",
                                            evaluated_on=day))
                if rng.random() < 0.1:
                    checks.append(GateCheck(account=account, at=moment, channel="call",
                                            purpose="collection", counterparty="debtor",
                                            verdict="block", decision="block",
                                            profile="CN-BANK", actor=user))
    Posting.objects.bulk_create(postings, batch_size=5000)
    BucketChange.objects.bulk_create(changes, batch_size=5000)
    ContactAttempt.objects.bulk_create(attempts, batch_size=5000)
    Promise.objects.bulk_create(promises, batch_size=5000)
    GateCheck.objects.bulk_create(checks, batch_size=5000)
    print(f"book: {accounts:,} accounts, {len(postings):,} postings, {len(changes):,} bucket "
          f"changes, {len(attempts):,} attempts, {len(promises):,} promises")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench-reports-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{home}/bench.sqlite3"
    _setup(url, home)
    from django.db import connection

    from arrears.reporting.selectors import (
        collector_performance,
        cure_rates,
        roll_rates,
        scope_for,
    )
    from arrears.workbench.models import Collector

    _book(args.accounts, random.Random(15))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    scope = scope_for(start=MONTH_ENDS[-2], end=MONTH_ENDS[-1], product_code="BENCH")
    figures = {
        "roll rates": best_seconds(lambda: roll_rates(scope)),
        "cure rates": best_seconds(lambda: cure_rates(scope)),
        "collector performance": best_seconds(lambda: collector_performance(
            start=MONTH_ENDS[-2] + timedelta(days=1), end=MONTH_ENDS[-1],
            collectors=Collector.objects.all())),
    }
    for name, seconds in figures.items():
        print(f"{connection.vendor} {name}: {seconds:.2f} s "
              f"({args.accounts / seconds / 1000:,.0f}k accounts/s)")


if __name__ == "__main__":
    main()
