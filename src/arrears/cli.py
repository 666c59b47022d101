"""The ``arrears`` command: one entry point for every operator task."""

import os
import sys

COMMANDS = {
    "demo": "Set up the database, load the demo portfolio and demo users (one per role).",
    "serve": "Start the web server (pages, REST API at /api/, admin at /admin/).",
    "import": "Import cardholders, contacts, accounts, statements or postings from CSV/Parquet.",
    "account": "Show one account's aging, balances and payoff quote.",
    "cycle": "Re-age the whole portfolio and post the day's interest and fees.",
    "token": "Create or revoke an API token for a system user.",
    "migrate": "Create or upgrade the database tables.",
    "createsuperuser": "Create an administrator account.",
}


# Commands whose Django module name differs from the word a user types.
COMMAND_MODULES = {"import": "import_data", "account": "account_show"}


def print_overview() -> None:
    print("usage: arrears COMMAND [options]\n")
    print("Arrears — collections management for credit-card issuers.\n")
    print("commands:")
    for name, text in COMMANDS.items():
        print(f"  {name:<16}{text}")
    print("\nRun 'arrears COMMAND --help' for the options of one command.")
    print("The database is DATABASE_URL (default: SQLite in ./var/arrears.sqlite3).")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print_overview()
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    from django.core.management import ManagementUtility

    if argv[0] not in COMMAND_MODULES:
        ManagementUtility(["arrears", *argv]).execute()
        return
    import django

    django.setup()
    command = ManagementUtility(["arrears"]).fetch_command(COMMAND_MODULES[argv[0]])
    command.run_from_argv(["arrears", *argv])


if __name__ == "__main__":
    main()
