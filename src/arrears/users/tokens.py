"""API tokens of system users (the card system, a payment gateway, the dialer): issued once,
stored as a hash, revoked; every change in the audit trail. Used by ``arrears token`` and the
admin."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.users.models import ApiToken


def token_list() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").order_by("user__username", "created_at")


class TokenError(Exception):
    """A token request that cannot be done, with a message the operator can act on."""


def token_create(*, username: str, name: str, actor=None) -> tuple[ApiToken, str]:
    """Issue a token for a user; the raw token is returned once and never stored."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise TokenError(_("There is no user %(name)s.") % {"name": username})
    if not user.is_active:
        raise TokenError(_("User %(name)s is not active.") % {"name": username})
    if not name.strip():
        raise TokenError(_("Give the token a name that says what uses it."))
    with transaction.atomic():
        token, raw = ApiToken.issue(user=user, name=name.strip())
        audit_record(actor=actor, action="api_token_create", object_type="api_token",
                     object_id=token.pk, details={"user": username, "name": token.name,
                                                  "prefix": token.prefix}, system="cli")
    return token, raw


def token_revoke(*, prefix: str, token_id: int | None = None, actor=None) -> ApiToken:
    """Revoke the one live token whose shown prefix starts with ``prefix`` (and has ``token_id``).

    Prefixes are short, so two tokens may share one; ``token_id`` (from ``token list``) then
    says which.
    """
    live = ApiToken.objects.filter(prefix__startswith=prefix, revoked=False).select_related("user")
    if token_id is not None:
        live = live.filter(pk=token_id)
    matches = list(live[:2]) if prefix else []
    if not matches:
        raise TokenError(_("There is no live token starting with %(prefix)s.") % {"prefix": prefix})
    if len(matches) > 1:
        raise TokenError(
            _("More than one live token starts with %(prefix)s; give the whole prefix, or the "
              "token's number with --id.") % {"prefix": prefix}
        )
    token = matches[0]
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked=True)
        token.revoked = True
        audit_record(actor=actor, action="api_token_revoke", object_type="api_token",
                     object_id=token.pk, details={"user": token.user.username,
                                                  "name": token.name, "prefix": token.prefix},
                     system="cli")
    return token
