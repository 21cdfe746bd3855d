"""One write loop: precheck, batches, a body per batch, per-item results, and the declared read-back
that turns "refused, but the mall already shows it" into ``already`` instead of a failure.

An item may take several calls: a ``prepare`` that returns a list splits it into parts (쿠팡: a
product's stock is set per option), each sent as an item of its own under the item's key; the item
is done when every part is, and a part whose answer is lost does not stop the item's other parts
(absolute changes: a read-back then finds the whole item applied instead of half of it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mallbatch.connectors.runtime.paging import dig
from mallbatch.connectors.runtime.spec import Write
from mallbatch.domain.records import ItemResult
from mallbatch.errors import OutcomeUnknown, RejectedError

if TYPE_CHECKING:
    from mallbatch.connectors.runtime.connector import Connector

PREPARED = "prepared"  # connector.memo key: records a Write.prepare read, kept for one run_write


def as_payload(item: Any) -> dict[str, Any]:
    """The item as the journal stores it (Invoice → courier, tracking_no …), for ReadBack.holds."""
    return dataclasses.asdict(item) if dataclasses.is_dataclass(item) and not isinstance(item, type) else {}


def run_write(connector: Connector, write: Write, items: Sequence[Any]) -> list[ItemResult]:
    """One result per item, in order. OutcomeUnknown and other errors of a call propagate (the journal's)."""
    results: dict[int, ItemResult] = {}
    todo: list[tuple[int, Any]] = []
    connector.memo[PREPARED] = {}  # what prepares read from the mall serves this write only, never a later one
    for n, item in enumerate(items):
        problem = write.precheck(item) if write.precheck else None
        if not problem and write.prepare:
            item = write.prepare(connector, item)
            problem = item if isinstance(item, (str, tuple)) else None
        if problem:
            code, message = problem if isinstance(problem, tuple) else ("", problem)
            results[n] = ItemResult(write.key(items[n]), ok=False, code=code, message_ko=message)
        else:
            todo += [(n, part) for part in (item if isinstance(item, list) else [item])]
    lost: OutcomeUnknown | None = None
    batches = _batches(write, todo)
    for index, batch in enumerate(batches):
        if lost is not None and batch[0][0] != batches[index - 1][-1][0]:  # not more parts of the lost item
            raise lost
        objects = [item for _, item in batch]
        method, path = write.endpoint(objects)
        try:
            data = connector.call(method, path, write=True, send=write.send, payload=write.body(objects))
        except OutcomeUnknown as exc:
            lost = exc  # the rest of this item's parts go out first
            continue
        except RejectedError as exc:
            answered = [ItemResult(write.key(i), ok=False, code=exc.code, message_ko=exc.message_ko) for i in objects]
        else:
            answered = write.results(data, objects) if write.results else [
                ItemResult(write.key(i), ok=True, remote_id=str(dig(data, write.remote_id) or "")) for i in objects]
        by_key = {r.key: r for r in answered}
        for n, item in batch:
            result = by_key.get(write.key(item))
            if result is not None and not result.ok:
                result = _read_back(connector, write, item, result)
            if result is not None and (n not in results or results[n].ok):  # an item's first failed part says why
                results[n] = result
    if lost is not None:
        raise lost
    return [results[n] for n in sorted(results)]


def _batches(write: Write, todo: list[tuple[int, Any]]) -> list[list[tuple[int, Any]]]:
    """Items whose weights (1 each unless declared) add up to at most ``write.batch``; with ``write.group``
    the items of one group (in order of first appearance) share batches, never with another group's."""
    if write.group is not None:
        groups: dict[str, list[tuple[int, Any]]] = {}
        for entry in todo:
            groups.setdefault(write.group(entry[1]), []).append(entry)
        return [batch for entries in groups.values() for batch in _batches(replace(write, group=None), entries)]
    batches: list[list[tuple[int, Any]]] = []
    used = 0
    for entry in todo:
        weight = write.weight(entry[1]) if write.weight else 1
        if not batches or used + weight > max(1, write.batch):
            batches.append([])
            used = 0
        batches[-1].append(entry)
        used += weight
    return batches


def _read_back(connector: Connector, write: Write, item: Any, failed: ItemResult) -> ItemResult:
    rule = write.read_back
    if rule is None:
        return failed
    payload = as_payload(item)
    found = connector.lookup(rule.lookup, rule.key(payload) if rule.key else failed.key)
    if found is not None and rule.holds(found, payload):
        return ItemResult(failed.key, ok=True, already=True, code=failed.code, message_ko=rule.message)
    return failed
