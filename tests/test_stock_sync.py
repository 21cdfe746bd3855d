"""Stock synced after every collection, end to end: products registered on three simulators, orders
let in through their /_sandbox/ control endpoints, collected, counted once, and every mall shown the
new available quantity. Real workbooks, real SQLite, simulators on loopback sockets; the malls' stock
is read from the simulators' own store (tests/contract/harness.py), never from the connector."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import OrderLine
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.sandbox.server import SandboxServer
from mallbatch.store import Store
from mallbatch.workspace import Workspace
from tests.contract.harness import HARNESSES
from tests.pipeline_helpers import products_file

FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)
MALLS = ("coupang", "smartstore", "wemakeprice")
HARNESS = {h.mall: h for h in HARNESSES}


def registered(sim_workspace, tmp_path: Path, malls: tuple[str, ...] = MALLS, count: int = 4) -> tuple[Workspace, dict[str, SandboxServer]]:
    """Products pushed to every mall (their 재고 seeds the seller's stock), then one collection that
    sends every mall mallbatch's count once (never sent counts as changed)."""
    ws, servers = sim_workspace(malls, rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        push_file(ws, store, session, products_file(ws, tmp_path / "상품.xlsx", count))
        counted = now_kst() - timedelta(minutes=5)  # every order the simulators make from now on is after the count
        for level in store.stock.levels():
            store.stock.set(level.code, level.option, level.on_hand, counted_at=counted)
        collect(ws, store, session)
    return ws, servers


def arrive(servers: dict[str, SandboxServer], orders: int) -> None:
    """Orders arrive on every mall at once, through each simulator's control endpoint."""
    threads = [threading.Thread(target=httpx.post, args=(f"{s.url}/_sandbox/generate",),
                                kwargs={"json": {"orders": orders}, "timeout": 60}) for s in servers.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def can_set_stock(ws: Workspace, mall: str) -> bool:
    with Session(ws) as session:
        adapter = session.adapter(ws.config.accounts_for(mall)[0])
        return adapter is not None and Capability.STOCK_UPDATE in adapter.spec.capabilities


def option_stock(ws: Workspace, mall: str) -> bool:
    with Session(ws) as session:
        adapter = session.adapter(ws.config.accounts_for(mall)[0])
        assert adapter is not None
        return adapter.spec.listing.option_stock


def assert_every_mall_shows_available(ws: Workspace, store: Store, servers: dict[str, SandboxServer]) -> None:
    """Each mall holds mallbatch's available quantity: per option, or the product's total where it cannot set one."""
    for mall, server in servers.items():
        if not can_set_stock(ws, mall):
            continue
        per_option = option_stock(ws, mall)
        for code in store.product_codes():
            binding = store.journal.binding(mall, "기본", code)
            assert binding is not None
            levels = store.stock.levels(code)
            if per_option or levels == [l for l in levels if not l.option]:
                for level in levels:
                    option = tuple(level.option.split("/")) if level.option else ()
                    assert HARNESS[mall].stock_in(server, binding["product_id"], option) == level.available, (mall, level)
            else:
                total = sum(l.available for l in levels)
                assert HARNESS[mall].stock_in(server, binding["product_id"], ()) == total, (mall, code)


def sold_per_code(store: Store) -> Counter[str]:
    """Quantities of the collected lines still standing, by 자체상품코드 (no option matching involved)."""
    sold: Counter[str] = Counter()
    for line, _, _ in store.records.all(OrderLine, "orders", raw=False):
        if line.status.value not in ("취소", "반품"):
            sold[line.seller_code] += line.quantity
    return sold


def test_orders_on_three_malls_at_once_are_counted_once_and_every_mall_shows_the_new_stock(sim_workspace, tmp_path: Path) -> None:
    ws, servers = registered(sim_workspace, tmp_path)
    with Store(ws.store_path) as store:
        seeded = Counter()
        for level in store.stock.levels():
            seeded[level.code] += level.on_hand
    arrive(servers, 5)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        result = collect(ws, store, session)
        assert not result.errors and not result.stock.warnings, result.lines_ko()
        left = Counter()
        for level in store.stock.levels():
            left[level.code] += level.on_hand
        sold = sold_per_code(store)
        assert sum(sold.values()) > 0
        assert {c: seeded[c] - left[c] for c in seeded} == {c: sold.get(c, 0) for c in seeded}
        assert_every_mall_shows_available(ws, store, servers)
        assert any(line.startswith("재고 연동: ") and "→" in line and " 반영" in line for line in result.lines_ko())

        # A re-collection of the same window counts nothing twice and sends nothing new.
        commands = store.journal.counts()
        again = collect(ws, store, session, since=now_kst() - timedelta(days=1))
        assert not again.errors and again.stock.moved == {} and again.stock.sent == {}
        after = Counter()
        for level in store.stock.levels():
            after[level.code] += level.on_hand
        assert after == left and store.journal.counts() == commands
