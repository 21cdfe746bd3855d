"""Each workspace talks to its own simulators: ports chosen for it and recorded in its
state, simulators that state whose they are, and a refusal of anyone else's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from mallbatch.domain.records import OrderLine
from mallbatch.errors import ConfigError
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session, seed_sandbox
from mallbatch.pipeline.templates import write_templates
from mallbatch.sandbox.store import SimStore
from mallbatch.store import Store
from mallbatch.workspace import Workspace, file_malls, init_workspace, offered_simulators

MALLS = offered_simulators()  # every simulator whose mall has a connector
FOREIGN = "다른 작업 폴더의 시뮬레이터"


def fresh(home: Path) -> Workspace:
    ws, created = init_workspace(home)
    assert created
    return ws


def collected_orders(ws: Workspace, mall: str = "coupang") -> int:
    """How many distinct orders of ``mall`` the workspace holds after collecting (an order may have several lines)."""
    with Store(ws.store_path) as store, Session(ws) as session:
        result = collect(ws, store, session, malls=(mall,), kinds=("orders",))
        assert not result.errors, result.errors
        return len({line.order_id for line, _, _ in store.records.all(OrderLine, "orders", raw=False) if line.mall == mall})


def pointed_at(ws: Workspace, mall: str, url: str) -> Workspace:
    """Rewrite ``ws``'s config so ``mall``'s account names ``url`` explicitly."""
    config = ws.home / "config.toml"
    text = config.read_text(encoding="utf-8")
    marker = f'mall = "{mall}"\nname = "기본"\nsandbox = true\n'
    assert marker in text
    config.write_text(text.replace(marker, f'{marker}base_url = "{url}"\n'), encoding="utf-8")
    return Workspace.open(ws.home)


def test_fresh_config_leaves_the_simulator_ports_to_be_chosen(tmp_path: Path) -> None:
    ws = fresh(tmp_path / "가게")
    for account in ws.config.accounts:
        if account.mall in file_malls():  # no simulator: its uploads and downloads are files
            assert not account.sandbox and account.base_url == "", account.label
            continue
        assert account.sandbox and account.base_url == "", account.label


def test_two_workspaces_collect_only_their_own_orders(tmp_path: Path) -> None:
    first, second = fresh(tmp_path / "첫째"), fresh(tmp_path / "둘째")
    seed_sandbox(first, 4, 0, 0)
    seed_sandbox(second, 2, 0, 0)
    assert collected_orders(first) == 4
    assert collected_orders(second) == 2
    ports = [json.loads((ws.state / "sandbox_ports.json").read_text("utf-8")) for ws in (first, second)]
    assert set(ports[0]) == set(ports[1]) == set(MALLS)
    assert not set(ports[0].values()) & set(ports[1].values())


def test_a_workspace_keeps_its_ports(tmp_path: Path) -> None:
    ws = fresh(tmp_path / "가게")
    with Session(ws) as session:
        url = session.start_sandbox(ws.config.find_account("coupang", None)).base_url
    recorded = json.loads((ws.state / "sandbox_ports.json").read_text("utf-8"))
    assert url == f"http://127.0.0.1:{recorded['coupang']}"
    with Session(Workspace.open(ws.home)) as session:
        assert session.start_sandbox(ws.config.find_account("coupang", None)).base_url == url


def test_simulator_states_its_workspace(tmp_path: Path) -> None:
    first, second = fresh(tmp_path / "첫째"), fresh(tmp_path / "둘째")
    ids = []
    for ws in (first, second):
        with Session(ws) as session:
            url = session.start_sandbox(ws.config.find_account("coupang", None)).base_url
        response = httpx.get(f"{url}/_sandbox/state", timeout=10)
        body = response.json()
        assert body["mall"] == "coupang" and body["workspace"] == response.headers["X-Mallbatch-Workspace"]
        assert body["state"] == str(ws.state.resolve())
        ids.append(body["workspace"])
    assert ids[0] != ids[1]


def test_a_workspace_pointed_at_another_ones_simulator_is_refused(tmp_path: Path) -> None:
    owner, other = fresh(tmp_path / "주인"), fresh(tmp_path / "남")
    seed_sandbox(owner, 3, 0, 0)
    with Session(owner) as session:
        url = session.start_sandbox(owner.config.find_account("coupang", None)).base_url
    sim_state_url = f"{url}/_sandbox/state"
    before = httpx.get(sim_state_url, timeout=10).json()
    other = pointed_at(other, "coupang", url)

    with Session(other) as session, pytest.raises(ConfigError) as refused:
        session.adapter(other.config.find_account("coupang", None))
    message = str(refused.value)
    assert FOREIGN in message and url in message and "쿠팡" in message and "base_url" in message, message
    assert str(owner.state.resolve()) in message

    # Same check from a separate process, which can only ask the simulator over HTTP.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    run = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(other.home), "collect", "--mall", "coupang",
                          "--kind", "orders"], capture_output=True, text=True, timeout=120, env=env, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert FOREIGN in run.stderr and "Traceback" not in run.stderr, run.stderr
    after = httpx.get(sim_state_url, timeout=10).json()
    assert after["requests"] == before["requests"] and after["boxes"] == before["boxes"]


def test_a_port_held_by_another_mall_or_program_is_refused(tmp_path: Path) -> None:
    ws = fresh(tmp_path / "가게")
    with Session(ws) as session:
        smartstore = session.start_sandbox(ws.config.find_account("smartstore", None)).base_url
    with Session(pointed_at(ws, "coupang", smartstore)) as session, pytest.raises(ConfigError, match="스마트스토어"):
        session.adapter(session.ws.config.find_account("coupang", None))

    class Plain(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    plain = ThreadingHTTPServer(("127.0.0.1", 0), Plain)
    threading.Thread(target=plain.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        other = fresh(tmp_path / "다른가게")
        other = pointed_at(other, "coupang", f"http://127.0.0.1:{plain.server_address[1]}")
        with Session(other) as session, pytest.raises(ConfigError, match="시뮬레이터가 아닌 다른 프로그램"):
            session.adapter(other.config.find_account("coupang", None))
    finally:
        plain.shutdown()
        plain.server_close()


def test_a_copied_workspace_chooses_ports_of_its_own(tmp_path: Path) -> None:
    original = fresh(tmp_path / "원본")
    seed_sandbox(original, 2, 0, 0)
    copy = Workspace.open(shutil.copytree(original.home, tmp_path / "복사본"))  # state/ and its recorded ports come along
    seed_sandbox(copy, 1, 0, 0)
    assert collected_orders(original) == 2
    assert collected_orders(copy) == 3  # the copied simulator state plus its own new order
    ports = [json.loads((ws.state / "sandbox_ports.json").read_text("utf-8")) for ws in (original, copy)]
    assert not set(ports[0].values()) & set(ports[1].values())


def start_sandbox_command(home: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """``mallbatch --home HOME sandbox`` in its own process (another terminal), with the URLs it prints."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "mallbatch", "--home", str(home), "sandbox"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C" in line:
            return proc, lines
    proc.kill()
    raise AssertionError("".join(lines))


