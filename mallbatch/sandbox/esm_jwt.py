"""The simulator's own check of an ESM Trading API token (reference §4.1), written from the documented
format with the standard library's HMAC, independent of the client's JWT library.

A token is ``base64url(header).base64url(payload).base64url(HMAC-SHA256)``; the header names the ESM
master id in ``kid``, the payload carries ``sub``/``aud``/``iat`` and the seller ids in ``ssi``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

AUDIENCE = "sa.esmplus.com"  # reference §4.1
SUBJECT = "sell"  # reference §4.1
IAT_SLACK = 600  # invented: how far iat may be from the simulator's clock (seconds); no exp is documented


class BadToken(Exception):
    """Why a token is refused (for logs and tests; the mall answers one 401 body for all)."""


def _part(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(authorization: str | None, master_id: str, secret: str) -> dict[str, str]:
    """The token's seller ids by site ({"A": id, "G": id}), or BadToken."""
    if not authorization or not authorization.startswith("Bearer "):
        raise BadToken("no bearer token")
    token = authorization[len("Bearer "):].strip()
    try:
        head, body, signature = token.split(".")
        header: dict[str, Any] = json.loads(_part(head))
        payload: dict[str, Any] = json.loads(_part(body))
        given = _part(signature)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadToken(f"not a JWT: {exc}") from None
    if header.get("alg") != "HS256" or header.get("typ", "JWT") != "JWT":
        raise BadToken("alg must be HS256")
    expected = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, given):
        raise BadToken("signature")
    if header.get("kid") != master_id:
        raise BadToken("kid is not the master id")
    if payload.get("sub") != SUBJECT or payload.get("aud") != AUDIENCE:
        raise BadToken("sub/aud")
    iat = payload.get("iat")
    if not isinstance(iat, int | float) or abs(time.time() - float(iat)) > IAT_SLACK:
        raise BadToken("iat")
    sites: dict[str, str] = {}
    for part in str(payload.get("ssi") or "").split(","):  # "A:<auction id>,G:<gmarket id>" (reference §4.1)
        site, _, seller = part.strip().partition(":")
        if site in ("A", "G") and seller:
            sites[site] = seller
    if not sites:
        raise BadToken("ssi names no seller")
    return sites
