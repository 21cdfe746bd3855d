"""The file connector's round trips (인터파크 and the 종합몰 have no documented seller API): a product upload workbook
in the mall's layout, an order download dropped into inbox/ stored and shown in the 주문 workbook, that workbook with
송장번호 filled turned into the mall's invoice upload, and a later download showing the number making it 완료."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from filemall_helpers import (
    ORDER,
    download,
    file_workspace,
    fill_orders,
    group,
    latest,
    product,
    products_file,
    push,
    result_rows,
    sheet_rows,
    uploads,
)
from mallbatch.connectors.filemall.layouts import layout
from mallbatch.domain.records import OrderLine, OrderStatus
from mallbatch.pipeline.plan import FILED
from mallbatch.store import Store


def test_a_product_goes_into_the_malls_upload_workbook_once(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path, ("interpark",))
    source = products_file(ws.inbox / "상품.xlsx", [group("인터파크", "인터파크 기본")], [product("인터파크 기본")])
    first = push(ws, source)
    (row,) = result_rows(first, "상품")
    (upload,) = uploads(ws, "인터파크")
    assert row["결과"] == FILED and f"outbox/인터파크/{upload.name}" in row["메시지"], row
    assert "인터파크 판매자센터" in row["메시지"] and upload.name.startswith("상품등록_기본_")
    part = layout("interpark").part("product_upload")
    sheet = openpyxl.load_workbook(upload)[part.sheet]
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0]) == [h for h, _ in part.columns]  # the mall's own headers, in its order
    values = dict(zip(lines[0], lines[1]))
    assert (values["업체상품코드"], values["상품명"], values["판매가"], values["정가"], values["카테고리코드"]) == (
        "NK1001", "실버 목걸이 세트 (로즈골드)", 25000, 30000, "1001")
    assert values["옵션"] == "골드=100; 실버=100; 로즈골드(+2,000원)=100" and values["상품정보고시"] == "패션잡화(모자/벨트/액세서리)"
    assert len(lines) == 2 and openpyxl.load_workbook(upload).sheetnames == [part.sheet]  # no metadata sheet for the mall
    again = push(ws, source)  # the same file dropped again adds nothing
    assert [r["결과"] for r in result_rows(again, "상품")] == ["건너뜀"] and uploads(ws, "인터파크") == [upload]
    with Store(ws.store_path) as store:
        assert [h["outcome"] for h in store.journal.history("NK1001")] == [FILED]


def order_download(ws, name: str, rows: list[dict[str, str]], mall: str = "hmall") -> Path:
    return download(ws.inbox / name, mall, "order_download", rows, ws.home)


def test_an_order_download_is_stored_and_listed_in_the_orders_workbook(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path)
    second = dict(ORDER, line_seq="2", product_name="실버 반지", option_name="", quantity="2", amount="40000")
    result = push(ws, order_download(ws, "현대몰_주문.xlsx", [ORDER, second]))
    rows = result_rows(result)
    assert [r["결과"] for r in rows] == ["저장", "저장"] and all("현대몰/기본 주문 신규 저장" in r["메시지"] for r in rows), rows
    with Store(ws.store_path) as store:
        lines = {l.line_id: l for l, _, _ in store.records.all(OrderLine, "orders")}
    line = lines["20261121000123-1"]
    assert (line.mall, line.account, line.status, line.status_raw, line.receiver_phone, line.zip) == (
        "hmall", "기본", OrderStatus.PAID, "주문접수", "010-2222-3333", "07997")
    assert lines["20261121000123-2"].quantity == 2 and lines["20261121000123-2"].amount == 40000
    orders = sheet_rows(latest(ws, "주문_*.xlsx"))
    assert [(r["쇼핑몰"], r["주문번호"], r["상품주문번호"], r["주문상태"], r["처리가능"]) for r in orders] == [
        ("현대몰", "20261121000123", "20261121000123-1", "결제완료", "송장, 강제완료"),
        ("현대몰", "20261121000123", "20261121000123-2", "결제완료", "송장, 강제완료")]
    again = push(ws, order_download(ws, "현대몰_주문 (1).xlsx", [ORDER, second]))
    assert all("갱신 저장" in r["메시지"] for r in result_rows(again))
    with Store(ws.store_path) as store:
        assert store.records.count("orders") == 2


def test_the_orders_workbook_with_numbers_becomes_the_invoice_upload_and_a_later_download_completes_it(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path)
    push(ws, order_download(ws, "현대몰_주문.xlsx", [ORDER]))
    filled = fill_orders(latest(ws, "주문_*.xlsx"), ws.inbox / "주문_송장.xlsx", {ORDER["order_id"]: ("대한통운", "612345678901")})
    sent = push(ws, filled)
    (row,) = result_rows(sent)
    (upload,) = uploads(ws, "현대몰")
    assert row["결과"] == FILED and upload.name in row["메시지"] and "현대Hmall 협력사 시스템" in row["메시지"], row
    part = layout("hmall").part("invoice_upload")
    assert sheet_rows(upload) == [{"주문번호": "20261121000123", "주문순번": "1", "택배사": "CJ대한통운", "운송장번호": "612345678901",
                                   "출고일자": sheet_rows(upload)[0]["출고일자"]}]
    assert openpyxl.load_workbook(upload).sheetnames == [part.sheet]
    assert [r["결과"] for r in result_rows(push(ws, filled))] == ["건너뜀"] and uploads(ws, "현대몰") == [upload]
    with Store(ws.store_path) as store:
        command = store.journal.last_done("hmall", "기본", "invoice.send", ORDER["order_id"])
        assert command is not None and command.message.startswith(FILED) and upload.name in command.message
    shipped = dict(ORDER, status="출고완료", courier="CJ대한통운", tracking_no="612345678901")
    later = push(ws, order_download(ws, "현대몰_주문2.xlsx", [shipped]))
    (row,) = result_rows(later)
    assert "송장 완료: 올린 송장번호 612345678901" in row["메시지"], row
    with Store(ws.store_path) as store:
        command = store.journal.last_done("hmall", "기본", "invoice.send", ORDER["order_id"])
        assert command is not None and command.message.startswith("완료") and upload.name in command.message
        (line,) = store.records.orders("hmall", "기본", [ORDER["order_id"]])
        assert (line.status, line.tracking_no, line.courier) == (OrderStatus.SHIPPING, "612345678901", "CJ")


def test_a_claim_download_is_stored_and_a_requested_cancel_holds_the_invoice(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path, ("gsshop",))
    push(ws, order_download(ws, "GS_주문.xlsx", [ORDER], mall="gsshop"))
    claim = {"claim_id": "C9001", "kind": "취소", "status": "접수", "order_id": ORDER["order_id"], "line_seq": "1",
             "requested_at": "2026-11-21 12:00:00", "reason": "단순변심", "quantity": "1", "product_name": ORDER["product_name"]}
    result = push(ws, download(ws.inbox / "GS_클레임.xlsx", "gsshop", "claim_download", [claim], ws.home))
    assert [r["결과"] for r in result_rows(result)] == ["저장"]
    claims = sheet_rows(latest(ws, "클레임_*.xlsx"))
    assert [(r["쇼핑몰"], r["클레임번호"], r["주문번호"]) for r in claims] == [("GS SHOP", "C9001", ORDER["order_id"])]
    filled = fill_orders(latest(ws, "주문_*.xlsx"), ws.inbox / "주문_송장.xlsx", {ORDER["order_id"]: ("CJ대한통운", "612345678901")})
    (row,) = result_rows(push(ws, filled))
    assert row["결과"] == "보류" and "취소요청" in row["메시지"] and uploads(ws, "GS SHOP") == [], row
