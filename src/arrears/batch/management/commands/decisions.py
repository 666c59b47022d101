"""``arrears decisions --as-of DATE``: tonight's decisions for the whole portfolio."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.batch.engines import ENGINES, EngineError
from arrears.batch.models import DecisionRun
from arrears.batch.services import BatchError, cycle_done_check
from arrears.command_args import parse_date
from arrears.night.services import steps_run
from arrears.night.steps import DECISION_STEPS, StepError


class Command(BaseCommand):
    help = _(
        "Score, segment and decide the treatment of every account as of a date, build the call "
        "and visit queues, and publish them. Runs after 'arrears cycle' for the same date; "
        "running a date again replaces its decisions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                            help=_("The business date to decide for."))
        parser.add_argument("--engine", default="duckdb", choices=ENGINES,
                            help=_("Where the batch runs (default: embedded DuckDB)."))
        parser.add_argument("--no-progress", action="store_true",
                            help=_("Do not show a progress bar."))

    def handle(self, *args, **options):
        as_of = parse_date(options["as_of"])
        show_progress = not options["no_progress"] and sys.stderr.isatty()
        try:
            cycle_done_check(as_of)
            results = steps_run(as_of=as_of, names=DECISION_STEPS, engine=options["engine"],
                                show_bars=show_progress)
        except (BatchError, EngineError, StepError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(decisions_summary(
            DecisionRun.objects.get(pk=results["open"].details["decision_run"])))


def decisions_summary(run) -> str:
    lines = [_("Decisions for %(date)s: %(n)d accounts in %(s).1f s on %(engine)s.") % {
        "date": run.as_of, "n": run.accounts, "s": run.seconds, "engine": run.engine}]
    for treatment, count in sorted(run.counts_by_treatment.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {treatment:<18} {count:>10,}")
    return "\n".join(lines)
