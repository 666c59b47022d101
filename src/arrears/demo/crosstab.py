"""Our bucket for every Taiwan client against the data's own repayment status ``PAY_0``.

Run ``python -m arrears.demo.crosstab [--csv PATH] [--limit N]`` to print the table as
Markdown. Pure rules only: no database is needed.

The aging date is the data's last day, the September statement's date + 10 days (30
September in the data's calendar, the end of its last month): the August statement was due on
the 15th, so an unpaid minimum is then 15 days late (M1), one left unpaid since the July
statement 46 days (M2), and so on — the same "months of delay" that ``PAY_0`` counts, while
no payment after the data's last one (the 10th of the month) is missing yet.
"""

import argparse
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import django

from arrears.rules.aging import BUCKET_CODES
from arrears.rules.charges import ProductTerms
from arrears.scoring.taiwan import (
    DATA_LAST_MONTH,
    TW_TERMS,
    TaiwanClient,
    TaiwanDataError,
    Timeline,
    account_history,
    client_delinquency,
    clients_read,
    taiwan_csv_path,
)

PAY_STATUS_LABELS = {
    -2: "no consumption",
    -1: "paid duly",
    0: "revolving (minimum paid)",
}


@dataclass(frozen=True)
class CrossTab:
    counts: Counter  # (PAY_0, bucket) -> clients
    statuses: tuple[int, ...]
    buckets: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def bucket_totals(self) -> dict[str, int]:
        return {b: sum(n for (_, bb), n in self.counts.items() if bb == b) for b in self.buckets}

    def markdown(self) -> str:
        header = "| PAY_0 | " + " | ".join(self.buckets) + " | total |"
        lines = [header, "|---" * (len(self.buckets) + 2) + "|"]
        for status in self.statuses:
            row = [self.counts.get((status, b), 0) for b in self.buckets]
            label = PAY_STATUS_LABELS.get(status, f"{status} month{'s' if status > 1 else ''} late")
            lines.append(f"| {status} ({label}) | " + " | ".join(f"{n:,}" for n in row)
                         + f" | {sum(row):,} |")
        totals = self.bucket_totals()
        lines.append("| **total** | " + " | ".join(f"{totals[b]:,}" for b in self.buckets)
                     + f" | {self.total:,} |")
        return "\n".join(lines)


def taiwan_crosstab(
    clients: Iterable[TaiwanClient], *, terms: ProductTerms = TW_TERMS,
    timeline: Timeline | None = None,
) -> CrossTab:
    """Count clients by (``PAY_0``, our bucket at the data's last day)."""
    timeline = timeline or Timeline(DATA_LAST_MONTH)  # the table depends only on date spacing
    counts: Counter = Counter()
    for client in clients:
        history = account_history(client, timeline, terms)
        bucket = client_delinquency(history, timeline.data_end, terms).bucket
        counts[(client.last_pay_status, bucket)] += 1
    statuses = tuple(sorted({s for s, _ in counts}))
    return CrossTab(counts, statuses, BUCKET_CODES)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    django.setup()  # for the translated error messages
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="UCI_Credit_Card.csv (default: found for you)")
    parser.add_argument("--limit", type=int, help="only the first N clients")
    args = parser.parse_args(argv)
    try:
        path = args.csv or taiwan_csv_path()
        table = taiwan_crosstab(clients_read(path, limit=args.limit))
    except (TaiwanDataError, OSError) as error:
        parser.exit(2, f"{error}\n")
    print(table.markdown())


if __name__ == "__main__":
    main()
