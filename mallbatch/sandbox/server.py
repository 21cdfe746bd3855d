"""A small HTTP framework for simulators on real loopback sockets, with fault injection.

Faults (all off by default, set from ``[sandbox.<mall>]`` in config.toml or at run time
through ``POST /_sandbox/faults``):

* ``latency_ms``        added to every request
* ``rate_limit``        requests per second per credential; above it the mall's own 429
* ``burst_429``         probability that a request starts a 429 burst of ``burst_length`` requests
* ``error_rate``        probability of a 5xx *before* anything is applied
* ``timeout_rate``      probability of answering only after ``timeout_seconds`` (the write still
                        applies, late: the client sees a timeout)
* ``drop_rate``         probability that a write is applied and then the connection is closed
                        without a response ("commit then drop")
* ``block_after_429``   rate-limit refusals within 10 s after which a mall that blocks abusers
                        (쿠팡) blocks the client for ``block_seconds``; 0 = never

Traffic (also per mall): ``orders_per_hour``, ``claims_per_hour``, ``inquiries_per_hour``
make the seeded generator add records as wall-clock time passes, checked on each request,
so orders arrive "over time" for a seller exploring the sandbox.

Sandbox-only control endpoints (never part of a mall's protocol):
``GET /_sandbox/state``, ``GET /_sandbox/workspace``, ``POST /_sandbox/generate``,
``POST /_sandbox/faults``, ``POST /_sandbox/claim`` (``{"unit", "kind"}``: the buyer opens a cancel,
return or exchange, where the simulator offers it), and a simulator's own (``Simulator.control``).
Every response carries ``X-Mallbatch-Workspace``: the id of the
workspace whose state the simulator serves, so a client can refuse another workspace's.
"""

from __future__ import annotations

import json
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from mallbatch.sandbox.store import SimStore

WORKSPACE_HEADER = "X-Mallbatch-Workspace"

log = logging.getLogger("mallbatch.sandbox")


class Headers(dict[str, str]):
    """Case-insensitive request headers."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass
class Request:
    method: str
    path: str
    query_string: str  # raw, exactly as sent (signatures cover it)
    headers: Headers
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # path parameters from the route

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        return cls(status, data, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})})


@dataclass
class Faults:
    latency_ms: float = 0.0
    rate_limit: float = 0.0  # 0 = the simulator's documented default
    burst_429: float = 0.0
    burst_length: int = 5
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 15.0
    drop_rate: float = 0.0
    seed: int = 1
    orders_per_hour: float = 0.0
    claims_per_hour: float = 0.0
    inquiries_per_hour: float = 0.0
    block_after_429: int = 100  # invented: 쿠팡 publishes no threshold (10 refusals/s for 10 s)
    block_seconds: float = 300.0  # reference §1.2: "unblocked after minutes to tens of minutes"

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Faults:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def update(self, data: dict[str, Any]) -> None:
        for f in fields(self):
            if f.name in data:
                setattr(self, f.name, type(getattr(self, f.name))(data[f.name]))


Handler = Callable[[Request], Response]


class Simulator:
    """Base of one marketplace simulator. Subclasses register routes in ``routes()``."""

    mall: ClassVar[str]
    default_rate_limit: ClassVar[float] = 10.0  # per second per credential
    ordered_kinds: ClassVar[dict[str, str]] = {}  # kind → numeric field indexed for SimStore.between

    def __init__(self, store: SimStore, faults: Faults | None = None, credentials: dict[str, str] | None = None) -> None:
        self.store = store
        store.order_fields.update(self.ordered_kinds)
        self.faults = faults or Faults()
        self.credentials = credentials or {}
        self.rng = random.Random(self.faults.seed)
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.routes()

    # --- subclass surface ------------------------------------------------------------
    def routes(self) -> None:
        raise NotImplementedError

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """``pattern`` uses ``{name}`` placeholders for one path segment each."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}$"), handler))

    def client_id(self, request: Request) -> str:
        """Who the rate limit applies to (vendor, app, api key)."""
        return "all"

    def is_write(self, request: Request) -> bool:
        return request.method in ("POST", "PUT", "PATCH", "DELETE")

    def rate_limited(self, request: Request) -> Response:
        return Response.json({"code": 429, "message": "Too Many Requests"}, 429)

    def burst(self, rate: float) -> float:
        """Requests a client may send at once: one second of ``rate`` unless the mall says more."""
        return rate

    def blocked(self, request: Request) -> Response | None:
        """The answer to a client the mall has blocked, checked before the rate limit."""
        return None

    def over_limit(self, request: Request) -> None:
        """Told of every request the rate limit (not an injected burst) refused."""

    def limit_headers(self, request: Request, headroom: float) -> dict[str, str]:
        """Headers for an allowed request; ``headroom`` is the share of the burst still unused."""
        return {}

    def server_error(self, request: Request) -> Response:
        return Response.json({"code": 500, "message": "Internal Server Error"}, 500)

    def not_found(self, request: Request) -> Response:
        return Response.json({"code": 404, "message": "Not Found"}, 404)

    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        """Seeded generator: new orders, claims and inquiries against registered products."""
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """Summary for ``GET /_sandbox/state``."""
        return {}

    def open_claim(self, unit: str, kind: str) -> dict[str, Any]:
        """The buyer opens a ``kind`` ("cancel", "return", "exchange") claim on ship unit ``unit``;
        ValueError (Korean) when it cannot have one."""
        raise NotImplementedError

    def control(self, request: Request) -> Response | None:
        """A mall's own ``/_sandbox/…`` control (open a claim …); None: not one of its own."""
        return None

    # --- dispatch --------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if match and method == request.method:
                request.params = match.groupdict()
                return handler(request)
        return self.not_found(request)


