"""HMAC-SHA256 signatures of the inbound mail webhook, over `<timestamp>.<body>`: the timestamp is
signed too, so a captured request cannot be replayed after TOLERANCE_S."""

import hashlib
import hmac
import time

TOLERANCE_S = 300
PREFIX = "sha256="


class SignatureError(Exception):
    pass


def signer(secret: str, timestamp: str | None) -> "hmac.HMAC":
    """A MAC to feed the body to, chunk by chunk."""
    return hmac.new(secret.encode(), f"{timestamp or ''}.".encode(), hashlib.sha256)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = signer(secret, timestamp)
    mac.update(body)
    return PREFIX + mac.hexdigest()


def verify(
    mac: "hmac.HMAC", signature: str | None, timestamp: str | None, *, now: float | None = None
) -> None:
    if not signature or not signature.startswith(PREFIX):
        raise SignatureError("missing or malformed X-Signature")
    try:
        sent_at = int(timestamp or "")
    except ValueError:
        raise SignatureError("missing or malformed X-Timestamp") from None
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE_S:
        raise SignatureError("X-Timestamp is outside the accepted window")
    if not hmac.compare_digest(PREFIX + mac.hexdigest(), signature.strip()):
        raise SignatureError("signature does not match")
