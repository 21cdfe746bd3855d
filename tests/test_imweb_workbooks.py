"""아임웹 (seed 003) through the seller's workbooks: 수량 나누기 in 상품준비, 배송대기 no longer split, 네이버페이 주문형
and 톡체크아웃 never split, 배송보류 shown and its invoice held back until 보류해제, 송장삭제 before a cancel, partial
판매취소 giving back exactly its stock, and the 주문 workbook's round trip through ``mallbatch push`` and the watcher.

Real workbooks on disk (the collected 주문 workbook edited with openpyxl), real SQLite, the 아임웹 simulator over
loopback, its state set through its sandbox controls (``/_sandbox/order``, ``/_sandbox/address``) and read from its
own store.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.clock import KST
from mallbatch.domain.records import OrderLine
from mallbatch.domain.states import State
from mallbatch.kinds.collected import ORDERS
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from tests.test_order_actions import H, fill, order_rows, result_rows
from tests.watch_helpers import Watcher, configure, drop, results, wait_for

FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)
Q = ORDERS.column("quantity").header
HOLD = ORDERS.column("hold").header
OFFERED = ORDERS.column("offered").header
A, B = "612345678901", "612345678902"  # CJ대한통운, 12 digits


def control(server: Any, path: str, **body: Any) -> dict[str, Any]:
    """One of the simulator's sandbox controls (what the buyer or the courier does)."""
    answer = httpx.post(f"{server.url}/_sandbox/{path}", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def prod_orders(server: Any, order_no: str) -> list[dict[str, Any]]:
    """The order's prod orders as the simulator keeps them."""
    sim = server.simulator
    return [sim.store.get("prod_order", n) for n in sim.store.get("order", order_no)["_prod_orders"]]


def by_line(book: Path) -> dict[str, dict[str, Any]]:
    return {str(r[H["line_id"]]): r for r in order_rows(book)}


def setup(sim_workspace: Any, count: int, kind: str = "normal") -> tuple[Any, Any, str]:
    """A fresh workspace on the 아임웹 simulator with one paid order of one line of ``count`` (the shop's own checkout
    unless ``kind`` names npay / talkpay)."""
    ws, servers = sim_workspace(("imweb",), rate_limit=200)
    server = servers["imweb"]
    order = control(server, "order", count=count, type=kind)
    return ws, server, str(order["order_no"])


def track_stock(store: Store, line: OrderLine) -> str:
    """The seller counted 10 of the line's product before it was paid."""
    code = line.seller_code or line.product_id
    store.stock.set(code, "", 10, counted_at=datetime(2000, 1, 1, tzinfo=KST))
    store.journal.bind("imweb", "기본", code, line.product_id, {}, "")
    return code


def again(ws: Any, store: Store, session: Session) -> Path:
    return collect(ws, store, session, kinds=("orders",), since=datetime.now(KST) - timedelta(days=2)).workbooks["orders"]


def test_two_of_three_today_and_the_last_one_tomorrow(sim_workspace, tmp_path: Path) -> None:
    """수량 2 of a 상품준비 line of 3 ships 2 with that invoice (the rest stays 상품준비), a re-drop sends nothing, the part
    now 배송대기 can no longer be split (refused before any call), the last 1 goes from the next workbook, and the
    seller's stock counts 3 sold, never the split part again."""
    ws, server, order_no = setup(sim_workspace, 3)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collect(ws, store, session, kinds=("orders",))
        (line,) = store.records.orders("imweb", "기본", [order_no])
        code = track_stock(store, line)
        book = again(ws, store, session)
        row = by_line(book)[line.line_id]
        assert (row[Q], row[H["status"]], row[H["status_raw"]]) == (3, State.PAID.value, "상품준비")
        assert "송장" in row[OFFERED] and "판매취소" in row[OFFERED]
        first = fill(book, tmp_path / "주문_2개.xlsx", lambda r: {H["courier"]: "CJ대한통운", H["tracking_no"]: A, Q: 2}
                     if str(r[H["line_id"]]) == line.line_id else {})
        result = push_file(ws, store, session, first)
        (sent,) = [r for r in result_rows(result.result_path, ORDERS.title) if str(r[H["line_id"]]) == line.line_id]
        assert sent["결과"] == "성공", sent
        rest, part = prod_orders(server, order_no)
        assert (rest["status"], part["status"], part["invoice_no"]) == ("PAY_COMPLETE", "STANDBY", A)
        assert [sum(i["payment"]["count"] for i in p["items"]) for p in (rest, part)] == [1, 2]
        assert store.stock.level(code).on_hand == 7
        again_result = push_file(ws, store, session, first)  # re-dropped: nothing twice
        assert {r["결과"] for r in result_rows(again_result.result_path, ORDERS.title) if str(r[H["line_id"]]) == line.line_id} == {"건너뜀"}
        assert len(prod_orders(server, order_no)) == 2
        book = again(ws, store, session)
        rows = by_line(book)
        assert (rows[line.line_id][Q], rows[line.line_id][H["status_raw"]]) == (1, "상품준비")
        assert (rows[part["order_no"]][Q], rows[part["order_no"]][H["status"]], rows[part["order_no"]][H["status_raw"]]) == (
            2, State.CONFIRMED.value, "배송대기")
        assert store.stock.level(code).on_hand == 7  # the split part is not sold again
        split = fill(book, tmp_path / "주문_배송대기.xlsx", lambda r: {H["courier"]: "CJ대한통운", H["tracking_no"]: B, Q: 1}
                     if str(r[H["line_id"]]) == part["order_no"] else {})
        before = server.requests
        refused = push_file(ws, store, session, split)
        assert server.requests == before
        (row,) = [r for r in result_rows(refused.result_path, ORDERS.title) if str(r[H["line_id"]]) == part["order_no"]]
        assert row["결과"] == "실패" and "배송대기(발주확인) 상태에서는 수량을 나눌 수 없습니다" in row["메시지"], row
        last = fill(book, tmp_path / "주문_1개.xlsx", lambda r: {H["courier"]: "CJ대한통운", H["tracking_no"]: B}
                    if str(r[H["line_id"]]) == line.line_id else {})
        done = push_file(ws, store, session, last)
        assert [r["결과"] for r in result_rows(done.result_path, ORDERS.title) if str(r[H["line_id"]]) == line.line_id] == ["성공"]
        rest, part = prod_orders(server, order_no)
        assert (rest["status"], rest["invoice_no"], part["status"], part["invoice_no"]) == ("DELIVERING", B, "STANDBY", A)
        again(ws, store, session)
        assert store.stock.level(code).on_hand == 7


def test_a_partial_cancel_gives_back_exactly_its_quantity_once(sim_workspace, tmp_path: Path) -> None:
    """판매취소 수량 2 of 3: 2 cancelled at the mall and 2 back in stock (told on the row); a re-drop and the next
    collection count nothing twice; the last 1 cancelled from the next workbook gives back the last 1."""
    ws, server, order_no = setup(sim_workspace, 3)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collect(ws, store, session, kinds=("orders",))
        (line,) = store.records.orders("imweb", "기본", [order_no])
        code = track_stock(store, line)
        book = again(ws, store, session)
        assert store.stock.level(code).on_hand == 7
        cancel = lambda n: lambda r: {H["action"]: "판매취소", H["reason_code"]: "품절", **({Q: n} if n else {})} \
            if str(r[H["line_id"]]) == line.line_id else {}
        first = fill(book, tmp_path / "주문_취소2.xlsx", cancel(2))
        (row,) = [r for r in result_rows(push_file(ws, store, session, first).result_path, ORDERS.title)
                  if str(r[H["line_id"]]) == line.line_id]
        assert row["결과"] == "성공" and f"재고 되돌림: {code} 7→9" in row["메시지"], row
        rest, part = prod_orders(server, order_no)
        assert (rest["status"], part["status"]) == ("PAY_COMPLETE", "CANCEL")
        push_file(ws, store, session, first)
        book = again(ws, store, session)
        assert store.stock.level(code).on_hand == 9
        assert by_line(book)[line.line_id][Q] == 1  # the line stays open with what is left
        last = fill(book, tmp_path / "주문_취소1.xlsx", cancel(0))
        (row,) = [r for r in result_rows(push_file(ws, store, session, last).result_path, ORDERS.title)
                  if str(r[H["line_id"]]) == line.line_id]
        assert row["결과"] == "성공" and f"재고 되돌림: {code} 9→10" in row["메시지"], row
        again(ws, store, session)
        assert store.stock.level(code).on_hand == 10


def test_an_external_checkout_order_is_never_split(sim_workspace, tmp_path: Path) -> None:
    """네이버페이 주문형: 수량 1 of 2 refused before any call, naming the cell; the whole line still ships."""
    ws, server, order_no = setup(sim_workspace, 2, "npay")
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        (line,) = store.records.orders("imweb", "기본", [order_no])
        dropped = fill(book, tmp_path / "주문_npay.xlsx", lambda r: {H["courier"]: "CJ대한통운", H["tracking_no"]: A, Q: 1}
                       if str(r[H["line_id"]]) == line.line_id else {})
        before = server.requests
        result = push_file(ws, store, session, dropped)
        assert server.requests == before
    rows = result_rows(result.result_path, ORDERS.title)
    (n, row), = [(n, r) for n, r in enumerate(rows, start=2) if str(r[H["line_id"]]) == line.line_id]
    assert row["결과"] == "실패" and "네이버페이 주문형 주문은 수량을 나눌 수 없습니다" in row["메시지"], row
    assert f"주문_npay.xlsx '주문' 시트 {n}행 '수량' 열" in row["메시지"]


def test_a_held_order_is_never_shipped_until_released(sim_workspace, tmp_path: Path) -> None:
    """The buyer changes the address of a 톡체크아웃 order after the 주문 workbook was written: its invoice is held back
    (보류, with the reason, "보류해제 후 다시 넣으세요") — the lines are read again right before sending — and the next
    workbook shows 보류 with the reason and offers 보류해제; once released the same invoice row goes, once."""
    ws, server, order_no = setup(sim_workspace, 1, "talkpay")
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        (line,) = store.records.orders("imweb", "기본", [order_no])
        control(server, "address", order_no=order_no)
        invoice = fill(book, tmp_path / "주문_송장.xlsx", lambda r: {H["courier"]: "CJ대한통운", H["tracking_no"]: A}
                       if str(r[H["line_id"]]) == line.line_id else {})
        held = [r for r in result_rows(push_file(ws, store, session, invoice).result_path, ORDERS.title)
                if str(r[H["line_id"]]) == line.line_id]
        assert held[0]["결과"] == "보류" and "배송지 변경" in held[0]["메시지"] and "보류해제 후 다시 넣으세요" in held[0]["메시지"]
        assert server.simulator.store.audit_counts("invoice.send") == {}  # never to the old address
        book = again(ws, store, session)
        row = by_line(book)[line.line_id]
        assert (row[H["status"]], row[HOLD]) == (State.HELD.value, "배송지 변경") and "보류해제" in row[OFFERED]
        release = fill(book, tmp_path / "주문_보류해제.xlsx", lambda r: {H["action"]: "보류해제"}
                       if str(r[H["line_id"]]) == line.line_id else {})
        assert [r["결과"] for r in result_rows(push_file(ws, store, session, release).result_path, ORDERS.title)
                if str(r[H["line_id"]]) == line.line_id] == ["성공"]
        sent = [r for r in result_rows(push_file(ws, store, session, invoice).result_path, ORDERS.title)
                if str(r[H["line_id"]]) == line.line_id]
        assert sent[0]["결과"] == "성공", sent
        push_file(ws, store, session, invoice)
    assert server.simulator.store.audit_counts("invoice.send") == {order_no: 1}
    assert prod_orders(server, order_no)[0]["invoice_no"] == A


def test_an_invoice_in_standby_is_deleted_before_the_cancel(sim_workspace, tmp_path: Path) -> None:
    """A 배송대기 part carrying an invoice: 판매취소 refused before any call ("송장을 먼저 삭제하세요 (처리: 송장삭제)"),
    its row offers 송장삭제, which runs once through the journal; then 판매취소 goes."""
    ws, server, order_no = setup(sim_workspace, 2)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        (line,) = store.records.orders("imweb", "기본", [order_no])
        push_file(ws, store, session, fill(book, tmp_path / "주문_1개.xlsx", lambda r: {
            H["courier"]: "CJ대한통운", H["tracking_no"]: A, Q: 1} if str(r[H["line_id"]]) == line.line_id else {}))
        part = prod_orders(server, order_no)[1]["order_no"]
        book = again(ws, store, session)
        row = by_line(book)[part]
        assert "송장삭제" in row[OFFERED] and "판매취소는 송장삭제 후" in row[OFFERED]
        cancel = lambda r: {H["action"]: "판매취소", H["reason_code"]: "품절"} if str(r[H["line_id"]]) == part else {}
        before = server.requests
        refused = push_file(ws, store, session, fill(book, tmp_path / "주문_취소.xlsx", cancel))
        assert server.requests == before
        (row,) = [r for r in result_rows(refused.result_path, ORDERS.title) if str(r[H["line_id"]]) == part]
        assert row["결과"] == "실패" and "송장을 먼저 삭제하세요 (처리: 송장삭제)" in row["메시지"], row
        delete = fill(book, tmp_path / "주문_송장삭제.xlsx", lambda r: {H["action"]: "송장삭제"} if str(r[H["line_id"]]) == part else {})
        assert [r["결과"] for r in result_rows(push_file(ws, store, session, delete).result_path, ORDERS.title)
                if str(r[H["line_id"]]) == part] == ["성공"]
        push_file(ws, store, session, delete)
        assert server.simulator.store.audit_counts("invoice.delete") == {order_no: 1}
        assert prod_orders(server, order_no)[1]["invoice_no"] == ""
        done = push_file(ws, store, session, fill(book, tmp_path / "주문_취소2.xlsx", cancel))
        assert [r["결과"] for r in result_rows(done.result_path, ORDERS.title) if str(r[H["line_id"]]) == part] == ["성공"]
    assert prod_orders(server, order_no)[1]["status"] == "CANCEL"


def test_the_orders_workbook_round_trips_through_push_and_the_watcher(sim_workspace, tmp_path: Path) -> None:
    """The collected 주문 workbook with 수량/처리/택배사/송장번호 filled goes through ``mallbatch push`` (a child process)
    and, dropped into inbox/, through the watcher: every input row is in each result, each part sent once."""
    ws, server, first_order = setup(sim_workspace, 3)
    second_order = str(control(server, "order", count=2, type="normal")["order_no"])
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        lines = {o: store.records.orders("imweb", "기본", [o])[0].line_id for o in (first_order, second_order)}
    rows = order_rows(book)
    pushed = fill(book, tmp_path / "주문_push.xlsx", lambda r: {H["courier"]: "CJ대한통운", H["tracking_no"]: A, Q: 2}
                  if str(r[H["line_id"]]) == lines[first_order] else {})
    child = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "push", str(pushed)],
                           capture_output=True, text=True, timeout=120, check=False)
    assert "성공 1" in child.stdout, child.stdout + child.stderr
    (result,) = results(ws, "주문_push")
    assert len(result_rows(result, ORDERS.title)) == len(rows)
    ws = configure(ws)
    watched = fill(book, tmp_path / "주문_watch.xlsx", lambda r: {H["action"]: "판매취소", H["reason_code"]: "구매자요청", Q: 1}
                   if str(r[H["line_id"]]) == lines[second_order] else {})
    watcher = Watcher(ws.home)
    try:
        watcher.wait_started()
        drop(watched, ws.inbox)
        (result,) = wait_for(lambda: results(ws, "주문_watch"), 60, "the watcher's result")
    finally:
        watcher.stop()
    out = result_rows(result, ORDERS.title)
    assert len(out) == len(rows)
    assert [r["결과"] for r in out if str(r[H["line_id"]]) == lines[second_order]] == ["성공"], out
    for order_no, part_status in ((first_order, "STANDBY"), (second_order, "CANCEL")):
        docs = {p["order_no"]: p for p in prod_orders(server, order_no)}
        named, part = docs[lines[order_no]], list(docs.values())[-1]  # a split part is the order's newest prod order
        assert (named["status"], part["status"]) == ("PAY_COMPLETE", part_status), docs
    assert ORDERS.title in openpyxl.load_workbook(result).sheetnames
