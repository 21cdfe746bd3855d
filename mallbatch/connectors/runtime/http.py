"""The HTTP layer every adapter shares: timeouts, a per-account rate limiter, classified
retries with jittered backoff honouring Retry-After, and no blind resend of writes.

Rules (style-and-reliability.md B5/B6):
* A read is retried on 429, 5xx, timeouts and connection errors.
* A write is retried only where the mall certainly did not apply it: connection never
  made, 429, 502, 503. After a read timeout, a dropped response, 500 or 504 the write
  raises :class:`OutcomeUnknown`; the caller must read the mall back before resending.
* Only the mall's own answer counts: a 2xx whose body is not the mall's declared
  :class:`Envelope` (an HTML maintenance page, a proxy, garbage, truncated JSON) and any 3xx
  raise :class:`MalformedResponse` — retried for a read, :class:`OutcomeUnknown` for a write.
* Every request has an overall deadline (connect + whole response), not only a per-read
  timeout, and a body size cap; the body is read streaming and never buffered past the cap.
* Every body is masked (:mod:`mallbatch.redact`) for registered secrets and the auth headers
  of its own request before an adapter or an error message sees it.
* Nothing here logs headers, bodies or query strings, so secrets and customer data stay out of logs.
"""

from __future__ import annotations

import functools
import logging
import json
import random
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

import httpcore
import httpx

from mallbatch.domain.korean import subject
from mallbatch.errors import (
    AuthError,
    MalformedResponse,
    OutcomeUnknown,
    RateLimited,
    RejectedError,
    RemoteError,
    ResponseTooLarge,
    TransientError,
)
from mallbatch.redact import auth_values, mask, mask_bytes

log = logging.getLogger("mallbatch.http")


