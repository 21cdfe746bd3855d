"""The 티몬 token (reference §2.1 [C2]): ``POST /oauth/token?grant_type=client_credentials`` with
``Authorization: Basic base64(client_id:client_secret)`` answers ``access_token`` and ``vendorId``; every API
call goes to ``/api/{vendorId}/…`` with ``Bearer`` and, for a partner (agency) account, ``X-Partner-Id`` /
``X-Partner-Token``. An answer naming ``invalid_token`` (MELCHI [C]) issues a new token and resends once.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Generator
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx

from mallbatch.connectors.runtime.http import json_body
from mallbatch.errors import AuthError, RejectedError
from mallbatch.redact import register

if TYPE_CHECKING:
    from mallbatch.connectors.runtime.connector import Connector

TOKEN_PATH = "/oauth/token"
TOKEN_CALL = f"{TOKEN_PATH}?grant_type=client_credentials"  # SK stoa v2: the grant in the query


class TmonTokenAuth(httpx.Auth):
    """Bearer token and vendorId holder, issued through the connector's own client (limiter, deadline, masking;
    retried as a read: issuing is idempotent). Only a small 401 body (declared length) is read here."""

    UNAUTHORIZED_BODY_MAX = 2**16

    def __init__(self, client_id: str, client_secret: str, partner: tuple[str, str] | None = None) -> None:
        self._basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        register(self._basic.split()[-1])  # the pair's encoding is a credential too
        self._partner = partner
        self._connector: Connector | None = None
        self._lock = threading.Lock()
        self._token = ""
        self._vendor = ""

    def attach(self, connector: Connector) -> None:
        self._connector = connector

    def token(self, stale: str | None = None) -> str:
        with self._lock:
            if not self._token or self._token == stale:
                self._token, self._vendor = self._issue()
            return self._token

    def vendor_path(self, path: str) -> str:
        """``path`` under ``/api/{vendorId}``, the vendorId the token answer gave (a token is issued first if needed)."""
        self.token()
        return f"/api/{quote(self._vendor, safe='')}{path}"

    def _issue(self) -> tuple[str, str]:
        assert self._connector is not None, "attached by Connector.__init__"
        try:
            response = self._connector.http.request("POST", TOKEN_CALL, headers={"Authorization": self._basic})
        except (RejectedError, AuthError) as exc:
            raise AuthError(f"티몬 토큰 발급 실패 ({exc.message_ko}). config.toml 의 client_id·client_secret 을 "
                            "티몬 파트너센터에서 발급한 값과 맞추세요", code=exc.code, status=exc.status) from None
        body = json_body(response)
        token, vendor = str(body.get("access_token") or ""), str(body.get("vendorId") or "")
        if not token or not vendor:
            raise AuthError("티몬 토큰 응답에 access_token 또는 vendorId 가 없습니다. 잠시 후 다시 시도하세요")
        register(token)  # masked wherever an answer echoes it
        return token, vendor

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.path.endswith(TOKEN_PATH):
            yield request
            return
        used = self.token()
        request.headers["Authorization"] = f"Bearer {used}"
        if self._partner:
            request.headers["X-Partner-Id"], request.headers["X-Partner-Token"] = self._partner
        response = yield request
        declared = response.headers.get("Content-Length", "")
        if response.status_code != 401 or not declared.isdigit() or int(declared) > self.UNAUTHORIZED_BODY_MAX:
            return
        response.read()
        if "invalid_token" in str(json_body(response).get("error") or ""):
            # refused before the API ran: resending a write is safe
            request.headers["Authorization"] = f"Bearer {self.token(stale=used)}"
            assert self._connector is not None
            self._connector.http.limiter.acquire()
            yield request
