"""``arrears token create|list|revoke``: API tokens for system users (gateway, dialer, card system).

The raw token is printed once at creation; only its SHA-256 is kept, so a lost token is
revoked and a new one created.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.api.console import table
from arrears.users.tokens import TokenError, token_create, token_list, token_revoke


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


class Command(BaseCommand):
    help = _("Create, list or revoke the API tokens of system users.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help=_("Create a token and print it once."))
        create.add_argument("username", help=_("The user the token acts as."))
        create.add_argument("--name", required=True,
                            help=_("What uses the token, e.g. 'payment gateway'."))
        actions.add_parser("list", help=_("List the tokens (never the tokens themselves)."))
        revoke = actions.add_parser("revoke", help=_("Revoke a token so it no longer works."))
        revoke.add_argument("prefix", help=_("The token's prefix as shown by 'token list'."))
        revoke.add_argument("--id", type=int, dest="token_id",
                            help=_("The token's number, when two tokens share a prefix."))

    def handle(self, *args, **options):
        try:
            getattr(self, f"handle_{options['action']}")(options)
        except TokenError as error:
            raise CommandError(str(error)) from None

    def handle_create(self, options):
        token, raw = token_create(username=options["username"], name=options["name"])
        self.stdout.write(_("Token %(prefix)s… for %(user)s (%(name)s):")
                          % {"prefix": token.prefix, "user": token.user.username,
                             "name": token.name})
        self.stdout.write(raw)
        self.stdout.write(_("Keep it now: it is stored only as a hash and cannot be shown again. "
                            "Send it as the header 'Authorization: Bearer <token>'."))

    def handle_list(self, options):
        tokens = list(token_list())
        if not tokens:
            self.stdout.write(_("No API tokens."))
            return
        headers = [_("No."), _("Prefix"), _("User"), _("Name"), _("Created"), _("Last used"),
                   _("State")]
        rows = [
            [str(t.pk), t.prefix, t.user.username, t.name, _when(t.created_at),
             _when(t.last_used_at), _("revoked") if t.revoked else _("live")]
            for t in tokens
        ]
        self.stdout.write("\n".join(table(headers, rows, right=[0])))

    def handle_revoke(self, options):
        token = token_revoke(prefix=options["prefix"], token_id=options["token_id"])
        self.stdout.write(_("Revoked token %(prefix)s… of %(user)s (%(name)s).")
                          % {"prefix": token.prefix, "user": token.user.username,
                             "name": token.name})
