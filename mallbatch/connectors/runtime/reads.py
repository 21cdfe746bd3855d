"""One read loop for every collected list: windows × partitions × pages (× expand) → mapped records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mallbatch.connectors.runtime.paging import dig, follow_pages
from mallbatch.connectors.runtime.spec import Read
from mallbatch.domain.clock import to_kst

if TYPE_CHECKING:
    from mallbatch.connectors.runtime.connector import Connector


def run_read(connector: Connector, read: Read, since: datetime, until: datetime,
             reached: Callable[[float], None] | None = None) -> Iterator[Any]:
    """Records stamped in [since, until), each once, however the mall splits and pages them.

    ``reached`` hears the share of the read done (0…1) after each page: windows × partitions
    done, plus the part of the current one its pages say they hold (when the mall gives a total).
    """
    since, until = to_kst(since), to_kst(until)
    if read.window is not None:
        since, until = read.window.reach(since, until)
    seen: set[str] = set()
    windows = list(read.window.calls(since, until)) if read.window else [{}]
    parts = len(windows) * len(read.partitions)
    step = 0
    for window in windows:
        for partition in read.partitions:
            def page(share: float | None, done: int = step) -> None:
                if reached:
                    reached((done + (share or 0.0)) / parts)

            for item in _items(connector, read, {**window, **partition}, page):
                mapped = read.mapping(item, partition, connector.account.name)
                for record in mapped if isinstance(mapped, list) else [mapped]:
                    key, stamp = read.key(record), read.stamp(record, partition)
                    if key in seen or (stamp is None and not read.keep_unstamped):
                        continue
                    if stamp is not None and not since <= stamp < until:
                        continue  # the mall's window ends may be inclusive: drop the overlap here
                    seen.add(key)
                    yield record
            step += 1
            page(0.0, step)
    if reached and not parts:
        reached(1.0)


def _items(connector: Connector, read: Read, query: dict[str, Any], page: Callable[[float | None], None]) -> Iterator[Any]:
    share = getattr(read.paginator, "share", None)  # paginators that know the total (PageNumber with ``total``)

    def fetch(cursor: Any) -> tuple[list[Any], Any]:
        data = connector.call(read.method, read.path, send=read.send, payload={**query, **read.paginator.params(cursor)})
        items = list(dig(data, read.records) or [])
        page(share(cursor, data, items) if share else None)
        return items, read.paginator.following(cursor, data, items)

    pages = follow_pages(connector.spec.envelope.mall_ko, read.what_ko, fetch)
    expand = read.expand
    if expand is None:
        yield from pages
        return
    changes: dict[str, Any] = {}
    for change in pages:
        found_id = expand.id_of(change)
        if found_id is not None:
            changes.setdefault(found_id, change)
    ids = list(changes)
    for start in range(0, len(ids), expand.batch):
        chunk = ids[start:start + expand.batch]
        data = connector.call(expand.method, expand.path, send=expand.send, payload=expand.body(chunk))
        asked: Any = {i: changes[i] for i in chunk} if expand.with_changes else chunk
        found = expand.records(data, asked) if callable(expand.records) else dig(data, expand.records)
        yield from found if isinstance(found, list) else [found] if found else []  # a detail read by one id
