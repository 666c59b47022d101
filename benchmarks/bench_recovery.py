"""How fast agency placement and commission are, on PostgreSQL.

    .venv/bin/python benchmarks/bench_recovery.py --accounts 100000 --agencies 10

Builds a fresh database (``--database-url``, a PostgreSQL database whose name contains
"bench": dropped and created again) with ``--accounts`` accounts, each with a balance position
and a sent entrustment letter, ``--agencies`` approved agencies with room for all of them, and
one payment per account. Then it times:

1. ``placement_batch_create``: the allocation, one gate answer per account (stored as gate
   checks), placements and refusals written in bulk;
2. ``commission_for`` of one agency for the month (two grouped queries over the ledger).
"""

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
DEFAULT_PG = "postgres://root@127.0.0.1:5432/bench_recovery"
AS_OF = date(2026, 3, 1)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--database-url", default=DEFAULT_PG)
    return parser.parse_args(argv)


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


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    os.environ.setdefault("ARREARS_HOME", str(Path("/tmp") / "bench_recovery_home"))
    import django

    django.setup()


def portfolio(accounts: int, agencies: int) -> None:
    from arrears.channels.models import OutboxMessage
    from arrears.ledger.models import AccountPosition, Posting
    from arrears.portfolio.models import Account, Cardholder, Product
    from arrears.recovery.models import Agency, CommissionLevel, CommissionTier

    product = Product.objects.create(code="BENCH", name="Bench card")
    Cardholder.objects.bulk_create(
        (Cardholder(external_id=f"BC-{n}", name=f"王{n}", national_id="110101199003070015",
                    time_zone="Asia/Shanghai") for n in range(accounts)), batch_size=5000)
    holders = dict(Cardholder.objects.values_list("external_id", "pk"))
    Account.objects.bulk_create(
        (Account(external_id=f"BA-{n}", cardholder_id=holders[f"BC-{n}"], product=product,
                 credit_limit_minor=5_000_000, open_date=date(2024, 1, 1))
         for n in range(accounts)), batch_size=5000)
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    buckets = ("M2", "M3", "M4", "M5", "M6")
    AccountPosition.objects.bulk_create(
        (AccountPosition(account_id=pk, as_of=AS_OF,
                         principal_minor=50_000 + (pk * 7919) % 9_000_000,
                         bucket=buckets[pk % 5], days_past_due=100) for pk in ids),
        batch_size=5000)
    sent = datetime(2026, 2, 20, tzinfo=UTC)
    OutboxMessage.objects.bulk_create(
        (OutboxMessage(idempotency_key=f"n-{pk}", account_id=pk, channel="letter",
                       template_code="CN-AGENCY", status="sent", sent_at=sent) for pk in ids),
        batch_size=5000)
    Posting.objects.bulk_create(
        (Posting(external_id=f"AG-{pk}", account_id=pk, kind="payment",
                 amount_minor=10_000 + pk % 5000, posting_date=date(2026, 3, 10),
                 value_date=date(2026, 3, 10), source="import") for pk in ids),
        batch_size=5000)
    for n in range(agencies):
        agency = Agency.objects.create(code=f"AG{n:02d}", name=f"Agency {n}",
                                       capacity=accounts, contract_from=date(2025, 1, 1),
                                       last_inspection_on=date(2025, 12, 1))
        tier = CommissionTier.objects.create(agency=agency)
        CommissionLevel.objects.create(tier=tier, collected_from_minor=0, rate="0.1")
        CommissionLevel.objects.create(tier=tier, collected_from_minor=10_000_000, rate="0.15")


def main(argv=None) -> None:
    args = parse_args(argv)
    database_reset(args.database_url)
    django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from arrears.portfolio.models import Account
    from arrears.recovery.models import Agency
    from arrears.recovery.services import commission_for, placement_batch_create

    started = time.perf_counter()
    portfolio(args.accounts, args.agencies)
    print(f"portfolio of {args.accounts:,} accounts built in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    batch = placement_batch_create(Account.objects.values("pk"), as_of=AS_OF, seed=1)
    seconds = time.perf_counter() - started
    print(f"placement: {batch.placed:,} placed, {batch.refused:,} not, across "
          f"{args.agencies} agencies in {seconds:.1f} s "
          f"({batch.candidates / seconds:,.0f} accounts/s)")
    started = time.perf_counter()
    statement = commission_for(Agency.objects.get(code="AG00"), date(2026, 3, 1),
                               date(2026, 3, 31))
    print(f"commission of one agency for the month: {statement.total_minor / 100:,.2f} in "
          f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
