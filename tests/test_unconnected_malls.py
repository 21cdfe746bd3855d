"""Malls that mallbatch knows by name but does not talk to yet (no adapter): the
쇼핑몰 dropdown offers only connected malls, a 판매정보 row for another is an error,
and ``collect --mall`` for an unknown, unconnected or unconfigured mall fails."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kindbook import assert_cell, row_issues, validate, write_book
from mallbatch.connectors.registry import connected
from mallbatch.cli import cli
from mallbatch.kinds.common import MALL
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.malls import MALLS, mall_name
from mallbatch.sandbox.registry import sandbox_credentials
from mallbatch.sheets.issues import ERROR
from mallbatch.sheets.rows import BookContext
from mallbatch.sheets.templates import LIST_SHEET, write_template
from mallbatch.workspace import init_workspace

CONNECTED = [m.name for m in MALLS if m.code in connected()]
PENDING = [m.name for m in MALLS if m.code not in connected()]


def test_dropdown_lists_only_connected_malls_and_the_note_names_the_rest(tmp_path: Path) -> None:
    path = write_template(tmp_path / "판매정보.xlsx", [SALES_GROUPS])
    wb = openpyxl.load_workbook(path)
    sheet = wb[SALES_GROUPS.title]
    column = SALES_GROUPS.columns.index(MALL)
    letter = openpyxl.utils.get_column_letter(column + 1)
    validation = next(v for v in sheet.data_validations.dataValidation if any(
        str(r).startswith(f"{letter}2") for r in v.sqref.ranges))
    source = validation.formula1.split("!")[1].replace("$", "")
    offered = [c.value for row in wb[LIST_SHEET][source] for c in row]
    assert offered == CONNECTED
    note = sheet.cell(1, column + 1).comment.text
    assert "준비 중" in note and all(name in note for name in PENDING)


@pytest.mark.parametrize("typed", ["인터파크", "GS SHOP", "tmon"])  # G마켓·옥션 are connected since issue 13
def test_sales_group_for_an_unconnected_mall_is_an_error(tmp_path: Path, typed: str) -> None:
    rows = [dict(SALES_GROUPS.example_rows[0], group="첫 그룹"), dict(SALES_GROUPS.example_rows[0], group="둘째", mall=typed)]
    path = write_book(tmp_path / "판매정보.xlsx", [(SALES_GROUPS, rows)])
    report = validate(path, BookContext(path, accounts={("coupang", "기본")}))
    issues = [i for i in row_issues(report) if i.severity == ERROR]
    assert len(issues) == 1, [(i.row, i.column, i.message) for i in issues]
    meant = next(m.name for m in MALLS if typed in (m.name, m.code, *m.synonyms))
    assert_cell(issues[0], SALES_GROUPS, 3, "mall", "mall-not-connected", f"{meant}은(는) 아직 연동하지 않는 쇼핑몰입니다")
    assert all(name in issues[0].fix for name in CONNECTED)
    assert not report.valid


def workspace(tmp_path: Path, malls: tuple[str, ...]) -> Path:
    home = tmp_path / "ws"
    init_workspace(home)
    lines = []
    for mall in malls:
        lines.append(f'[[accounts]]\nmall = "{mall}"\nname = "기본"\nsandbox = true\nbase_url = "http://127.0.0.1:9"')
        lines.extend(f'{k} = "{v}"' for k, v in sandbox_credentials(mall).items())
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return home


@pytest.mark.parametrize(("mall", "expected"), [
    ("naver-shopping", "알 수 없는 쇼핑몰 'naver-shopping'"),
    ("interpark", "인터파크은(는) 아직 연동하지 않는 쇼핑몰입니다"),
    ("coupang", "config.toml 에 쿠팡 계정이 없습니다"),
])
def test_collect_for_a_mall_it_cannot_collect_fails(tmp_path: Path, mall: str, expected: str) -> None:
    home = workspace(tmp_path, ("smartstore",))
    result = CliRunner().invoke(cli, ["--home", str(home), "collect", "--mall", mall])
    assert result.exit_code != 0, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert not [p for p in (home / "outbox").rglob("*.xlsx") if "templates" not in p.parts]


def test_collect_mall_accepts_the_korean_name(tmp_path: Path) -> None:
    from mallbatch.pipeline.collect import resolve_malls
    from mallbatch.workspace import Workspace

    ws = Workspace.open(workspace(tmp_path, ("smartstore", "coupang")))
    assert resolve_malls(ws.config, ["쿠팡", "스토어팜"]) == ["coupang", "smartstore"]
    assert mall_name("coupang") == "쿠팡"
