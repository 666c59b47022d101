"""Where the time of ``arrears demo`` goes: each step's wall-clock and CPU seconds.

    .venv/bin/python benchmarks/bench_demo.py                # all 30,000 clients
    .venv/bin/python benchmarks/bench_demo.py --limit 5000

A fresh SQLite database in a temporary directory: migrations, the Taiwan conversion into the
five import files, each import, the demo users, the nightly cycle, the decisions and the
outbox — the steps ``arrears start`` runs (docs/operations.md, "The first start"). CPU seconds
are this process's; on a machine busy with other work the wall-clock figures grow, the CPU
figures much less.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


class Clock:
    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        print(f"{step:<28} {wall - self.wall:7.1f} s wall {cpu - self.cpu:7.1f} s CPU",
              flush=True)
        self.wall, self.cpu = wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="only the first N clients")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    os.environ.update(ARREARS_HOME=str(home), DJANGO_SETTINGS_MODULE="arrears.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from arrears.channels.worker import outbox_send
    from arrears.demo.services import demo_product_ensure, demo_users_ensure
    from arrears.imports.services import import_file
    from arrears.ledger.cycle import cycle_run
    from arrears.night.services import steps_run
    from arrears.night.steps import DECISION_STEPS
    from arrears.scoring.services import scorecard_ensure_default
    from arrears.scoring.taiwan import IMPORT_KINDS, taiwan_csv_path, taiwan_export
    from arrears.strategy.services import strategy_ensure_default
    from arrears.workbench.services import teams_ensure_demo

    clock = Clock()
    call_command("migrate", interactive=False, verbosity=0)
    clock.lap("migrations")
    demo_product_ensure()
    export = taiwan_export(source=taiwan_csv_path(), out_dir=home / "demo",
                           anchor=date(2026, 10, 1), limit=args.limit)
    clock.lap(f"conversion ({export.accounts:,})")
    for kind in IMPORT_KINDS:
        report = import_file(kind=kind, path=export.paths[kind])
        assert report.committed, report.errors[:3]
        clock.lap(f"import {kind} ({report.created:,})")
    demo_users_ensure(password="bench-demo")
    teams_ensure_demo(password="bench-demo")
    clock.lap("users")
    scorecard_ensure_default()
    strategy_ensure_default()
    with transaction.atomic():
        cycle_run(as_of=export.timeline.data_end)
    clock.lap("cycle")
    steps_run(as_of=export.timeline.data_end, names=DECISION_STEPS)
    clock.lap("decisions")
    sent = outbox_send().by_status
    clock.lap(f"outbox ({sum(sent.values()):,})")


if __name__ == "__main__":
    main()
