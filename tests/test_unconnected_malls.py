"""No mall in the 쇼핑몰 dropdown is a dead end: every mall mallbatch knows has a connector (API or file), the
dropdown offers them all and nothing says 준비 중. A mall can still end up unconnected when its connector fails to
import (a broken dependency): the registry logs and skips it, mallbatch keeps running for the others, and the
seller is told, naming the mall. ``collect --mall`` for a mall it cannot collect from says why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import mallbatch
from kindbook import write_book
from mallbatch.cli import cli
from mallbatch.connectors.registry import connected
from mallbatch.docs import marketplaces
from mallbatch.kinds.common import MALL
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.malls import MALLS, mall_name
from mallbatch.sandbox.registry import sandbox_credentials
from mallbatch.sheets.templates import LIST_SHEET, write_template
from mallbatch.workspace import init_workspace


def offered_and_note(path: Path) -> tuple[list[str], str]:
    """The 쇼핑몰 dropdown's choices and the header note of a 판매정보 template."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[SALES_GROUPS.title]
    column = SALES_GROUPS.columns.index(MALL)
    letter = openpyxl.utils.get_column_letter(column + 1)
    validation = next(v for v in sheet.data_validations.dataValidation if any(
        str(r).startswith(f"{letter}2") for r in v.sqref.ranges))
    source = validation.formula1.split("!")[1].replace("$", "")
    return [c.value for row in wb[LIST_SHEET][source] for c in row], sheet.cell(1, column + 1).comment.text


def test_every_mall_is_connected_offered_and_nothing_is_pending(tmp_path: Path) -> None:
    assert {m.code for m in MALLS} <= connected()
    offered, note = offered_and_note(write_template(tmp_path / "판매정보.xlsx", [SALES_GROUPS]))
    assert offered == [m.name for m in MALLS]
    assert "준비 중" not in note and "준비 중" not in MALL.help
    assert "준비 중" not in marketplaces()


def workspace(tmp_path: Path, malls: tuple[str, ...]) -> Path:
    home = tmp_path / "ws"
    init_workspace(home)
    lines = []
    for mall in malls:
        lines.append(f'[[accounts]]\nmall = "{mall}"\nname = "기본"\nsandbox = true\nbase_url = "http://127.0.0.1:9"')
        lines.extend(f'{k} = "{v}"' for k, v in sandbox_credentials(mall).items())
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return home


FILE_MALL = "인터파크은(는) 파일 연동 쇼핑몰이라 쇼핑몰에서 수집하지 않습니다"


@pytest.mark.parametrize(("mall", "expected"), [
    ("naver-shopping", "알 수 없는 쇼핑몰 'naver-shopping'"),
    ("interpark", FILE_MALL),  # its orders come from the seller's downloads, with or without an account
    ("coupang", "config.toml 에 쿠팡 계정이 없습니다"),
])
def test_collect_for_a_mall_it_cannot_collect_fails(tmp_path: Path, mall: str, expected: str) -> None:
    home = workspace(tmp_path, ("smartstore",))
    result = CliRunner().invoke(cli, ["--home", str(home), "collect", "--mall", mall])
    assert result.exit_code != 0, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert not [p for p in (home / "outbox").rglob("*.xlsx") if "templates" not in p.parts]


def test_collect_of_a_file_mall_says_where_its_orders_come_from(tmp_path: Path) -> None:
    home = workspace(tmp_path, ())
    (home / "config.toml").write_text('[[accounts]]\nmall = "interpark"\nname = "기본"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(home), "collect", "--mall", "인터파크"])
    assert result.exit_code == 1, result.output
    assert FILE_MALL in result.output and "주문·클레임 엑셀" in result.output and "inbox" in result.output, result.output


def test_collect_mall_accepts_the_korean_name(tmp_path: Path) -> None:
    from mallbatch.pipeline.collect import resolve_malls
    from mallbatch.workspace import Workspace

    ws = Workspace.open(workspace(tmp_path, ("smartstore", "coupang")))
    assert resolve_malls(ws.config, ["쿠팡", "스토어팜"]) == ["coupang", "smartstore"]
    assert mall_name("coupang") == "쿠팡"


def test_a_connector_that_fails_to_import_is_skipped_and_its_mall_named_to_the_seller(tmp_path: Path) -> None:
    """A broken install of the crypto library (티몬's personal-data decryption needs it) makes 티몬's connector
    fail to import, in a real mallbatch process: the CLI still runs, logs which connector it could not load,
    offers the other malls and tells the seller, in Korean, that 티몬's connector could not be loaded and to reinstall
    (not "not connected yet": every mall has a connector, so a missing one is a broken install)."""
    broken = tmp_path / "site" / "cryptography"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ImportError("a broken cryptography install")\n', encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(broken.parent), str(Path(mallbatch.__file__).parent.parent)]))
    home = tmp_path / "ws"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(home), *args], env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=60, check=False)

    init = run("init")
    assert init.returncode == 0, init.stderr
    assert "connector mallbatch.connectors.tmon.spec could not be loaded" in init.stderr
    offered, note = offered_and_note(home / "outbox" / "templates" / "판매정보.xlsx")
    assert "티몬" not in offered and {"쿠팡", "인터파크", "아임웹"} <= set(offered)
    assert "불러오지 못함" in note and "티몬" in note.split("불러오지 못함", 1)[1] and "준비 중" not in note

    rows = [dict(SALES_GROUPS.example_rows[0], group="첫 그룹", mall="쿠팡"), dict(SALES_GROUPS.example_rows[0], group="둘째", mall="티몬")]
    book = write_book(tmp_path / "판매정보.xlsx", [(SALES_GROUPS, rows)])
    checked = run("validate", str(book))
    assert checked.returncode == 1 and "'판매정보' 시트 3행 '쇼핑몰' 열" in checked.stdout, checked.stdout + checked.stderr
    assert "연동 모듈을 불러오지 못했습니다" in checked.stdout and "다시 설치" in checked.stdout, checked.stdout

    collected = run("collect", "--mall", "tmon")
    assert collected.returncode == 1
    said = collected.stdout + collected.stderr
    assert "티몬 연동 모듈을 불러오지 못했습니다" in said and "다시 설치" in said and "아직 연동하지" not in said, said
    assert "Traceback" not in collected.stdout
