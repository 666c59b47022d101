"""``arrears outbox send|fill|status``: send the outbox, fill it from a decision run, count it."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from arrears.batch.models import DecisionRun
from arrears.channels.models import OutboxMessage
from arrears.channels.worker import outbox_counts, outbox_send
from arrears.night.steps import outbox_fill


class Command(BaseCommand):
    help = _(
        "The outbox of messages and tasks. 'send' hands the due messages to their gateways "
        "through the compliance gate; 'fill' writes the messages of a decision run (default: "
        "the latest); 'status' counts messages by channel and status."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        send = actions.add_parser("send", help=_("Send the messages that are due."))
        send.add_argument("--limit", type=int, metavar="N",
                          help=_("Send at most N messages."))
        send.add_argument("--until-empty", action="store_true",
                          help=_("Keep going until no message is due (default: one pass of "
                                 "at most --limit or 1,000 messages)."))
        send.add_argument("--no-progress", action="store_true",
                          help=_("Do not show a progress bar."))
        fill = actions.add_parser("fill", help=_("Write the messages of a decision run."))
        fill.add_argument("--run", type=int, metavar="ID",
                          help=_("The decision run (default: the latest)."))
        actions.add_parser("status", help=_("Count messages by channel and status."))

    def handle(self, *args, **options):
        getattr(self, f"handle_{options['action']}")(options)

    def handle_send(self, options):
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError(_("--limit must be at least 1."))
        if not options["until_empty"] and limit is None:
            limit = 1000
        progress = not options["no_progress"] and sys.stderr.isatty()
        report = outbox_send(limit=limit, progress=progress)
        self.stdout.write(
            _("Sent %(sent)d, blocked %(blocked)d, delayed %(delayed)d, retry later "
              "%(retried)d, failed %(failed)d, reconciled %(reconciled)d.") % report.__dict__
        )
        self.write_counts(report.by_status)

    def handle_fill(self, options):
        runs = DecisionRun.objects.order_by("-started_at")
        run = runs.filter(pk=options["run"]).first() if options["run"] else runs.first()
        if run is None:
            raise CommandError(
                _("No decision run %(id)s.") % {"id": options["run"]} if options["run"]
                else _("No decision run yet: run 'arrears cycle' first.")
            )
        created = outbox_fill(run)
        self.stdout.write(_("Run %(run)d (%(date)s): %(n)d new messages in the outbox.") % {
            "run": run.pk, "date": run.as_of, "n": created})

    def handle_status(self, options):
        self.write_counts(outbox_counts())
        by_channel: dict[str, dict[str, int]] = {}
        for channel, status, n in (
            OutboxMessage.objects.values_list("channel", "status").annotate(n=Count("id"))
            .order_by()
        ):
            by_channel.setdefault(channel, {})[status] = n
        for channel, counts in sorted(by_channel.items()):
            cells = ", ".join(f"{s} {n:,}" for s, n in sorted(counts.items()))
            self.stdout.write(f"  {channel:<8} {cells}")

    def write_counts(self, counts: dict[str, int]) -> None:
        total = sum(counts.values())
        self.stdout.write(_("Outbox: %(n)d messages.") % {"n": total})
        for status, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {status:<14} {n:>10,}")
