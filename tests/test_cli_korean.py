"""click's own texts are Korean like the rest: usage, help, options, usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mallbatch.cli import cli

# What click itself prints in English (click 8.x), none of which may reach a seller.
ENGLISH = ("Usage:", "Options:", "Commands:", "Error:", "No such option", "No such command", "Missing argument",
           "Missing option", "Missing command", "Show this message and exit", "Show the version and exit",
           "Try '", "for help", "[OPTIONS]", "COMMAND [ARGS]", "Got unexpected extra", "is not one of",
           "does not exist", "requires an argument", "Aborted", "Invalid value", "TEXT", "DIRECTORY", "FILE")


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


def assert_korean(result: Result) -> None:
    for phrase in ENGLISH:
        assert phrase not in result.output, f"{phrase!r} in:\n{result.output}"


@pytest.mark.parametrize("args", [(), ("--help",), ("-h",), ("validate", "--help"), ("collect", "--help"),
                                  ("push", "--help"), ("init", "--help"), ("history", "--help")])
def test_help_is_korean(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert_korean(result)
    assert "사용법: mallbatch" in result.output
    assert "옵션:" in result.output
    assert "-h, --help" in result.output and "이 도움말을 보여 주고 끝냅니다" in result.output
    if not args or args[0].startswith("-"):
        assert "명령:" in result.output and "validate" in result.output
        assert result.exit_code in (0, 2)
    else:
        assert result.exit_code == 0


def test_wrong_option(tmp_path: Path) -> None:
    result = run("--home", str(tmp_path), "collect", "--mal", "coupang")
    assert result.exit_code == 2
    assert_korean(result)
    assert "오류: '--mal' 옵션은 없습니다" in result.output
    assert "--mall" in result.output  # the close match is suggested
    assert "사용법: mallbatch collect [옵션]" in result.output
    assert "도움말: mallbatch collect --help" in result.output


def test_missing_argument() -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert_korean(result)
    assert "오류: 파일 을(를) 입력하세요" in result.output
    assert "사용법: mallbatch validate [옵션] 파일" in result.output


@pytest.mark.parametrize(("args", "expected"), [
    (("nosuch",), "'nosuch' 명령은 없습니다"),
    (("collect", "--kind", "order"), "'--kind' 값 'order' 은(는) 고를 수 없습니다: orders, claims, inquiries"),
    (("collect", "--mall"), "'--mall' 옵션에 값이 필요합니다"),
    (("validate", "없는파일.xlsx"), "'파일' 값 '없는파일.xlsx': 파일을 찾을 수 없습니다"),
    (("history", "A", "B"), "필요 없는 인자가 있습니다: B"),
    (("collect", "--since", "어제"), "'--since' 값 '어제' 은(는) 날짜가 아닙니다"),
    (("--home",), "'--home' 옵션에 값이 필요합니다"),
])
def test_usage_errors_are_korean(args: tuple[str, ...], expected: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert_korean(result)
    assert f"오류: {expected}" in result.output, result.output


def test_version_is_plain() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("mallbatch ")


def test_console_labels_are_korean(sim_workspace) -> None:
    ws, _ = sim_workspace(("coupang",))
    result = run("--home", str(ws.home), "collect")
    assert result.exit_code == 0, result.output
    for label in ("주문: ", "클레임: ", "문의: "):
        assert label in result.output
    for english in ("orders:", "claims:", "inquiries:"):
        assert english not in result.output
    # the validate summary's "(상품, 판매정보)": tests/test_cli_validate.py::test_validate_example_passes_and_saves
