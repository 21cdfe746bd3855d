"""``mallbatch init`` and ``mallbatch validate`` through click, on a real workspace."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from kindbook import write_book
from mallbatch.cli import cli
from mallbatch.examples import group_name, product_rows, sales_group_rows
from mallbatch.domain.clock import now_kst
from mallbatch.sheets.result_columns import MESSAGE, RESULT
from mallbatch.kinds.products import PRODUCTS
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.sheets.results import SUMMARY_SHEET
from mallbatch.store import Store
from mallbatch.examples import sales_group_rows
from mallbatch.malls import mall_name
from mallbatch.workspace import TEMPLATE_FILES, Workspace

BAD_FILL = "FFFFC7CE"  # mallbatch.sheets.writer Book.bad


def run(home: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``mallbatch init`` per module; each test works on its own copy."""
    home = (tmp_path_factory.mktemp("init") / "작업").resolve()
    result = run(home, "init")
    assert result.exit_code == 0, result.output
    assert "config.toml 을 만들었습니다" in result.output
    return home


@pytest.fixture
def home(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "작업"))


def today_outbox(home: Path) -> Path:
    return home / "outbox" / now_kst().strftime("%Y-%m-%d") / "결과"


def summary_texts(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    return [str(v) for row in wb[SUMMARY_SHEET].iter_rows(values_only=True) for v in row if v is not None]


def test_init_creates_the_workspace(home: Path) -> None:
    assert (home / "config.toml").is_file()
    for folder in ("inbox", "outbox", "archive", "images", "state"):
        assert (home / folder).is_dir(), folder
    templates = sorted(p.name for p in (home / "outbox" / "templates").iterdir())
    assert templates == sorted(TEMPLATE_FILES) and len(templates) == 7  # 상품, 판매정보, 재고·가격, 송장, 문의답변, 클레임처리, 티켓처리
    assert (home / "examples" / "예시_상품.xlsx").is_file()
    answers = home / "templates" / "answers"  # example answer templates in three languages
    assert sorted(p.name for p in answers.iterdir()) == ["de", "en", "ko"] and (answers / "ko" / "배송안내.txt").is_file()


def test_init_twice_keeps_config(home: Path) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# 내 메모\n", encoding="utf-8")
    result = run(home, "init")
    assert result.exit_code == 0
    assert "config.toml 이 이미 있어 그대로 두었습니다." in result.output
    assert config.read_text(encoding="utf-8").endswith("# 내 메모\n")


def test_validate_example_passes_and_saves(home: Path) -> None:
    example = home / "examples" / "예시_상품.xlsx"
    groups = {(g["mall"], g["account"]) for g in sales_group_rows(Workspace.open(home).config)}  # API malls' accounts
    accounts = [a for a in Workspace.open(home).config.accounts if (mall_name(a.mall), a.name) in groups]
    result = run(home, "validate", str(example))
    assert result.exit_code == 0, result.output
    rows = 5 + len(accounts)
    assert f"예시_상품.xlsx: {rows}행 검사 (상품, 판매정보) — 오류 0건 (오류가 있는 행 0개), 경고 " in result.output
    out = re.search(r"결과 엑셀: (.+)", result.output)
    assert out and Path(out.group(1).strip()).parent == today_outbox(home)
    assert Path(out.group(1).strip()).is_file()
    with Store(home / "state" / "mallbatch.db") as store:
        assert store.product_codes() == [f"P{i:05d}" for i in range(1, 6)]
        assert store.group_keys() == {(a.mall, a.name, group_name(a.mall)) for a in accounts}
        assert store.product("P00001")["cost_price"] > 0


def broken_file(home: Path) -> Path:
    """Two products (the second with 대표가격 0) and the sales groups they link to."""
    config = Workspace.open(home).config
    groups = sales_group_rows(config)
    products = list(product_rows(2, [groups[0]["group"]], prefix="B"))
    products[1]["cost_price"] = "0"
    return write_book(home / "inbox" / "상품_오류.xlsx", [(PRODUCTS, products), (SALES_GROUPS, groups)])


def test_validate_broken_file(home: Path) -> None:
    path = broken_file(home)
    result = run(home, "validate", str(path))
    assert result.exit_code == 1
    header = PRODUCTS.column("cost_price").header
    assert "오류 1건 (오류가 있는 행 1개)" in result.output
    assert f"  - '상품' 시트 3행 '{header}' 열: 1 이상이어야 합니다 (입력: 0)" in result.output


def test_validate_json(home: Path) -> None:
    result = run(home, "validate", "--json", str(broken_file(home)))
    assert result.exit_code == 1
    payload: dict[str, Any] = json.loads(result.stdout)
    assert payload["valid"] is False
    assert payload["stats"]["errors"] == 1 and payload["stats"]["rows"] == 2 + len(sales_group_rows(Workspace.open(home).config))
    errors = [i for i in payload["issues"] if i["severity"] == "error"]
    assert [(i["sheet"], i["row"], i["column"], i["code"]) for i in errors] == [
        ("상품", 3, PRODUCTS.column("cost_price").header, "too-small"),
    ]
    assert Path(payload["result_workbook"]).is_file()


def test_result_workbook_marks_the_bad_cell(home: Path) -> None:
    result = run(home, "validate", "--json", str(broken_file(home)))
    out = Path(json.loads(result.stdout)["result_workbook"])
    assert out.parent == today_outbox(home) and out.name.startswith("상품_오류_검사결과_")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    assert {PRODUCTS.title, SALES_GROUPS.title} <= set(wb.sheetnames)
    sheet = wb[PRODUCTS.title]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == [RESULT.header, MESSAGE.header]  # first, so the seller sees them without scrolling
    assert headers[2:] == [c.header for c in PRODUCTS.columns]
    result_col, message_col = 1, 2
    assert [sheet.cell(r, result_col).value for r in (2, 3)] == ["정상", "오류"]
    message = sheet.cell(3, message_col).value
    assert message.startswith(f"오류 - [{PRODUCTS.column('cost_price').header}] 1 이상이어야 합니다 (입력: 0)")

    bad = sheet.cell(3, PRODUCTS.columns.index(PRODUCTS.column("cost_price")) + 3)
    assert bad.value == "0"
    assert bad.fill.fgColor.rgb == BAD_FILL
    assert bad.comment is not None and "1 이상이어야 합니다 (입력: 0)" in bad.comment.text
    good = sheet.cell(2, PRODUCTS.columns.index(PRODUCTS.column("cost_price")) + 1)
    assert good.comment is None and good.fill.fgColor.rgb != BAD_FILL

    texts = summary_texts(out)
    assert {"파일", "검사 일시", "오류", "경고"} <= set(texts)
    assert "1 이상이어야 합니다 (입력: 0)" in texts


def test_broken_file_saves_only_valid_rows(home: Path) -> None:
    run(home, "validate", str(broken_file(home)))
    with Store(home / "state" / "mallbatch.db") as store:
        assert store.product_codes() == ["B00001"]
        assert len(store.group_keys()) == len(sales_group_rows(Workspace.open(home).config))


@pytest.mark.parametrize(("name", "content", "why"), [
    ("메모.xlsx", "이건 엑셀이 아닙니다\n".encode(), "확장자는 .xlsx이지만 실제 내용은 엑셀이 아닌 텍스트 파일입니다"),
    ("그림.xlsx", b"\x00\x01\x02\x03\xfe\xff" * 50, "엑셀 파일이 아닙니다"),
    ("빈파일.xlsx", b"", "빈 파일입니다 (0바이트)"),
    ("깨진.xlsx", b"PK\x03\x04" + b"\x00" * 40, "파일이 손상되었거나 아직 복사 중입니다"),
], ids=["text", "binary", "empty", "broken-zip"])
def test_unreadable_file_gets_a_result_workbook(home: Path, name: str, content: bytes, why: str) -> None:
    path = home / "inbox" / name
    path.write_bytes(content)
    result = run(home, "validate", str(path))
    assert result.exit_code == 1
    assert f"  - 파일: {why}" in result.output
    out = re.search(r"결과 엑셀: (.+)", result.output)
    assert out is not None
    texts = summary_texts(Path(out.group(1).strip()))
    assert why in texts and name in texts


def test_unknown_kind_of_workbook(home: Path, tmp_path: Path) -> None:
    path = home / "inbox" / "가계부.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["날짜", "내용", "금액"])
    wb.active.append(["2026-11-21", "점심", 9000])
    wb.save(path)
    result = run(home, "validate", str(path))
    assert result.exit_code == 1
    assert "어떤 종류의 파일인지 알 수 없습니다" in result.output


def test_header_below_row_15_is_pointed_at(home: Path) -> None:
    path = home / "inbox" / "송장.xlsx"
    wb = openpyxl.Workbook()
    for _ in range(19):
        wb.active.append(["안내: 아래 표를 채우세요"])
    wb.active.append(["쇼핑몰", "계정", "주문번호", "택배사", "송장번호"])  # Excel row 20
    wb.active.append(["쿠팡", "기본", "2026112100010001", "CJ대한통운", "612345678901"])
    wb.save(path)
    result = run(home, "validate", str(path))
    assert result.exit_code == 1
    assert ("'Sheet' 시트 20행: 어떤 종류의 파일인지 알 수 없습니다: 'Sheet' 시트의 1~15행에서 머리글(열 이름) 행을 찾지 못했습니다 "
            "('Sheet' 시트 20행에 송장 머리글이 있는 것 같습니다)") in result.output
    assert "'Sheet' 시트 20행의 머리글이 1~15행 안에 오도록" in result.output


def test_unknown_kind_says_where_it_looked_and_what_it_expected(home: Path) -> None:
    path = home / "inbox" / "가계부.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "11월"
    wb.active.append(["날짜", "내용", "금액"])
    wb.save(path)
    output = run(home, "validate", str(path)).output
    assert "'11월' 시트의 1~15행에서 머리글(열 이름) 행을 찾지 못했습니다" in output
    assert f"상품: {', '.join(c.header for c in PRODUCTS.required_columns[:3])}" in output
    assert "송장: 쇼핑몰, 주문번호, 택배사" in output


def test_push_of_a_file_that_cannot_be_read_exits_non_zero_and_says_why(home: Path) -> None:
    path = home / "inbox" / "가계부.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["날짜", "내용", "금액"])
    wb.save(path)
    result = run(home, "push", str(path))
    assert result.exit_code == 1, result.output
    assert "어떤 종류의 파일인지 알 수 없습니다" in result.output
