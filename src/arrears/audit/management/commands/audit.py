"""``arrears audit verify|export``: check the hash chain, or hand the trail to a regulator."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.audit.services import (
    EXPORT_FORMATS,
    audit_events_between,
    audit_export_write,
    audit_record,
    audit_verify,
)
from arrears.command_args import parse_date


class Command(BaseCommand):
    help = _("Verify the audit trail's hash chain, or export it with its hashes.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("verify", help=_("Recompute the hash chain and report any break."))
        export = actions.add_parser("export", help=_("Write the events of a period with their "
                                                     "chain hashes (JSON Lines or CSV)."))
        export.add_argument("--from", dest="start", required=True, metavar="DATE",
                            help=_("First day, YYYY-MM-DD."))
        export.add_argument("--to", dest="end", required=True, metavar="DATE",
                            help=_("Last day, YYYY-MM-DD (included)."))
        export.add_argument("--format", dest="fmt", choices=EXPORT_FORMATS, default="jsonl")
        export.add_argument("--out", help=_("File to write; standard output if not given."))

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
        events = audit_events_between(start, end)
        out = Path(options["out"]) if options["out"] else None
        if out is not None and not out.parent.is_dir():
            raise CommandError(_("Folder %(path)s does not exist.") % {"path": out.parent})
        if out is None:
            count = audit_export_write(self.stdout, events, fmt=options["fmt"])
        else:
            partial = out.with_name(out.name + ".partial")
            with partial.open("w", encoding="utf-8", newline="") as stream:
                count = audit_export_write(stream, events, fmt=options["fmt"])
            partial.replace(out)
        audit_record(actor=None, system="arrears audit export", action="audit.export",
                     object_type="audit", client="cli",
                     details={"from": str(start), "to": str(end), "format": options["fmt"],
                              "count": count, "out": str(out or "stdout")})
        if out is not None:
            self.stdout.write(_("%(count)d events written to %(path)s.")
                              % {"count": count, "path": out})
