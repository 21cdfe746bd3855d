"""The simulator fleet of the agency benchmark: one simulator per seller account and mall.

Each seller's account on a mall gets a simulator of its own — its own loopback port, its own
credentials (쿠팡 vendorId and keys, 스마트스토어 application id and bcrypt secret, 위메프 apiKey) and
its own state in the seller workspace's ``state/sandbox.db`` — so every account is a distinct client
of a simulator that enforces the mall's rate limit, exactly as the simulators do for one seller.
Nothing of a protocol is relaxed; the fleet only starts many of them.

One host process per mall serves that mall's simulators (``python bench/agency_fleet.py FLEET.json
MALL LOG.csv``). Every request the simulators answer is logged by the host (arrival time, seller,
HTTP status, write or not) to ``LOG.csv``: the rate figures come from these, not from the client.
The host takes JSON commands on stdin, one a line, and answers one JSON line on stdout:

* ``{"op": "generate", "orders": N, "inquiries": M}``: N new orders and M inquiries on every account
* ``{"op": "snapshot", "path": P}``: per seller, every ship unit (쿠팡 box, 스마트스토어 product order,
  위메프 bundle) and every write the simulator audited, with its count, written to P
* ``{"op": "stop"}``: flush the log and exit
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

MALLS = ("coupang", "smartstore", "wemakeprice")
# the kind each simulator stores a ship unit under (what a collected OrderLine names ship_unit)
UNIT_KIND = {"coupang": "box", "smartstore": "product_order", "wemakeprice": "bundle"}
LATENCY_MS = 30  # a round trip to a mall is never free; small enough not to hide the limiter


def credentials(mall: str, seller: int) -> dict[str, str]:
    """Seller ``seller``'s own identity on ``mall``: the simulator accepts only these, and limits by them."""
    if mall == "coupang":
        return {"vendor_id": f"A{seller + 1:08d}", "access_key": f"bench-{seller:04d}-coupang-access",
                "secret_key": hashlib.sha256(f"coupang-secret-{seller}".encode()).hexdigest()}
    if mall == "smartstore":
        # a bcrypt salt is the client secret (reference §2.1); made from the seller number so it is stable
        import bcrypt

        alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        digest = hashlib.sha256(f"smartstore-secret-{seller}".encode()).digest()
        salt = "".join(alphabet[b % 64] for b in digest[:21]) + "."  # 22 characters, last one of .Oeu
        secret = f"$2a$04${salt}"
        bcrypt.hashpw(b"check", secret.encode())  # a malformed salt fails here, not in the simulator
        return {"client_id": f"benchApp{seller:04d}", "client_secret": secret}
    if mall == "wemakeprice":
        return {"api_key": hashlib.sha512(f"wemakeprice-key-{seller}".encode()).hexdigest()}  # 128 hex (§1.1)
    raise ValueError(mall)


class Host:
    """Every simulator of one mall, each on its own port, with one request log."""

    def __init__(self, fleet: dict[str, Any], mall: str, log_path: Path) -> None:
        from mallbatch.sandbox.registry import simulator_class
        from mallbatch.sandbox.server import Faults, SandboxServer
        from mallbatch.sandbox.store import SimStore

        self.mall, self.log_path = mall, log_path
        self._log: list[tuple[float, int, int, int]] = []
        self._log_lock = threading.Lock()
        self.servers: dict[int, Any] = {}
        cls = simulator_class(mall)
        for entry in fleet["sellers"]:
            seller = int(entry["seller"])
            faults = Faults(latency_ms=LATENCY_MS, seed=seller + 1)
            simulator = cls(SimStore(entry["sandbox_db"], mall), faults, credentials(mall, seller))
            server = SandboxServer(simulator)
            self._record(server, seller)
            self.servers[seller] = server.start(poll_interval=2.0)
        self._flusher = threading.Thread(target=self._flush_forever, daemon=True)
        self._flusher.start()

    def _record(self, server: Any, seller: int) -> None:
        handle = server.handle

        def recorded(request: Any) -> Any:
            moment = time.time()
            response = handle(request)  # raises for a dropped connection: then nothing was answered
            if not request.path.startswith("/_sandbox/"):
                self._log.append((moment, seller, response.status, int(server.simulator.is_write(request))))
            return response

        server.handle = recorded

    def _flush(self) -> None:
        with self._log_lock:
            rows, self._log[:] = list(self._log), []
            if rows:
                with self.log_path.open("a", encoding="utf-8") as out:
                    out.writelines(f"{t:.4f},{s},{status},{w}\n" for t, s, status, w in rows)

    def _flush_forever(self) -> None:
        while True:
            time.sleep(2.0)
            self._flush()

    def generate(self, orders: int, inquiries: int) -> int:
        made = 0
        for server in self.servers.values():
            made += server.simulator.generate(orders, 0, inquiries).get("orders", 0)
        return made

    def snapshot(self, path: Path) -> None:
        out: dict[str, Any] = {}
        for seller, server in self.servers.items():
            store = server.simulator.store
            out[str(seller)] = {"units": store.keys(UNIT_KIND[self.mall]),
                                "writes": [list(row) for row in store.audit_totals()],
                                "requests": server.requests, "rejected_429": server.rejected_429}
        path.write_text(json.dumps(out), encoding="utf-8")

    def stop(self) -> None:
        """Every server at once: each notices the shutdown only at its next poll (2 s), so one by one takes minutes."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=64) as pool:
            list(pool.map(lambda server: server.stop(), self.servers.values()))
        for server in self.servers.values():
            server.simulator.store.close()
        self._flush()


def main() -> None:
    fleet_path, mall, log_path = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    fleet = json.loads(fleet_path.read_text(encoding="utf-8"))
    host = Host(fleet, mall, log_path)
    seed = fleet.get("seed", {})
    made = host.generate(int(seed.get("orders", 0)), int(seed.get("inquiries", 0)))
    print(json.dumps({"ports": {str(s): srv.port for s, srv in host.servers.items()}, "seeded": made}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "generate":
            print(json.dumps({"made": host.generate(int(command.get("orders", 0)), int(command.get("inquiries", 0)))}),
                  flush=True)
        elif command["op"] == "snapshot":
            host.snapshot(Path(command["path"]))
            print(json.dumps({"ok": True}), flush=True)
        elif command["op"] == "stop":
            break
    host.stop()
    print(json.dumps({"stopped": True}), flush=True)


if __name__ == "__main__":
    main()
