"""``arrears arrangements evaluate [--as-of DATE]``: the nightly look at promises, plans and
settlements."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.arrangements.services import arrangements_evaluate
from arrears.command_args import parse_date


class Command(BaseCommand):
    help = _("Payment arrangements: evaluate promises, plans and settlements from the ledger.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="ACTION")
        actions.required = True
        evaluate = actions.add_parser(
            "evaluate", help=_("Judge promises (kept, partly kept, broken), plan instalments "
                               "(paid, late, breached) and settlements; queue reminders."))
        evaluate.add_argument("--as-of", metavar="YYYY-MM-DD",
                              help=_("Business date (default: today)."))
        evaluate.add_argument("--json", action="store_true", help=_("Print the report as JSON."))

    def handle(self, *args, **options):
        as_of = (parse_date(options["as_of"], "--as-of") if options["as_of"]
                 else timezone.localdate())
        if as_of > timezone.localdate():
            raise CommandError(_("--as-of cannot be after today (%(today)s).")
                               % {"today": timezone.localdate()})
        report = arrangements_evaluate(as_of).as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(_("Arrangements as of %(date)s") % {"date": report["as_of"]})
        rows = [
            (_("promises"), report["promises"]), (_("plans"), report["plans"]),
            (_("settlements"), report["settlements"]),
        ]
        for label, counts in rows:
            shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "—"
            self.stdout.write(f"  {label}: {shown}")
        self.stdout.write("  " + _("instalments paid: %(n)d") % {"n": report["instalments_paid"]})
        self.stdout.write("  " + _("reminders queued: %(n)d") % {"n": report["reminders"]})
        self.stdout.write("  " + _("ledger postings: %(n)d") % {"n": report["ledger_postings"]})
