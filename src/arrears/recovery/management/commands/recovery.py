"""``arrears recovery``: recall placements whose window has ended; place the night's
agency_placement decisions with the eligible agencies."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.command_args import parse_date
from arrears.recovery.services import (
    RecoveryError,
    placement_batch_from_night,
    placements_recall_due,
)


class Command(BaseCommand):
    help = _("Recall placements whose window has ended; place the night's agency decisions.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        recall = actions.add_parser(
            "recall", help=_("Recall every placement whose window ends by the date."))
        recall.add_argument("--as-of", required=True, metavar="DATE",
                            help=_("The business date, YYYY-MM-DD."))
        place = actions.add_parser(
            "place", help=_("Place the latest night's agency_placement decisions."))
        place.add_argument("--as-of", required=True, metavar="DATE",
                           help=_("The business date, YYYY-MM-DD."))
        place.add_argument("--seed", type=int, metavar="N",
                           help=_("The seed of the random assignment (recorded on the batch)."))

    def handle(self, *args, **options):
        as_of = parse_date(options["as_of"], "--as-of")
        try:
            getattr(self, f"handle_{options['action']}")(as_of, options)
        except RecoveryError as error:
            raise CommandError(str(error)) from None

    def handle_recall(self, as_of, options):
        count = placements_recall_due(as_of)
        self.stdout.write(_("Recalled %(count)d placements whose window ended by %(day)s.")
                          % {"count": count, "day": as_of.isoformat()})

    def handle_place(self, as_of, options):
        batch = placement_batch_from_night(as_of=as_of, seed=options["seed"])
        if batch is None:
            self.stdout.write(_("Nothing to place: no published night decided an agency "
                                "placement, or no agency may receive accounts."))
            return
        self.stdout.write(_("Batch %(batch)d: %(placed)d accounts placed, %(refused)d not "
                            "(seed %(seed)d).")
                          % {"batch": batch.pk, "placed": batch.placed, "refused": batch.refused,
                             "seed": batch.seed})
