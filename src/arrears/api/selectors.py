"""Reads the API and the CLI share: accounts by external id, business dates, API tokens."""

from django.db.models import QuerySet

from arrears.portfolio.models import Account
from arrears.portfolio.selectors import product_today
from arrears.users.models import ApiToken

__all__ = ["account_get", "product_today", "token_list"]


def account_get(*, external_id: str) -> Account | None:
    return (
        Account.objects.select_related("product").filter(external_id=external_id).first()
    )


def token_list() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").order_by("user__username", "created_at")
