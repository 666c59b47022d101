"""``arrears cycle --as-of DATE``: the nightly re-aging of the whole portfolio."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.batch.management.commands.decisions import decisions_summary
from arrears.batch.models import DecisionRun
from arrears.command_args import parse_date
from arrears.ledger.models import CycleRun
from arrears.night.services import steps_run
from arrears.night.steps import StepError

#: The steps of the night this command runs after the cycle (``arrears night`` runs them all,
#: with its records; this command is the same services without them).
AFTER_CYCLE = ("arrangements", "snapshot", "decisions", "publish", "queues", "outbox", "open")


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
        show_progress = not options["no_progress"] and sys.stderr.isatty()
        try:
            cycle = steps_run(as_of=as_of, names=("cycle",), show_bars=show_progress)["cycle"]
        except StepError as error:
            raise CommandError(str(error)) from None
        run = CycleRun.objects.get(pk=cycle.details["cycle_run"])
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(_("Cycle for %(date)s: %(n)d accounts in %(s).1f s, %(i)d interest and "
                            "%(f)d late-fee postings.") % {
            "date": as_of, "n": run.accounts, "s": seconds, "i": run.interest_postings,
            "f": run.fee_postings})
        for bucket, count in sorted(run.counts_by_bucket.items()):
            self.stdout.write(f"  {bucket:<4} {count:>10,}")
        if options["no_decisions"]:
            return
        names = AFTER_CYCLE + (() if options["no_send"] else ("send",))
        try:
            results = steps_run(as_of=as_of, names=names, show_bars=show_progress)
        except StepError as error:
            raise CommandError(
                _("The accounts are aged, but no decisions were made: %(reason)s")
                % {"reason": error}
            ) from None
        evaluation = results["arrangements"].counts
        self.stdout.write(_("Arrangements: promises %(p)s, plans %(l)s, %(r)d reminders.") % {
            "p": _counts(evaluation["promises"]), "l": _counts(evaluation["plans"]),
            "r": evaluation["reminders"]})
        decisions = DecisionRun.objects.get(pk=results["open"].details["decision_run"])
        self.stdout.write(decisions_summary(decisions))
        if options["no_send"]:
            return
        sent = results["send"].counts
        self.stdout.write(_("Outbox: %(sent)d sent, %(delayed)d delayed to a lawful time, "
                            "%(blocked)d blocked by the compliance gate, %(failed)d failed.")
                          % sent)


def _counts(counter) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items())) or "0"
