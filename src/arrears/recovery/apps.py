from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "arrears.recovery"
    verbose_name = _("Recovery: agencies and placements")

    def ready(self):
        from arrears.access.policy import PLACEMENT, relationship_register
        from arrears.recovery.access import placed_account_ids

        relationship_register(PLACEMENT, placed_account_ids)
