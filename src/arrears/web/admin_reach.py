"""The access policy's reach in the admin: a user who does not see every account (a team lead)
finds in the admin only the accounts the policy lets them read, and only the rows about those
accounts (postings, statements, messages, letters, tasks, arrangements, …) and their
cardholders. Without it the admin's lists and change pages would show every account of the
portfolio to a role whose pages show only its teams'.

``ReachAdminMixin`` is put in front of every ModelAdmin by ``ArrearsAdminSite.register``.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet

from arrears.access import policy
from arrears.portfolio.models import Account, Cardholder


def _path_to_account(model) -> str | None:
    """How rows of ``model`` name their account: "" for the account itself, a lookup path,
    or None when the model is not about one account or cardholder."""
    if model is Account:
        return ""
    if model is Cardholder:
        return "accounts"
    for name, target in (("account", Account), ("cardholder", Cardholder)):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.is_relation and field.related_model is target:
            return name if target is Account else f"{name}__accounts"
    return None


def within_admin_reach(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` narrowed to the accounts ``user`` may read (unchanged for a user who sees
    every account, and for models that are not about an account)."""
    path = _path_to_account(queryset.model)
    if path is None or policy.sees_every_account(user):
        return queryset
    readable = policy.accounts_readable(user).values("pk")
    if path == "":
        return queryset.filter(pk__in=readable)
    return queryset.filter(**{f"{path}__in": readable}).distinct()


class ReachAdminMixin:
    def get_queryset(self, request):
        return within_admin_reach(request.user, super().get_queryset(request))
