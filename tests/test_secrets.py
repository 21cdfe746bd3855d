"""Secrets come from config or env:NAME and never reach output, errors, the store or workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mallbatch.cli import cli
from mallbatch.config import Secret, load_config, resolve_value
from mallbatch.errors import ConfigError

SECRET = "sk-live-한글-9f8e7d6c5b4a"


def test_secret_never_shows_itself() -> None:
    value = resolve_value("secret_key", SECRET, "test")
    assert isinstance(value, Secret) and value.reveal() == SECRET
    assert SECRET not in repr(value) and SECRET not in str(value) and SECRET not in f"{value}"
    assert not isinstance(resolve_value("key_issued", "2026-01-01", "test"), Secret)
    assert not isinstance(resolve_value("vendor_id", "A00012345", "test"), Secret)


def test_env_reference_is_resolved_and_missing_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MB_TEST_SECRET", SECRET)
    assert resolve_value("client_secret", "env:MB_TEST_SECRET", "test").reveal() == SECRET
    monkeypatch.delenv("MB_TEST_SECRET")
    with pytest.raises(ConfigError, match="MB_TEST_SECRET"):
        resolve_value("client_secret", "env:MB_TEST_SECRET", "test")


def test_wrong_secret_from_env_fails_auth_without_leaking(sim_workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, _ = sim_workspace(("coupang", "wemakeprice"))
    config = ws.home / "config.toml"
    text = config.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith(("secret_key", "api_key")):
            text = text.replace(line, line.split("=")[0] + '= "env:MB_WRONG"')
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("MB_WRONG", SECRET)
    assert load_config(ws.home).accounts[0].options["secret_key"] == Secret(SECRET)
    result = CliRunner().invoke(cli, ["--home", str(ws.home), "accounts"])
    assert result.exit_code == 1
    assert "인증 실패" in result.output
    assert SECRET not in result.output
    for path in ws.home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
