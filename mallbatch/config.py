"""Workspace configuration: ``config.toml`` plus secrets from ``env:NAME``.

Secrets are wrapped in :class:`Secret` as soon as they are read so that no repr, log
line, error message or workbook can show them by accident.
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from mallbatch.errors import ConfigError
from mallbatch.malls import BY_CODE, find_mall
from mallbatch.redact import register

SECRET_SUFFIXES = ("secret", "_key", "password", "token")
T = TypeVar("T")

# What to write instead, per expected type; the example uses the key's own name.
_EXPECTED: dict[type, str] = {
    bool: "true 또는 false 로 적으세요 (따옴표 없이, 예: {key} = false)",
    int: "정수로 적으세요 (따옴표·단위 없이, 예: {key} = {example})",
    float: "숫자로 적으세요 (따옴표·단위 없이, 예: {key} = {example})",
    str: '글자로 적으세요 (따옴표로 감싸서, 예: {key} = "{example}")',
    list: '목록으로 적으세요 (예: {key} = ["{example}"])',
}


def typed(where: str, key: str, raw: Any, kind: type[T], example: Any = None) -> T:
    """``raw`` as ``kind`` or a ConfigError naming the key and the expected type.

    The one check every reader of config.toml goes through. An int is a valid float;
    a bool is never a number (TOML's true is not 1). Secret values are never shown.
    """
    is_number = isinstance(raw, (int, float)) and not isinstance(raw, bool)
    if kind is float and is_number:
        return float(raw)  # type: ignore[return-value]
    if isinstance(raw, kind) and (kind not in (int, float) or is_number):
        return raw
    shown = "(비밀값)" if key.lower().endswith(SECRET_SUFFIXES) else _shown(raw)
    example = example if example not in (None, "", []) else {int: 10, float: 1.5, str: "기본", list: "1234"}.get(kind, "")
    if isinstance(example, list):
        example = example[0]
    hint = _EXPECTED[kind].format(key=key, example=example)
    raise ConfigError(f"{where} {key} 의 값 {shown} 이(가) 잘못되었습니다: {hint}. config.toml 을 고친 뒤 다시 실행하세요.")


def _shown(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str):
        return f'"{raw[:30]}"'
    if isinstance(raw, dict):
        return "(표)"
    return str(raw)[:30]


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


def resolve_value(name: str, raw: Any, where: str, *, secret: bool = False) -> Any:
    """Resolve ``env:NAME`` and wrap credential-like keys (or ones declared ``secret``) in :class:`Secret`."""
    if isinstance(raw, str) and raw.startswith("env:"):
        var = raw[4:].strip()
        if var not in os.environ:
            raise ConfigError(f"{where}: 환경변수 {var} 이(가) 설정되어 있지 않습니다 ({name}).")
        raw = os.environ[var]
    if isinstance(raw, str) and (secret or name.lower().endswith(SECRET_SUFFIXES)):
        return Secret(raw)
    return raw


def declared_secrets(mall: str) -> frozenset[str]:
    """The keys a mall's connector spec marks secret, whatever they are named."""
    from mallbatch.connectors.registry import connector_class  # connectors import this module

    cls = connector_class(mall)
    return frozenset(c.name for c in cls.spec.credentials if c.secret) if cls else frozenset()


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
        """The table ``[name]`` (dotted for sub-tables: ``collect.coupang``); {} when absent."""
        value: Any = self.raw
        for part in name.split("."):
            value = value.get(part, {}) if isinstance(value, dict) else {}
        return value if isinstance(value, dict) else {}

    def value(self, section: str, key: str, kind: type[T], default: T | None = None) -> T | None:
        """``[section] key`` checked to be ``kind``; ``default`` when the key is absent."""
        table = self.section(section)
        if key not in table:
            return default
        return typed(f"config.toml [{section}]", key, table[key], kind, default)

    def path(self, key: str, default: str) -> Path:
        value = Path(str(self.value("workspace", key, str, default))).expanduser()
        return value if value.is_absolute() else self.home / value

    @property
    def store_url(self) -> Secret | None:
        """``[store] url``: the PostgreSQL server of the store (secret: it may hold a password); None = SQLite."""
        raw = self.section("store").get("url")
        if raw is None:
            return None
        where = "config.toml [store]"
        typed(where, "url", raw, str)
        value = resolve_value("url", raw, where, secret=True)
        if not re.match(r"postgres(ql)?://", value.reveal()):
            raise ConfigError(f'{where} url 은 "postgresql://사용자:비밀번호@서버:5432/데이터베이스" 형식이어야 합니다 '
                              f'(비밀번호는 "env:환경변수이름" 으로 적을 수 있습니다). 상태 저장소를 이 컴퓨터의 SQLite 로 쓰려면 '
                              f"url 줄을 지우세요. config.toml 을 고친 뒤 다시 실행하세요.")
        return value

    @property
    def store_schema(self) -> str:
        """``[store] schema``: this workspace's schema on the PostgreSQL server (one per seller)."""
        schema = str(self.value("store", "schema", str, "public"))
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
            raise ConfigError(f'config.toml [store] schema 의 값 "{schema[:30]}" 은(는) 쓸 수 없습니다: 영문자·숫자·밑줄로 '
                              f'63자 이내, 영문자나 밑줄로 시작하게 적으세요 (예: schema = "seller_0001"). '
                              f"config.toml 을 고친 뒤 다시 실행하세요.")
        return schema

    def limit(self, key: str, default: int) -> int:
        return int(self.value("limits", key, int, default) or 0)

    def sandbox_faults(self, mall: str) -> dict[str, float]:
        """``[sandbox.<mall>]``: every fault and traffic setting is a number."""
        section = f"sandbox.{mall}"
        return {key: float(self.value(section, key, float) or 0) for key in self.section(section)}

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
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: [[accounts]] 는 '키 = 값' 줄들로 적어야 합니다.")
    fields = {key: typed(where, key, entry[key], kind, example)
              for key, (kind, example) in ACCOUNT_FIELDS.items() if key in entry}
    mall = find_mall(str(fields.get("mall", "")))
    if mall is None:
        raise ConfigError(f"{where}: mall 값 '{fields.get('mall', '')}' 을(를) 알 수 없습니다.")
    name = str(fields.get("name", "")).strip()
    if not name:
        raise ConfigError(f"{where}: name (계정 이름) 이 필요합니다.")
    secrets = declared_secrets(mall.code)
    options = {
        k: resolve_value(k, fields.get(k, v), where, secret=k in secrets)
        for k, v in entry.items()
        if k not in ("mall", "name", "base_url", "sandbox")
    }
    return Account(
        mall=mall.code,
        name=name,
        base_url=str(fields.get("base_url", "")).rstrip("/"),
        sandbox=bool(fields.get("sandbox", False)),
        options=options,
    )


# Account keys with a fixed type (credentials are free text or env:NAME).
ACCOUNT_FIELDS: dict[str, tuple[type, Any]] = {
    "mall": (str, "coupang"),
    "name": (str, "기본"),
    "base_url": (str, "http://127.0.0.1:18601"),
    "sandbox": (bool, False),
    "rate_limit": (float, 5),
}

_TOML_REASONS = {
    "Invalid value": "값을 읽을 수 없습니다 (글자는 따옴표로 감싸야 합니다)",
    "Unterminated string": "따옴표가 닫히지 않았습니다",
    "Illegal character": "쓸 수 없는 글자(제어 문자)가 있습니다",
    "Invalid statement": "'키 = 값' 또는 [구역] 형식이 아닙니다",
    "Expected '=' after a key in a key/value pair": "키 뒤에 '=' 가 없습니다",
    "Expected newline or end of document after a statement": "한 줄에 항목 하나만 적으세요",
    "Cannot overwrite a value": "같은 키가 두 번 있습니다",
    "Cannot declare": "같은 [구역] 이 두 번 있습니다",
}


def _decode(data: bytes) -> str:
    """config.toml text: UTF-8 with or without BOM, or UTF-16 with BOM (메모장's 유니코드)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("cp949")
        except UnicodeDecodeError:
            raise ConfigError(
                f"config.toml {line}번째 줄에 UTF-8 이 아닌 글자가 있습니다. 메모장에서 '다른 이름으로 저장' → 인코딩 UTF-8 로 저장하세요."
            ) from None
        raise ConfigError(
            "config.toml 이 CP949(EUC-KR)로 저장되어 있습니다. UTF-8 로 저장하세요 "
            "(메모장: '다른 이름으로 저장' → 인코딩 UTF-8)."
        ) from None


def _syntax_error(exc: tomllib.TOMLDecodeError) -> ConfigError:
    """The line and a Korean reason; never the line's text, which may hold a key."""
    text = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", text)
    reason = next((ko for en, ko in _TOML_REASONS.items() if text.startswith(en)), "TOML 문법에 맞지 않습니다")
    place = f"{where.group(1)}번째 줄 {where.group(2)}번째 글자" if where else "파일 끝"
    return ConfigError(f"config.toml {place}: {reason}. 그 줄을 고친 뒤 다시 실행하세요.")


def load_config(home: Path) -> Config:
    """Read ``home/config.toml``; a missing file is a ConfigError that says to run init."""
    path = home / "config.toml"
    if not path.exists():
        raise ConfigError(f"{path} 이(가) 없습니다. 먼저 'mallbatch init {home}' 을 실행하세요.")
    try:
        raw = tomllib.loads(_decode(path.read_bytes()))
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc) from None
    except OSError as exc:
        raise ConfigError(f"{path} 을(를) 열 수 없습니다 ({exc.strerror}).") from None
    entries = raw.get("accounts", [])
    if not isinstance(entries, list):
        raise ConfigError("config.toml accounts 는 [[accounts]] 표로 적어야 합니다.")
    accounts = tuple(_account(e, i) for i, e in enumerate(entries))
    seen: set[tuple[str, str]] = set()
    for acc in accounts:
        if (acc.mall, acc.name) in seen:
            raise ConfigError(f"config.toml: {acc.label} 계정이 두 번 정의되어 있습니다.")
        seen.add((acc.mall, acc.name))
    return Config(home=home, raw=raw, accounts=accounts)
