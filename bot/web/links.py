"""Short-lived, unguessable links to stored media: `/media/<id>?t=<expiry>.<signature>`.

Zalo takes a photo by URL, so the bot serves each chart it sends at a link that only it could
have made (an HMAC of the media id and the expiry, keyed with a secret every process of the
bot shares) and that stops working after a few minutes. Nothing is stored per link.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

SIGNATURE_LENGTH = 32  # hex characters of the HMAC kept in the link (128 bits)


def media_link(
    public_url: str, media_id: int, secret: str, now: datetime, lifetime: timedelta
) -> str:
    """Returns the public address of a stored media row, valid for `lifetime` from `now`."""
    expires = int((now + lifetime).timestamp())
    signature = _sign(secret, media_id, expires)
    return f"{public_url.rstrip('/')}/media/{media_id}?t={expires}.{signature}"


def link_is_valid(media_id: int, token: str, secret: str, now: datetime) -> bool:
    """Says whether a link's token was made by us for this media and has not expired."""
    expires_text, _, signature = token.partition(".")
    if not expires_text.isascii() or not expires_text.isdigit() or len(expires_text) > 12:
        return False
    expires = int(expires_text)
    if now.timestamp() >= expires:
        return False
    return hmac.compare_digest(signature, _sign(secret, media_id, expires))


def _sign(secret: str, media_id: int, expires: int) -> str:
    message = f"{media_id}.{expires}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_LENGTH]
