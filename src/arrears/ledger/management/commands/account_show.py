"""``arrears account ACCOUNT_ID``: one account's aging, balances and payoff quote."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arrears.api.console import display_width, pad
from arrears.api.payloads import account_payload, payoff_payload
from arrears.api.selectors import account_get, product_today
from arrears.command_args import parse_date
from arrears.ledger.selectors import account_summary, quote_horizon


def _optional_date(text: str | None, option: str) -> date | None:
    return None if text is None else parse_date(text, option)


class Command(BaseCommand):
    help = _(
        "Show one account's delinquency (bucket, days past due, cycles delinquent, past due), "
        "its balances by component and what pays it off in full on a date."
    )

    def add_arguments(self, parser):
        parser.add_argument("account_id", help=_("The account's external id."))
        parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                            help=_("Business date of the aging and balances (default: today "
                                   "in the product's time zone)."))
        parser.add_argument("--payoff-date", metavar="YYYY-MM-DD",
                            help=_("Date of the payoff quote (default: the as-of date)."))
        parser.add_argument("--json", action="store_true",
                            help=_("Print JSON (amounts as strings) instead of a table."))

    def handle(self, *args, **options):
        as_of = _optional_date(options["as_of"], "--as-of")
        payoff_date = _optional_date(options["payoff_date"], "--payoff-date")
        account = account_get(external_id=options["account_id"])
        if account is None:
            raise CommandError(_("There is no account %(id)s.") % {"id": options["account_id"]})
        today = product_today(account.product)
        as_of = as_of or today
        if as_of > today:
            raise CommandError(
                _("--as-of cannot be after today (%(today)s); use --payoff-date to look ahead.")
                % {"today": today}
            )
        if as_of < account.open_date:
            raise CommandError(
                _("--as-of cannot be before the account was opened (%(opened)s).")
                % {"opened": account.open_date}
            )
        payoff_date = payoff_date or as_of
        if payoff_date < as_of:
            raise CommandError(
                _("--payoff-date cannot be before the as-of date (%(as_of)s).") % {"as_of": as_of}
            )
        if payoff_date > quote_horizon(account, today):
            raise CommandError(
                _("--payoff-date can be at most %(days)d days ahead (%(last)s).")
                % {"days": account.product.limits.horizon, "last": quote_horizon(account, today)}
            )
        summary = account_summary(account=account, as_of=as_of, payoff_date=payoff_date)
        data = {"account": account_payload(summary), "payoff": payoff_payload(summary)}
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            lines = self.table(data, status=str(account.get_status_display()))
            self.stdout.write("\n".join(lines))

    def table(self, data: dict, *, status: str) -> list[str]:
        account, payoff = data["account"], data["payoff"]
        sections = [
            (_("Aging"), [
                (_("Bucket"), account["bucket"]),
                (_("Days past due"), str(account["days_past_due"])),
                (_("Cycles delinquent"), str(account["cycles_delinquent"])),
                (_("Past due"), account["past_due"]),
                (_("Oldest unpaid due date"), account["oldest_unpaid_due_date"] or "—"),
            ]),
            (_("Balances"), [
                (_("Principal"), account["balances"]["principal"]),
                (_("Interest"), account["balances"]["interest"]),
                (_("Fees"), account["balances"]["fees"]),
                (_("Total"), account["balances"]["total"]),
            ]),
            (_("Payoff quote for %(date)s") % {"date": payoff["payoff_date"]}, [
                (_("Principal"), payoff["principal"]),
                (_("Interest"), payoff["interest"]),
                ("  " + _("of which interest still to accrue"), payoff["projected_interest"]),
                (_("Fees"), payoff["fees"]),
                ("  " + _("of which fees still to charge"), payoff["projected_fees"]),
                (_("Total"), payoff["total"]),
            ]),
        ]
        label_width = max(display_width(label) for _title, rows in sections for label, _v in rows)
        value_width = max(len(value) for _title, rows in sections for _l, value in rows)
        lines = [
            _("Account %(id)s (%(status)s), amounts in %(currency)s, as of %(as_of)s")
            % {"id": account["account_id"], "status": status,
               "currency": account["currency"], "as_of": account["as_of"]}
        ]
        for title, rows in sections:
            lines += ["", title]
            lines += [f"  {pad(label, label_width)}  {pad(value, value_width, right=True)}"
                      for label, value in rows]
        return lines
