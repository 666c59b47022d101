"""Reads the API and the CLI share: accounts by external id, business dates."""

from arrears.portfolio.models import Account
from arrears.portfolio.selectors import product_today

__all__ = ["account_get", "product_today"]


def account_get(*, external_id: str) -> Account | None:
    return (
        Account.objects.select_related("product").filter(external_id=external_id).first()
    )
