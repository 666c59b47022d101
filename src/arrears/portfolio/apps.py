from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _cardholder_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from arrears.portfolio.search import search_keys_refresh

        search_keys_refresh([instance.pk])


def _contact_point_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        from arrears.portfolio.search import search_keys_refresh

        search_keys_refresh([instance.cardholder_id])


class PortfolioConfig(AppConfig):
    name = "arrears.portfolio"
    verbose_name = _("Portfolio")

    def ready(self):
        # Single saves (the admin, tests' factories) keep the search keys in step; the import
        # writes many rows at once and refreshes the keys of each batch itself.
        from arrears.portfolio.models import Cardholder, ContactPoint

        post_save.connect(_cardholder_saved, sender=Cardholder,
                          dispatch_uid="portfolio_search_keys_cardholder")
        post_save.connect(_contact_point_changed, sender=ContactPoint,
                          dispatch_uid="portfolio_search_keys_contact")
        post_delete.connect(_contact_point_changed, sender=ContactPoint,
                            dispatch_uid="portfolio_search_keys_contact_delete")
