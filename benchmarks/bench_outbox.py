"""How fast the night's messages are written to the outbox and sent.

    .venv/bin/python benchmarks/bench_outbox.py --accounts 30000 --send 2000

A fresh SQLite database in a temporary directory (or ``--database-url`` of a PostgreSQL
database whose name contains "bench", dropped and created again) gets ``--accounts`` accounts
with a mobile, an e-mail address and a billing address each, and one decision run that gives
them SMS, letters and calls. It prints the time of ``outbox_fill_for_run`` (render every
message and write it) and of ``outbox_send`` for ``--send`` SMS through the simulator gateway
(each one asks the compliance gate and is recorded in the contact ledger).
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=30_000)
    parser.add_argument("--send", type=int, default=2_000, help="SMS to send after the fill")
    parser.add_argument("--database-url", help="PostgreSQL URL whose name contains 'bench'")
    return parser.parse_args()


def prepare_database(url: str | None) -> None:
    if not url:
        home = tempfile.mkdtemp(prefix="bench_outbox_")
        os.environ["ARREARS_HOME"] = home
        os.environ["DATABASE_URL"] = f"sqlite:///{home}/bench.sqlite3"
        return
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit("the database name must contain 'bench'")
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url


def fill_portfolio(n: int):
    from django.utils import timezone

    from arrears.batch.models import Decision, DecisionRun
    from arrears.ledger.models import AccountPosition
    from arrears.portfolio.models import Account, Cardholder, ContactPoint, Product

    product = Product.objects.create(code="BENCH", name="Bench card")
    Cardholder.objects.bulk_create(
        [Cardholder(external_id=f"C{i}", name=f"持卡人{i}", language="zh-hans" if i % 5 else "en")
         for i in range(n)], batch_size=5000)
    holders = dict(Cardholder.objects.values_list("external_id", "pk"))
    Account.objects.bulk_create(
        [Account(external_id=f"62220200{i:08d}", cardholder_id=holders[f"C{i}"], product=product,
                 credit_limit_minor=5_000_000, open_date=date(2024, 1, 1)) for i in range(n)],
        batch_size=5000)
    points = []
    for i in range(n):
        holder = holders[f"C{i}"]
        points += [
            ContactPoint(external_id=f"M{i}", cardholder_id=holder, kind="mobile",
                         value=f"138{i:08d}"),
            ContactPoint(external_id=f"E{i}", cardholder_id=holder, kind="email",
                         value=f"c{i}@example.com"),
            ContactPoint(external_id=f"B{i}", cardholder_id=holder, kind="billing_address",
                         value="上海市浦东新区世纪大道100号"),
        ]
    ContactPoint.objects.bulk_create(points, batch_size=5000)
    accounts = list(Account.objects.values_list("pk", flat=True))
    AccountPosition.objects.bulk_create(
        [AccountPosition(account_id=a, as_of=date.today(), principal_minor=1_000_000 + a,
                         past_due_minor=30_000, days_past_due=35, bucket="M2")
         for a in accounts], batch_size=5000)
    run = DecisionRun.objects.create(as_of=date.today(), started_at=timezone.now())
    treatments = [("sms", "CN-SMS-M1"), ("sms", "CN-SMS-M1"), ("letter", "CN-LTR-M2-NOTICE"),
                  ("call", "CN-CALL-M2")]
    Decision.objects.bulk_create(
        [Decision(run=run, account_id=a, segment="S", rule_id="R",
                  treatment=treatments[i % 4][0], template=treatments[i % 4][1])
         for i, a in enumerate(accounts)], batch_size=5000)
    return run


def main() -> None:
    args = parse_args()
    prepare_database(args.database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from arrears.channels.adapters import SimulatorSmsGateway, adapter_register
    from arrears.channels.services import outbox_fill_for_run
    from arrears.channels.worker import outbox_send

    started = time.perf_counter()
    run = fill_portfolio(args.accounts)
    seconds = time.perf_counter() - started
    print(f"portfolio of {args.accounts:,} accounts loaded in {seconds:.1f} s")
    started = time.perf_counter()
    created = outbox_fill_for_run(run)
    seconds = time.perf_counter() - started
    print(f"outbox_fill_for_run: {created:,} messages in {seconds:.2f} s "
          f"({created / seconds:,.0f} a second)")
    adapter_register(SimulatorSmsGateway())
    daytime = datetime.combine(date.today() + timedelta(days=1), datetime.min.time(),
                               tzinfo=ZoneInfo("Asia/Shanghai")) + timedelta(hours=10)
    from arrears.channels.models import OutboxMessage

    OutboxMessage.objects.exclude(channel="sms").update(status="failed")
    started = time.perf_counter()
    report = outbox_send(now=daytime, limit=args.send)
    seconds = time.perf_counter() - started
    print(f"outbox_send: {report.sent:,} SMS sent (blocked {report.blocked}, delayed "
          f"{report.delayed}) in {seconds:.2f} s ({report.claimed / seconds:,.0f} a second)")


if __name__ == "__main__":
    main()
