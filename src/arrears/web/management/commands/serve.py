"""``arrears serve``: the production web server (gunicorn, one process per core) with static
files served by WhiteNoise.

Several worker processes, not one process with many threads: rendering a page is Python work,
and one process runs Python on one core at a time.
"""

import os
from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Findings of Django's deployment checks that Arrears accepts on purpose: HSTS for every
# subdomain and the browsers' preload list commit the bank's whole domain, which is the bank's
# decision (ARREARS_HSTS_INCLUDE_SUBDOMAINS=1 opts in; docs/operations.md).
ACCEPTED_IN_PRODUCTION = frozenset({"security.W005", "security.W021"})
# What to set, in the operator's language, for the findings our environment variables answer.
REMEDIES = {
    "security.W004": gettext_lazy("set ARREARS_HSTS_SECONDS (e.g. 31536000, one year)"),
    "security.W008": gettext_lazy("set ARREARS_SSL_REDIRECT=1 (behind a proxy with "
                                  "ARREARS_PROXY_SSL_HEADER)"),
    "security.W012": gettext_lazy("set ARREARS_HTTPS=1"),
    "security.W016": gettext_lazy("set ARREARS_HTTPS=1"),
    "security.W018": gettext_lazy("unset ARREARS_DEBUG"),
    "security.W020": gettext_lazy("set ARREARS_ALLOWED_HOSTS to the site's host names"),
    "security.W009": gettext_lazy("set ARREARS_SECRET_KEY to a long random value, or unset it "
                                  "to have one made"),
}


def deployment_findings() -> list[str]:
    """Django's checks with its deployment checks (``check --deploy``): every warning or
    error not accepted on purpose, one line each, with what to set where we know it."""
    lines = []
    for message in sorted(checks.run_checks(include_deployment_checks=True), key=str):
        if (message.level < checks.WARNING or message.is_silenced()
                or message.id in ACCEPTED_IN_PRODUCTION):
            continue
        remedy = REMEDIES.get(message.id)
        lines.append(f"  - {message.id}: " + (f"{remedy}. " if remedy else "") + str(message.msg))
    return lines


def production_check() -> None:
    """In production (``ARREARS_ENV=production``, or HTTPS without debug) refuse to start
    while the deployment checks find anything; the demo on localhost is not production."""
    if not settings.ARREARS_PRODUCTION:
        return
    findings = deployment_findings()
    if findings:
        raise CommandError(
            _("Arrears does not start in production while Django's deployment checks find "
              "problems (docs/operations.md, \"HTTPS and production\"):") + "\n"
            + "\n".join(findings))


class Command(BaseCommand):
    help = _("Start the web server: pages at /, REST API at /api/ (docs at /api/docs), admin at "
             "/admin/. Stop it with Ctrl+C.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
        parser.add_argument("--port", type=int, default=8000, help=_("Port to listen on."))
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help=_("Worker processes (default: one per CPU core)."))
        parser.add_argument("--threads", type=int, default=8,
                            help=_("Threads per worker process."))

    def handle(self, *args, **options):
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError(_("--workers and --threads must be at least 1."))
        production_check()
        call_command("migrate", verbosity=0)
        connections.close_all()  # the workers are forked: none may inherit a connection
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(_("Arrears is running at %(url)s (Ctrl+C to stop)") % {"url": url})
        self.stdout.flush()
        server_run(host=options["host"], port=options["port"], workers=options["workers"],
                   threads=options["threads"])


def server_run(*, host: str, port: int, workers: int, threads: int,
               when_ready: Callable[[], None] | None = None, loglevel: str = "info") -> None:
    """Run gunicorn until it is stopped; ``when_ready`` is called once it listens."""
    from gunicorn.app.base import BaseApplication

    from arrears.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            settings = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                        "worker_class": "gthread", "preload_app": True,
                        "proc_name": "arrears", "timeout": 120, "graceful_timeout": 10,
                        "loglevel": loglevel}
            if when_ready is not None:
                settings["when_ready"] = lambda server: when_ready()
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self):
            return application

    Server().run()
