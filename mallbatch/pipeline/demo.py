"""``demo``: the whole round trip on the simulators in a fresh workspace.

Push example products → orders, claims and inquiries arrive → collect → fill 택배사/
송장번호 and 답변 into the collected workbooks as a seller would → drop them back
through the pipeline → collect again. Every workbook stays in the workspace.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl

from mallbatch.files import archive
from mallbatch.kinds.collected import INQUIRIES, ORDERS
from mallbatch.kinds.common import ANSWER, COURIER, TRACKING_NO
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session, seed_sandbox
from mallbatch.pipeline.templates import write_templates
from mallbatch.store import open_store
from mallbatch.workspace import Workspace, init_workspace

Say = Callable[[str], None]
# openpyxl parses the collected workbooks below; it must route XML through defusedxml.
assert openpyxl.DEFUSEDXML, "defusedxml must be installed (pyproject dependency)"
COURIER_BY_MALL = {"쿠팡": ("CJ대한통운", 12), "스마트스토어": ("한진택배", 12), "위메프": ("우체국택배", 13)}


def fill_workbook(source: Path, target: Path, kind_title: str, fill: Callable[[dict[str, int], tuple[object, ...], int], dict[str, str]]) -> int:
    """Open a collected workbook, fill columns per row (like a seller in Excel), save to ``target``."""
    book = openpyxl.load_workbook(source)
    sheet = book[kind_title]
    header = {str(c.value): i for i, c in enumerate(sheet[1]) if c.value}
    filled = 0
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        values = fill(header, row, number)
        for name, value in values.items():
            sheet.cell(number, header[name] + 1, value).number_format = "@"
        filled += bool(values)
    book.save(target)
    return filled


def run_demo(home: Path, say: Say) -> Workspace:
    ws, _ = init_workspace(home)
    write_templates(ws)
    with open_store(ws) as store, Session(ws) as session:
        say("1) 예시 상품 5개를 쿠팡·스마트스토어·위메프 시뮬레이터에 등록합니다")
        example = ws.inbox / "예시_상품.xlsx"
        shutil.copy(ws.home / "examples" / "예시_상품.xlsx", example)
        result = push_file(ws, store, session, example)
        archive(example, ws.archive)
        say(f"   {result.summary_ko()}\n   결과: {result.result_path}")

        say("2) 시뮬레이터에 주문·클레임·문의가 들어옵니다")
        for label, made in seed_sandbox(ws, 8, 2, 3).items():
            say(f"   {label}: 주문 {made['orders']}건, 클레임 {made['claims']}건, 문의 {made['inquiries']}건")

        say("3) 주문·클레임·문의를 수집합니다")
        collected = collect(ws, store, session)
        for line in collected.lines_ko():
            say(f"   {line}")

        say("4) 주문 엑셀에 택배사·송장번호를, 문의 엑셀에 답변을 채워 inbox 에 넣습니다")
        invoice_file = ws.inbox / "송장_입력.xlsx"
        mall_col, courier_col, tracking_col = ORDERS.column("mall").header, COURIER.header, TRACKING_NO.header
        status_col, unit_col = ORDERS.column("status").header, ORDERS.column("ship_unit").header

        def invoices(header: dict[str, int], row: tuple[object, ...], number: int) -> dict[str, str]:
            """Open orders only; one tracking number per 묶음배송 (a box ships once)."""
            if row[header[status_col]] not in ("결제완료", "상품준비중"):
                return {}
            courier, digits = COURIER_BY_MALL.get(str(row[header[mall_col]]), ("CJ대한통운", 12))
            seed = zlib.crc32(str(row[header[unit_col]]).encode()) * 7919  # any mall's id (Wish's are hex)
            return {courier_col: courier, tracking_col: str(6 * 10 ** (digits - 1) + seed % 10 ** (digits - 2))}

        filled = fill_workbook(collected.workbooks["orders"], invoice_file, ORDERS.title, invoices)
        answer_file = ws.inbox / "답변_입력.xlsx"
        answered_col = INQUIRIES.column("answered").header

        def answers(header: dict[str, int], row: tuple[object, ...], number: int) -> dict[str, str]:
            if row[header[answered_col]] == "Y":
                return {}
            return {ANSWER.header: "안녕하세요, 고객님. 문의 감사합니다. 주문하신 상품은 오늘 출고되어 1~2일 안에 받으실 수 있습니다."}

        answered = fill_workbook(collected.workbooks["inquiries"], answer_file, INQUIRIES.title, answers)
        say(f"   송장 {filled}건, 답변 {answered}건을 채웠습니다")

        say("5) inbox 의 두 파일을 처리합니다 (발주확인 → 클레임 재확인 → 송장 전송, 답변 전송)")
        for path in (invoice_file, answer_file):
            result = push_file(ws, store, session, path)
            archive(path, ws.archive)
            say(f"   {result.summary_ko()}\n   결과: {result.result_path}")

        say("6) 다시 수집해 반영된 상태를 확인합니다")
        again = collect(ws, store, session)
        for line in again.lines_ko():
            say(f"   {line}")
        for kind, path in again.workbooks.items():
            say(f"   {kind}: {path}")
    say(f"끝났습니다. 작업 폴더: {ws.home} (outbox 에서 엑셀을 열어 보세요)")
    return ws
