from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NightConfig(AppConfig):
    name = "arrears.night"
    verbose_name = _("The night")
