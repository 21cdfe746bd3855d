"""The journal, bindings, link history, collected records and watermarks, the same on both engines
(SQLite always, PostgreSQL with a server): the protocol the pipeline and the watcher rely on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import OrderLine
from mallbatch.store import Store
from mallbatch.store.journal import DONE, IN_FLIGHT, PENDING, UNKNOWN, Command
from mallbatch.store.records import ORDERS
from tests.test_stock_ledger import line

Factory = Callable[..., Store]


def test_in_flight_is_committed_before_the_call_and_read_back_after_a_crash(store_factory: Factory) -> None:
    with store_factory() as store, store_factory() as other:  # another process's connection to the same store
        command = store.journal.register(Command.new("coupang", "기본", "create", "NK1", {"name": "목걸이"}, "sha", 5))
        again = store.journal.register(Command.new("coupang", "기본", "create", "NK1", {"name": "목걸이"}))
        assert command.state == again.state == PENDING and command.excel_row == again.excel_row == 5
        store.journal.mark(command, IN_FLIGHT)
        seen = other.journal.get(command.idem_key)
        assert seen is not None and seen.state == IN_FLIGHT and seen.attempts == 1  # visible before any call is made
        assert [c.idem_key for c in other.journal.unsettled()] == [command.idem_key]
        store.journal.mark(command, UNKNOWN, message="응답 없음")
        store.journal.mark(command, DONE, remote_ref="P-1")
        store.journal.mark(command, DONE)  # an empty ref keeps the one recorded
        assert other.journal.unsettled() == [] and other.journal.counts() == {DONE: 1}
        assert other.journal.get(command.idem_key).remote_ref == "P-1"  # type: ignore[union-attr]


def test_batches_latest_done_and_whole_line_targets(store_factory: Factory) -> None:
    with store_factory() as store:
        journal = store.journal
        batch = [journal.register(Command.new("coupang", "기본", "cancel", f"L{i}", {"quantity": q}))
                 for i, q in enumerate((0, 2, None))]
        journal.mark_many(batch, IN_FLIGHT)
        journal.mark_many(batch, DONE)
        assert journal.counts() == {DONE: 3} and all(c.attempts == 1 for c in batch)
        # a part of a line (quantity 2) leaves the line open; none or 0 is the whole line
        assert journal.done_targets("cancel", whole=True) == {("coupang", "기본", "L0"), ("coupang", "기본", "L2")}
        assert len(journal.done_targets("cancel")) == 3
        assert journal.last_done("coupang", "기본", "cancel", "L1").payload == {"quantity": 2}  # type: ignore[union-attr]
        assert journal.same_as_last("coupang", "기본", ("cancel", "x"), "L1", 2, "quantity")
        assert not journal.same_as_last("coupang", "기본", ("cancel",), "L1", 3, "quantity")


def test_bindings_and_history_in_order(store_factory: Factory) -> None:
    with store_factory() as store:
        journal = store.journal
        journal.bind("coupang", "기본", "NK1", "P100", {"items": [1, 2]}, "쿠팡 기본")
        journal.bind("coupang", "기본", "NK1", "P101", {}, "쿠팡 기본")  # rebound: updated in place
        journal.bind("smartstore", "기본", "NK1", "S9", {}, "")
        assert journal.binding("coupang", "기본", "NK1")["product_id"] == "P101"  # type: ignore[index]
        assert journal.code_of("coupang", "기본", "P101") == "NK1" and journal.code_of("coupang", "기본", "P100") is None
        assert [b["mall"] for b in journal.bindings_for("NK1")] == ["coupang", "smartstore"]
        assert journal.bound_codes() == {"NK1"} and list(journal.bindings_on("smartstore", "기본")) == ["NK1"]
        for outcome in ("등록", "수정", "실패"):
            journal.add_history("coupang", "기본", "NK1", "create", outcome)
        history = journal.history("NK1")
        assert [h["outcome"] for h in history] == ["등록", "수정", "실패"] and history[0]["id"] < history[2]["id"]


def test_records_upsert_by_key_find_by_any_id_and_mask_after_retention(store_factory: Factory) -> None:
    with store_factory() as store:
        records = store.records
        assert records.upsert([line("1", "NK1", ""), line("2", "NK1", "")], "run1") == 2
        shipped = OrderLine(**{**line("1", "NK1", "").__dict__, "receiver_name": "새 이름"})
        assert records.upsert([shipped], "run2") == 0 and records.count(ORDERS) == 2
        assert [l.receiver_name for l in records.orders("coupang", "기본", ["U1"])] == ["새 이름"]  # by ship unit
        assert [l.line_id for l in records.orders("coupang", "기본", ["O2", "nope"])] == ["2"]  # by order number
        assert [(r.line_id, run) for r, run, _ in records.all(OrderLine, ORDERS, raw=False)] == [("1", "run1"), ("2", "run1")]
        store.db.execute("UPDATE records SET updated_at=?", ((now_kst() - timedelta(days=100)).isoformat(),))
        assert records.mask_personal(now_kst() - timedelta(days=90)) == 0  # paid, not shipped: kept whole
        mark = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
        records.set_watermark("coupang", "기본", ORDERS, mark)
        records.set_watermark("coupang", "기본", ORDERS, mark + timedelta(hours=1))
        assert records.watermark("coupang", "기본", ORDERS) == mark + timedelta(hours=1)
        assert [w["kind"] for w in records.watermarks()] == [ORDERS]


def test_threads_share_one_store(store_factory: Factory) -> None:
    """The watcher's threads use one store: each transaction is whole, none sees another's half."""
    with store_factory() as store:
        def work(n: int) -> None:
            for i in range(20):
                command = store.journal.register(Command.new("coupang", "기본", "update", f"T{n}-{i}", {}))
                store.journal.mark(command, DONE)
        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert store.journal.counts() == {DONE: 80}
