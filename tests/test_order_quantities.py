"""수량, 보류 and the cancel rules of the 주문 workbook and 송장 sheets, on every mall (issue 12, seed 003).

The rules are the pipeline's, from stored state, before any call: a part of a line where the mall does not split
quantities, more than the line has, a quantity on an action that takes none, a 판매취소 from 배송중 on. Real
workbooks on disk, real SQLite, simulators over loopback; "before any call" is the simulator's request count.
The 아임웹 end-to-end tests (splits, holds, 송장삭제) are in ``test_imweb_workbooks.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path


from kindbook import row_issues, validate, write_book
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.clock import KST
from mallbatch.domain.records import OrderStatus
from mallbatch.domain.states import State
from mallbatch.kinds.collected import ORDERS, order_values
from mallbatch.kinds.invoices import INVOICES
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.sheets.dropdowns import ROW_CHOICES
from mallbatch.store import Store
from tests.pipeline_helpers import open_lines, tracking_for
from tests.test_order_actions import H, fill, line, order_rows, result_rows

FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)
Q = ORDERS.column("quantity").header


def test_the_invoice_sheet_and_the_orders_workbook_share_one_quantity_column(tmp_path: Path) -> None:
    """수량 sits with what the seller fills (blank = the whole line); 0 is refused on its cell; 퀵서비스 and 방문수령
    take a free-text 송장번호, a parcel courier still digits."""
    assert INVOICES.column("quantity") is ORDERS.column("quantity")
    names = [c.name for c in ORDERS.columns]
    assert names.index("quantity") == names.index("tracking_no") + 1
    assert "비우거나" in ORDERS.column("quantity").help and "일부만" in ORDERS.column("quantity").help
    rows = [
        {"mall": "쿠팡", "account": "기본", "order_no": "2026112100010001", "courier": "CJ대한통운", "tracking_no": "612345678901",
         "quantity": "0"},
        {"mall": "쿠팡", "account": "기본", "order_no": "2026112100010002", "courier": "퀵서비스", "tracking_no": "기사 010-1234-5678"},
        {"mall": "쿠팡", "account": "기본", "order_no": "2026112100010003", "courier": "방문수령", "tracking_no": "1234"},
        {"mall": "쿠팡", "account": "기본", "order_no": "2026112100010004", "courier": "CJ대한통운", "tracking_no": "기사님"},
        {"mall": "쿠팡", "account": "기본", "order_no": "2026112100010005", "courier": "CJ대한통운", "tracking_no": "612345678902",
         "quantity": "2"},
    ]
    found = [(i.row, i.column, i.code) for i in row_issues(validate(write_book(tmp_path / "송장.xlsx", [(INVOICES, rows)])))]
    assert found == [(2, Q, "too-small"), (5, INVOICES.column("tracking_no").header, "tracking")], found


def test_a_held_line_shows_bo_ryu_with_its_reason_and_the_row_offers_only_what_it_can_take() -> None:
    """보류 in 주문상태, the mall's reason in 배송보류; each row's 처리 list (its dropdown and 처리가능) from its state and
    its mall's spec: no 보류해제 where the mall declares none, no 발주확인 once confirmed, only 송장(수정)/강제완료 when shipped."""
    held = order_values(line(hold="주소 변경 (네이버페이)"))
    assert (held["status"], held["hold"]) == (State.HELD.value, "주소 변경 (네이버페이)")
    assert held[ROW_CHOICES][ORDERS.column("action").name] == ("판매취소", "강제완료")  # 쿠팡 has no 보류해제
    paid = order_values(line())
    assert paid[ROW_CHOICES]["action"] == ("송장", "발주확인", "판매취소", "강제완료") and paid["offered"] == "송장, 발주확인, 판매취소, 강제완료"
    assert order_values(line(status=OrderStatus.PREPARING))[ROW_CHOICES]["action"] == ("송장", "판매취소", "강제완료")
    assert order_values(line(status=OrderStatus.SHIPPING, tracking_no="612345678901"))[ROW_CHOICES]["action"] == ("송장", "강제완료")
    assert ORDERS.column("hold").header in [c.header for c in ORDERS.columns]


def quantity_of(values: dict) -> int:
    return int(values[Q])


