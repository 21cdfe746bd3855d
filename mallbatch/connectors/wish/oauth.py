"""Wish OAuth 2.0, authorization code with refresh (reference §3.1, v3 paths).

The seller authorizes the app once (``mallbatch accounts --authorize wish``): the authorize URL is opened
in a browser, Wish redirects to the app's redirect URI with a single-use code (valid 5 minutes), and the
code is exchanged for an access and a refresh token. The tokens live in the account's kept state, i.e. the
workspace's store (mallbatch.db, 0600, or the PostgreSQL schema), so every worker of the workspace on any
machine uses the one authorization (never in config.toml, records, logs or workbooks). The access token is
refreshed before it expires and once when Wish answers 1015 (expired), by one worker at a time: Wish may
rotate the refresh token (the reference does not say), so two workers spending the same one could lose the
grant. A refresh Wish refuses is an :class:`AuthError` the account check shows like an expired key.

A token file of an earlier version (``state/tokens/wish-….json``) or one the seller named with ``token_file``
in config.toml is copied into the store once, when the store has no tokens for the account; from then on the
store is where they are kept and renewed (the file is no longer written).

A simulator account (``sandbox = true``) authorizes itself: the sandbox merchant is signed in and approves
at once (the simulator's authorize page redirects straight back), so a fresh workspace needs no step.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Generator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from mallbatch.config import Account
from mallbatch.connectors.runtime.http import json_body
from mallbatch.connectors.runtime.kept import Kept, MemoryKept
from mallbatch.errors import AuthError, MalformedResponse, RejectedError, TransientError
from mallbatch.redact import register

if TYPE_CHECKING:
    from mallbatch.connectors.runtime.connector import Connector

AUTHORIZE_PATH = "/v3/oauth/authorize"  # reference §3.1 (v3); second-hand: api-evangelist/wish collections
TOKEN_PATH = "/api/v3/oauth/access_token"
REFRESH_PATH = "/api/v3/oauth/refresh_token"
V2_PREFIX = "/api/v2/"  # v2 calls take the token as the access_token parameter (reference §3.1 [C2])
EXPIRED = "1015"  # reference §3.2
RENEW_BEFORE = timedelta(days=1)  # invented margin: refreshed when less than a day is left
SMALL_BODY = 2**16
AUTHORIZE_FIRST = "mallbatch accounts --authorize wish 로 한 번 인증하세요 (브라우저에서 Wish 로그인 후 승인)"


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expiry_time: str  # ISO-8601, as Wish answers it
    merchant_id: str = ""
    client_id: str = ""  # the app the tokens belong to: another client_id in config.toml ignores them

    @property
    def expires(self) -> datetime:
        try:
            moment = datetime.fromisoformat(self.expiry_time.replace("Z", "+00:00"))
        except ValueError:
            return datetime.min.replace(tzinfo=UTC)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


KEPT_KEY = "oauth.tokens"  # the account's tokens in its kept state, with the claim of the worker renewing them
POLL_SECONDS = 0.1  # how often a worker waiting for another's renewal looks again


def _dump(tokens: Tokens, renewing_until: str = "") -> str:
    return json.dumps({**asdict(tokens), "renewing_until": renewing_until}, sort_keys=True)


def _parse(raw: str | None, client_id: str) -> tuple[Tokens | None, str]:
    """The kept tokens (registered for masking) and the claim of a worker renewing them ("" = none)."""
    try:
        data = json.loads(raw or "")
        tokens = Tokens(**{k: str(data.get(k) or "") for k in Tokens.__dataclass_fields__})
    except (ValueError, TypeError, AttributeError):
        return None, ""
    if tokens.client_id != client_id or not tokens.refresh_token:
        return None, ""
    for value in (tokens.access_token, tokens.refresh_token):
        register(value)
    return tokens, str(data.get("renewing_until") or "")


def legacy_tokens(path: str | os.PathLike[str] | None, client_id: str) -> str | None:
    """The token file of an earlier version (or a ``token_file`` the seller set), as kept text; None without one."""
    if not path:
        return None
    try:
        tokens, _ = _parse(Path(path).read_text(encoding="utf-8"), client_id)
    except OSError:
        return None
    return None if tokens is None else _dump(tokens)


def code_from(pasted: str, state: str = "") -> str:
    """The authorization code in what the seller pasted: the whole redirected address or the code alone.
    A redirect for another authorization (``state`` differs) or an error redirect is refused in Korean."""
    text = pasted.strip()
    if "?" not in text and "=" not in text:
        if not text:
            raise AuthError("붙여 넣은 내용이 비어 있습니다. 승인 후 브라우저 주소창의 주소 전체를 복사해 붙여 넣으세요")
        return text
    query = parse_qs(urlsplit(text).query if "?" in text else text)
    if "error" in query:
        raise AuthError(f"Wish 가 승인을 거절했습니다 ({query['error'][0]}). 다시 인증하세요")
    if state and query.get("state", [state])[0] != state:
        raise AuthError("붙여 넣은 주소가 이번 인증 요청의 것이 아닙니다 (state 불일치). 방금 연 주소로 다시 승인하세요")
    code = (query.get("code") or [""])[0].strip()
    if not code:
        raise AuthError("붙여 넣은 주소에 code 가 없습니다. Wish 승인 후 이동한 주소 전체를 붙여 넣으세요")
    return code


class WishOAuth(httpx.Auth):
    """Bearer token for v3, ``access_token`` parameter for v2; refreshed ahead of expiry and once on 1015.

    Token calls go through the connector's own client (limiter, deadline, masking); a failed refresh is an
    AuthError, never retried blindly. Thread-safe: one connector may be shared by threads.
    """

    def __init__(self, account: Account) -> None:
        self.account = account
        self.client_id = account.secret("client_id")
        self.client_secret = account.secret("client_secret")
        self.redirect_uri = str(account.option("redirect_uri") or "")
        self.kept: Kept = MemoryKept()  # the connector's, from attach()
        self._connector: Connector | None = None
        self._lock = threading.RLock()
        self._tokens: Tokens | None = None

    def attach(self, connector: Connector) -> None:
        """Token calls go through ``connector``; tokens live in its kept state, where a token file of an earlier
        version (``token_file``) is copied once, so an upgraded workspace needs no new authorization."""
        self._connector = connector
        self.kept = connector.kept
        legacy = legacy_tokens(self.account.option("token_file"), self.client_id)
        if legacy is not None:
            self.kept.add(KEPT_KEY, legacy)

    # --- the authorization code ----------------------------------------------------------
    def authorize_url(self, state: str) -> str:
        base = self._base()
        query = {"client_id": self.client_id, "state": state, **({"redirect_uri": self.redirect_uri} if self.redirect_uri else {})}
        return f"{base}{AUTHORIZE_PATH}?{urlencode(query)}"

    def exchange(self, code: str) -> Tokens:
        """Code → tokens (``POST /api/v3/oauth/access_token``), stored in the token file."""
        form = {"client_id": self.client_id, "client_secret": self.client_secret, "code": code,
                "grant_type": "authorization_code", **({"redirect_uri": self.redirect_uri} if self.redirect_uri else {})}
        return self._store(self._token_call(TOKEN_PATH, form, "인증 코드 교환"))

    def exchange_pasted(self, pasted: str, state: str) -> Tokens:
        """What the seller pasted after approving (the redirected address or the code) → stored tokens."""
        return self.exchange(code_from(pasted, state))

    def authorize_sandbox(self) -> Tokens:
        """The whole flow for a simulator account: the sandbox approves at once and redirects with the code."""
        state = secrets.token_urlsafe(12)
        try:
            answer = httpx.get(self.authorize_url(state), timeout=10, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise TransientError(f"Wish 시뮬레이터 인증 페이지에 연결하지 못했습니다 ({type(exc).__name__})") from None
        location = answer.headers.get("Location", "")
        if answer.status_code not in (302, 303) or "code=" not in location:
            raise AuthError(f"Wish 시뮬레이터가 인증을 승인하지 않았습니다 (HTTP {answer.status_code}). "
                            "config.toml 의 client_id·client_secret·redirect_uri 를 확인하세요", code="AUTH_REQUIRED")
        return self.exchange(code_from(location, state))

    # --- tokens --------------------------------------------------------------------------
    def tokens(self, stale: str | None = None) -> Tokens:
        """Valid tokens: from memory, else the kept state, renewed when near expiry or equal to ``stale``."""
        with self._lock:
            current = self._tokens
            if current is not None and current.access_token != stale and not self._due(current):
                return current
            return self._kept_tokens(stale)

    def _kept_tokens(self, stale: str | None) -> Tokens:
        """The shared tokens; renewed by one worker at a time: the worker whose claim (compare-and-set on the kept
        row) wins calls Wish, the others wait for the token it keeps instead of spending the same refresh token."""
        assert self._connector is not None, "attached by Connector.__init__"
        lease = 2 * self._connector.http.deadline  # a claim outlives the renewing call, then another may take over
        give_up = time.monotonic() + lease  # bounded here too: another machine's clock may be ahead
        while True:
            raw = self.kept.get(KEPT_KEY)
            current, renewing_until = _parse(raw, self.client_id)
            if raw is None or current is None:
                if not self.account.sandbox:
                    raise AuthError(f"{self.account.label}: Wish 인증이 아직 없습니다. {AUTHORIZE_FIRST}", code="AUTH_REQUIRED")
                return self.authorize_sandbox()
            self._tokens = current
            now = datetime.now(UTC)
            if current.access_token != stale and not self._due(current):
                return current  # another worker renewed it already
            if renewing_until > now.isoformat() and time.monotonic() < give_up:
                if current.access_token != stale and now < current.expires:
                    return current  # still valid while another worker renews it
                time.sleep(POLL_SECONDS)
                continue
            claim = _dump(current, (now + timedelta(seconds=lease)).isoformat())
            if self.kept.swap(KEPT_KEY, raw, claim):
                return self._renew(current, claim)

    @staticmethod
    def _due(tokens: Tokens) -> bool:
        return datetime.now(UTC) >= tokens.expires - RENEW_BEFORE

    def _renew(self, current: Tokens, claim: str) -> Tokens:
        """The refresh call of the worker holding the renewal claim; a failure gives the claim back."""
        form = {"client_id": self.client_id, "client_secret": self.client_secret,
                "refresh_token": current.refresh_token, "grant_type": "refresh_token"}
        try:
            return self._store(self._token_call(REFRESH_PATH, form, "토큰 갱신", code="TOKEN_REFRESH_FAILED"))
        except AuthError:
            self.kept.swap(KEPT_KEY, claim, _dump(current))
            if not self.account.sandbox:
                raise
            return self.authorize_sandbox()  # the simulator forgot the grant (a fresh sandbox.db): approve again
        except BaseException:
            self.kept.swap(KEPT_KEY, claim, _dump(current))
            raise

    def _token_call(self, path: str, form: dict[str, str], what: str, code: str = "AUTH_REQUIRED") -> dict[str, Any]:
        assert self._connector is not None, "attached by Connector.__init__"
        try:
            data = (self._connector.call("POST", path, send="data", payload=form) or {}).get("data") or {}
        except (RejectedError, AuthError) as exc:  # 429/5xx stay what they are: nothing was refused
            raise AuthError(f"{self.account.label}: Wish {what}에 실패했습니다 ({exc.message_ko}). {AUTHORIZE_FIRST}",
                            code=code, status=exc.status) from None
        if not isinstance(data, dict) or not data.get("access_token") or not data.get("refresh_token"):
            raise MalformedResponse(f"Wish {what} 응답에 access_token/refresh_token 이 없습니다")
        return data

    def _store(self, data: dict[str, Any]) -> Tokens:
        tokens = Tokens(str(data["access_token"]), str(data["refresh_token"]), str(data.get("expiry_time") or ""),
                        str(data.get("merchant_id") or ""), self.client_id)
        for value in (tokens.access_token, tokens.refresh_token):
            register(value)  # masked in anything a mall sends back, like a configured secret
        with self._lock:
            self._tokens = tokens
            self.kept.put(KEPT_KEY, _dump(tokens))
        return tokens

    def _base(self) -> str:
        assert self._connector is not None, "attached by Connector.__init__"
        return self._connector.base_url.rstrip("/")

    # --- signing -------------------------------------------------------------------------
    @staticmethod
    def _sign(request: httpx.Request, token: str) -> None:
        if request.url.path.startswith(V2_PREFIX):
            request.url = request.url.copy_merge_params({"access_token": token})
        else:
            request.headers["Authorization"] = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.path.endswith((TOKEN_PATH, REFRESH_PATH)):  # the token calls themselves
            yield request
            return
        used = self.tokens().access_token
        original = request.url
        self._sign(request, used)
        response = yield request
        declared = response.headers.get("Content-Length", "")
        if response.status_code != 401 or not declared.isdigit() or int(declared) > SMALL_BODY:
            return  # not Wish's small refusal: the HTTP layer reads (and caps) the body
        response.read()
        if str(json_body(response).get("code")) != EXPIRED:
            return  # 1016 revoked, 4000 unauthorized: the classifier says so in Korean
        # Wish refused the token before the call ran, so sending it again (a write too) is safe.
        request.url = original
        self._sign(request, self.tokens(stale=used).access_token)
        assert self._connector is not None
        self._connector.http.limiter.acquire()
        yield request

