from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialerConfig(AppConfig):
    name = "arrears.dialer"
    verbose_name = _("Calls and field visits")

    def ready(self):
        from arrears.access.policy import VISIT, relationship_register
        from arrears.channels.adapters import adapter_register
        from arrears.compliance.signals import location_unknown
        from arrears.dialer.access import visit_account_ids
        from arrears.dialer.adapters import CallAdapter, VisitAdapter
        from arrears.dialer.services import location_task_open

        adapter_register(CallAdapter())
        adapter_register(VisitAdapter())
        relationship_register(VISIT, visit_account_ids)
        location_unknown.connect(location_task_open, dispatch_uid="dialer-location-unknown")