class RateLimiter:
    """Average ``rate`` per second (token bucket, ``burst`` saved up) and, when ``per_second``
    is set, never more than ``per_second`` sends in any one-second window.

    The bucket alone lets ``burst`` extra requests into a second (쿠팡: 11 against its 10/s),
    so the send times of the last ``per_second`` requests are kept: a request waits until
    the oldest of them is at least ``WINDOW`` old. ``WINDOW`` is a little over one second
    because the mall counts arrivals, and transit jitter brings two sends a second apart
    closer (measured: 11 arrivals in one second with an exact 1.0 s window).
    """

    WINDOW = 1.05

    def __init__(self, rate: float, burst: int = 1, per_second: int | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.per_second = per_second
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._last = clock()
        self._sent: deque[float] = deque(maxlen=per_second or 1)
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._tokens, wait = self.turn(self._tokens, now - self._last, self.window_wait(self._sent, now))
                self._last = now
                if wait == 0.0:
                    self._tokens = max(0.0, self._tokens - 1)
                    if self.per_second is not None:
                        self._sent.append(now)
                    return
            self._sleep(max(wait, 1e-6))

    def done(self) -> None:
        """This thread's sends have their answers. Nothing to do in one process: its sends are spaced by the
        time they were granted, and ``WINDOW``'s margin covers the jitter of one process (measured)."""

    def window_wait(self, sent: Sequence[float], now: float) -> float:
        """How long until the oldest of the last ``per_second`` sends is ``WINDOW`` old (≤ 0: the window has room)."""
        if self.per_second is None or len(sent) < self.per_second:
            return 0.0
        return sent[-self.per_second] + self.WINDOW - now

    def turn(self, tokens: float, elapsed: float, window_wait: float) -> tuple[float, float]:
        """The bucket refilled over ``elapsed`` seconds, and how long a send must wait (0.0: it may go now, taking
        one token), given the window's own wait. The bucket rule, for this limiter and the store's shared one."""
        tokens = min(self.burst, tokens + max(0.0, elapsed) * self.rate)
        if tokens >= 1 - 1e-9 and window_wait <= 0:  # float rounding must not spin
            return tokens, 0.0
        return tokens, max(window_wait, (1 - tokens) / self.rate if tokens < 1 else 0.0)


_LIMITERS: dict[tuple[str, str], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


class Limiter(Protocol):
    """What a client waits on before each send: this process's :class:`RateLimiter`, or the one a
    PostgreSQL store's processes share (:mod:`.shared_limiter`)."""

    def acquire(self) -> Any: ...

    def done(self) -> None:
        """The sends this thread was granted have their answers (or were given up): called after every attempt."""


Limits = Callable[[tuple[str, str], float, int, "int | None"], Limiter]
"""Where a connector gets its limiters: :func:`limiter_for` (this process) or a store's ``SharedLimits``."""


def limiter_for(key: tuple[str, str], rate: float, burst: int, per_second: int | None = None) -> RateLimiter:
    """One limiter per (mall, account) shared by every client of that account in this process."""
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None or (limiter.rate, limiter.burst, limiter.per_second) != (rate, burst, per_second):
            limiter = _LIMITERS[key] = RateLimiter(rate, burst, per_second)
        return limiter


@dataclass(frozen=True)
class EndpointLimit:
    """The limiter of a slower endpoint, taken before the account's for the calls ``applies`` accepts (by payload)."""

    limiter: Limiter
    applies: Callable[[Any], bool] | None = None  # None: every call of the endpoint

    def acquire(self, kwargs: dict[str, Any]) -> None:
        if self.applies is None or self.applies(kwargs.get("json", kwargs.get("params"))):
            self.limiter.acquire()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self.max_delay, max(0.0, retry_after))
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(backoff / 2, backoff)  # noqa: S311 - jitter, not crypto


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when the body is empty, not JSON or not an object."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


ErrorText = Callable[[httpx.Response], tuple[str, str]]
"""Adapter hook: (mall error code, Korean message) from an error response body."""


def default_classify(response: httpx.Response, error_text: ErrorText) -> RemoteError | None:
    """Map an HTTP status to the exception tree; 2xx (even with per-item failures) is None."""
    status = response.status_code
    if status < 400:
        return None
    code, message = error_text(response)
    if status == 429:
        return RateLimited(message or "요청이 너무 많아 쇼핑몰이 잠시 막았습니다", retry_after=retry_after_seconds(response), code=code)
    if status in (401, 403):
        return AuthError(message or "인증에 실패했습니다. API 키와 등록된 IP를 확인하세요", code=code, status=status)
    if status >= 500:
        return TransientError(message or f"쇼핑몰 서버 오류 ({status})", code=code, status=status)
    return RejectedError(message or f"쇼핑몰이 요청을 거절했습니다 ({status})", code=code, status=status)


DEFAULT_DEADLINE = 60.0  # seconds for connect + the whole response
DEFAULT_MAX_BODY_MB = 64  # no real page of any mall comes near this


@dataclass(frozen=True)
class Envelope:
    """How a mall's real answer looks, so anything else (a proxy's page) is never read as "nothing".

    ``keys``: a 2xx body must be a JSON object holding at least one of them (empty: any JSON
    object). ``shapes``: (method or "*", path prefix, keys) rules for calls whose answer has
    another shape; the first match wins. ``content_type`` must appear in the Content-Type.
    """

    mall_ko: str
    keys: tuple[str, ...] = ()
    shapes: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    content_type: str = "json"
    code: str | None = None  # body field with the mall's own result code (위메프 resultCode)
    # codes of that field that mean success (a 200 with another code is an error); empty: every 2xx is
    # a success and the code is only read from refusals (스마트스토어)
    ok: tuple[str, ...] = ()
    # body field with the mall's message for a refusal, or a function composing it from the body
    message: str | Callable[[dict[str, Any]], str] | None = None
    data: str | None = None  # body field holding the answer itself (None: the whole body)
    decode: Callable[[bytes], Any] | None = None  # body → object for a mall that does not speak JSON
    # (11번가 XML); raises ValueError on an unreadable body. None: JSON.
    empty_writes: bool = False  # a write (any method but GET) may succeed with an empty 2xx body (티몬); a read never
    arrays: bool = False  # a JSON array is an answer too (티몬's order search is a bare list)

    def parse(self, response: httpx.Response) -> Any:
        """The body as the mall's decoder reads it (JSON by default); None for an empty body ``empty_writes`` let through."""
        if self.empty_writes and not response.content.strip():
            return None
        return self.decode(response.content) if self.decode else response.json()

    def fields(self, response: httpx.Response) -> dict[str, Any]:
        """The decoded body as an object, or {} when it is empty, unreadable or not an object."""
        if self.decode is None:
            return json_body(response)
        try:
            body = self.decode(response.content)
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def said(self, body: dict[str, Any]) -> str:
        """The mall's own words in a refusal body ("" when it gives none)."""
        if callable(self.message):
            return self.message(body).strip()
        return str(body.get(self.message) or "").strip() if self.message else ""

    def keys_for(self, method: str, path: str) -> tuple[str, ...]:
        for want, prefix, keys in self.shapes:
            if want in ("*", method.upper()) and path.startswith(prefix):
                return keys
        return self.keys

    def problem(self, response: httpx.Response, method: str, path: str) -> str | None:
        """Korean description of what came back instead of the envelope, or None when it is one."""
        who = subject(self.mall_ko)
        status = response.status_code
        if 300 <= status < 400:
            where = str(response.headers.get("Location", "")).split("?")[0][:80]
            return f"{who} 응답 대신 다른 주소로 보냈습니다 (HTTP {status}{' → ' + where if where else ''}). 로그인 화면이나 프록시일 수 있습니다"
        if status == 204:
            return None
        content = response.content
        kind = response.headers.get("Content-Type", "").lower()
        if not content.strip():
            if self.empty_writes and method.upper() not in ("", "GET", "HEAD"):
                return None
            return f"{who} 빈 응답을 보냈습니다 (HTTP {status})"
        head = content.lstrip()[:5].lower()
        if "html" in kind or head in (b"<!doc", b"<html") or (self.decode is None and head[:1] == b"<"):
            return f"{who} 응답 대신 HTML 페이지를 보냈습니다 (점검 중이거나 프록시·공용 와이파이 로그인 화면일 수 있습니다)"
        form = self.content_type.upper()
        try:
            body = self.decode(content) if self.decode else json.loads(content)
        except ValueError:
            return f"{who} 해석할 수 없는 응답을 보냈습니다 ({form}이 아니거나 중간에 잘렸습니다, {len(content):,}바이트)"
        if not isinstance(body, dict) and not (self.arrays and isinstance(body, list)):
            return f"{who} 알 수 없는 형식의 응답을 보냈습니다 ({form} {type(body).__name__})"
        if kind and self.content_type not in kind:
            return f"{who} 알 수 없는 형식의 응답을 보냈습니다 (Content-Type {kind[:40]})"
        keys = self.keys_for(method, path)
        if keys and isinstance(body, dict) and not any(k in body for k in keys):
            return f"{who} 알 수 없는 형식의 응답을 보냈습니다 ({'/'.join(keys)} 없음)"
        return None


# --- the overall deadline ---------------------------------------------------------------------
# httpx timeouts bound each socket operation, so a server trickling a byte every 2 s never
# trips them. The deadline of the request in progress (monotonic seconds) clamps every
# connect, read and write of the socket layer instead; reading headers is covered too.
_DEADLINE: ContextVar[float | None] = ContextVar("mallbatch_http_deadline", default=None)


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("overall deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _clamp(timeout, httpcore.ConnectTimeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _clamp(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying context per process: loading the CA bundle costs 0.1–0.4 s of CPU, and every
    client used to load it twice (an agency's workers build clients for every job)."""
    return httpx.create_ssl_context()


def _transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(limits=limits, verify=_ssl_context())
    # httpx builds its pool without a way to pass the socket layer; this is the same pool
    # with the deadline-aware one.
    transport._pool = httpcore.ConnectionPool(  # noqa: SLF001
        ssl_context=_ssl_context(), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(),
    )
    return transport


def read_capped(response: httpx.Response, max_body: int) -> bytes:
    """The decoded body of a streaming response, or :class:`ResponseTooLarge` past ``max_body`` bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise ResponseTooLarge(f"응답이 너무 큽니다 ({int(declared) / 2**20:,.0f} MiB, 한도 {max_body / 2**20:,.0f} MiB)")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_body:
            raise ResponseTooLarge(f"응답이 너무 큽니다 (한도 {max_body / 2**20:,.0f} MiB를 넘었습니다)")
        chunks.append(chunk)
    return b"".join(chunks)


class HttpClient:
    """httpx.Client wrapper used by connectors; ``auth`` signs or tokenises each request."""

    def __init__(
        self,
        base_url: str,
        *,
        limiter: Limiter,
        envelope: Envelope,
        error_text: ErrorText = lambda r: (str(r.status_code), ""),
        auth: httpx.Auth | None = None,
        timeout: float = 10.0,
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = DEFAULT_MAX_BODY_MB * 2**20,
        retry: RetryPolicy | None = None,
        classify: Callable[[httpx.Response], RemoteError | None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        endpoints: dict[tuple[str, str], EndpointLimit] | None = None,
    ) -> None:
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        self._client = httpx.Client(
            base_url=base_url,
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            transport=_transport(limits),
            follow_redirects=False,
        )
        self.auth = auth  # the request signer (a connector may set its clock)
        self.limiter = limiter
        self.endpoints = endpoints or {}  # (METHOD, path) → its own, slower limiter (taken before the account's)
        self.envelope = envelope
        self.deadline = deadline
        self.max_body = max_body
        self.retry = retry or RetryPolicy()
        self._error_text = error_text
        self._classify = classify or (lambda r: default_classify(r, error_text))
        self._sleep = sleep
        self.calls = 0  # requests actually sent, for benchmarks

    def close(self) -> None:
        self._client.close()

    def _send(self, method: str, path: str, kwargs: dict[str, Any]) -> httpx.Response:
        """One attempt within the deadline; the body is read capped and masked."""
        token = _DEADLINE.set(time.monotonic() + self.deadline)
        try:
            response = self._client.send(self._client.build_request(method, path, **kwargs), stream=True)
            try:
                content = read_capped(response, self.max_body)
            finally:
                response.close()
        finally:
            _DEADLINE.reset(token)
        content = mask_bytes(content, auth_values(response.request.headers.multi_items()))
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")]
        return httpx.Response(response.status_code, headers=headers, content=content, request=response.request)

    def request(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> httpx.Response:
        """Send with retries; raise a :class:`RemoteError` subclass or return a 2xx envelope response."""
        last: RemoteError | None = None
        endpoint = self.endpoints.get((method.upper(), path))
        for attempt in range(1, self.retry.attempts + 1):
            if endpoint is not None:
                endpoint.acquire(kwargs)
            self.limiter.acquire()
            self.calls += 1
            started = time.monotonic()
            try:
                try:
                    response = self._send(method, path, kwargs)
                finally:  # an auth flow's resend was granted in this thread too: done() covers it
                    self.limiter.done()
                    if endpoint is not None:
                        endpoint.limiter.done()
            except ResponseTooLarge as exc:
                if write:
                    raise OutcomeUnknown(f"{exc.message_ko}. 쇼핑몰에 반영되었는지 확인 후 처리합니다") from exc
                raise
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                last = TransientError(f"쇼핑몰에 연결하지 못했습니다 ({type(exc).__name__})")
            except httpx.TransportError as exc:
                # The request left us; the mall may have applied it.
                late = time.monotonic() - started >= self.deadline
                what = f"{self.deadline:g}초 안에 응답이 끝나지 않았습니다" if late else f"응답을 받지 못했습니다 ({type(exc).__name__})"
                if write:
                    raise OutcomeUnknown(f"{what}. 쇼핑몰에 반영되었는지 확인 후 처리합니다") from exc
                last = TransientError(what)
            else:
                log.debug("%s %s -> %s in %.0f ms", method, path, response.status_code, (time.monotonic() - started) * 1000)
                error = self._error(response, method, path)
                if error is None:
                    return response
                if isinstance(error, MalformedResponse):
                    if write:
                        raise OutcomeUnknown(f"{error.message_ko}. 쇼핑몰에 반영되었는지 확인 후 처리합니다", status=error.status)
                elif isinstance(error, TransientError):
                    if write and error.status not in (502, 503):
                        raise OutcomeUnknown(f"쇼핑몰 서버 오류 ({error.status}) 뒤 결과를 알 수 없습니다. 쇼핑몰 상태를 확인 후 처리합니다", status=error.status)
                elif not isinstance(error, RateLimited):
                    raise error
                last = error
            if attempt < self.retry.attempts:
                retry_after = last.retry_after if isinstance(last, RateLimited) else None
                self._sleep(self.retry.delay(attempt, retry_after))
        assert last is not None
        raise last

    def _error(self, response: httpx.Response, method: str, path: str) -> RemoteError | None:
        """The response as an error: not the envelope, or what the status and the mall's body say."""
        status = response.status_code
        if status < 400:
            problem = self.envelope.problem(response, method, path)
            if problem is not None:
                return MalformedResponse(f"{problem}. 잠시 후 다시 시도하세요", status=status)
        error = self._classify(response)
        if error is not None:
            error.message_ko = mask(error.message_ko)
        return error


class HeaderAuth(httpx.Auth):
    """A static key in one header of every request (위메프 ``apiKey``, 11번가 ``openapikey``)."""

    def __init__(self, header: str, value: str) -> None:
        self._header = header
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request
