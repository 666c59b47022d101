"""``arrears decide ACCOUNT [--as-of DATE] [--json]``: one account's decision, explained."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.api.console import display_width, pad
from arrears.api.selectors import account_get, product_today
from arrears.strategy.jdm import StrategyInvalid
from arrears.strategy.selectors import StrategyNotFound
from arrears.strategy.services import account_decide


class Command(BaseCommand):
    help = _(
        "Decide one account now: its decision inputs, score and reasons, the segment, "
        "treatment, template and priority, and the strategy rule that fired."
    )

    def add_arguments(self, parser):
        parser.add_argument("account_id", help=_("The account's external id."))
        parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                            help=_("Business date (default: today in the product's time zone)."))
        parser.add_argument("--json", action="store_true", help=_("Print JSON."))

    def handle(self, *args, **options):
        account = account_get(external_id=options["account_id"])
        if account is None:
            raise CommandError(_("There is no account %(id)s.") % {"id": options["account_id"]})
        as_of = product_today(account.product)
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(_("--as-of: %(text)r is not a date; write it as YYYY-MM-DD.")
                                   % {"text": options["as_of"]}) from None
        try:
            result = account_decide(account=account, as_of=as_of)
        except (StrategyNotFound, StrategyInvalid) as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write("\n".join(self.lines(result)))

    def lines(self, result: dict) -> list[str]:
        decision = result["decision"]
        lines = [_("Account %(id)s as of %(as_of)s") % {"id": result["account"],
                                                        "as_of": result["as_of"]}, ""]
        rows = [(_("Treatment"), decision["treatment"]), (_("Segment"), decision["segment"]),
                (_("Template"), decision["template"] or "—"),
                (_("Priority"), str(decision["priority"])),
                (_("Rule"), decision["rule_id"]),
                (_("Strategy"), f"{decision['strategy']} ({decision['arm']})")]
        width = max(display_width(label) for label, _v in rows)
        lines += [f"  {pad(label, width)}  {value}" for label, value in rows]
        conditions = result["rule"]["conditions"]
        lines += ["", _("Why: rule %(rule)s fired because") % {"rule": decision["rule_id"]}]
        lines += [f"  {c['column']}  {c['test']}" for c in conditions] or [
            "  " + _("(it matches every account)")]
        lines += ["", _("Score")]
        score = result["score"]
        if score:
            lines.append(f"  {score['score']}  " + _("band %(band)s, probability of payment "
                                                    "%(p).1f%%") % {"band": score["score_band"],
                                                                    "p": score["probability_pay"]
                                                                    * 100})
            lines += [f"  {r['code']}: {r['description']}" for r in result["reasons"]]
        else:
            lines.append("  " + _("not scored: %(why)s") % {"why": result["score_note"]})
        lines += ["", _("Inputs")]
        width = max(len(k) for k in result["inputs"])
        lines += [f"  {pad(k, width)}  {v}" for k, v in result["inputs"].items()]
        return lines
