"""Which simulators exist, and starting a workspace's own simulators when a command needs one.

Every workspace has its own simulators, serving its own sandbox database (``state/sandbox.db``).
An account with ``sandbox = true`` and no ``base_url`` gets a loopback port chosen free for the
workspace and recorded in ``state/sandbox_ports.json``: the workspace keeps its ports, and
``mallbatch sandbox`` in another terminal serves the same ones. Before a port is used, whatever
answers there is asked whose it is (``GET /_sandbox/workspace``): this workspace's simulator of
that mall is used, whichever process serves it; a free port gets one started in this process;
anything else is refused with a Korean ConfigError (or, for a chosen port, another port is
chosen), so one workspace can never read or ship another's orders.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from mallbatch.errors import ConfigError
from mallbatch.malls import mall_name
from mallbatch.sandbox.server import Faults, SandboxServer, Simulator
from mallbatch.sandbox.store import SimStore, workspace_id

log = logging.getLogger("mallbatch.sandbox")


def _discover() -> dict[str, type[Simulator]]:
    """mall → simulator class, found by module: each protocol module's Simulator subclass declares
    its ``mall``, so adding a mall adds a module here and edits no list. A module that fails to import
    is logged and skipped (its mall has no simulator), as the connector registry does."""
    found: dict[str, type[Simulator]] = {}
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.stem in ("__init__", "registry"):
            continue
        name = f"mallbatch.sandbox.{path.stem}"
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - like the connectors: one broken simulator must not stop mallbatch
            log.exception("simulator %s could not be loaded", name)
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Simulator) and value.__module__ == name and "mall" in vars(value):
                found[value.mall] = value
    return found


SIMULATORS: dict[str, type[Simulator]] = _discover()
# Which of them a workspace offers (those with a connector) is decided by mallbatch.workspace:
# simulators know nothing of connectors.

HOST = "127.0.0.1"
PORTS_FILE = "sandbox_ports.json"  # beside sandbox.db
PROBE_SECONDS = 5.0

_RUNNING: dict[tuple[str, int], SandboxServer] = {}
_LOCK = threading.Lock()


def simulator_class(mall: str) -> type[Simulator]:
    return SIMULATORS[mall]


def sandbox_credentials(mall: str) -> dict[str, str]:
    """The credentials a simulator accepts; ``init`` writes them into the accounts."""
    return dict(sys.modules[SIMULATORS[mall].__module__].SANDBOX_CREDENTIALS)


def build_simulator(mall: str, state_path: Path | str, faults: dict[str, Any] | None = None) -> Simulator:
    cls = simulator_class(mall)
    return cls(SimStore(state_path, mall), Faults.from_mapping(faults or {}), sandbox_credentials(mall))


class _Taken(Exception):
    """The port is held by something other than this workspace's simulator of the mall."""

    def __init__(self, found: dict[str, str]) -> None:
        super().__init__(found)
        self.found = found  # the other simulator's owner record; empty for a program that is no simulator


# One client for every probe (a worker probes for each job): plain http on loopback, so no TLS and no CA bundle to
# load (a tenth of a second or more of CPU per new client), and its connection kept between probes.
_PROBE = httpx.Client(timeout=PROBE_SECONDS, verify=False)


def _whose(host: str, port: int) -> dict[str, str] | None:
    """The owner record of what answers at host:port; {} for another program; None when nothing listens."""
    running = _RUNNING.get((host, port))
    if running is not None:
        store = running.simulator.store
        return {"mall": running.simulator.mall, "workspace": store.workspace, "state": store.state_dir}
    try:
        response = _PROBE.get(f"http://{host}:{port}/_sandbox/workspace")
        body = response.json()
    except httpx.ConnectError:
        return None
    except (httpx.HTTPError, ValueError):
        return {}
    if response.status_code != 200 or not isinstance(body, dict) or "workspace" not in body:
        return {}
    return {key: str(body.get(key, "")) for key in ("mall", "workspace", "state")}


