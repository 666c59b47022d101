"""``arrears import KIND FILE``: a thin shell over :func:`arrears.imports.services.import_file`."""

import argparse
import csv
import sys
import textwrap

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.imports.schemas import KINDS, SCHEMAS, required_columns
from arrears.imports.services import ImportFileError, ImportReport, import_file

ERRORS_SHOWN = 50


def _epilog() -> str:
    lines = [_("kinds and their required columns (import them in this order):")]
    for kind in KINDS:
        lines.append(f"  {kind:<12} {', '.join(required_columns(kind))}")
        optional = [c.name for c in SCHEMAS[kind] if not c.required]
        if optional:
            text = _("optional: %(columns)s") % {"columns": ", ".join(optional)}
            lines += textwrap.wrap(text, 88, initial_indent=" " * 15,
                                   subsequent_indent=" " * 25)
    lines.append("")
    for text in (
        _("A file with any bad row imports nothing, unless --skip-bad-rows is given."),
        _("A file holds what changed (only its rows and columns are written); --full declares "
          "a complete cardholder or account file and lists what it leaves out, deleting "
          "nothing."),
        _("Importing the same file again changes nothing. Amounts are in major units "
          "(1234.56 or 5e+05), dates YYYY-MM-DD, text UTF-8, unless an import profile "
          "(--profile, set up in the admin) declares the bank's own formats."),
        _("A file that is not UTF-8 is refused, never guessed: declare its encoding with "
          "--encoding gb18030 (or gbk, big5, utf-16) or in the profile."),
        _("Exit status: 0 imported, 1 the file was rejected, 2 usage or file error."),
        _("Column meanings and examples: docs/imports.md"),
    ):
        lines += textwrap.wrap(text, 88)
    lines += [
        "",
        _("example:"),
        "  arrears import postings postings-2024-06-30.csv --dry-run",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = gettext_lazy(
        "Import products, cardholders, contacts, accounts, statements or postings from a "
        "delimited text (CSV) or Parquet file."
    )
    suppressed_base_arguments = {"--version", "--settings", "--pythonpath", "--traceback",
                                 "--no-color", "--force-color", "--skip-checks"}

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs["formatter_class"] = argparse.RawDescriptionHelpFormatter
        kwargs["epilog"] = _epilog()
        return super().create_parser(prog_name, "import", **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", metavar="KIND", help=_("One of: %(kinds)s.")
                            % {"kinds": ", ".join(KINDS)})
        parser.add_argument("file", metavar="FILE",
                            help=_("A .csv, .txt or .dat (delimited text) or .parquet file."))
        parser.add_argument("--profile", metavar="NAME",
                            help=_("The import profile of this kind that says how the bank "
                                   "writes the file (encoding, delimiter, dates, amounts, "
                                   "column names)."))
        parser.add_argument("--encoding", metavar="NAME",
                            help=_("The text encoding: utf-8, utf-16, gb18030, gbk, big5 ... "
                                   "(default: the profile's, else a byte-order mark, else "
                                   "UTF-8)."))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("Check everything, write nothing."))
        parser.add_argument("--skip-bad-rows", action="store_true",
                            help=_("Import the good rows and list the bad ones."))
        parser.add_argument("--errors-csv", metavar="PATH",
                            help=_("Write every error to this CSV file (line, column, reason)."))
        parser.add_argument("--full", action="store_true",
                            help=_("The file holds every cardholder or account (not only what "
                                   "changed): report the ones it leaves out. Nothing is deleted "
                                   "or closed."))
        parser.add_argument("--progress", action="store_true",
                            help=_("Show a progress bar (default when run in a terminal)."))

    def handle(self, *args, **options) -> None:
        progress = options["progress"] or sys.stderr.isatty()
        try:
            report = import_file(
                kind=options["kind"],
                path=options["file"],
                dry_run=options["dry_run"],
                skip_bad_rows=options["skip_bad_rows"],
                progress=progress,
                profile=options["profile"],
                encoding=options["encoding"],
                full=options["full"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self._print_summary(report, dry_run=options["dry_run"])
        self._print_errors(report, options["errors_csv"])
        if report.errors and not report.committed:
            raise CommandError(_("the file was rejected: nothing was imported"), returncode=1)

    def _print_summary(self, report: ImportReport, *, dry_run: bool) -> None:
        if dry_run:
            verdict = _("dry run, nothing was written; the counts are what an import would do")
        elif report.committed:
            verdict = _("committed")
        else:
            verdict = _("NOT committed, nothing was imported; the counts are what an import "
                        "would do (fix the rows below, or use --skip-bad-rows)")
        self.stdout.write(_("%(kind)s from %(path)s: %(verdict)s")
                          % {"kind": report.kind, "path": report.path, "verdict": verdict})
        for label, value in (
            (_("read"), report.rows_read),
            (_("created"), report.created),
            (_("updated"), report.updated),
            (_("unchanged"), report.unchanged),
            (_("rejected"), report.rejected),
        ):
            self.stdout.write(f"  {label:<10} {value:>10,}")
        if report.full:
            self.stdout.write(_(
                "  absent     %(count)10s  in the database but not in this full file; nothing "
                "was deleted or closed (give them a status in the file to close them)")
                % {"count": f"{report.absent:,}"})
            if report.absent_ids:
                more = report.absent - len(report.absent_ids)
                listed = ", ".join(report.absent_ids)
                self.stdout.write("    " + listed + (_(" ... and %(count)d more") % {
                    "count": more} if more > 0 else ""))

    def _print_errors(self, report: ImportReport, errors_csv: str | None) -> None:
        if errors_csv:
            try:
                with open(errors_csv, "w", encoding="utf-8-sig", newline="") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["line", "column", "reason"])
                    writer.writerows((e.line, e.column, e.reason) for e in report.errors)
            except OSError as exc:
                raise CommandError(
                    _("cannot write %(path)s: %(error)s") % {"path": errors_csv, "error": exc},
                    returncode=2,
                ) from None
        if not report.errors:
            return
        self.stdout.write(_("errors:"))
        for error in report.errors[:ERRORS_SHOWN]:
            self.stdout.write(f"  {error}")
        more = len(report.errors) - ERRORS_SHOWN
        if more > 0:
            hint = (_("written to %(path)s") % {"path": errors_csv} if errors_csv
                    else _("use --errors-csv PATH to see them all"))
            self.stdout.write("  " + _("... and %(count)d more (%(hint)s)")
                              % {"count": more, "hint": hint})