def test_a_part_of_a_line_is_refused_before_any_call_where_the_mall_does_not_split(sim_workspace, tmp_path: Path) -> None:
    """쿠팡 (split_quantity False): the 주문 workbook's 수량 lowered on a 송장 and a 판매취소 row, raised past the line's
    on another, changed on a 발주확인: each refused with its file, sheet, row and column and what to do; nothing is
    asked of the mall; every input row is in the result."""
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    server = servers["coupang"]
    server.simulator.generate(8, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        rows = order_rows(book)
        many = [r for r in rows if quantity_of(r) >= 2]
        assert len(many) >= 2 and len(rows) >= 4, rows
        send, cancel = many[0][H["line_id"]], many[1][H["line_id"]]
        more, confirm = [r[H["line_id"]] for r in rows if r[H["line_id"]] not in (send, cancel)][:2]

        def choose(row: dict) -> dict:
            n, key = quantity_of(row), row[H["line_id"]]
            invoice = {H["courier"]: "CJ대한통운", H["tracking_no"]: tracking_for(key)}
            return {send: {**invoice, Q: n - 1}, more: {**invoice, Q: n + 1},
                    cancel: {H["action"]: "판매취소", H["reason_code"]: "품절", Q: n - 1},
                    confirm: {H["action"]: "발주확인", Q: n + 1}}.get(key, {})

        dropped = fill(book, tmp_path / "주문_수량.xlsx", choose)
        before = server.requests
        result = push_file(ws, store, session, dropped)
        assert server.requests == before  # refused here: nothing was asked of the mall
    out = result_rows(result.result_path, ORDERS.title)
    assert len(out) == len(rows)
    by_line = {r[H["line_id"]]: (n, r) for n, r in enumerate(out, start=2)}
    for key, text in ((send, "쿠팡은 수량 나누기를 지원하지 않습니다"), (cancel, "쿠팡은 수량 나누기를 지원하지 않습니다"),
                      (more, "보다 많습니다"), (confirm, "발주확인은(는) 수량을 나누지 않습니다")):
        excel_row, row = by_line[key]
        assert row["결과"] == "실패" and text in row["메시지"], row
        assert f"주문_수량.xlsx '주문' 시트 {excel_row}행 '수량' 열" in row["메시지"], row["메시지"]
        assert "수량을 비우거나" in row["메시지"] or "이하로 고치거나" in row["메시지"]


def test_a_sale_cancel_from_shipping_on_is_refused_saying_return_instead(sim_workspace, tmp_path: Path) -> None:
    """The seed 003 rule on every mall, from the stored line: 배송중 이후는 취소할 수 없습니다 — 반품으로 처리하세요."""
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    server = servers["coupang"]
    server.simulator.generate(2, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        unit = sorted(l.ship_unit for l in open_lines(store))[0]
        sent = fill(book, tmp_path / "주문_송장.xlsx", lambda row: {H["courier"]: "CJ대한통운", H["tracking_no"]: tracking_for(unit)}
                    if row[H["ship_unit"]] == unit else {})
        push_file(ws, store, session, sent)
        collect(ws, store, session, kinds=("orders",), since=datetime.now(KST) - timedelta(days=2))
        assert {l.status for l in store.records.orders("coupang", "기본", [unit])} == {OrderStatus.SHIPPING}
        dropped = write_book(tmp_path / "송장_취소.xlsx", [(INVOICES, [
            {"mall": "쿠팡", "account": "기본", "ship_unit": unit, "action": "판매취소", "reason_code": "품절"}])])
        before = server.requests
        result = push_file(ws, store, session, dropped)
        assert server.requests == before
    refused = result_rows(result.result_path, INVOICES.title)
    assert refused and all(r["결과"] == "실패" and "배송중 이후는 취소할 수 없습니다 — 반품으로 처리하세요" in r["메시지"]
                           for r in refused), refused


def test_partial_give_backs_each_count_once_and_never_past_what_was_sold(tmp_path: Path) -> None:
    """2 of 3 cancelled today, the last 1 tomorrow: both come back, each once however often it is given back, and
    the line then cancelled in full (the next collection) gives back nothing more."""
    with Store(tmp_path / "mallbatch.db") as store:
        stock = store.stock
        stock.set("NK1", "", 10, counted_at=datetime(2000, 1, 1, tzinfo=KST))
        assert stock.sold("imweb", "기본", "L1", "NK1", "", 3).on_hand == 7
        assert stock.restored("imweb", "기본", "L1", 2, part="a").on_hand == 9
        assert stock.restored("imweb", "기본", "L1", 2, part="a") is None  # the same part again
        assert stock.restored("imweb", "기본", "L1", 1, part="b").on_hand == 10
        assert stock.restored("imweb", "기본", "L1", 5, part="c") is None  # nothing left out
        assert stock.restored("imweb", "기본", "L1") is None  # the whole line cancelled later: nothing more
        assert stock.level("NK1").on_hand == 10
        stock.sold("imweb", "기본", "L2", "NK1", "", 3)
        stock.restored("imweb", "기본", "L2", 1, part="a")
        assert stock.restored("imweb", "기본", "L2").on_hand == 10  # the rest of it, not all 3 again
