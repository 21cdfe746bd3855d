"""One process-wide list of secret values and the mask every outward text passes through.

Config's :class:`~mallbatch.config.Secret` registers its value when it is created and auth
classes register what they obtain (tokens, signed client secrets), so a mall's answer that
echoes the request can be cleaned before it reaches a workbook, the store, the log or the
console. The HTTP layer masks every body with this list plus the auth headers of the
request that produced it; the sinks mask again as a last line.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable

HIDDEN = "********"
MIN_LENGTH = 6  # shorter values (ids like "1", "test") would mask ordinary words
_AUTH_HEADERS = ("authorization", "apikey", "openapikey", "api-key", "x-api-key", "x-auth-token", "access-token", "cookie",
                 "proxy-authorization")
_PIECES = re.compile(r"[\s,;]+")

_lock = threading.Lock()
_values: set[str] = set()
_ordered: tuple[str, ...] = ()


def _variants(value: str) -> set[str]:
    """The value as written, and as a JSON string would escape it (non-ASCII as \\uXXXX)."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def register(value: str) -> None:
    """Remember a secret value for every later :func:`mask` in this process."""
    global _ordered
    if not isinstance(value, str) or len(value) < MIN_LENGTH:
        return
    with _lock:
        if value in _values:
            return
        _values.add(value)
        variants = {v for known in _values for v in _variants(known)}
        _ordered = tuple(sorted(variants, key=len, reverse=True))  # longest first: no partial leftovers


def mask(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with every registered secret (and ``extra`` values) replaced by ********."""
    if not text:
        return text
    for value in (*sorted((v for v in extra if len(v) >= MIN_LENGTH), key=len, reverse=True), *_ordered):
        if value in text:
            text = text.replace(value, HIDDEN)
    return text


def mask_bytes(data: bytes, extra: Iterable[str] = ()) -> bytes:
    """:func:`mask` on raw bytes (a response body before anything parses it)."""
    values = [v for e in extra if len(e) >= MIN_LENGTH for v in _variants(e)]
    for value in sorted({*values, *_ordered}, key=len, reverse=True):
        needle = value.encode("utf-8")
        if needle in data:
            data = data.replace(needle, HIDDEN.encode("ascii"))
    return data


def auth_values(headers: Iterable[tuple[str, str]]) -> list[str]:
    """Credential values as sent in a request's headers: whole, and each token of a scheme."""
    found: list[str] = []
    for name, value in headers:
        if name.lower() in _AUTH_HEADERS and value:
            found.append(value)
            pieces = (piece.partition("=")[2] or piece for piece in _PIECES.split(value))  # "k=v" → v
            found += [piece for piece in pieces if len(piece) >= 8]
    return found
