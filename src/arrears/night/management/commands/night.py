"""``arrears night --as-of DATE [--files DIR]``: the whole night, step by step, resumable.

A thin shell over :func:`arrears.night.services.night_run`. Like every command it runs as the
system on the server (docs/security.md, "Commands"): it prints counts and timings, never a
person's data; the steps it runs are audited as the night.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.batch.engines import ENGINES
from arrears.command_args import parse_date
from arrears.night.models import Status, StepRun
from arrears.night.services import NightAlreadyDone, NightError, night_run
from arrears.night.steps import STEP_NAMES, step_label


def _epilog() -> str:
    lines = [_("The steps, in order:")]
    for position, name in enumerate(STEP_NAMES, start=1):
        lines.append(f"  {position:>2}. {name:<13} {step_label(name)}")
    lines += [
        "",
        _("Each step is recorded (arrears admin: Night runs). If the night stops — a crash, a "
          "killed process, a failed step — run the same command again: the steps already "
          "done are kept and the night goes on from the step that did not finish. A night "
          "that is done is not run twice unless you say --again; running it again changes "
          "nothing that was right and sends nothing twice."),
        "",
        _("The files directory holds the day's import files, each named after its kind "
          "(cardholders, contacts, products, accounts, statements, postings), e.g. "
          "postings-2026-03-01.csv or statements.parquet; they are imported in that order, "
          "each file all-or-nothing."),
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = _(
        "Run the night for a business date: import the day's files, post interest and fees "
        "and re-age every account, judge promises and plans, score, segment and decide every "
        "account, publish the decisions, build the work queues and the outbox, then send what "
        "the compliance gate allows now. Shows each step's progress and prints the step "
        "timings at the end."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, epilog=_epilog(), **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                            help=_("The business date of the night."))
        parser.add_argument("--files", type=Path, metavar="DIR",
                            help=_("A directory with the day's import files (optional)."))
        parser.add_argument("--again", action="store_true",
                            help=_("Run every step again, even for a night that is done."))
        parser.add_argument("--no-send", action="store_true",
                            help=_("Fill the outbox but leave the sending to 'arrears outbox "
                                   "send'."))
        parser.add_argument("--engine", default="duckdb", choices=ENGINES,
                            help=_("Where the decisions are computed (default: embedded "
                                   "DuckDB)."))
        parser.add_argument("--no-progress", action="store_true",
                            help=_("Do not show progress bars."))

    def handle(self, *args, **options):
        as_of = parse_date(options["as_of"], "--as-of")
        files = options["files"]
        if files is not None and not files.is_dir():
            raise CommandError(_("--files: %(dir)s is not a directory.") % {"dir": files})
        show_bars = not options["no_progress"] and sys.stderr.isatty()
        try:
            night = night_run(as_of=as_of, files=files, again=options["again"],
                              send=not options["no_send"], engine=options["engine"],
                              show_bars=show_bars, progress=self.progress)
        except NightAlreadyDone as done:
            self.stdout.write(str(done))
            self.timings(StepRun.objects.filter(night__as_of=as_of))
            return
        except NightError as error:
            self.timings(StepRun.objects.filter(night__as_of=as_of))
            raise CommandError(str(error)) from None
        self.stdout.write(_("The night of %(date)s is done.") % {"date": as_of})
        self.timings(night.steps.all())

    def progress(self, event: str, step: StepRun) -> None:
        total = len(STEP_NAMES)
        head = f"[{step.position}/{total}] {step_label(step.step)}"
        if event == "start":
            self.stdout.write(f"{head} …")
            self.stdout.flush()
            return
        state = {Status.DONE: _("done"), Status.SKIPPED: _("skipped"),
                 Status.FAILED: _("failed")}.get(step.status, step.get_status_display())
        line = f"{head}: {state} ({step.seconds:.1f} s)"
        counts = _counts_text(step.counts)
        self.stdout.write(f"{line}  {counts}" if counts else line)

    def timings(self, steps) -> None:
        rows = list(steps.order_by("position"))
        if not rows:
            return
        self.stdout.write("")
        self.stdout.write(f"{_('step'):<14} {_('status'):<9} {_('seconds'):>9} "
                          f"{_('attempts'):>8}")
        total = 0.0
        for row in rows:
            total += row.seconds
            self.stdout.write(f"{row.step:<14} {row.get_status_display():<9} "
                              f"{row.seconds:>9.1f} {row.attempts:>8}")
        self.stdout.write(f"{_('total'):<14} {'':<9} {total:>9.1f}")


def _counts_text(counts: dict) -> str:
    parts = []
    for key, value in counts.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in sorted(value.items())) or "0"
            parts.append(f"{key}: {value}")
        else:
            parts.append(f"{key} {value:,}" if isinstance(value, int) else f"{key} {value}")
    return "; ".join(parts)
