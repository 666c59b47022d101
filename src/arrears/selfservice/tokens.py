"""Random secrets and their hashes: only hashes are stored, so the database alone opens nothing."""

import hashlib
import hmac
import secrets

from django.conf import settings


def token_new(nbytes: int = 18) -> str:
    """A URL-safe random token (18 bytes: 24 characters, 144 bits)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """The stored form of a token: a keyed SHA-256 (the site's secret key as the key), so a
    leaked table cannot be matched against guessed tokens without the key either."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def code_new() -> str:
    """A one-time code of six digits, uniformly random."""
    return f"{secrets.randbelow(1_000_000):06d}"


def key_for(kind: str, value: str) -> str:
    """The rate-limit key of ``value`` (a link, a mobile number, an address): hashed."""
    return token_hash(f"{kind}:{value}")
