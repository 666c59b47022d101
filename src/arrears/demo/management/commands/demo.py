"""``arrears demo``: database, demo portfolio (the Taiwan clients), demo users, first cycle."""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.channels.models import OutboxMessage
from arrears.demo.crosstab import taiwan_crosstab
from arrears.demo.progress import StagePrinter
from arrears.demo.services import DEMO_PASSWORD, SUPERUSER, DemoError, demo_load
from arrears.scoring.taiwan import TaiwanDataError, clients_read, parse_anchor, taiwan_csv_path
from arrears.users.roles import PERSON_ROLE_CODES
from arrears.workbench.services import DEMO_COLLECTORS


class Command(BaseCommand):
    help = _(
        "Create the tables, load the demo portfolio (30,000 real Taiwanese card accounts with "
        "synthetic personal data), create one demo user per role and run the first nightly "
        "cycle. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, metavar="N",
                            help=_("Load only the first N clients."))
        parser.add_argument("--anchor", metavar="YYYY-MM",
                            help=_("The month that stands for the data's last month "
                                   "(September 2005). Default: the latest month already over."))
        parser.add_argument("--password",
                            help=_("Password of the demo users (default: %(default)s).")
                            % {"default": DEMO_PASSWORD})
        parser.add_argument("--reload", action="store_true",
                            help=_("Convert and import the files again even if loaded."))
        parser.add_argument("--crosstab", action="store_true",
                            help=_("Only print our buckets against the data's PAY_0 status."))
        parser.add_argument("--no-progress", action="store_true",
                            help=_("Do not show progress bars."))

    def handle(self, *args, **options):
        try:
            if options["crosstab"]:
                table = taiwan_crosstab(clients_read(taiwan_csv_path(), limit=options["limit"]))
                self.stdout.write(table.markdown())
                return
            anchor = parse_anchor(options["anchor"]) if options["anchor"] else None
            if options["limit"] is not None and options["limit"] < 1:
                raise CommandError(_("--limit must be at least 1."))
            stages = StagePrinter(self.stdout)
            with stages(_("Database: creating or upgrading the tables")):
                call_command("migrate", interactive=False, verbosity=0)
            progress = not options["no_progress"] and sys.stderr.isatty()
            result = demo_load(anchor=anchor, limit=options["limit"], reload=options["reload"],
                               password=options["password"], progress=progress,
                               say=stages.say, stage=stages)
        except (DemoError, TaiwanDataError) as error:
            raise CommandError(str(error)) from None
        self._report(result, options["password"] or DEMO_PASSWORD)

    def _report(self, result, password: str) -> None:
        if result.loaded_now:
            for report in result.reports:
                self.stdout.write(_("  %(kind)-12s %(created)8d created, %(unchanged)8d "
                                    "unchanged") % {"kind": report.kind,
                                                    "created": report.created,
                                                    "unchanged": report.unchanged})
        else:
            self.stdout.write(_("The demo portfolio is already loaded."))
        self.stdout.write(_("%(n)d demo accounts; the data's September 2005 is %(month)s, "
                            "its last day %(end)s.") % {
            "n": result.accounts, "month": f"{result.anchor:%Y-%m}", "end": result.data_end})
        if result.cycle_ran:
            self.stdout.write(_("Nightly cycle run for %(date)s.") % {"date": result.data_end})
        if result.outbox:
            labels = dict(OutboxMessage.Status.choices)
            counts = ", ".join(f"{labels.get(status, status)} {count:,}"
                               for status, count in sorted(result.outbox.items()))
            self.stdout.write(_("The night's outbox (/channels/outbox/): %(counts)s")
                              % {"counts": counts})
        self.stdout.write(users_text(created=bool(result.users_created), password=password))
        self.stdout.write(_("Start the web server with: arrears serve"))


def users_text(*, created: bool, password: str) -> str:
    """The demo users and their password (or, when none was ``created`` or reset, that their
    passwords were left as they were), on two lines."""
    collectors = [name for name, *_rest in DEMO_COLLECTORS if name not in PERSON_ROLE_CODES]
    lines = [_("Demo users: %(users)s")
             % {"users": ", ".join((*PERSON_ROLE_CODES, *collectors, SUPERUSER))}]
    if created:
        lines.append(_("Password: %(password)s") % {"password": password})
    else:
        lines.append(_("Their passwords were not changed (default %(password)s; use --password "
                       "to reset them).") % {"password": DEMO_PASSWORD})
    return "\n".join(lines)
