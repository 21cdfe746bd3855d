"""Paginators: how a mall hands out the next page, and one loop that follows any of them.

A paginator says what to add to a request for a cursor (``params``) and which cursor follows
an answer (``following``: None when there is no next page). :func:`follow_pages` guards every
one of them against a mall going round in circles (a repeated cursor or a repeated page).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from mallbatch.domain.korean import subject
from mallbatch.errors import MalformedResponse


class Paginator(Protocol):
    def params(self, cursor: Any) -> dict[str, Any]: ...

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None: ...


def dig(data: Any, path: str) -> Any:
    """``data["a"]["b"]`` for "a.b"; None when any step is missing or not an object."""
    for part in path.split(".") if path else ():
        data = data.get(part) if isinstance(data, dict) else None
    return data


@dataclass(frozen=True)
class Single:
    """One call answers everything."""

    def params(self, cursor: Any) -> dict[str, Any]:
        return {}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        return None


@dataclass(frozen=True)
class PageNumber:
    """``param`` = 1, 2, …; a next page while ``page × size < total`` (or, without a total, while pages are full)."""

    param: str = "page"
    total: str | None = None  # data field with the number of records in all pages
    size: str | None = None  # data field with the page size; else ``page_size``
    page_size: int | None = None
    start: int = 1

    def params(self, cursor: Any) -> dict[str, Any]:
        return {self.param: cursor or self.start}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        number = cursor or self.start
        size = int(dig(data, self.size) or 0) if self.size else 0
        size = size or self.page_size or len(items) or 1
        if not items:
            return None
        if self.total is not None:
            return number + 1 if (number - self.start + 1) * size < int(dig(data, self.total) or 0) else None
        return number + 1 if len(items) >= size else None

    def share(self, cursor: Any, data: Any, items: list[Any]) -> float | None:
        """How much of the list the pages up to this one hold, when the mall says how many records there are."""
        total = int(dig(data, self.total) or 0) if self.total is not None else 0
        if not total:
            return None
        size = (int(dig(data, self.size) or 0) if self.size else 0) or self.page_size or len(items) or 1
        return min(1.0, ((cursor or self.start) - self.start + 1) * size / total)


@dataclass(frozen=True)
class NextToken:
    """The answer names the next page's token (쿠팡 ``nextToken``); empty means the last page."""

    param: str = "nextToken"
    token: str = "nextToken"

    def params(self, cursor: Any) -> dict[str, Any]:
        return {self.param: cursor} if cursor else {}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        return str(dig(data, self.token) or "") or None


@dataclass(frozen=True)
class MoreCursor:
    """The answer carries a ``more`` object whose fields become the next request's parameters
    (스마트스토어 ``more.moreFrom`` / ``more.moreSequence``); no object means the last page."""

    more: str = "more"
    fields: dict[str, str] = field(default_factory=dict)  # request parameter → field of ``more``

    def params(self, cursor: Any) -> dict[str, Any]:
        return dict(cursor) if cursor else {}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        more = dig(data, self.more)
        if not isinstance(more, dict):
            return None
        return tuple((param, more.get(name)) for param, name in self.fields.items())


@dataclass(frozen=True)
class NextUrl:
    """The answer names the next page as a full URL (Wish v2 ``paging.next``): its query becomes the next
    request's parameters on the read's own path and host (``drop``: parameters the auth adds itself, such
    as an access token); no URL means the last page."""

    field: str = "paging.next"
    drop: tuple[str, ...] = ()

    def params(self, cursor: Any) -> dict[str, Any]:
        return dict(cursor) if cursor else {}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        url = str(dig(data, self.field) or "")
        if not url:
            return None
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        return tuple(sorted((k, v) for k, v in query if k not in self.drop))


@dataclass(frozen=True)
class Keyset:
    """Keyset paging on a sorted field (Wish v3 ``updated_at_min`` with ``sort_by=updated_at.asc``): a full
    page of ``limit`` records continues from its last record's ``field``. ``param`` is inclusive, so that
    record comes again; the read's key drops it. More than a page of records with one value would hand out
    the same cursor twice, which :func:`follow_pages` stops."""

    param: str
    field: str
    limit: int

    def params(self, cursor: Any) -> dict[str, Any]:
        return {self.param: cursor} if cursor else {}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        if len(items) < self.limit:
            return None
        return str(dig(items[-1], self.field) or "") or None


def follow_pages(mall_ko: str, what: str, fetch: Callable[[Any], tuple[list[Any], Hashable | None]]) -> Iterator[Any]:
    """Every item of a mall's paging: ``fetch(cursor)`` returns (items, next cursor or None).

    The first call gets ``None``. A cursor (next token, moreSequence, page number) handed
    out a second time, or a page whose items equal an earlier page's, means the mall is
    going round in circles: stop with :class:`MalformedResponse` instead of looping.
    """
    cursors: set[Hashable] = set()
    pages: set[int] = set()
    cursor: Any = None
    while True:
        items, following = fetch(cursor)
        if items:
            fingerprint = hash(json.dumps(items, sort_keys=True, default=str))
            if fingerprint in pages:
                raise MalformedResponse(f"{subject(mall_ko)} {what} 조회에서 같은 페이지를 다시 보냈습니다. 반복을 멈췄습니다; 잠시 후 다시 수집하세요")
            pages.add(fingerprint)
        yield from items
        if following is None:
            return
        if following in cursors:
            raise MalformedResponse(f"{subject(mall_ko)} {what} 조회에서 같은 다음 페이지 표시({str(following)[:40]})를 두 번 보냈습니다. "
                                    "반복을 멈췄습니다; 잠시 후 다시 수집하세요")
        cursors.add(following)
        cursor = following
