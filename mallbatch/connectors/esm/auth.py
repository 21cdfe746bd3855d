"""The ESM Trading API's auth (reference §4.1): a fresh HS256 JWT for every call, signed with PyJWT.

Header ``{"typ": "JWT", "alg": "HS256", "kid": <ESM+ master id>}``; payload ``sub "sell"``, ``aud
"sa.esmplus.com"``, ``iat`` and ``ssi`` naming the 옥션 and G마켓 seller ids the account has. No ``exp`` is
documented: a token is minted per request, so none is kept or expires between calls.
"""

from __future__ import annotations

import time
from collections.abc import Generator

import httpx
import jwt

from mallbatch.config import Account

AUDIENCE = "sa.esmplus.com"
ISSUER = "www.esmplus.com"  # second-hand: reference §4.1 (iss apparently not checked; clients use this one)


def seller_ids(account: Account) -> dict[str, str]:
    """{"A": 옥션 seller id, "G": G마켓 seller id} for the ids this account has (one or both)."""
    found = {"A": account.option("auction_seller_id"), "G": account.option("gmarket_seller_id")}
    return {site: account.secret(name) for site, name in (("A", "auction_seller_id"), ("G", "gmarket_seller_id"))
            if found[site] not in (None, "")}


class EsmJwtAuth(httpx.Auth):
    """Signs each request anew; the clock is injectable for tests of ``iat``."""

    def __init__(self, account: Account, clock: callable = time.time) -> None:  # type: ignore[valid-type]
        self._master = account.secret("master_id")
        self._secret = account.secret("esm_secret_key")
        self._ssi = ",".join(f"{site}:{seller}" for site, seller in sorted(seller_ids(account).items()))
        self.clock = clock

    def token(self) -> str:
        payload = {"iss": ISSUER, "sub": "sell", "aud": AUDIENCE, "iat": int(self.clock()), "ssi": self._ssi}
        return jwt.encode(payload, self._secret, algorithm="HS256", headers={"kid": self._master, "typ": "JWT"})

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request
