from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfServiceConfig(AppConfig):
    name = "arrears.selfservice"
    label = "selfservice"
    verbose_name = _("Cardholder self-service")

    def ready(self) -> None:
        """Lend the channels the issuer of self-service links (the channels sit below)."""
        from arrears.channels.templating import link_issuer_register
        from arrears.selfservice.links import links_issue

        link_issuer_register(links_issue)
