"""Reading the portfolio."""

from collections.abc import Sequence

from arrears.portfolio.models import Account, ContactPoint


def contact_point_best(account: Account, kinds: Sequence[str]) -> ContactPoint | None:
    """The cardholder's contact point to use among ``kinds``, which are listed best first:
    the best kind, a verified one before an unverified one, the newest; None if there is none."""
    rank = {kind: position for position, kind in enumerate(kinds)}
    points = ContactPoint.objects.filter(cardholder_id=account.cardholder_id, kind__in=kinds)
    return min(points, key=lambda p: (rank[p.kind], not p.verified, -p.pk), default=None)
