"""``arrears serve``: the production-grade WSGI server (waitress) with static files."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Start the web server: pages at /, REST API at /api/ (docs at /api/docs), admin at "
             "/admin/. Stop it with Ctrl+C.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
        parser.add_argument("--port", type=int, default=8000, help=_("Port to listen on."))
        parser.add_argument("--threads", type=int, default=8, help=_("Worker threads."))

    def handle(self, *args, **options):
        from waitress import serve

        from arrears.wsgi import application

        call_command("migrate", verbosity=0)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(_("Arrears is running at %(url)s (Ctrl+C to stop)") % {"url": url})
        serve(application, host=options["host"], port=options["port"],
              threads=options["threads"], ident="arrears")