def test_demo_like_runs_side_by_side_keep_to_their_own_simulators(tmp_path: Path) -> None:
    """One workspace served by ``mallbatch sandbox`` in another process, a second one in this
    process: each registers the example products, gets orders and collects them."""
    first, second = fresh(tmp_path / "첫째"), fresh(tmp_path / "둘째")
    proc, printed = start_sandbox_command(first.home)
    try:
        recorded = json.loads((first.state / "sandbox_ports.json").read_text("utf-8"))
        for mall, port in recorded.items():
            assert any(f"http://127.0.0.1:{port}" in line for line in printed), (mall, printed)
        for ws in (first, second):
            write_templates(ws)
            example = ws.inbox / "예시_상품.xlsx"
            shutil.copy(ws.home / "examples" / "예시_상품.xlsx", example)
            with Store(ws.store_path) as store, Session(ws) as session:
                result = push_file(ws, store, session, example)
            assert result.counts.get("성공") == 5, result.summary_ko()
        seed_sandbox(first, 3, 0, 0)
        seed_sandbox(second, 5, 0, 0)
        assert collected_orders(first) == 3
        assert collected_orders(second) == 5
        with Session(first) as session:  # served by the other process: this one started nothing
            url = session.start_sandbox(first.config.find_account("coupang", None)).base_url
        assert url == f"http://127.0.0.1:{recorded['coupang']}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for ws in (first, second):
        for mall in MALLS:
            sim = SimStore(ws.sandbox_path, mall)
            try:
                assert sim.count("product") == 5, (ws.home.name, mall)
                assert set(sim.audit_counts("product.create").values()) == {1}, (ws.home.name, mall)
            finally:
                sim.close()
