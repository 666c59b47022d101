"""``arrears letters``: print batches, registered-mail tracking numbers, one letter's PDF."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.letters.models import Letter
from arrears.letters.services import (
    LetterError,
    print_batch_create,
    tracking_numbers_import,
)


class Command(BaseCommand):
    help = _("Print batches for the print house, registered-mail numbers, one letter's PDF.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        batch = actions.add_parser(
            "batch", help=_("Put the letters waiting for print into one ZIP with a manifest.")
        )
        batch.add_argument("--out", type=Path, metavar="DIR",
                           help=_("Where to write the ZIP (default ARREARS_HOME/letters)."))
        batch.add_argument("--limit", type=int, metavar="N", help=_("At most N letters."))
        batch.add_argument("--no-progress", action="store_true",
                           help=_("Do not show a progress bar."))
        tracking = actions.add_parser(
            "tracking",
            help=_("Record registered-mail numbers: CSV letter_id,tracking_number[,posted_on]."),
        )
        tracking.add_argument("file", type=Path, metavar="FILE")
        show = actions.add_parser("show", help=_("Show one letter; --pdf writes its PDF."))
        show.add_argument("letter_id", type=int, metavar="ID")
        show.add_argument("--pdf", type=Path, metavar="OUT.pdf", help=_("Write the PDF here."))

    def handle(self, *args, **options):
        try:
            getattr(self, f"handle_{options['action']}")(options)
        except LetterError as error:
            raise CommandError(str(error)) from None

    def handle_batch(self, options):
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError(_("--limit must be at least 1"))
        progress = not options["no_progress"] and sys.stderr.isatty()
        batch = print_batch_create(out_dir=options["out"], limit=options["limit"],
                                   progress=progress)
        if batch is None:
            self.stdout.write(_("No letters are waiting for print."))
            return
        self.stdout.write(_("Print batch %(id)d: %(n)d letters in %(path)s")
                          % {"id": batch.pk, "n": batch.letter_count, "path": batch.path})

    def handle_tracking(self, options):
        count = tracking_numbers_import(options["file"])
        self.stdout.write(_("Recorded %(n)d registered-mail numbers.") % {"n": count})

    def handle_show(self, options):
        letter = Letter.objects.select_related("account").filter(pk=options["letter_id"]).first()
        if letter is None:
            raise CommandError(_("no letter with id %(id)d") % {"id": options["letter_id"]})
        rows = [
            (_("letter"), letter.pk),
            (_("account"), letter.account.external_id),
            (_("status"), letter.get_status_display()),
            (_("language"), letter.language),
            (_("template"), f"{letter.template_code} v{letter.template_version or '-'}"),
            (_("pages"), letter.pages),
            (_("print batch"), letter.print_batch_id or "-"),
            (_("registered mail number"), letter.tracking_number or "-"),
            (_("posted"), letter.posted_at.isoformat() if letter.posted_at else "-"),
        ]
        for label, value in rows:
            self.stdout.write(f"{label:<24}{value}")
        if options["pdf"]:
            try:
                options["pdf"].write_bytes(bytes(letter.pdf))
            except OSError as error:
                raise CommandError(_("cannot write %(path)s: %(error)s")
                                   % {"path": options["pdf"], "error": error}) from None
            self.stdout.write(_("PDF written to %(path)s") % {"path": options["pdf"]})
