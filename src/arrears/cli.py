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
    from django.core.management import execute_from_command_line

    name = {"import": "import_data", "account": "account_show"}.get(argv[0], argv[0])
    execute_from_command_line(["arrears", name, *argv[1:]])


if __name__ == "__main__":
    main()
