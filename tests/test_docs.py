"""The README cannot drift from the code: template reference and commands."""

from __future__ import annotations

from pathlib import Path

from mallbatch.cli import cli
from mallbatch.docs import BEGIN, END, template_reference

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_template_reference_is_current() -> None:
    assert f"{BEGIN}\n{template_reference()}\n{END}" in README, "run: python -m mallbatch.docs and paste into README"


def test_every_command_is_documented_with_help() -> None:
    for name, command in cli.commands.items():
        assert f"`mallbatch {name}" in README, name
        assert command.help, name


def test_quick_start_commands_match_ci() -> None:
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = "pip install -e '.[test]' && python -m pytest"
    assert test_command in README and test_command in ci
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0].strip() for b in quick_start.split("```bash\n")[1:]]
    assert blocks == ["pip install -e . && mallbatch watch", test_command]
