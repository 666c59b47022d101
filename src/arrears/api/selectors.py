"""Reads the API and the CLI share: accounts by external id, business dates."""

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from arrears.portfolio.models import Account, Product


def account_get(*, external_id: str) -> Account | None:
    return (
        Account.objects.select_related("product").filter(external_id=external_id).first()
    )


def today_in(time_zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(time_zone)).date()


def product_today(product: Product | None) -> date:
    """Today's business date where the product is run (the site's time zone without one)."""
    return today_in(product.time_zone if product else settings.TIME_ZONE)
