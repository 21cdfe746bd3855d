"""Which simulators exist, and starting them when a command needs one.

A fresh ``config.toml`` points every account at a simulator (``sandbox = true``). Any
command using such an account calls :func:`ensure_running`, which starts the simulator
in this process on its loopback port unless something already serves there (for example
``mallbatch sandbox`` in another terminal). State lives in the workspace's sandbox
database, so both ways see the same products, orders and invoices.
"""

from __future__ import annotations

import importlib
import socket
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mallbatch.sandbox.server import Faults, SandboxServer, Simulator
from mallbatch.sandbox.store import SimStore

SIMULATORS: dict[str, str] = {
    "coupang": "mallbatch.sandbox.coupang:CoupangSimulator",
    "smartstore": "mallbatch.sandbox.smartstore:SmartstoreSimulator",
    "wemakeprice": "mallbatch.sandbox.wemakeprice:WemakepriceSimulator",
}

DEFAULT_PORTS: dict[str, int] = {"coupang": 18601, "smartstore": 18602, "wemakeprice": 18603}

_RUNNING: dict[tuple[str, int], SandboxServer] = {}
_LOCK = threading.Lock()


def simulator_class(mall: str) -> type[Simulator]:
    module, _, name = SIMULATORS[mall].partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def sandbox_credentials(mall: str) -> dict[str, str]:
    """The credentials a simulator accepts; ``init`` writes them into the accounts."""
    module = importlib.import_module(SIMULATORS[mall].partition(":")[0])
    return dict(module.SANDBOX_CREDENTIALS)


def build_simulator(mall: str, state_path: Path | str, faults: dict[str, Any] | None = None) -> Simulator:
    cls = simulator_class(mall)
    return cls(SimStore(state_path, mall), Faults.from_mapping(faults or {}), sandbox_credentials(mall))


def is_serving(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


def ensure_running(mall: str, base_url: str, state_path: Path, faults: dict[str, Any] | None = None) -> SandboxServer | None:
    """Start the mall's simulator for ``base_url`` unless it already answers there."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORTS[mall]
    with _LOCK:
        running = _RUNNING.get((host, port))
        if running is not None:
            return running
        if is_serving(host, port):
            return None
        server = SandboxServer(build_simulator(mall, state_path, faults), host, port).start()
        _RUNNING[(host, port)] = server
        return server


def stop_all() -> None:
    with _LOCK:
        for server in _RUNNING.values():
            server.stop()
            server.simulator.store.close()
        _RUNNING.clear()
