"""Error rules: a mall's status / body code / message predicate → mallbatch's exception tree.

One classifier per spec replaces each adapter's ``classify`` and ``error_text``. A 2xx that is
not the envelope is :class:`MalformedResponse`; a 2xx envelope whose result code is not a
success code is an error like any 4xx/5xx. Rules are tried in order, then the default mapping
of the status (or, inside a 2xx, the numeric result code): 429 rate limit, 401/403 auth,
5xx transient, anything else a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from mallbatch.connectors.runtime.http import Envelope, retry_after_seconds
from mallbatch.domain.korean import subject
from mallbatch.errors import AuthError, MalformedResponse, RateLimited, RejectedError, RemoteError, TransientError

Classify = Callable[[httpx.Response], RemoteError | None]


@dataclass(frozen=True)
class ErrorRule:
    """When every given predicate holds, raise ``error`` with ``message`` (else the mall's own words)."""

    error: type[RemoteError]
    status: tuple[int, ...] = ()  # HTTP status, or inside a 2xx the envelope's numeric code
    codes: tuple[str, ...] = ()  # the envelope's result codes
    text: str | None = None  # a substring of the mall's message or of the raw body (an HTML block page)
    message: str | None = None  # Korean text for the seller
    # RateLimited only: wait this long when the mall sends no Retry-After (or a function of the response)
    retry_after: float | Callable[[httpx.Response], float | None] | None = None

    def matches(self, number: int, code: str, said: str, raw: str) -> bool:
        return ((not self.status or number in self.status) and (not self.codes or code in self.codes)
                and (self.text is None or self.text in said or self.text in raw))


def classifier(envelope: Envelope, rules: tuple[ErrorRule, ...] = ()) -> Classify:
    """The spec's classify: None for a successful envelope, else the error the rules name."""
    mall = envelope.mall_ko

    def classify(response: httpx.Response) -> RemoteError | None:
        status = response.status_code
        body = envelope.fields(response)
        if status < 400:
            problem = envelope.problem(response, *_asked(response))
            if problem is not None:
                return MalformedResponse(problem, status=status)
            if envelope.code is None or not envelope.ok or str(body.get(envelope.code)) in envelope.ok:
                return None
        code = str(body.get(envelope.code) or "") if envelope.code else ""
        code = code or str(status)
        number = status if status >= 400 else (int(code) if code.isdigit() else 0)
        said = envelope.said(body)
        raw = response.text[:2000] if not body else ""
        rule = next((r for r in rules if r.matches(number, code, said, raw)), None)
        kind = rule.error if rule else _default(number)
        text = (rule.message if rule else None) or (f"{mall}: {said}" if said else _fallback(kind, mall, number, code))
        if issubclass(kind, RateLimited):
            wait = retry_after_seconds(response)
            if wait is None and rule is not None:
                wait = rule.retry_after(response) if callable(rule.retry_after) else rule.retry_after
            return kind(text, retry_after=wait, code=code, status=status)
        return kind(text, code=code, status=number if issubclass(kind, TransientError) else status)

    return classify


def _asked(response: httpx.Response) -> tuple[str, str]:
    """(method, path) of the request answered, ("", "") when the response has none: the envelope's shape for that
    call applies (an empty write answer, a token answer)."""
    try:
        return response.request.method, response.request.url.path
    except RuntimeError:
        return "", ""


def _default(number: int) -> type[RemoteError]:
    if number == 429:
        return RateLimited
    if number in (401, 403):
        return AuthError
    if number >= 500:
        return TransientError
    return RejectedError


def _fallback(kind: type[RemoteError], mall: str, number: int, code: str) -> str:
    if issubclass(kind, RateLimited):
        return f"{mall} 호출 한도를 초과했습니다. 잠시 후 다시 시도합니다"
    if issubclass(kind, AuthError):
        return f"{mall} 인증에 실패했습니다. API 키와 등록된 IP를 확인하세요"
    if issubclass(kind, TransientError):
        return f"{mall} 서버 오류 ({number})"
    return f"{subject(mall)} 요청을 거절했습니다 ({code})"
