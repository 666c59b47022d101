"""``arrears gate check FILE | cases | packs``: ask the compliance gate from the command line."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from arrears.compliance import gate
from arrears.compliance.content import default_words

CASES_DIR = Path(__file__).resolve().parents[2] / "cases"


def BadFile(message: str) -> CommandError:  # noqa: N802 - reads like the exception it makes
    """A bad input file: exit status 2 with a message naming the file, line or field."""
    return CommandError(message, returncode=2)


def read_json(path: Path) -> dict:
    """The JSON object in ``path``, or BadFile naming the line and column of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadFile(_("%(file)s: cannot read it (%(error)s).")
                      % {"file": path, "error": error}) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadFile(_("%(file)s, line %(line)s, column %(column)s: not valid JSON (%(error)s).")
                      % {"file": path, "line": error.lineno, "column": error.colno,
                         "error": error.msg}) from None
    if not isinstance(data, dict):
        raise BadFile(_("%(file)s: a JSON object is required.") % {"file": path})
    return data


def request_from(data: dict, path: Path) -> gate.ContactRequest:
    """A request from a bare request object or a case file's ``request``."""
    try:
        return gate.ContactRequest.from_json(data.get("request", data) if "expected" in data
                                             or "request" in data else data)
    except gate.RequestInvalid as error:
        raise BadFile(_("%(file)s: field %(field)s: %(message)s")
                      % {"file": path, "field": error.field, "message": error.message}) from None


def pack_for(profile: str, pack_path: str | None) -> gate.RulePackData:
    """The pack file given, else the live pack in the database, else the shipped file."""
    if pack_path:
        path = Path(pack_path)
        try:
            return gate.RulePackData.from_json(read_json(path), words=default_words())
        except gate.PackInvalid as error:
            raise BadFile(_("%(file)s: %(error)s") % {"file": path, "error": error}) from None
    try:
        from arrears.compliance.selectors import pack_live

        return pack_live(profile)
    except DatabaseError:
        return gate.default_pack(profile)


def packs_for(request: gate.ContactRequest, pack_path: str | None) -> list:
    """A pack for every profile the request names, its own first; ``--pack`` stands in for
    the request's own profile."""
    first = pack_for(request.profile, pack_path)
    return [first, *(pack_for(profile, None) for profile in request.profiles[1:]
                     if profile != first.profile)]


def case_mismatches(answer: gate.GateAnswer, expected: dict) -> list[str]:
    """How ``answer`` differs from a case's ``expected`` ([] when it matches)."""
    problems = []
    for name in ("verdict", "decision"):
        if name in expected and getattr(answer, name) != expected[name]:
            problems.append(f"{name}: {getattr(answer, name)} != {expected[name]}")
    if "not_before" in expected:
        got = answer.to_json()["not_before"]
        want = expected["not_before"]
        if want is not None:
            want = gate._json_value(gate._aware(want, "expected.not_before"))
        if got != want:
            problems.append(f"not_before: {got} != {want}")
    missing = [r for r in expected.get("rule_ids", ()) if r not in answer.rule_ids]
    if missing:
        problems.append(f"rule_ids: {list(answer.rule_ids)} lacks {missing}")
    return problems


class Command(BaseCommand):
    help = _("Ask the compliance gate: check a contact request (JSON), replay the shipped "
             "cases, list the live rule packs.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = actions.add_parser("check", help=_("Print the gate's answer to a contact "
                                                   "request (JSON file; a case file works too)."))
        check.add_argument("file", help=_("The contact request (JSON)."))
        check.add_argument("--pack", metavar="FILE", help=_("Use this rule pack file instead "
                                                             "of the live pack."))
        cases = actions.add_parser("cases", help=_("Replay case files and compare with their "
                                                   "expected answers (exit 1 on a mismatch)."))
        cases.add_argument("files", nargs="*", help=_("Case files (default: the shipped cases)."))
        packs = actions.add_parser("packs", help=_("List the live rule packs."))
        packs.add_argument("--profile", help=_("Show this profile's rules and parameters."))

    def handle(self, *args, **options):
        getattr(self, "do_" + options["action"])(options)

    def do_check(self, options):
        path = Path(options["file"])
        request = request_from(read_json(path), path)
        answer = gate.gate_check(request, packs_for(request, options["pack"]))
        self.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))

    def do_cases(self, options):
        paths = [Path(f) for f in options["files"]] or sorted(CASES_DIR.glob("*.json"))
        failed = 0
        for path in paths:
            data = read_json(path)
            request = request_from(data, path)
            answer = gate.gate_check(request, packs_for(request, None))
            problems = case_mismatches(answer, data.get("expected", {}))
            failed += bool(problems)
            mark = _("ok") if not problems else _("FAILED")
            self.stdout.write(f"{mark:7} {path.name}  {answer.verdict} {answer.decision} "
                              f"{','.join(answer.rule_ids)}")
            for problem in problems:
                self.stdout.write(f"        {problem}")
        self.stdout.write(_("%(count)s cases, %(failed)s failed.")
                          % {"count": len(paths), "failed": failed})
        if failed:
            raise CommandError(_("Some cases do not give their expected answer."), returncode=1)

    def do_packs(self, options):
        from arrears.compliance.models import RulePack

        try:
            packs = list(RulePack.objects.filter(active=True).order_by("profile"))
        except DatabaseError:
            packs = []
        rows = [(p.profile, f"v{p.version}", f"{p.created_at:%Y-%m-%d %H:%M}",
                 str(p.settings.count()), p.note) for p in packs]
        if not rows:
            rows = [(profile, _("file"), "", str(len(gate.default_pack(profile).rules)),
                     str(gate.pack_file(profile).name)) for profile in gate.PROFILES]
        if options["profile"]:
            pack = pack_for(options["profile"], None)
            for rule in pack.rules:
                state = "on " if rule.enabled else "off"
                self.stdout.write(f"{rule.rule_id:15} {state} {rule.action:16} {rule.check:28} "
                                  f"{json.dumps(rule.params, ensure_ascii=False)}")
            return
        for row in rows:
            self.stdout.write("  ".join(row).rstrip())
