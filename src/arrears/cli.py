"""The ``arrears`` command: one entry point for every operator task.

Messages follow ``ARREARS_LANGUAGE`` (``zh-hans`` or ``en``), else the locale in ``LC_ALL`` /
``LANG`` when it is Chinese or English, else Simplified Chinese.
"""

import os
import sys

from django.utils.translation import gettext_lazy as _

COMMANDS = {
    "demo": _("Set up the database, load the demo portfolio and one demo user per role."),
    "serve": _("Start the web server (pages, REST API at /api/, admin at /admin/)."),
    "import": _("Import products, cardholders, contacts, accounts, statements or postings (CSV, "
                "Parquet)."),
    "account": _("Show one account's aging, balances and payoff quote."),
    "cycle": _("The nightly cycle: interest and fees, aging, arrangements, decisions, queues, "
               "outbox and sending."),
    "model": _("Train, list, show and make live the collection score models."),
    "strategy": _("Load, list and show strategies (JDM decision tables); challenger tests."),
    "decide": _("Show one account's decision now: inputs, score, reasons and the rule that fired."),
    "decisions": _("Score, segment and decide the whole portfolio and build the work queues."),
    "gate": _("Ask the compliance gate about a contact request in a JSON file; list rule packs."),
    "outbox": _("Write the night's messages, send them through the compliance gate, show counts "
                "(fill|send|status)."),
    "letters": _("Print batches for the print house, registered-mail numbers, one letter's PDF."),
    "dialer": _("Export gate-checked call tasks to the dialer; import call results."),
    "arrangements": _("Evaluate promises, plans and settlements from the ledger; queue "
                      "reminders."),
    "audit": _("Verify the audit trail's hash chain, or export it with its hashes for a "
               "regulator."),
    "token": _("Create, list or revoke API tokens for system users."),
    "synth": _("Generate a synthetic portfolio of any size for load tests and benchmarks."),
    "migrate": _("Create or upgrade the database tables."),
    "createsuperuser": _("Create an administrator account."),
}

# Commands whose Django module name differs from the word a user types.
COMMAND_MODULES = {"import": "import_data", "account": "account_show"}


def language_from_environment() -> str | None:
    chosen = os.environ.get("ARREARS_LANGUAGE")
    if chosen:
        return chosen
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if locale.lower().startswith("en"):
        return "en"
    if locale.lower().startswith("zh"):
        return "zh-hans"
    return None


def print_overview() -> None:
    print(_("usage: arrears COMMAND [options]"))
    print()
    print(_("Arrears — collections management for credit-card issuers."))
    print()
    print(_("commands:"))
    for name, text in COMMANDS.items():
        print(f"  {name:<16}{text}")
    print()
    print(_("Run 'arrears COMMAND --help' for the options of one command."))
    print(_("The database is DATABASE_URL (default: SQLite in ./var/arrears.sqlite3)."))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django
    from django.core.management import ManagementUtility
    from django.utils import translation

    django.setup()
    language = language_from_environment()
    if language:
        translation.activate(language)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print_overview()
        return
    if argv[0] not in COMMAND_MODULES:
        ManagementUtility(["arrears", *argv]).execute()
        return
    command = ManagementUtility(["arrears"]).fetch_command(COMMAND_MODULES[argv[0]])
    command.run_from_argv(["arrears", *argv])


if __name__ == "__main__":
    main()
