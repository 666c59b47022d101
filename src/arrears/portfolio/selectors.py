"""Reading the portfolio."""

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from arrears.portfolio.models import Account, ContactPoint, Product


def today_in(time_zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(time_zone)).date()


def product_today(product: Product | None) -> date:
    """Today's business date where the product is run (the site's time zone without one)."""
    return today_in(product.time_zone if product else settings.TIME_ZONE)


def contact_point_best(account: Account, kinds: Sequence[str]) -> ContactPoint | None:
    """The cardholder's contact point to use among ``kinds``, which are listed best first:
    the best kind, a verified one before an unverified one, the newest; None if there is none."""
    rank = {kind: position for position, kind in enumerate(kinds)}
    points = ContactPoint.objects.filter(cardholder_id=account.cardholder_id, kind__in=kinds)
    return min(points, key=lambda p: (rank[p.kind], not p.verified, -p.pk), default=None)
