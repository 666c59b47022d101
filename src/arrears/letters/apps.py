from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "arrears.letters"
    verbose_name = _("Letters")

    def ready(self):
        from arrears.channels.adapters import adapter_register
        from arrears.letters.adapters import LetterAdapter

        adapter_register(LetterAdapter())
