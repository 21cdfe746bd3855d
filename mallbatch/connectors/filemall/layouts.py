"""Per-mall layouts of the file malls: the package's ``filemalls.toml`` (every layout assumed, 추정 양식), with a
workspace's own ``filemalls.toml`` beside config.toml replacing whole tables of it (``[hmall.order_download]``).

A layout that names an unknown field, or lacks what its part needs (an invoice upload without 송장번호, a download
without 주문번호), is a ConfigError naming the file and the table, so a seller's typo never writes a wrong upload.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mallbatch.connectors.filemall.fields import SECTION_NAMES, SECTIONS
from mallbatch.errors import ConfigError
from mallbatch.malls import mall_name

PACKAGE_FILE = Path(__file__).parent.parent.parent / "filemalls.toml"
OVERRIDE_NAME = "filemalls.toml"  # in the workspace, beside config.toml
FILE_MALLS = ("interpark", "hmall", "cjmall", "lotteon", "lottehomeshopping", "gsshop", "gongyoung")
STATUS_TABLES = ("orders", "claim_kinds", "claims")


@dataclass(frozen=True)
class Part:
    """One upload or download of one mall: the sheet it is written to (uploads) and its columns, in order."""

    section: str  # product_upload / invoice_upload / order_download / claim_download
    sheet: str
    columns: tuple[tuple[str, str], ...]  # (mall header, mallbatch field)
    source: str  # which file this table came from, for messages

    @property
    def fields(self) -> set[str]:
        return {f for _, f in self.columns}

    def header(self, field: str) -> str:
        return next(h for h, f in self.columns if f == field)


@dataclass(frozen=True)
class FileLayout:
    mall: str
    assumed: bool
    office: str  # the mall's seller office, where the seller uploads
    parts: dict[str, Part]
    statuses: dict[str, dict[str, str]]  # orders / claim_kinds / claims: the mall's word → ours

    def part(self, section: str) -> Part:
        return self.parts[section]


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: 파일 연동 양식 파일을 읽을 수 없습니다 ({exc}). TOML 문법을 확인하세요.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: 파일 연동 양식 파일을 열 수 없습니다 ({exc}).") from None


def _part(mall: str, section: str, table: Any, source: str) -> Part:
    where = f"{source} [{mall}.{section}]"
    if not isinstance(table, dict) or not isinstance(table.get("columns"), dict) or not table["columns"]:
        raise ConfigError(f"{where}: columns 표가 없습니다. [{mall}.{section}.columns] 아래에 \"쇼핑몰 열\" = \"항목\" 을 적으세요.")
    known = SECTIONS[section]
    columns = []
    for header, field in table["columns"].items():
        if not isinstance(field, str) or field not in known:
            names = ", ".join(known)
            raise ConfigError(f"{where}: '{header}' 열의 항목 {field!r} 을(를) 모릅니다. 쓸 수 있는 항목: {names}")
        columns.append((str(header), field))
    part = Part(section, str(table.get("sheet") or SECTION_NAMES[section]), tuple(columns), source)
    fields = part.fields
    missing = [f.label for f in known.values() if f.required and f.name not in fields]
    if section == "invoice_upload" and not fields & {"order_id", "ship_unit", "line_id"}:
        missing.append("주문번호(order_id) 또는 상품주문번호(line_id)")
    if "line_seq" in fields and "order_id" not in fields:
        missing.append("주문번호(order_id, 주문순번과 함께)")
    if missing:
        raise ConfigError(f"{where}: {SECTION_NAMES[section]} 양식에 꼭 있어야 할 열이 없습니다: {', '.join(missing)}")
    if len(fields) != len(columns):
        raise ConfigError(f"{where}: 같은 항목을 두 열에 적었습니다. 한 항목은 한 열에만 적으세요.")
    return part


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """(table, source) per "mall.section"; an override's table replaces the package's; status words are added."""
    merged: dict[str, tuple[Any, str]] = {}
    for data, source in ((base, "filemalls.toml (기본 추정 양식)"), (override, OVERRIDE_NAME)):
        for mall, tables in data.items():
            if not isinstance(tables, dict):
                continue
            for name, table in tables.items():
                key = f"{mall}.{name}"
                if mall == "statuses" and key in merged and isinstance(table, dict):
                    merged[key] = ({**merged[key][0], **table}, source)
                else:
                    merged[key] = (table, source)
    return merged


@lru_cache(maxsize=8)
def _layouts(override: Path | None, stamp: float) -> dict[str, FileLayout]:
    merged = _merge(_load(PACKAGE_FILE), _load(override) if override else {})
    statuses = {t: {str(k): str(v) for k, v in merged.get(f"statuses.{t}", ({}, ""))[0].items()} for t in STATUS_TABLES}
    layouts = {}
    for mall in FILE_MALLS:
        parts = {}
        for section in SECTIONS:
            table, source = merged.get(f"{mall}.{section}", (None, "filemalls.toml"))
            if table is None:
                raise ConfigError(f"{source}: {mall_name(mall)}의 [{mall}.{section}] 표가 없습니다.")
            parts[section] = _part(mall, section, table, source)
        assumed = merged.get(f"{mall}.assumed", (True, ""))[0]
        office = merged.get(f"{mall}.office", (f"{mall_name(mall)} 판매자센터", ""))[0]
        layouts[mall] = FileLayout(mall, bool(assumed), str(office), parts, statuses)
    return layouts


def layouts(home: Path | None = None) -> dict[str, FileLayout]:
    """Every file mall's layout for the workspace at ``home`` (its override file read when present)."""
    override = home / OVERRIDE_NAME if home is not None else None
    if override is not None and not override.is_file():
        override = None
    return _layouts(override, override.stat().st_mtime if override else 0.0)


def layout(mall: str, home: Path | None = None) -> FileLayout:
    return layouts(home)[mall]
