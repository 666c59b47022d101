"""``arrears start``: everything ``scripts/start.sh`` does after installing — the database, the
demo portfolio, its users, its first night and the web server — each stage with its time."""

import argparse
import os
import socket
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from arrears.demo.management.commands.demo import users_text
from arrears.demo.progress import StagePrinter, duration_text
from arrears.demo.services import DEMO_PASSWORD, DemoError, demo_load
from arrears.scoring.taiwan import TaiwanDataError
from arrears.web.management.commands.serve import server_run


def port_check(host: str, port: int) -> None:
    """Refuse early, and say what to do, when the server could not listen on host:port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(_(
                "The web server cannot listen on %(host)s:%(port)d (%(error)s). Stop what uses "
                "it, or choose another port: PORT=8001 bash scripts/start.sh (arrears start "
                "--port 8001).") % {"host": host, "port": port, "error": error.strerror}
            ) from None


class Command(BaseCommand):
    help = _("Set up the database, load the demo portfolio, its users and its first night, then "
             "start the web server (what scripts/start.sh runs after installing). Running it "
             "again skips what is done already.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
        parser.add_argument("--port", type=int, default=8000, help=_("Port to listen on."))
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help=_("Worker processes (default: one per CPU core)."))
        parser.add_argument("--password",
                            help=_("Password of the demo users (default: %(default)s).")
                            % {"default": DEMO_PASSWORD})
        parser.add_argument("--limit", type=int, metavar="N",
                            help=_("Load only the first N clients."))
        parser.add_argument("--started-at", type=float, metavar="SECONDS",
                            help=_("When the start began (Unix time), for the total shown at "
                                   "the end; start.sh gives the time it began."))
        # The second half, in a fresh process (see handle): only the web server.
        parser.add_argument("--serve-only", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--server-stage-at", type=float, help=argparse.SUPPRESS)
        parser.add_argument("--passwords-kept", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["workers"] < 1:
            raise CommandError(_("--workers must be at least 1."))
        if options["serve_only"]:
            self.serve(options)
            return
        started_at = options["started_at"] or time.time()
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError(_("--limit must be at least 1."))
        port_check(options["host"], options["port"])
        stages = StagePrinter(self.stdout)
        with stages(_("Database: creating or upgrading the tables")):
            call_command("migrate", interactive=False, verbosity=0)
        try:
            result = demo_load(limit=options["limit"], password=options["password"],
                               say=stages.say, stage=stages)
        except (DemoError, TaiwanDataError) as error:
            raise CommandError(str(error)) from None
        stages.begin(_("Web server: %(url)s") % {"url": server_url(options)})
        # The server's workers are forked from the process that starts it. This one has run
        # DuckDB's and Arrow's thread pools, which do not survive a fork: the server starts in
        # a fresh process instead, this command again with --serve-only.
        connections.close_all()
        again = [sys.executable, "-m", "arrears.cli", "start", "--serve-only",
                 "--host", options["host"], "--port", str(options["port"]),
                 "--workers", str(options["workers"]), "--started-at", str(started_at),
                 "--server-stage-at", str(time.time())]
        if options["password"]:
            again += ["--password", options["password"]]
        if not result.users_created:
            again.append("--passwords-kept")
        os.execv(sys.executable, again)

    def serve(self, options) -> None:
        stages = StagePrinter(self.stdout)
        url = server_url(options)
        started_at = options["started_at"] or time.time()
        stage_at = options["server_stage_at"] or time.time()

        def ready() -> None:
            stages.say(_("done in %(time)s") % {"time": duration_text(time.time() - stage_at)})
            self.stdout.write("")
            self.stdout.write(_("Arrears is running at %(url)s — ready %(time)s after the "
                                "start.") % {"url": url,
                                             "time": duration_text(time.time() - started_at)})
            self.stdout.write(users_text(created=not options["passwords_kept"],
                                         password=options["password"] or DEMO_PASSWORD))
            self.stdout.write(_("Stop it with Ctrl+C."))
            self.stdout.flush()

        server_run(host=options["host"], port=options["port"], workers=options["workers"],
                   threads=8, when_ready=ready, loglevel="warning")


def server_url(options) -> str:
    return f"http://{options['host']}:{options['port']}/"
