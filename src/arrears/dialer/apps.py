from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialerConfig(AppConfig):
    name = "arrears.dialer"
    verbose_name = _("Calls and field visits")
