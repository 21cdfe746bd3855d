"""What connectors keep per account (Wish OAuth tokens, ESM address-change acknowledgements) lives in the
workspace's store, so every worker sees it: across processes, on a second workspace folder reaching the
same PostgreSQL store (another machine), and after an upgrade from the files of earlier versions. Real
stores on both engines, real simulators over loopback sockets, real child processes."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from mallbatch.connectors.wish.oauth import KEPT_KEY, Tokens
from mallbatch.files import private_dir, private_file
from mallbatch.pipeline.accounts import authorize, check_accounts
from mallbatch.pipeline.session import Session
from mallbatch.sandbox.registry import sandbox_credentials
from mallbatch.sandbox.server import SandboxServer
from mallbatch.store import open_store
from mallbatch.workspace import Workspace
from tests.contract.harness import Invoice
from tests.test_wish_oauth import browser, issued

CREDS = sandbox_credentials("wish")
CHILD_SECONDS = 120


@pytest.fixture
def wish(start_sim: Any) -> SandboxServer:
    server, _ = start_sim("wish", faults={"rate_limit": 1000})
    return server


def wish_home(home: Path, server: SandboxServer, store_config: str, *extra: str) -> Workspace:
    """A workspace whose Wish account is a real one (sandbox = false) at the simulator, on the test's store."""
    home.mkdir(parents=True, exist_ok=True)
    lines = [store_config, f'[[accounts]]\nmall = "wish"\nname = "기본"\nsandbox = false\nbase_url = "{server.url}"',
             *(f'{k} = "{v}"' for k, v in CREDS.items()), *extra]
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Workspace.open(home)


