"""Self-service links for messages and letters: set-at-a-time, one insert per chunk.

The channels call :func:`links_issue` (registered in ``SelfServiceConfig.ready``) for the
accounts of the messages they write; each account gets a fresh random token whose hash is
stored with its expiry. The token reveals nothing and cannot be turned into another account's.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from arrears.selfservice.models import AccessLink
from arrears.selfservice.tokens import token_hash, token_new

DEFAULT_LINK_DAYS = 30


def portal_base() -> str:
    """The portal's public address, ending in a slash (``ARREARS_SELF_SERVICE_URL``)."""
    base = getattr(settings, "ARREARS_SELF_SERVICE_URL", "http://127.0.0.1:8000/self/")
    return base if base.endswith("/") else base + "/"


def link_days() -> int:
    return int(getattr(settings, "ARREARS_SELF_SERVICE_LINK_DAYS", DEFAULT_LINK_DAYS))


def links_issue(account_ids, *, now: datetime | None = None) -> dict[int, str]:
    """A new link per account (account id → URL), stored in one bulk insert."""
    now = now or timezone.now()
    expires = now + timedelta(days=link_days())
    tokens = {account_id: token_new() for account_id in dict.fromkeys(account_ids)}
    AccessLink.objects.bulk_create([
        AccessLink(token_hash=token_hash(token), account_id=account_id, created_at=now,
                   expires_at=expires)
        for account_id, token in tokens.items()
    ], batch_size=2000)
    base = portal_base()
    return {account_id: f"{base}l/{token}/" for account_id, token in tokens.items()}


def link_account_id(token: str, *, now: datetime | None = None) -> int | None:
    """The account a link names, or None when it is unknown or has expired."""
    if not token or len(token) > 64:
        return None
    now = now or timezone.now()
    return (AccessLink.objects.filter(token_hash=token_hash(token), expires_at__gt=now)
            .values_list("account_id", flat=True).first())
