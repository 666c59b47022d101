"""How long a payoff quote takes as its horizon grows, on a two-year ledger.

    .venv/bin/python benchmarks/bench_payoff.py

The projection of interest and fees works per breakpoint (postings, statements, due dates), so
the time barely moves between 30 days and ten years ahead; the day-by-day projection it
replaced folded the whole ledger again for every day (~28 s of CPU for ten years on the demo).
No database is touched.
"""

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def busy_ledger(months: int = 24):
    from arrears.rules.aging import StatementDue
    from arrears.rules.ledger import Entry

    entries, statements, key = [], [], 0
    for month in range(months):
        cycle = date(2024, 1, 20) + timedelta(days=30 * month)
        for kind, offset, amount in (("purchase", 3, 50_000), ("payment", 25, 8_000)):
            key += 1
            entries.append(Entry(key, kind, amount, cycle + timedelta(days=offset)))
        statements.append(StatementDue(cycle, cycle + timedelta(days=25), 20_000))
    return entries, statements


def main() -> None:
    from arrears.rules.accrual import payoff_quote
    from arrears.rules.charges import ProductTerms

    entries, statements = busy_ledger()
    today = date(2026, 1, 1)
    print(f"{'days ahead':>10}  {'median ms':>9}")
    for days in (30, 366, 3 * 366, 10 * 366):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            payoff_quote(entries=entries, statements=statements,
                         terms=ProductTerms(min_payment_floor=0), accrued_through=today,
                         payoff_date=today + timedelta(days=days))
            times.append(time.perf_counter() - started)
        print(f"{days:>10}  {statistics.median(times) * 1000:>9.2f}")


if __name__ == "__main__":
    main()