def other_worker(tmp_path: Path, ws: Workspace, engine: str) -> Path:
    """Where a second worker runs: on PostgreSQL another workspace folder (another machine: no shared state
    folder) with the same config; on SQLite, which one machine holds, the same folder."""
    if engine == "sqlite":
        return ws.home
    home = tmp_path / "other-machine"
    home.mkdir()
    (home / "config.toml").write_text((ws.home / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return home


def refused(server: SandboxServer) -> int:
    return sum(server.simulator.store.audit_counts("oauth.refused").values())


def mallbatch(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(home), *args], capture_output=True,
                          text=True, timeout=CHILD_SECONDS, check=False)


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


# --- the kept state itself ---------------------------------------------------------------------------
def test_kept_values_are_shared_by_connections_and_separate_per_account(store_factory: Any) -> None:
    one, two = store_factory("ws").kept("wish", "기본"), store_factory("ws").kept("wish", "기본")
    assert one.get("k") is None
    assert one.add("k", "a") and not two.add("k", "b")  # insert if absent: the second one loses
    assert two.get("k") == "a"
    assert not two.swap("k", "stale", "c") and one.get("k") == "a"  # compare-and-set on a value that moved
    assert two.swap("k", "a", "c") and not one.swap("k", "a", "d") and one.get("k") == "c"
    one.put("k", "e")
    assert two.get("k") == "e"
    assert store_factory("ws").kept("wish", "둘째").get("k") is None
    assert store_factory("ws").kept("gmarket", "기본").get("k") is None


# --- Wish tokens across workers ------------------------------------------------------------------------
def test_a_token_authorized_by_one_process_is_used_by_another_without_authorizing_again(
        wish: SandboxServer, tmp_path: Path, engine: str, store_config: str) -> None:
    ws = wish_home(tmp_path / "ws", wish, store_config)
    done = authorize(ws, "wish", None, lambda url, help_ko: browser(url))  # the seller, once, on the office machine
    assert "인증했습니다" in done and issued(wish) == 1

    listed = mallbatch(other_worker(tmp_path, ws, engine), "accounts")
    assert listed.returncode == 0 and "Wish/기본: 인증 정상" in listed.stdout, listed.stdout + listed.stderr
    assert issued(wish) == 1  # no second authorization, no refresh
    tokens = json.loads(open_store(ws).kept("wish", "기본").get(KEPT_KEY) or "{}")
    assert tokens["access_token"] not in done + listed.stdout + listed.stderr


RENEWER = """
import hashlib, sys, time
from pathlib import Path
from mallbatch.pipeline.session import Session
from mallbatch.workspace import Workspace

home, ready, go = sys.argv[1:4]
ws = Workspace.open(Path(home))
with Session(ws) as session:
    adapter = session.adapter(ws.config.accounts[0])
    adapter.auth.tokens()  # valid as far as this worker knows: Wish has expired it meanwhile
    Path(ready).touch()
    until = time.monotonic() + 60
    while not Path(go).exists() and time.monotonic() < until:
        time.sleep(0.01)
    adapter.check_auth()  # 1015, then the renewal
    print(hashlib.sha256(adapter.auth.tokens().access_token.encode()).hexdigest()[:16])
"""


def test_two_workers_renewing_at_once_spend_the_refresh_token_once(
        wish: SandboxServer, tmp_path: Path, engine: str, store_config: str) -> None:
    ws = wish_home(tmp_path / "ws", wish, store_config)
    authorize(ws, "wish", None, lambda url, help_ko: browser(url))
    homes = [ws.home, other_worker(tmp_path, ws, engine)]
    wish.simulator.expire_tokens()
    wish.simulator.faults.update({"latency_ms": 150})  # both 1015 answers arrive together, the refresh takes a while
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{i}" for i in range(2)]
    children = [subprocess.Popen([sys.executable, "-c", RENEWER, str(home), str(flag), str(go)], text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for home, flag in zip(homes, ready)]
    try:
        until = time.monotonic() + CHILD_SECONDS
        while not all(flag.exists() for flag in ready) and time.monotonic() < until and all(c.poll() is None for c in children):
            time.sleep(0.02)
        go.touch()
        outputs = [child.communicate(timeout=CHILD_SECONDS) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert [c.returncode for c in children] == [0, 0], outputs
    with open_store(ws) as store:
        kept = json.loads(store.kept("wish", "기본").get(KEPT_KEY) or "{}")
    assert [out.strip() for out, _ in outputs] == [fingerprint(kept["access_token"])] * 2  # the winner's token, both
    assert issued(wish) == 2  # the authorization and one renewal
    assert refused(wish) == 0  # the rotated-out refresh token was never sent again
    assert not kept["renewing_until"]


# --- ESM acknowledgements across workers ---------------------------------------------------------------
RELEASER = """
import sys
from pathlib import Path
from mallbatch.pipeline.session import Session
from mallbatch.workspace import Workspace

home, order = sys.argv[1:3]
ws = Workspace.open(Path(home))
with Session(ws) as session:
    adapter = session.adapter(ws.config.accounts[0])
    print(adapter.addresses.state(order))
    [released] = adapter.release_orders([order])
    print("released" if released.ok else released.message_ko)
"""


def new_orders(server: SandboxServer, count: int) -> list[str]:
    before = {o["OrderNo"] for o in server.simulator.store.all("order")}
    httpx.post(f"{server.url}/_sandbox/generate", json={"orders": count})
    return sorted(str(o["OrderNo"]) for o in server.simulator.store.all("order") if o["OrderNo"] not in before)


def test_an_address_hold_and_its_release_by_one_process_are_what_another_sees(sim_workspace: Any, store_config: str) -> None:
    ws, servers = sim_workspace(("gmarket",), rate_limit=1000, store=store_config)
    server = servers["gmarket"]
    changed = new_orders(server, 1)[0]
    httpx.post(f"{server.url}/_sandbox/esm/change-address", json={"OrderNo": changed, "address": "부산광역시 해운대구 센텀중앙로 79"})
    with Session(ws) as session:
        adapter = session.adapter(ws.config.accounts[0])
        assert adapter.confirm([changed])[0].ok
        assert adapter.addresses.state(changed) == "held"

    child = subprocess.run([sys.executable, "-c", RELEASER, str(ws.home), changed], capture_output=True, text=True,
                           timeout=CHILD_SECONDS, check=False)
    assert child.returncode == 0 and child.stdout.split() == ["held", "released"], child.stdout + child.stderr

    with Session(ws) as session:
        adapter = session.adapter(ws.config.accounts[0])
        assert adapter.addresses.state(changed) == "acknowledged"
        [line] = adapter.lookup_orders([changed])
        assert [r.ok for r in adapter.send_invoices([Invoice(changed, (line.line_id,), line.order_id, "CJ", "612345678901")])] == [True]


# --- upgrading from the files of earlier versions ----------------------------------------------------
def old_token_file(path: Path, server: SandboxServer) -> Tokens:
    """What an earlier version wrote after the seller authorized: the token file (0600) in the state folder."""
    code = browser(f"{server.url}/v3/oauth/authorize?client_id={CREDS['client_id']}&state=s").split("code=")[1].split("&")[0]
    form = {"client_id": CREDS["client_id"], "client_secret": CREDS["client_secret"], "code": code,
            "grant_type": "authorization_code", "redirect_uri": CREDS["redirect_uri"]}
    data = httpx.post(f"{server.url}/api/v3/oauth/access_token", data=form).json()["data"]
    tokens = Tokens(data["access_token"], data["refresh_token"], data["expiry_time"], data["merchant_id"], CREDS["client_id"])
    private_dir(path.parent)
    private_file(path, create=True)
    path.write_text(json.dumps(asdict(tokens), indent=2), encoding="utf-8")
    return tokens


@pytest.mark.parametrize("where", ["state folder", "token_file in config.toml"])
def test_an_upgraded_workspace_keeps_its_wish_authorization(wish: SandboxServer, tmp_path: Path, store_config: str, where: str) -> None:
    name = hashlib.sha256("기본".encode()).hexdigest()[:12]
    path = tmp_path / "ws" / "state" / "tokens" / f"wish-{name}.json" if where == "state folder" else tmp_path / "secret" / "wish.json"
    tokens = old_token_file(path, wish)
    extra = () if where == "state folder" else (f'token_file = "{path}"',)
    ws = wish_home(tmp_path / "ws", wish, store_config, *extra)
    [status] = check_accounts(ws)
    assert status.ok, status.message
    assert issued(wish) == 1  # no new authorization
    with open_store(ws) as store:
        assert json.loads(store.kept("wish", "기본").get(KEPT_KEY) or "{}")["refresh_token"] == tokens.refresh_token

    path.unlink()  # from now on the store is where the tokens are
    wish.simulator.expire_tokens()
    [status] = check_accounts(ws)
    assert status.ok, status.message
    assert issued(wish) == 2 and not path.exists()


OLD_ESM_SCHEMA = ("CREATE TABLE IF NOT EXISTS changed (account TEXT NOT NULL, order_no TEXT NOT NULL, seen_at TEXT NOT NULL, "
                  "acknowledged_at TEXT, PRIMARY KEY (account, order_no))")


def test_an_upgraded_workspace_keeps_its_esm_holds_and_acknowledgements(sim_workspace: Any, store_config: str) -> None:
    ws, servers = sim_workspace(("gmarket",), rate_limit=1000, store=store_config)
    held, acknowledged = new_orders(servers["gmarket"], 2)[:2]
    with sqlite3.connect(ws.state / "esm_addresses.db") as db:  # what an earlier version kept in the state folder
        db.execute(OLD_ESM_SCHEMA)
        db.executemany("INSERT INTO changed VALUES (?,?,?,?)", [
            ("gmarket/기본", held, "2024-05-01T10:00:00", None),
            ("gmarket/기본", acknowledged, "2024-05-01T10:00:00", "2024-05-02T09:00:00"),
            ("gmarket/둘째", "999", "2024-05-01T10:00:00", None)])
    db.close()
    if os.name == "posix":
        os.chmod(ws.state / "esm_addresses.db", 0o600)
    with Session(ws) as session:
        adapter = session.adapter(ws.config.accounts[0])
        assert (adapter.addresses.state(held), adapter.addresses.state(acknowledged)) == ("held", "acknowledged")
        assert adapter.addresses.state("999") == ""  # another account's row stays that account's
        [line] = adapter.lookup_orders([held])
        [refused_invoice] = adapter.send_invoices([Invoice(held, (line.line_id,), line.order_id, "CJ", "612345678901")])
        assert not refused_invoice.ok and "보류해제" in refused_invoice.message_ko
    (ws.state / "esm_addresses.db").unlink()  # adopted once: the store keeps it from now on
    with Session(ws) as session:
        assert session.adapter(ws.config.accounts[0]).addresses.state(held) == "held"