def _serve(mall: str, host: str, port: int, db_path: Path, faults: dict[str, Any] | None) -> str:
    """The URL of this workspace's ``mall`` simulator on host:port, started here when nothing listens."""
    owner = workspace_id(db_path)
    for _ in range(3):
        found = _whose(host, port)
        if found is None:
            simulator = build_simulator(mall, db_path, faults)
            try:
                server = SandboxServer(simulator, host, port).start()
            except OSError:  # another process of this workspace bound it first, or it is held without HTTP
                simulator.store.close()
                time.sleep(0.2)
                continue
            _RUNNING[(host, port)] = server
            return server.url
        if found.get("workspace") == owner and found.get("mall") == mall:
            return f"http://{host}:{port}"
        raise _Taken(found)
    raise _Taken({})


def _refusal(mall: str, url: str, found: dict[str, str], db_path: Path) -> str:
    where = f'config.toml 의 [[accounts]] mall = "{mall}" 계정의 base_url'
    fix = f"{where} 줄을 지우면 이 작업 폴더만의 시뮬레이터 포트를 따로 고릅니다."
    if not found:
        return (f"{mall_name(mall)}: {url} 에서 mallbatch 시뮬레이터가 아닌 다른 프로그램이 응답해 아무것도 보내지 않았습니다. "
                f"그 프로그램을 끄거나, {fix}")
    if found.get("workspace") == workspace_id(db_path):
        return (f"{mall_name(mall)}: {url} 에서는 이 작업 폴더의 {mall_name(found.get('mall', ''))} 시뮬레이터가 응답합니다. "
                f"{where} 를 고치거나, {fix}")
    return (f"{mall_name(mall)}: {url} 에서 다른 작업 폴더의 시뮬레이터가 응답합니다 (그 시뮬레이터의 상태 폴더: "
            f"{found.get('state') or '알 수 없음'}, 이 작업 폴더의 상태 폴더: {os.path.realpath(Path(db_path).parent)}). "
            f"다른 작업 폴더의 상품·주문을 건드리지 않도록 아무것도 보내지 않았습니다. {fix}")


def _free_ports(count: int) -> list[int]:
    """Loopback ports free right now (held together while chosen, so they differ)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _read_ports(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {mall: port for mall, port in data.items() if mall in SIMULATORS and isinstance(port, int) and 0 < port < 65536}


def _record_ports(path: Path, ports: dict[str, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(ports, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def workspace_ports(state_dir: Path) -> dict[str, int]:
    """The workspace's simulator ports: recorded ones, free ones chosen (and recorded) together for
    the rest, so they differ."""
    path = state_dir / PORTS_FILE
    ports = _read_ports(path)
    missing = [mall for mall in SIMULATORS if mall not in ports]
    if missing:
        ports |= dict(zip(missing, _free_ports(len(missing)), strict=True))
        _record_ports(path, ports)
    return ports


def ensure_running(mall: str, base_url: str, db_path: Path, faults: dict[str, Any] | None = None) -> str:
    """The URL of this workspace's ``mall`` simulator, started in this process when nobody serves it.

    ``base_url`` empty: the workspace's own port (see :func:`workspace_ports`). A ``base_url``
    where another workspace's simulator (or another program) answers is a ConfigError.
    """
    with _LOCK:
        if base_url:
            parts = urlsplit(base_url)
            try:
                return _serve(mall, parts.hostname or HOST, parts.port or 80, db_path, faults)
            except _Taken as taken:
                raise ConfigError(_refusal(mall, base_url, taken.found, db_path)) from None
        state_dir = Path(db_path).parent
        try:
            return _serve(mall, HOST, workspace_ports(state_dir)[mall], db_path, faults)
        except _Taken:
            pass  # e.g. a copied workspace whose recorded port is the original's: this one chooses its own
        for port in _free_ports(3):
            try:
                url = _serve(mall, HOST, port, db_path, faults)
            except _Taken:
                continue
            _record_ports(state_dir / PORTS_FILE, workspace_ports(state_dir) | {mall: port})
            return url
        raise ConfigError(f"{mall_name(mall)} 시뮬레이터를 켤 빈 포트를 찾지 못했습니다. 잠시 뒤 다시 실행하세요.")


def stop_all() -> None:
    with _LOCK:
        for server in _RUNNING.values():
            server.stop()
            server.simulator.store.close()
        _RUNNING.clear()