class _Bucket:
    def __init__(self) -> None:
        self.tokens: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, key: str, rate: float, capacity: float | None = None) -> bool:
        """True when a request is allowed; burst capacity is one second of rate unless given."""
        capacity = capacity or rate
        with self.lock:
            now = time.monotonic()
            tokens, last = self.tokens.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1:
                self.tokens[key] = (tokens, now)
                return False
            self.tokens[key] = (tokens - 1, now)
            return True

    def left(self, key: str) -> float:
        """Tokens left after the last request of ``key``."""
        with self.lock:
            return self.tokens.get(key, (0.0, 0.0))[0]


class _Drop(Exception):
    """Close the connection without a response."""


class SandboxServer:
    """Serve one simulator on ``host:port`` in a daemon thread."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator
        self._bucket = _Bucket()
        self._burst_left = 0
        self._fault_lock = threading.Lock()
        self.requests = 0
        self.rejected_429 = 0
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes: without this, +40 ms per request

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(self.command, parts.path, parts.query, Headers(list(self.headers.items())), body)
                try:
                    response = server.handle(request)
                except _Drop:
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                except Exception:  # noqa: BLE001 - a simulator defect is the mall's 500, logged, never a dropped connection
                    log.exception("%s simulator failed on %s %s", server.simulator.mall, request.method, request.path)
                    response = server.simulator.server_error(request)
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header(WORKSPACE_HEADER, server.simulator.store.workspace)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self.host, self.port = self._httpd.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, poll_interval: float = 0.05) -> SandboxServer:
        """Serve in a daemon thread. A short poll interval makes stop() quick (tests start and stop many
        servers); a fleet of hundreds in one process takes a long one, or its idle wake-ups eat the CPU."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": poll_interval},
                                        name=f"sandbox-{self.simulator.mall}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- request pipeline ------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        sim, faults = self.simulator, self.simulator.faults
        if request.path.startswith("/_sandbox/"):
            return self._control(request)
        self.requests += 1
        self._traffic()
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        blocked = sim.blocked(request)
        if blocked is not None:
            return blocked
        rate, client = faults.rate_limit or sim.default_rate_limit, sim.client_id(request)
        capacity = sim.burst(rate)
        limited = not self._bucket.take(client, rate, capacity)
        if limited or self._in_burst():
            self.rejected_429 += 1
            if limited:
                sim.over_limit(request)
            return sim.rate_limited(request)
        headers = sim.limit_headers(request, self._bucket.left(client) / capacity)
        with self._fault_lock:
            roll_error, roll_timeout, roll_drop = sim.rng.random(), sim.rng.random(), sim.rng.random()
        if roll_error < faults.error_rate:
            return sim.server_error(request)
        if roll_timeout < faults.timeout_rate:
            time.sleep(faults.timeout_seconds)
        response = sim.dispatch(request)
        if roll_drop < faults.drop_rate and sim.is_write(request) and response.status < 400:
            raise _Drop
        response.headers.update(headers)
        return response

    def _traffic(self) -> None:
        """Generate what the configured hourly rates owe since the last request."""
        faults = self.simulator.faults
        rates = {"orders": faults.orders_per_hour, "claims": faults.claims_per_hour, "inquiries": faults.inquiries_per_hour}
        if not any(rates.values()):
            return
        with self._fault_lock:
            store, now = self.simulator.store, time.time()
            clock = store.get("_sandbox", "traffic") or {"at": now, "owed": {}}
            hours = max(0.0, now - clock["at"]) / 3600
            owed = {k: clock["owed"].get(k, 0.0) + rate * hours for k, rate in rates.items()}
            due = {k: int(v) for k, v in owed.items()}
            store.put("_sandbox", "traffic", {"at": now, "owed": {k: owed[k] - due[k] for k in owed}})
        if any(due.values()):
            self.simulator.generate(due["orders"], due["claims"], due["inquiries"])

    def _in_burst(self) -> bool:
        faults = self.simulator.faults
        with self._fault_lock:
            if self._burst_left > 0:
                self._burst_left -= 1
                return True
            if faults.burst_429 and self.simulator.rng.random() < faults.burst_429:
                self._burst_left = max(0, faults.burst_length - 1)
                return True
        return False

    def _control(self, request: Request) -> Response:
        sim = self.simulator
        owner = {"mall": sim.mall, "workspace": sim.store.workspace, "state": sim.store.state_dir}
        if request.path == "/_sandbox/workspace" and request.method == "GET":
            return Response.json(owner)
        if request.path == "/_sandbox/state" and request.method == "GET":
            return Response.json({**owner, "requests": self.requests, "rejected_429": self.rejected_429, **sim.state()})
        if request.path == "/_sandbox/faults" and request.method == "POST":
            sim.faults.update(request.json() or {})
            return Response.json({"ok": True})
        if request.path == "/_sandbox/generate" and request.method == "POST":
            data = request.json() or {}
            made = sim.generate(int(data.get("orders", 0)), int(data.get("claims", 0)), int(data.get("inquiries", 0)))
            return Response.json(made)
        if request.path == "/_sandbox/claim" and request.method == "POST":
            data = request.json() or {}
            try:
                return Response.json(sim.open_claim(str(data.get("unit", "")), str(data.get("kind", ""))))
            except NotImplementedError:
                pass  # the simulator's own control may serve it
            except ValueError as exc:
                return Response.json({"message": str(exc)}, 409)
        own = sim.control(request)
        return own if own is not None else Response.json({"message": "unknown sandbox control"}, 404)
