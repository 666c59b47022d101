"""``arrears audit verify|export``: check the hash chain, or hand the trails (audit events,
contacts, gate checks) to a regulator."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.audit.services import EXPORT_FORMATS, audit_record, audit_verify
from arrears.command_args import parse_date
from arrears.compliance.exports import (
    BUNDLE_NAMES,
    EXPORT_KINDS,
    bundle_file_names,
    trail_bundle_write,
    trail_export_write,
)


class Command(BaseCommand):
    help = _("Verify the audit trail's hash chain, or export it with its hashes.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("verify", help=_("Recompute the hash chain and report any break."))
        export = actions.add_parser("export", help=_("Write the events of a period with their "
                                                     "chain hashes, the contacts or the gate "
                                                     "checks (JSON Lines or CSV)."))
        export.add_argument("--from", dest="start", required=True, metavar="DATE",
                            help=_("First day, YYYY-MM-DD."))
        export.add_argument("--to", dest="end", required=True, metavar="DATE",
                            help=_("Last day, YYYY-MM-DD (included)."))
        export.add_argument("--format", dest="fmt", choices=EXPORT_FORMATS, default="jsonl")
        export.add_argument("--what", choices=EXPORT_KINDS, default="events",
                            help=_("Which trail: audit events (default), contact attempts, "
                                   "gate checks, or all three with a manifest into the "
                                   "folder --out."))
        export.add_argument("--out", help=_("File to write (a folder with --what all); "
                                            "standard output if not given."))

    def handle(self, *args, **options):
        getattr(self, f"handle_{options['action']}")(options)

    def handle_verify(self, options):
        report = audit_verify()
        if report.ok:
            self.stdout.write(_("Audit chain intact: %(count)d events, last #%(last)d, "
                                "hash %(hash)s.") % {"count": report.events,
                                                     "last": report.last_sequence,
                                                     "hash": report.last_hash})
            return
        for problem in report.breaks:
            self.stderr.write(_("#%(sequence)s: %(problem)s")
                              % {"sequence": problem.sequence, "problem": problem.problem})
        raise CommandError(_("Audit chain broken: %(count)d problem(s) in %(events)d events.")
                           % {"count": len(report.breaks), "events": report.events})

    def handle_export(self, options):
        start = parse_date(options["start"], "--from")
        end = parse_date(options["end"], "--to")
        if end < start:
            raise CommandError(_("--to is before --from."))
        what, fmt = options["what"], options["fmt"]
        out = Path(options["out"]) if options["out"] else None
        if what == "all":
            counts = self.export_bundle(out, start, end, fmt)
        else:
            counts = {BUNDLE_NAMES[what]: self.export_one(out, what, start, end, fmt)}
        audit_record(actor=None, system="arrears audit export", action="audit.export",
                     object_type="audit", client="cli",
                     details={"what": what, "period": {"from": str(start), "to": str(end)},
                              "counts": counts, "format": fmt, "out": str(out or "stdout")})

    def export_one(self, out: Path | None, what: str, start, end, fmt: str) -> int:
        """One trail to a file (written as FILE.partial, then renamed) or standard output."""
        if out is None:
            return trail_export_write(self.stdout, what, start, end, fmt=fmt)
        if not out.parent.is_dir():
            raise CommandError(_("Folder %(path)s does not exist.") % {"path": out.parent})
        if out.is_dir():
            raise CommandError(_("%(path)s is a folder; give a file name.") % {"path": out})
        partial = out.with_name(out.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="") as stream:
                count = trail_export_write(stream, what, start, end, fmt=fmt)
            partial.replace(out)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(_("Could not write %(path)s: %(error)s.")
                               % {"path": out, "error": error.strerror or error}) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        message = (_("%(count)d events written to %(path)s.") if what == "events"
                   else _("%(count)d rows written to %(path)s."))
        self.stdout.write(message % {"count": count, "path": out})
        return count

    def export_bundle(self, folder: Path | None, start, end, fmt: str) -> dict[str, int]:
        """The three trails and a manifest into a folder, created if its parent exists."""
        if folder is None:
            raise CommandError(_("--what all writes several files: give a folder with "
                                 "--out DIR."))
        if folder.exists() and not folder.is_dir():
            raise CommandError(_("%(path)s is a file; --what all needs a folder.")
                               % {"path": folder})
        if not folder.parent.is_dir():
            raise CommandError(_("Folder %(path)s does not exist.") % {"path": folder.parent})
        taken = [name for name in bundle_file_names(fmt) if (folder / name).exists()]
        if taken:
            raise CommandError(_("%(path)s already holds %(files)s; choose an empty folder.")
                               % {"path": folder, "files": ", ".join(taken)})
        try:
            folder.mkdir(exist_ok=True)
            manifest = trail_bundle_write(folder, start, end, fmt=fmt)
        except OSError as error:
            raise CommandError(_("Could not write %(path)s: %(error)s.")
                               % {"path": error.filename or folder,
                                  "error": error.strerror or error}) from None
        counts = manifest["counts"]
        self.stdout.write(_("%(events)d events, %(contacts)d contacts and %(checks)d gate "
                            "checks written to %(path)s with manifest.json (audit chain head "
                            "#%(sequence)d).")
                          % {"events": counts["events"], "contacts": counts["contacts"],
                             "checks": counts["gate_checks"], "path": folder,
                             "sequence": manifest["audit_chain_head"]["sequence"]})
        return counts
