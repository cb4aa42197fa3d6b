"""The signature of a webhook delivery: HMAC-SHA256 over "<timestamp>.<body>" with the
subscription's secret, sent as `X-Webhook-Signature: sha256=<hex>` beside `X-Webhook-Timestamp`
(Unix seconds) and `X-Webhook-Id` (the event id). Receivers check it with the same function
(docs: the integration guide) and refuse timestamps older than a few minutes (replays)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_PREFIX = "sha256="
#: A receiver refuses a delivery whose timestamp is further than this from its clock.
TOLERANCE_SECONDS = 5 * 60


def new_secret() -> str:
    """A fresh signing secret (256 bits), shown once to the park administrator."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(secret: str, timestamp: str, body: bytes, header: str, *, now: float | None = None) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    import time

    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header or "")
