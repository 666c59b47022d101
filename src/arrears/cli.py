"""The ``arrears`` command: one entry point for every operator task.

Messages follow ``ARREARS_LANGUAGE`` (``zh-hans`` or ``en``), else the locale in ``LC_ALL`` /
``LANG`` when it is Chinese or English, else Simplified Chinese.
"""

import os
import sys
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from arrears.environment import SettingsError, message_for_operator

COMMANDS = {
    "start": _("Set up the database, the demo portfolio, its users and first night, then start "
               "the web server."),
    "demo": _("Set up the database, load the demo portfolio and one demo user per role."),
    "serve": _("Start the web server (pages, REST API at /api/, admin at /admin/)."),
    "import": _("Import products, cardholders, contacts, accounts, statements or postings (CSV, "
                "Parquet)."),
    "account": _("Show one account's aging, balances and payoff quote."),
    "night": _("The whole night for a date, step by step and resumable: the day's files, "
               "cycle, arrangements, decisions, queues, outbox, sending."),
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
    "recovery": _("Recall placements whose window has ended; place the night's agency "
                  "decisions with the collection agencies."),
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
# Commands that set the database up themselves: they only need to reach it.
SETTING_UP = {"start", "demo", "serve", "migrate"}
# Commands that work without the database (files in, files out).
WITHOUT_DATABASE = {"synth", "gate"}


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


def database_label(settings: dict) -> str:
    """Where the database is, without its password: a file, or user@host:port/name."""
    if settings["ENGINE"].endswith("sqlite3"):
        return str(settings["NAME"])
    user = f"{settings.get('USER')}@" if settings.get("USER") else ""
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"{user}{settings.get('HOST') or 'localhost'}{port}/{settings['NAME']}"


def database_problem(*, needs_tables: bool) -> str | None:
    """Why the database cannot serve a command — it cannot be reached, was never set up, or
    has migrations to apply — as a message that says what to do; None when it is ready."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    where = database_label(connection.settings_dict)
    not_set_up = _("The database at %(where)s is not set up: run `arrears migrate` (or `bash "
                   "scripts/start.sh` for the demo).") % {"where": where}
    file_missing = (connection.vendor == "sqlite" and not connection.is_in_memory_db()
                    and not Path(connection.settings_dict["NAME"]).is_file())
    if needs_tables and file_missing:
        return not_set_up  # do not leave an empty database file behind
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return _("Cannot reach the database at %(where)s (%(error)s). Check DATABASE_URL and "
                 "that the database server is running.") % {"where": where,
                                                           "error": str(error).strip()}
    if not needs_tables:
        return None
    if not executor.loader.applied_migrations:
        return not_set_up
    if pending:
        return ngettext(
            "The database at %(where)s is not up to date (%(count)d migration to apply): run "
            "`arrears migrate`.",
            "The database at %(where)s is not up to date (%(count)d migrations to apply): run "
            "`arrears migrate`.", len(pending)) % {"where": where, "count": len(pending)}
    return None


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django
    from django.core.management import ManagementUtility
    from django.utils import translation

    try:
        django.setup()
    except SettingsError as error:  # a wrong environment variable: one sentence, no traceback
        print(message_for_operator(error, language_from_environment()), file=sys.stderr)
        sys.exit(2)
    language = language_from_environment()
    if language:
        translation.activate(language)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print_overview()
        return
    wants_help = {"-h", "--help"} & set(argv)
    if argv[0] in COMMANDS and argv[0] not in WITHOUT_DATABASE and not wants_help:
        problem = database_problem(needs_tables=argv[0] not in SETTING_UP)
        if problem:
            print(problem, file=sys.stderr)
            sys.exit(1)
    if argv[0] not in COMMAND_MODULES:
        ManagementUtility(["arrears", *argv]).execute()
        return
    command = ManagementUtility(["arrears"]).fetch_command(COMMAND_MODULES[argv[0]])
    command.run_from_argv(["arrears", *argv])


if __name__ == "__main__":
    main()
