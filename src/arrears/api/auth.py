"""Bearer-token authentication for system users, and the permission check of each endpoint."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from arrears.access import policy
from arrears.api.errors import ApiError
from arrears.users.models import ApiToken, hash_token


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer arr_...``: a token that exists, is not revoked, of an active user
    who is a system client (the access policy's ``api`` area: people use the pages, not the
    API; a person's token is refused with 403 before the request body is even read).

    Only the token's SHA-256 is stored, so the lookup is by hash. Every use stamps
    ``last_used_at`` so an administrator can see which tokens are alive.
    """

    def authenticate(self, request: HttpRequest, token: str):
        if not token:
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token.strip()), revoked=False, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        if not policy.may_use(found.user, policy.API):
            raise ApiError(
                403, "forbidden", _("This token's user is not a system client of the API.")
            )
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.api_token = found
        return found.user


def require_permission(request: HttpRequest, permission: str) -> None:
    """Raise a 403 unless the token's user holds ``permission`` ("app_label.codename")."""
    if not request.auth.has_perm(permission):
        raise ApiError(
            403,
            "forbidden",
            _("This token's user lacks the permission %(permission)s.")
            % {"permission": permission},
        )
