"""API keys and customers' personal data: owner-only files, and personal data kept only as long
as the seller configures (개인정보보호법)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, OrderLine, OrderStatus
from mallbatch.cli import cli
from mallbatch.domain.clock import now_kst
from mallbatch.errors import ConfigError
from mallbatch.pipeline.privacy import apply_retention
from mallbatch.store import Store
from mallbatch.workspace import Workspace

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@posix
def test_fresh_init_is_owner_only(tmp_path: Path, umask_022: None) -> None:
    home = tmp_path / "내쇼핑몰"
    assert CliRunner().invoke(cli, ["init", str(home)]).exit_code == 0
    ws = Workspace.open(home)
    assert mode(home / "config.toml") == 0o600
    assert mode(ws.state) == 0o700
    with Store(ws.store_path) as store:
        store.save_products([{"code": "A1"}])  # a write: -wal and -shm exist now
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{ws.store_path}{suffix}")) == 0o600, suffix
    assert mode(ws.inbox) == 0o755  # the seller's own folders are left as the umask makes them


@posix
def test_an_existing_world_readable_store_is_tightened_on_open(tmp_path: Path, umask_022: None) -> None:
    state = tmp_path / "state"
    state.mkdir()
    path = state / "mallbatch.db"
    sqlite3.connect(path).close()
    assert mode(state) == 0o755 and mode(path) == 0o644
    Store(path).close()
    assert mode(state) == 0o700 and mode(path) == 0o600


def order(line_id: str, status: OrderStatus) -> OrderLine:
    return OrderLine(
        mall="coupang", account="기본", line_id=line_id, order_id=f"O{line_id}", ship_unit=f"S{line_id}", status=status,
        status_raw=status.value, ordered_at=now_kst(), paid_at=now_kst(), buyer_name="김구매", buyer_phone="010-1234-5678",
        receiver_name="이수령", receiver_phone="010-8765-4321", receiver_phone2="02-123-4567", zip="06236",
        address="서울특별시 강남구 테헤란로 152", address_detail="12층", memo="문 앞에 놓아 주세요", product_id="P1",
        seller_code="NK1001", product_name="실버 목걸이", option_name="로즈골드", quantity=2, unit_price=25000, amount=50000,
        shipping_fee=3000, courier="CJGLS", tracking_no="612345678901", raw={"receiver": {"name": "이수령", "addr": "테헤란로"}})


def age(store: Store, key: str, days: int) -> None:
    """As if the record had last changed ``days`` ago."""
    stamp = (now_kst() - timedelta(days=days)).isoformat(timespec="milliseconds")
    store.db.execute("UPDATE records SET updated_at=? WHERE key=?", (stamp, key))


def stored(store: Store, key: str) -> tuple[dict, dict]:
    row = store.db.execute("SELECT data, raw FROM records WHERE key=?", (key,)).fetchone()
    return json.loads(row["data"]), json.loads(row["raw"])


PERSONAL = ("buyer_name", "buyer_phone", "receiver_name", "receiver_phone", "receiver_phone2", "zip", "address",
            "address_detail", "memo")


def test_retention_masks_an_old_delivered_order_and_keeps_a_fresh_one(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    CliRunner().invoke(cli, ["init", str(home)])
    ws = Workspace.open(home)
    claim = Claim("coupang", "기본", "C1", ClaimKind.RETURN, ClaimStatus.DONE, "반품완료", "Oold", ["old"], "Sold", now_kst(),
                  "단순 변심", 1, "실버 목걸이", "로즈골드", "김구매", "010-1234-5678")
    with Store(ws.store_path) as store:
        store.records.upsert([order("old", OrderStatus.DELIVERED), order("fresh", OrderStatus.DELIVERED),
                              order("unshipped", OrderStatus.PAID), claim], "run-1")
        age(store, "old", 91)
        age(store, "unshipped", 200)
        age(store, "C1", 91)
        assert apply_retention(ws.config, store) == 2
        old, raw = stored(store, "old")
        assert all(old[name] == "***" for name in PERSONAL) and raw == {}
        assert (old["order_id"], old["ship_unit"], old["amount"], old["status"], old["quantity"]) == \
            ("Oold", "Sold", 50000, "배송완료", 2)  # stats and dedupe still work
        assert stored(store, "C1")[0]["requester_name"] == "***" and stored(store, "C1")[0]["status"] == "완료"
        fresh, fresh_raw = stored(store, "fresh")
        assert fresh["receiver_name"] == "이수령" and fresh["address"] == "서울특별시 강남구 테헤란로 152" and fresh_raw
        assert stored(store, "unshipped")[0]["address"] == "서울특별시 강남구 테헤란로 152"  # still to be shipped
        assert store.records.orders("coupang", "기본", ["Sold"])[0].line_id == "old"  # found by ship unit as before
        assert apply_retention(ws.config, store) == 0  # masked once

        store.records.upsert([order("old", OrderStatus.DECIDED)], "run-2")  # the mall sends it again: kept anew
        assert stored(store, "old")[0]["receiver_name"] == "이수령"


def test_retention_days_comes_from_config_and_a_bad_value_is_named(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    CliRunner().invoke(cli, ["init", str(home)])
    config = home / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert "retention_days = 90" in text  # in the template, with its Korean comment
    config.write_text(text.replace("retention_days = 90", "retention_days = 30"), encoding="utf-8")
    ws = Workspace.open(home)
    with Store(ws.store_path) as store:
        store.records.upsert([order("a", OrderStatus.DELIVERED)], "run-1")
        age(store, "a", 31)
        assert apply_retention(ws.config, store) == 1
    config.write_text(text.replace("retention_days = 90", 'retention_days = "90일"'), encoding="utf-8")
    with Store(ws.store_path) as store, pytest.raises(ConfigError, match=r"\[privacy\] retention_days"):
        apply_retention(Workspace.open(home).config, store)


def test_collect_masks_what_is_past_retention(sim_workspace) -> None:
    from mallbatch.connectors.runtime.http import RetryPolicy
    from mallbatch.pipeline.collect import collect
    from mallbatch.pipeline.session import Session

    ws, _ = sim_workspace(("coupang",), rate_limit=300)
    with Store(ws.store_path) as store, Session(ws, RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)) as session:
        store.records.upsert([order("old", OrderStatus.DECIDED)], "run-1")
        age(store, "old", 120)
        collect(ws, store, session, kinds=("orders",))
        assert stored(store, "old")[0]["buyer_phone"] == "***"
