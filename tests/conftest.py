"""Shared fixtures: simulators on real loopback sockets and accounts pointing at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mallbatch.config import Account, resolve_value
from mallbatch.sandbox.registry import build_simulator, sandbox_credentials
from mallbatch.sandbox.server import SandboxServer

StartSim = Callable[..., tuple[SandboxServer, Account]]


@pytest.fixture
def start_sim(tmp_path: Path) -> Iterator[StartSim]:
    """Start ``mall``'s simulator on a free loopback port; returns (server, account).

    ``faults`` go to the simulator; ``options`` override the account's credentials,
    e.g. a wrong secret to test authentication failures.
    """
    servers: list[SandboxServer] = []

    def start(mall: str, faults: dict[str, Any] | None = None, **options: Any) -> tuple[SandboxServer, Account]:
        server = SandboxServer(build_simulator(mall, tmp_path / "sandbox.db", faults)).start()
        servers.append(server)
        creds = {**sandbox_credentials(mall), **options}
        account = Account(
            mall=mall,
            name="test",
            base_url=server.url,
            sandbox=True,
            options={k: resolve_value(k, v, "test") for k, v in creds.items()},
        )
        return server, account

    yield start
    for server in servers:
        server.stop()
        server.simulator.store.close()
