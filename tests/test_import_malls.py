"""``mallbatch import`` against the 쿠팡 simulator over real sockets: listings the seller registered
without mallbatch are bound, a 확인 필요 row is confirmed by dropping the workbook back (bound, never
created again), a re-run changes nothing, an invoice for an order of an imported product goes out
right away, and a mall whose list cannot be read leaves everything as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from mallbatch.cli import cli
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.records import OrderLine
from mallbatch.errors import RemoteError
from mallbatch.kinds.imported import BOUND, CONFIRM, IMPORTED, NEW_CODE
from mallbatch.pipeline.check import check_file, save_valid
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.importing import run_import
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from tests.contract.harness import coupang_listing, elevenst_listing, smartstore_listing, wemakeprice_listing
from tests.pipeline_helpers import invoices_file, products_file

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


def _table(path: Path, sheet: str) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _listings_on_the_mall(ws: Any, sim: Any, stored_code: str) -> dict[str, str]:
    """What a seller who sold before mallbatch has on 쿠팡: a listing with a stored product's code, one with a
    code mallbatch never saw, and one whose seller code was never filled."""
    with Session(ws, FAST) as session:
        adapter = session.adapter(ws.config.find_account("coupang", None))
        ids = {code: adapter.create_product(coupang_listing(code, name=name)).product_id
               for code, name in ((stored_code, "국내산 햇 고구마"), ("OLD77", "해남 꿀고구마"), ("NOCODE", "호박 고구마"))}
    product = sim.store.get("product", ids["NOCODE"])
    for item in product["items"]:
        item["externalVendorSku"] = ""
    sim.store.put("product", ids["NOCODE"], product)
    return ids


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {t: [tuple(r) for r in store.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3")]
            for t in ("bindings", "link_history", "stock", "products")}


def test_import_confirm_by_dropping_back_rerun_and_invoice(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    sim = servers["coupang"].simulator
    with Store(ws.store_path) as store:
        save_valid(ws, store, check_file(ws, store, products_file(ws, tmp_path / "상품.xlsx", 1)))
    ids = _listings_on_the_mall(ws, sim, "P00001")
    products_before = len(sim.store.all("product"))

    runner = CliRunner()
    result = runner.invoke(cli, ["--home", str(ws.home), "import", "--mall", "coupang"])
    assert result.exit_code == 0, result.output
    assert "쿠팡/기본: 상품 3개" in result.output and "쇼핑몰의 재고로 시작했습니다" in result.output
    path = Path(result.output.strip().rsplit("가져온상품 엑셀: ", 1)[1])
    assert path.parent == ws.outbox / path.parent.parent.name / "상품"
    table = {r["쇼핑몰상품번호"]: r for r in _table(path, IMPORTED.title)}
    assert {pid: (r["연결상태"], r["자체상품코드"]) for pid, r in table.items()} == {
        ids["P00001"]: (BOUND, "P00001"), ids["OLD77"]: (NEW_CODE, "OLD77"), ids["NOCODE"]: (CONFIRM, f"CO{ids['NOCODE'][-8:]}")}
    proposal = table[ids["NOCODE"]]["자체상품코드"]
    assert table[ids["NOCODE"]]["옵션값1"] == "3kg,5kg" and table[ids["NOCODE"]]["판매가"] == 15900
    with Store(ws.store_path) as store:
        assert store.journal.binding("coupang", "기본", "OLD77")["extra"]["vendor_items"]  # the mall's option ids kept
        assert store.journal.code_of("coupang", "기본", ids["NOCODE"]) is None
        assert {(lv.code, lv.option, lv.on_hand) for lv in store.stock.levels()} >= {("OLD77", "3kg", 10), ("OLD77", "5kg", 5)}

    # The seller keeps the proposed code and drops the workbook back: bound, nothing registered again.
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        pushed = push_file(ws, store, session, path)
        binding = store.journal.binding("coupang", "기본", proposal)
        assert binding is not None and binding["product_id"] == ids["NOCODE"] and binding["extra"]["vendor_items"]
        assert [h["op"] for h in store.journal.history(proposal)] == ["product.link"]
        assert store.stock.level(proposal, "3kg").on_hand == 10
    assert len(sim.store.all("product")) == products_before
    rows = {r["쇼핑몰상품번호"]: r for r in _table(pushed.result_path, IMPORTED.title)}
    confirmed = rows[ids["NOCODE"]]["메시지"].splitlines()
    assert "새로 등록하지 않음" in confirmed[0] and "오류 칸을 채워" in confirmed[0]  # what happened, first
    assert rows[ids["OLD77"]]["결과"] == "오류"  # not a product until the seller fills the rest; still bound
    assert "쇼핑몰 상품번호" not in [c for c in rows[ids["NOCODE"]]]  # its own 쇼핑몰상품번호 column only

    shown = runner.invoke(cli, ["--home", str(ws.home), "history", proposal])
    assert f"상품번호 {ids['NOCODE']}" in shown.output and "쿠팡/기본 연결 성공" in shown.output

    # Import again: everything bound as it was, nothing changes.
    with Store(ws.store_path) as store:
        before = _snapshot(store)
    again = runner.invoke(cli, ["--home", str(ws.home), "import", "--mall", "coupang"])
    assert again.exit_code == 0, again.output
    assert {r["연결상태"] for r in _table(Path(again.output.strip().rsplit(": ", 1)[1]), IMPORTED.title)} == {BOUND}
    with Store(ws.store_path) as store:
        assert _snapshot(store) == before

    # An order for an imported listing: its invoice goes out right after import.
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        lines: list[OrderLine] = []
        for _ in range(10):
            sim.generate(5, 0, 0)
            collect(ws, store, session, kinds=("orders",))
            lines = [l for l, _, _ in store.records.all(OrderLine, "orders")
                     if l.product_id == ids["NOCODE"] and l.status.value in ("결제완료", "상품준비중")]
            if lines:
                break
        assert lines
        sent = push_file(ws, store, session, invoices_file(tmp_path / "송장.xlsx", lines[:1]))
    assert [r["결과"] for r in _table(sent.result_path, "송장")] == ["성공"]
    assert lines[0].ship_unit in sim.store.audit_counts("invoice.send")


def test_import_whose_list_read_fails_binds_and_writes_nothing(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    _listings_on_the_mall(ws, servers["coupang"].simulator, "P00001")
    servers["coupang"].simulator.faults.error_rate = 1.0  # every request now answers 500
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        try:
            run_import(ws, store, session, "coupang")
        except RemoteError as exc:
            message = str(exc)
        else:
            raise AssertionError("the import should have failed")
        assert "쿠팡/기본" in message and "아무것도 연결하거나 저장하지 않았습니다" in message
        assert store.db.execute("SELECT COUNT(*) FROM bindings").fetchone()[0] == 0
        assert store.stock.levels() == []
    assert not list(ws.outbox.glob("*/상품/*.xlsx"))


def test_import_of_an_account_that_is_not_configured_says_so(sim_workspace) -> None:
    ws, _ = sim_workspace(("coupang",), rate_limit=200)
    result = CliRunner().invoke(cli, ["--home", str(ws.home), "import", "--mall", "coupang", "--account", "없는계정"])
    assert result.exit_code == 1 and "오류: config.toml 에 쿠팡 계정 '없는계정'이 없습니다" in result.output


def test_a_dropped_back_row_never_rebinds_and_a_mistyped_number_binds_nothing(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    sim = servers["coupang"].simulator
    ids = _listings_on_the_mall(ws, sim, "P00001")
    second = coupang_listing("X", name="밤 고구마")
    with Session(ws, FAST) as session:
        other = session.adapter(ws.config.find_account("coupang", None)).create_product(second).product_id
    product = sim.store.get("product", other)
    for item in product["items"]:
        item["externalVendorSku"] = ""
    sim.store.put("product", other, product)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        path = run_import(ws, store, session, "coupang").path
    book = openpyxl.load_workbook(path)
    sheet = book[IMPORTED.title]
    header = [c.value for c in sheet[1]]
    code, number = header.index("자체상품코드") + 1, header.index("쇼핑몰상품번호") + 1
    for row in range(sheet.max_row, 1, -1):
        if sheet.cell(row, number).value == ids["NOCODE"]:
            sheet.cell(row, code).value = "OLD77"  # the seller picks a code already bound to another listing
        elif sheet.cell(row, number).value == other:
            sheet.cell(row, number).value = "999999999"  # a number the mall does not have
        elif sheet.cell(row, number).value == ids["OLD77"]:
            sheet.delete_rows(row)  # (its own row would make OLD77 a duplicate in the file)
    book.save(path)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        pushed = push_file(ws, store, session, path)
        assert store.journal.binding("coupang", "기본", "OLD77")["product_id"] == ids["OLD77"]
        assert store.journal.code_of("coupang", "기본", ids["NOCODE"]) is None
        assert store.journal.code_of("coupang", "기본", other) is None
    rows = {r["쇼핑몰상품번호"]: r for r in _table(pushed.result_path, IMPORTED.title)}
    assert "이미 쇼핑몰상품번호" in rows[ids["NOCODE"]]["메시지"] and "바꾸지 않았습니다" in rows[ids["NOCODE"]]["메시지"]
    assert "999999999을(를) 찾지 못해" in rows["999999999"]["메시지"] and rows["999999999"]["결과"] == "오류"


LISTINGS = {"coupang": coupang_listing, "smartstore": smartstore_listing, "wemakeprice": wemakeprice_listing,
            "11st": elevenst_listing}


@pytest.mark.parametrize("mall", sorted(LISTINGS))
def test_every_mall_with_a_product_list_binds_its_listings_by_seller_code(sim_workspace, mall: str) -> None:
    ws, _ = sim_workspace((mall,), rate_limit=200)
    with Session(ws, FAST) as session:
        account = ws.config.find_account(mall, None)
        listing = LISTINGS[mall]("IMP1")
        product_id = session.adapter(account).create_product(listing).product_id
        with Store(ws.store_path) as store:
            result = run_import(ws, store, session, mall)
            [row] = [r for r in result.rows if r.listing.product_id == product_id]
            assert (row.state, row.code) == (NEW_CODE, "IMP1")
            assert store.journal.binding(mall, account.name, "IMP1")["product_id"] == product_id
            assert sum(lv.on_hand for lv in store.stock.levels("IMP1")) == listing.stock
            before = _snapshot(store)
            assert {r.state for r in run_import(ws, store, session, mall).rows if r.listing.product_id == product_id} == {BOUND}
            assert _snapshot(store) == before
