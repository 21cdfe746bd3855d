"""Protocol details of the simulators themselves, spoken to with plain httpx over a real
socket (no adapter): what an independent client found the simulators got wrong."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mallbatch.sandbox.registry import build_simulator, sandbox_credentials
from mallbatch.sandbox.server import SandboxServer

COUPANG_ORDERS = "/v2/providers/openapi/apis/api/v5/vendors/{vendor}/ordersheets"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    servers: list[SandboxServer] = []

    def start(mall: str, **faults: Any) -> tuple[SandboxServer, httpx.Client]:
        server = SandboxServer(build_simulator(mall, tmp_path / "sandbox.db", faults)).start()
        servers.append(server)
        return server, httpx.Client(base_url=server.url, timeout=10)

    yield start
    for server in servers:
        server.stop()
        server.simulator.store.close()


def test_wemakeprice_qna_list_refuses_a_basic_date_without_dashes(serve: Any) -> None:
    """Reference §1.3: ``basicDate=yyyy-MM-dd``. ``20240501`` used to answer an empty list."""
    _, client = serve("wemakeprice")
    headers = {"apiKey": sandbox_credentials("wemakeprice")["api_key"]}
    ok = client.get("/qna/out/getQnaList", params={"basicDate": "2024-05-01"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["data"] == {"qna": []}
    for wrong in ("20240501", "2024-5-1", "2024-05-01 00:00:00"):
        answer = client.get("/qna/out/getQnaList", params={"basicDate": wrong}, headers=headers)
        assert answer.status_code == 400 and answer.json()["resultCode"] == 400, wrong
        assert "yyyy-MM-dd" in answer.json()["error"]


def test_smartstore_accepts_the_burst_it_advertises(serve: Any) -> None:
    """GNCP-GW-RateLimit-Burst-Capacity (= 2 × rate, reference §2.2) requests pass back to back."""
    _, client = serve("smartstore", rate_limit=5)
    path = "/external/v1/pay-order/seller/product-orders/last-changed-statuses"
    accepted, started = 0, time.monotonic()
    for _ in range(40):
        answer = client.get(path)
        if answer.status_code == 429:
            break
        assert answer.status_code == 401  # no token: refused after the limit let it through
        accepted += 1
    elapsed = time.monotonic() - started
    assert answer.status_code == 429
    advertised = float(answer.headers["GNCP-GW-RateLimit-Burst-Capacity"])
    assert float(answer.headers["GNCP-GW-RateLimit-Replenish-Rate"]) == 5
    assert advertised == 10
    assert advertised <= accepted <= advertised + 5 * elapsed + 1  # refill while sending: 5 per second


def test_coupang_warns_near_the_limit(serve: Any) -> None:
    """Reference §1.2: a throttling warning at ~90% of the threshold in ``X-CAG-Warnings``."""
    _, client = serve("coupang", rate_limit=10)
    path = COUPANG_ORDERS.format(vendor=sandbox_credentials("coupang")["vendor_id"])
    answers = []
    for _ in range(30):
        answers.append(client.get(path))
        if answers[-1].status_code == 429:
            break
    allowed = [a for a in answers if a.status_code != 429]
    assert answers[-1].status_code == 429 and len(allowed) >= 9
    assert "X-CAG-Warnings" not in allowed[0].headers  # the first of ten: far from the limit
    assert "X-CAG-Warnings" in allowed[-1].headers  # the last one before the 429


def test_coupang_blocks_a_vendor_that_keeps_going_over_the_limit(serve: Any) -> None:
    """Reference §1.2: over the limit the vendor is blocked for minutes; errors bursts bring an
    Akamai-style 403 "Access Denied" page. Here: 3 refusals start a 0.5 s block."""
    server, client = serve("coupang", rate_limit=2, block_after_429=3, block_seconds=0.5)
    path = COUPANG_ORDERS.format(vendor=sandbox_credentials("coupang")["vendor_id"])
    statuses = []
    for _ in range(20):
        statuses.append(client.get(path).status_code)
        if statuses[-1] == 403:
            break
    assert statuses.count(429) == 3 and statuses[-1] == 403
    time.sleep(0.2)  # the bucket has a token again, the block still holds
    blocked = client.get(path)
    assert blocked.status_code == 403 and "text/html" in blocked.headers["Content-Type"]
    assert "Access Denied" in blocked.text
    time.sleep(0.5)
    assert client.get(path).status_code == 401  # unblocked: the unsigned request reaches the API again
    other = client.get(COUPANG_ORDERS.format(vendor="A00099999"))
    assert other.status_code != 403  # the block is per vendor
    assert server.rejected_429 == 3


def test_a_simulator_defect_answers_500_instead_of_dropping_the_connection(tmp_path: Path) -> None:
    """A handler that raises is the simulator's bug: the client sees the mall's 500 (retryable, visible in
    the test) rather than a connection closed without an answer (read as a lost response)."""
    server = SandboxServer(build_simulator("coupang", tmp_path / "sandbox.db", {})).start()
    try:
        server.simulator.route("GET", "/boom", lambda request: 1 // 0)
        answer = httpx.get(f"{server.url}/boom", timeout=10)
        assert answer.status_code == 500
        assert httpx.get(f"{server.url}/_sandbox/state", timeout=10).status_code == 200  # still serving
    finally:
        server.stop()
        server.simulator.store.close()
