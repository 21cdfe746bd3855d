"""Workspace configuration: ``config.toml`` plus secrets from ``env:NAME``.

Secrets are wrapped in :class:`Secret` as soon as they are read so that no repr, log
line, error message or workbook can show them by accident.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from mallbatch.errors import ConfigError
from mallbatch.malls import BY_CODE, find_mall
from mallbatch.redact import register

SECRET_SUFFIXES = ("secret", "_key", "password", "token")


class Secret:
    """A credential value that never shows itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register(value)  # from now on masked in anything a mall sends back

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def resolve_value(name: str, raw: Any, where: str) -> Any:
    """Resolve ``env:NAME`` and wrap credential-like keys in :class:`Secret`."""
    if isinstance(raw, str) and raw.startswith("env:"):
        var = raw[4:].strip()
        if var not in os.environ:
            raise ConfigError(f"{where}: 환경변수 {var} 이(가) 설정되어 있지 않습니다 ({name}).")
        raw = os.environ[var]
    if isinstance(raw, str) and name.lower().endswith(SECRET_SUFFIXES):
        return Secret(raw)
    return raw


@dataclass(frozen=True)
class Account:
    """One seller account on one mall. ``options`` holds mall-specific credentials and ids."""

    mall: str
    name: str
    base_url: str
    sandbox: bool
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{BY_CODE[self.mall].name}/{self.name}" if self.mall in BY_CODE else f"{self.mall}/{self.name}"

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def secret(self, key: str) -> str:
        value = self.options.get(key)
        if value is None:
            raise ConfigError(f"{self.label} 계정에 {key} 값이 없습니다. config.toml 의 [[accounts]] 에 추가하세요.")
        return value.reveal() if isinstance(value, Secret) else str(value)

    @property
    def key_issued(self) -> date | None:
        raw = self.options.get("key_issued")
        if raw is None or isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError as exc:
            raise ConfigError(f"{self.label}: key_issued 는 YYYY-MM-DD 형식이어야 합니다.") from exc


@dataclass(frozen=True)
class Config:
    """Everything read from config.toml, with paths resolved against the workspace home."""

    home: Path
    raw: dict[str, Any]
    accounts: tuple[Account, ...]

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    def path(self, key: str, default: str) -> Path:
        value = Path(str(self.section("workspace").get(key, default))).expanduser()
        return value if value.is_absolute() else self.home / value

    def limit(self, key: str, default: int) -> int:
        return int(self.section("limits").get(key, default))

    def accounts_for(self, mall: str) -> list[Account]:
        return [a for a in self.accounts if a.mall == mall]

    def find_account(self, mall: str, name: str | None) -> Account | None:
        """The named account, or the mall's only account when no name is given."""
        candidates = self.accounts_for(mall)
        if name:
            return next((a for a in candidates if a.name == name), None)
        return candidates[0] if len(candidates) == 1 else None


def _account(entry: dict[str, Any], index: int) -> Account:
    where = f"config.toml [[accounts]] {index + 1}번째"
    mall = find_mall(str(entry.get("mall", "")))
    if mall is None:
        raise ConfigError(f"{where}: mall 값 '{entry.get('mall', '')}' 을(를) 알 수 없습니다.")
    name = str(entry.get("name", "")).strip()
    if not name:
        raise ConfigError(f"{where}: name (계정 이름) 이 필요합니다.")
    options = {
        k: resolve_value(k, v, where)
        for k, v in entry.items()
        if k not in ("mall", "name", "base_url", "sandbox")
    }
    return Account(
        mall=mall.code,
        name=name,
        base_url=str(entry.get("base_url", "")).rstrip("/"),
        sandbox=bool(entry.get("sandbox", False)),
        options=options,
    )


def load_config(home: Path) -> Config:
    """Read ``home/config.toml``; a missing file is a ConfigError that says to run init."""
    path = home / "config.toml"
    if not path.exists():
        raise ConfigError(f"{path} 이(가) 없습니다. 먼저 'mallbatch init {home}' 을 실행하세요.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config.toml 을 읽을 수 없습니다: {exc}") from exc
    accounts = tuple(_account(e, i) for i, e in enumerate(raw.get("accounts", [])))
    seen: set[tuple[str, str]] = set()
    for acc in accounts:
        if (acc.mall, acc.name) in seen:
            raise ConfigError(f"config.toml: {acc.label} 계정이 두 번 정의되어 있습니다.")
        seen.add((acc.mall, acc.name))
    return Config(home=home, raw=raw, accounts=accounts)
