"""The CA bundle is loaded once per process, not for every connector client or simulator probe.

Loading it costs a tenth to half a second of CPU; a collection job built two contexts per account
and probed each simulator with a third, so an agency's workers spent most of every job there
(bench/agency.py). Counted on the stdlib call itself, with real clients and a real simulator.
"""

from __future__ import annotations

import ssl
from typing import Any

import pytest

from mallbatch.connectors.runtime.http import Envelope, HttpClient, RateLimiter
from mallbatch.sandbox import registry
from mallbatch.sandbox.registry import build_simulator
from mallbatch.sandbox.server import SandboxServer


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    original = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        seen.append(args or kwargs)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    return seen


def test_connector_clients_share_one_verifying_context(loads: list[Any]) -> None:
    clients = [HttpClient("https://127.0.0.1:9", limiter=RateLimiter(10), envelope=Envelope("쿠팡")) for _ in range(5)]
    assert len(loads) <= 1  # the first client of the process may load it; none after
    contexts = {id(c._client._transport._pool._ssl_context) for c in clients}
    assert len(contexts) == 1
    assert contexts == {id(HttpClient("https://127.0.0.1:9", limiter=RateLimiter(10), envelope=Envelope("쿠팡"))
                           ._client._transport._pool._ssl_context)}


def test_probing_a_simulator_in_another_process_loads_no_ca_bundle(tmp_path: Any, loads: list[Any]) -> None:
    server = SandboxServer(build_simulator("coupang", tmp_path / "sandbox.db")).start()
    try:
        found = registry._whose(server.host, server.port)  # not in _RUNNING: probed over HTTP
    finally:
        server.stop()
        server.simulator.store.close()
    assert found is not None and found["mall"] == "coupang"
    assert loads == []
