"""Signatures: Standard Webhooks for webhook partners, X-Hub-Signature for
WebSub subscribers.

Standard Webhooks: `webhook-id` (the delivery id: stable across retries, the
partner's idempotency key), `webhook-timestamp` (seconds, the attempt's real
time), `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
one per secret, space-separated, during a rotation's grace period).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES, MAX_SECRET_BYTES = 24, 64


def new_secret(size: int = 32) -> str:
    """A `whsec_` secret of `size` random bytes (24-64)."""
    if not MIN_SECRET_BYTES <= size <= MAX_SECRET_BYTES:
        raise ValueError(f"a secret has {MIN_SECRET_BYTES}-{MAX_SECRET_BYTES} bytes")
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(size)).decode()


def check_secret(secret: str) -> str:
    """A `whsec_` secret with 24-64 bytes of key, or ValueError."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        raise ValueError("a webhook secret is whsec_ and base64") from None
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise ValueError(
            f"a webhook secret holds {MIN_SECRET_BYTES}-{MAX_SECRET_BYTES} bytes, not {len(key)}"
        )
    return secret


def webhook_headers(
    delivery_id: str, at: datetime, body: bytes, secrets_: Sequence[str]
) -> dict[str, str]:
    text = body.decode("utf-8")
    signatures = " ".join(Webhook(s).sign(delivery_id, at, text) for s in secrets_)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }


def hub_signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC>` for WebSub content distribution."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
