"""``arrears synth``: a synthetic portfolio of any size, fitted to the Taiwan data set."""

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from arrears.demo.synthetic import FIT_PATH, fit_save, synth_generate
from arrears.scoring.taiwan import TaiwanDataError, default_anchor, parse_anchor, taiwan_csv_path


class Command(BaseCommand):
    help = _(
        "Write a synthetic card portfolio (import files and a one-row-per-account snapshot "
        "for batch benchmarks) whose limits, balances, payments and buckets follow the Taiwan "
        "data set. The same seed gives the same accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=100_000, metavar="N",
                            help=_("How many accounts (default 100,000)."))
        parser.add_argument("--out", type=Path, metavar="DIR", help=_("Output directory."))
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                            help=_("File format of the import files (the snapshot is Parquet)."))
        parser.add_argument("--anchor", metavar="YYYY-MM",
                            help=_("Month of the last statement (default: as for arrears demo)."))
        parser.add_argument("--contacts", action="store_true",
                            help=_("Also write a contacts file (one mobile per cardholder)."))
        parser.add_argument("--snapshot-only", action="store_true",
                            help=_("Write only the portfolio snapshot."))
        parser.add_argument("--fit", action="store_true",
                            help=_("Refit the distributions from the Taiwan file and save them "
                                   "in %(path)s.") % {"path": FIT_PATH.name})

    def handle(self, *args, **options):
        try:
            if options["fit"]:
                fit_save(source=taiwan_csv_path())
                self.stdout.write(_("Saved %(path)s.") % {"path": FIT_PATH})
                if not options["out"]:
                    return
            if not options["out"]:
                raise CommandError(_("--out DIR is required."))
            if options["accounts"] < 1:
                raise CommandError(_("--accounts must be at least 1."))
            anchor = (parse_anchor(options["anchor"]) if options["anchor"]
                      else default_anchor(date.today()))
        except TaiwanDataError as error:
            raise CommandError(str(error)) from None
        bar = tqdm(total=options["accounts"], unit=" acct", unit_scale=True,
                   disable=not sys.stderr.isatty())
        result = synth_generate(
            accounts=options["accounts"], out_dir=options["out"], seed=options["seed"],
            anchor=anchor, fmt=options["format"], contacts=options["contacts"],
            snapshot_only=options["snapshot_only"], progress=bar.update,
        )
        bar.close()
        self.stdout.write(_("%(n)d accounts in %(s).1f s (%(rate)d accounts/s):") % {
            "n": result.accounts, "s": result.seconds,
            "rate": result.accounts / max(result.seconds, 1e-9)})
        for name, path in result.paths.items():
            self.stdout.write(f"  {name:<12} {path}")
        for bucket, count in result.bucket_counts.items():
            self.stdout.write(f"  {bucket:<4} {count:>12,}")
