from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchConfig(AppConfig):
    name = "arrears.batch"
    verbose_name = _("Nightly batch")
