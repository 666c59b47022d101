"""``arrears cycle --as-of DATE``: the nightly re-aging of the whole portfolio."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.arrangements.services import arrangements_evaluate
from arrears.batch.management.commands.decisions import decisions_summary
from arrears.batch.services import BatchError, decisions_run
from arrears.channels.worker import outbox_send
from arrears.command_args import parse_date
from arrears.ledger.cycle import cycle_run
from arrears.ledger.services import CycleError


class Command(BaseCommand):
    help = _(
        "The nightly run for a business date: post the overdue interest and late fees due up to "
        "that day, re-age every account (balances, days past due, buckets), judge promises and "
        "instalment plans against the payments, then score, segment and decide every account "
        "with the live scorecard and strategy, build the work queues and the night's outbox, "
        "and send what the compliance gate allows now. Days missed since the last run are "
        "caught up; running the same date again changes nothing and sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                            help=_("The business date to run the cycle for."))
        parser.add_argument("--no-progress", action="store_true",
                            help=_("Do not show a progress bar."))
        parser.add_argument("--no-decisions", action="store_true",
                            help=_("Only post charges and re-age; do not score, decide or queue."))
        parser.add_argument("--no-send", action="store_true",
                            help=_("Decide and fill the outbox, but leave the sending to "
                                   "'arrears outbox send'."))

    def handle(self, *args, **options):
        as_of = parse_date(options["as_of"])
        try:
            show_progress = not options["no_progress"] and sys.stderr.isatty()
            run = cycle_run(as_of=as_of, progress=show_progress)
        except CycleError as error:
            raise CommandError(str(error)) from None
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(_("Cycle for %(date)s: %(n)d accounts in %(s).1f s, %(i)d interest and "
                            "%(f)d late-fee postings.") % {
            "date": as_of, "n": run.accounts, "s": seconds, "i": run.interest_postings,
            "f": run.fee_postings})
        for bucket, count in sorted(run.counts_by_bucket.items()):
            self.stdout.write(f"  {bucket:<4} {count:>10,}")
        if options["no_decisions"]:
            return
        evaluation = arrangements_evaluate(as_of)
        self.stdout.write(_("Arrangements: promises %(p)s, plans %(l)s, %(r)d reminders.") % {
            "p": _counts(evaluation.promises), "l": _counts(evaluation.plans),
            "r": evaluation.reminders})
        try:
            decisions = decisions_run(as_of=as_of, progress=show_progress)
        except BatchError as error:
            raise CommandError(
                _("The accounts are aged, but no decisions were made: %(reason)s")
                % {"reason": error}
            ) from None
        self.stdout.write(decisions_summary(decisions))
        if options["no_send"]:
            return
        sent = outbox_send(progress=show_progress)
        self.stdout.write(_("Outbox: %(sent)d sent, %(delayed)d delayed to a lawful time, "
                            "%(blocked)d blocked by the compliance gate, %(failed)d failed.")
                          % {"sent": sent.sent, "delayed": sent.delayed,
                             "blocked": sent.blocked, "failed": sent.failed})


def _counts(counter) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items())) or "0"
