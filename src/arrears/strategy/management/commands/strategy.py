"""``arrears strategy load|list|show|challenge|report``: strategies as data."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.api.console import display_width, pad
from arrears.strategy.jdm import StrategyInvalid
from arrears.strategy.selectors import (
    StrategyNotFound,
    challenger_report,
    challenger_test_get,
    challenger_totals,
    strategy_get,
    strategy_list,
)
from arrears.strategy.services import (
    DEFAULT_MODEL_VERSION,
    DEFAULT_STRATEGY_NAME,
    challenger_create,
    strategy_load_file,
    table_for,
)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(option)s: %(text)r is not a date; write it as YYYY-MM-DD.")
                           % {"option": option, "text": text}) from None


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(display_width(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(pad(str(v), w) for v, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]


class Command(BaseCommand):
    help = _("Load, list and show collection strategies (JDM decision tables); run and report "
             "champion/challenger tests.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("load", help=_("Check a JDM file and make it the live strategy."))
        load.add_argument("file", help=_("The strategy file (JDM JSON)."))
        load.add_argument("--note", default="", help=_("Why it changed (kept with the version)."))
        load.add_argument("--name", default=DEFAULT_STRATEGY_NAME,
                          help=_("Strategy name (default: %(default)s)."))
        load.add_argument("--model-version", default=DEFAULT_MODEL_VERSION,
                          help=_("The score model version it reads (default: %(default)s)."))
        load.add_argument("--draft", action="store_true",
                          help=_("Store it without making it live (e.g. for a challenger)."))
        actions.add_parser("list", help=_("List strategy versions."))
        show = actions.add_parser("show", help=_("Show a version's rules (default: the live one)."))
        show.add_argument("version", nargs="?", help=_("e.g. 'cn-default v2' or 2."))
        show.add_argument("--export", metavar="FILE", help=_("Write its JDM JSON to FILE."))
        challenge = actions.add_parser(
            "challenge", help=_("Start a champion/challenger test against the live strategy."))
        challenge.add_argument("test", help=_("Test name (also the arm on its decisions)."))
        challenge.add_argument("--challenger", required=True, help=_("Challenger version."))
        challenge.add_argument("--share", required=True, help=_("Traffic share in %, e.g. 10."))
        challenge.add_argument("--start", required=True, metavar="YYYY-MM-DD")
        challenge.add_argument("--end", metavar="YYYY-MM-DD")
        report = actions.add_parser("report", help=_("Results of a test by arm."))
        report.add_argument("test", help=_("Test name."))
        report.add_argument("--until", metavar="YYYY-MM-DD",
                            help=_("Last date counted when the test has no end date."))
        report.add_argument("--json", action="store_true", help=_("Print JSON."))

    def handle(self, *args, **options):
        try:
            getattr(self, "do_" + options["action"])(options)
        except (StrategyInvalid, StrategyNotFound) as error:
            raise CommandError(str(error)) from None

    def do_load(self, options):
        try:
            result = strategy_load_file(
                path=Path(options["file"]), name=options["name"], note=options["note"],
                model_version=options["model_version"], make_live=not options["draft"])
        except StrategyInvalid as error:
            raise CommandError(
                _("%(file)s was rejected: %(reason)s. The live strategy is unchanged.")
                % {"file": options["file"], "reason": error}) from None
        version = result.version
        if not result.created:
            self.stdout.write(_("%(label)s is already live with the same content; nothing "
                                "changed.") % {"label": version.label})
        elif options["draft"]:
            self.stdout.write(_("Stored %(label)s as a draft (%(rules)d rules).")
                              % {"label": version.label, "rules": len(table_for(version).rules)})
        else:
            self.stdout.write(_("%(label)s is now live (%(rules)d rules).")
                              % {"label": version.label, "rules": len(table_for(version).rules)})

    def do_list(self, options):
        versions = strategy_list()
        if not versions:
            self.stdout.write(_("No strategies yet; load one with 'arrears strategy load FILE'."))
            return
        rows = [(_("version"), _("status"), _("model"), _("created"), _("by"), _("note"))]
        rows += [(v.label, v.get_status_display(), v.model_version,
                  v.created_at.strftime("%Y-%m-%d %H:%M"),
                  v.created_by.get_username() if v.created_by else "—", v.note)
                 for v in versions]
        self.stdout.write("\n".join(_table(rows)))

    def do_show(self, options):
        version = strategy_get(label=options["version"])
        if options["export"]:
            Path(options["export"]).write_text(
                json.dumps(version.jdm, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            self.stdout.write(_("Wrote %(label)s to %(file)s.")
                              % {"label": version.label, "file": options["export"]})
            return
        table = table_for(version)
        self.stdout.write(_("%(label)s (%(status)s), model %(model)s, sha256 %(sha)s")
                          % {"label": version.label, "status": version.get_status_display(),
                             "model": version.model_version, "sha": version.sha256[:12]})
        rows = [(_("rule"), _("when"), _("treatment"), _("priority"), _("segment"),
                 _("template"))]
        for rule in table.rules:
            when = "; ".join(f"{c.column} {c.text}" for c in rule.cells if c.text) or "*"
            rows.append((rule.rule_id, when, rule.outputs["treatment"],
                         str(rule.outputs["priority"]), rule.outputs["segment"],
                         rule.outputs["template"]))
        self.stdout.write("\n".join(_table(rows)))

    def do_challenge(self, options):
        try:
            share = Decimal(options["share"].rstrip("%"))
        except InvalidOperation:
            raise CommandError(_("--share: %(text)r is not a number") % {"text": options["share"]}
                               ) from None
        test = challenger_create(
            name=options["test"], challenger=strategy_get(label=options["challenger"]),
            share_percent=share, start_date=_date(options["start"], "--start"),
            end_date=_date(options["end"], "--end"))
        self.stdout.write(_("Test %(name)s: %(share)s%% of accounts go to %(challenger)s, the "
                            "rest stay on %(champion)s.")
                          % {"name": test.name, "share": test.share_percent,
                             "challenger": test.challenger.label,
                             "champion": test.champion.label})

    def do_report(self, options):
        test = challenger_test_get(name=options["test"])
        if test is None:
            raise CommandError(_("There is no challenger test %(name)s.")
                               % {"name": options["test"]})
        totals = challenger_totals(challenger_report(test=test,
                                                     until=_date(options["until"], "--until")))
        if options["json"]:
            self.stdout.write(json.dumps(totals, ensure_ascii=False, indent=2))
            return
        self.stdout.write(_("Test %(name)s: %(champion)s (champion) against %(challenger)s, "
                            "%(share)s%% share, from %(start)s to %(end)s")
                          % {"name": totals["test"], "champion": totals["champion_strategy"],
                             "challenger": totals["challenger_strategy"],
                             "share": totals["share_percent"], "start": totals["start"],
                             "end": totals["end"] or _("today")})
        rows = [(_("arm"), _("accounts"), _("collected"), _("per account"), _("cured"),
                 _("cure rate"), _("contacts"), _("contact cost"))]
        for arm in totals["arms"]:
            rows.append((arm["arm"], str(arm["accounts"]), str(arm["collected_minor"]),
                         f"{arm['mean_collected_minor']:.0f}", str(arm["cured"]),
                         f"{arm['cure_rate']:.1%}", str(arm["contacts"]),
                         str(arm["contact_cost_minor"])))
        self.stdout.write("\n".join(_table(rows)))
        self.stdout.write(_("(amounts in minor units)"))

        def p(value):
            return "—" if value is None else f"{value:.4f}"
        self.stdout.write(_("Cure rate, two-proportion z-test: p = %(p)s")
                          % {"p": p(totals["cure_rate_p_value"])})
        self.stdout.write(_("Amount collected, Welch t-test: p = %(p)s")
                          % {"p": p(totals["collected_p_value"])})
