"""Bearer tokens: made here, shown once, kept only as their sha256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PARTNER_PREFIX = "synp_"


def new_token(prefix: str = PARTNER_PREFIX) -> str:
    """256 random bits, URL-safe, with a prefix that says what the token is for."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_hash(token: str, expected_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(token_hash(token), expected_hash.lower())
