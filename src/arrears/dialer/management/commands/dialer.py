"""``arrears dialer``: export the calls the gate allows now, import the dialer's results."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.dialer.services import DialerError, call_results_import, call_tasks_export


class Command(BaseCommand):
    help = _("Export call tasks to the dialer (gate-checked) and import call results.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser(
            "export", help=_("Write the calls the compliance gate allows now to a CSV file.")
        )
        export.add_argument("file", type=Path, metavar="FILE")
        export.add_argument("--limit", type=int, metavar="N", help=_("At most N calls."))
        export.add_argument("--no-progress", action="store_true",
                            help=_("Do not show a progress bar."))
        results = actions.add_parser(
            "results",
            help=_("Import call results: CSV task_id,started_at,result,duration_seconds,"
                   "recording_ref,agent."),
        )
        results.add_argument("file", type=Path, metavar="FILE")
        results.add_argument("--skip-bad-rows", action="store_true",
                             help=_("Import the good rows and list the bad ones."))

    def handle(self, *args, **options):
        try:
            getattr(self, f"handle_{options['action']}")(options)
        except DialerError as error:
            raise CommandError(str(error)) from None

    def handle_export(self, options):
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError(_("--limit must be at least 1"))
        progress = not options["no_progress"] and sys.stderr.isatty()
        report = call_tasks_export(options["file"], limit=options["limit"], progress=progress)
        self.stdout.write(
            _("Exported %(exported)d calls to %(path)s (batch %(batch)s); delayed by the gate: "
              "%(delayed)d, blocked: %(blocked)d.")
            % {"exported": report.exported, "path": options["file"], "batch": report.batch_id,
               "delayed": report.delayed, "blocked": report.blocked})

    def handle_results(self, options):
        report = call_results_import(options["file"], skip_bad_rows=options["skip_bad_rows"])
        for line, message in report.skipped:
            self.stderr.write(_("line %(line)d skipped: %(message)s")
                              % {"line": line, "message": message})
        self.stdout.write(
            _("Imported %(imported)d call results (%(already)d already imported, %(skipped)d "
              "bad rows skipped); %(traces)d numbers sent to skip tracing.")
            % {"imported": report.imported, "already": report.already,
               "skipped": len(report.skipped), "traces": report.skip_traces})
