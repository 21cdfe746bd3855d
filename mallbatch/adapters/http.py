"""The HTTP layer every adapter shares: timeouts, a per-account rate limiter, classified
retries with jittered backoff honouring Retry-After, and no blind resend of writes.

Rules (style-and-reliability.md B5/B6):
* A read is retried on 429, 5xx, timeouts and connection errors.
* A write is retried only where the mall certainly did not apply it: connection never
  made, 429, 502, 503. After a read timeout, a dropped response, 500 or 504 the write
  raises :class:`OutcomeUnknown`; the caller must read the mall back before resending.
* Nothing here logs headers, bodies or query strings, so secrets and customer data stay out of logs.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from mallbatch.errors import (
    AuthError,
    OutcomeUnknown,
    RateLimited,
    RejectedError,
    RemoteError,
    TransientError,
)

log = logging.getLogger("mallbatch.http")


class RateLimiter:
    """Token bucket: ``rate`` tokens per second, at most ``burst`` saved up."""

    def __init__(self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._tokens = float(self.burst)
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)


_LIMITERS: dict[tuple[str, str], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def limiter_for(key: tuple[str, str], rate: float, burst: int) -> RateLimiter:
    """One bucket per (mall, account) shared by every client of that account in this process."""
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None or limiter.rate != rate or limiter.burst != burst:
            limiter = _LIMITERS[key] = RateLimiter(rate, burst)
        return limiter


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


class HttpClient:
    """httpx.Client wrapper used by adapters; ``auth`` signs or tokenises each request."""

    def __init__(
        self,
        base_url: str,
        *,
        limiter: RateLimiter,
        error_text: ErrorText,
        auth: httpx.Auth | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        classify: Callable[[httpx.Response], RemoteError | None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
            follow_redirects=False,
        )
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self._error_text = error_text
        self._classify = classify or (lambda r: default_classify(r, error_text))
        self._sleep = sleep
        self.calls = 0  # requests actually sent, for benchmarks

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> httpx.Response:
        """Send with retries; raise a :class:`RemoteError` subclass or return a 2xx/3xx response."""
        last: RemoteError | None = None
        for attempt in range(1, self.retry.attempts + 1):
            self.limiter.acquire()
            self.calls += 1
            started = time.monotonic()
            try:
                response = self._client.request(method, path, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                last = TransientError(f"쇼핑몰에 연결하지 못했습니다 ({type(exc).__name__})")
            except httpx.TransportError as exc:
                # The request left us; the mall may have applied it.
                if write:
                    raise OutcomeUnknown(f"응답을 받지 못했습니다 ({type(exc).__name__}). 쇼핑몰에 반영되었는지 확인 후 처리합니다") from exc
                last = TransientError(f"응답을 받지 못했습니다 ({type(exc).__name__})")
            else:
                log.debug("%s %s -> %s in %.0f ms", method, path, response.status_code, (time.monotonic() - started) * 1000)
                error = self._classify(response)
                if error is None:
                    return response
                if isinstance(error, TransientError):
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
