"""A small portfolio built the way a bank's data arrives: import files, then ledger services."""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from arrears.imports.services import import_file
from arrears.ledger.cycle import cycle_run
from arrears.ledger.services import payment_post, reversal_post
from arrears.portfolio.models import Account

AS_OF = date(2026, 10, 10)
CYCLES = [date(2026, m, 20) for m in (5, 6, 7, 8, 9)]
FLAG_CHOICES = ["", "", "", "vip", "complaint", "hardship;complaint", "deceased;dispute",
                "cease_contact", "bankruptcy;vip", "dispute"]


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(kind: str, path: Path) -> None:
    report = import_file(kind=kind, path=path)
    assert report.committed, report.errors[:3]


def portfolio_build(directory: Path, *, accounts: int, seed: int = 7, as_of: date = AS_OF,
                    product: str = "STD") -> list[Account]:
    """``accounts`` accounts with five statements, payments of every kind (on time, partial,
    none, reversed) posted through the ledger services, cardholder flags, and the cycle run."""
    from tests.factories import make_product

    make_product(code=product, currency="CNY")
    rng = random.Random(seed)
    holders, rows, statements, purchases, plans = [], [], [], [], []
    for n in range(1, accounts + 1):
        amount = rng.choice([80_00, 1_500_00, 6_000_00, 25_000_00, 90_000_00])
        limit = rng.choice([amount, amount * 2, 100_000_00])
        holders.append([f"C{n}", f"Holder {n}", rng.choice(FLAG_CHOICES),
                        rng.choice(["zh-hans", "zh-hans", "en"])])
        rows.append([f"A{n}", f"C{n}", product, f"{limit / 100:.2f}", "2026-01-15"])
        purchases.append([f"P{n}", f"A{n}", "purchase", f"{amount / 100:.2f}", "2026-04-02"])
        minimum = max(amount // 10, 100_00) if amount > 100_00 else amount
        for cycle in CYCLES[: rng.randint(0, 5)] if n % 9 == 0 else CYCLES:
            statements.append([f"S{n}-{cycle:%m}", f"A{n}", cycle.isoformat(),
                               (cycle + timedelta(days=25)).isoformat(),
                               f"{amount / 100:.2f}", f"{minimum / 100:.2f}"])
        plans.append((f"A{n}", n % 5, minimum))
    directory.mkdir(parents=True, exist_ok=True)
    _import("cardholders", _write(directory / "cardholders.csv",
                                  ["external_id", "name", "flags", "language"], holders))
    _import("accounts", _write(directory / "accounts.csv",
                               ["external_id", "cardholder_id", "product", "credit_limit",
                                "open_date"], rows))
    _import("statements", _write(directory / "statements.csv",
                                 ["external_id", "account_id", "cycle_date", "due_date",
                                  "statement_balance", "minimum_due"], statements))
    _import("postings", _write(directory / "postings.csv",
                               ["external_id", "account_id", "kind", "amount", "posting_date"],
                               purchases))
    by_id = {a.external_id: a for a in Account.objects.all()}
    for external_id, pattern, minimum in plans:
        _pay(by_id[external_id], pattern, minimum, rng)
    cycle_run(as_of=as_of)
    return list(Account.objects.order_by("pk"))


def _pay(account: Account, pattern: int, minimum: int, rng: random.Random) -> None:
    """0 pays every minimum, 1 never pays, 2 paid once then stopped, 3 a payment bounced
    (reversed), 4 pays part of the minimum."""
    if pattern == 1:
        return
    months = CYCLES[:1] if pattern == 2 else CYCLES
    for cycle in months:
        amount = minimum if pattern != 4 else max(minimum // 3, 1)
        when = cycle + timedelta(days=rng.randint(3, 24))
        payment_id = f"PAY-{account.external_id}-{cycle:%m}"
        payment_post(account=account, external_id=payment_id, amount_minor=amount,
                     posting_date=when)
        if pattern == 3 and cycle == CYCLES[-1]:
            reversal_post(external_id=f"REV-{payment_id}", reverses_external_id=payment_id,
                          posting_date=when + timedelta(days=2), reason="bounced")


@pytest.fixture
def small_portfolio(db, tmp_path):
    return portfolio_build(tmp_path / "portfolio", accounts=40)


def pytest_configure(config):
    config.addinivalue_line("markers", "spark: runs the batch on a local PySpark session")


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole test run (starting one takes seconds)."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("arrears-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    yield session
    session.stop()
