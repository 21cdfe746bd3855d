"""A small HTTP server on 127.0.0.1 that misbehaves where a simulator cannot.

By default it forwards every request to ``upstream`` (a simulator) unchanged. ``fault``
may answer a request itself (an HTML page, a redirect, a trickle, an endless body, an
echo); ``adjust`` may change a request before it is forwarded and ``rewrite`` the JSON
answer that comes back (a repeated paging token). Every
connection is closed after one answer, and every wait is bounded.
"""

from __future__ import annotations

import http.client
import json
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

Action = Callable[[BinaryIO], None]


@dataclass
class Seen:
    method: str
    target: str  # path with query
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?")[0]


def answer(status: int, body: bytes, content_type: str = "application/json", extra: str = "") -> Action:
    def write(out: BinaryIO) -> None:
        out.write(f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                  f"Connection: close\r\n{extra}\r\n".encode() + body)
    return write


def html_page() -> Action:
    return answer(200, "<!DOCTYPE html><html><body>서비스 점검 중입니다</body></html>".encode(), "text/html; charset=utf-8")


def trickle(interval: float, count: int, *, in_headers: bool = False) -> Action:
    """One byte every ``interval`` seconds, ``count`` times: in the headers or in a JSON body."""
    def write(out: BinaryIO) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        body = b'{"code":200,"data":[' + b" " * count + b"]}"
        if in_headers:
            out.write(head)
            for _ in range(count):
                out.write(b"X-Slow: 1\r\n")
                out.flush()
                time.sleep(interval)
            out.write(f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            return
        out.write(head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body[:21])
        for byte in body[21:]:
            out.flush()
            time.sleep(interval)
            out.write(bytes([byte]))
    return write


def endless(chunk: int = 65536, limit: int = 64 * 2**20) -> Action:
    """A chunked body that keeps coming (up to ``limit`` bytes, so a broken client still ends)."""
    def write(out: BinaryIO) -> None:
        out.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        sent = 0
        piece = b'{"code":200,"data":"' + b"x" * chunk
        while sent < limit:
            out.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
            piece = b"x" * chunk
        out.write(b"0\r\n\r\n")
    return write


class Misbehaving:
    def __init__(self, upstream: str | None = None) -> None:
        self.upstream = upstream
        self.fault: Callable[[Seen], Action | None] | None = None
        self.rewrite: Callable[[Seen, Any], Any] | None = None
        self.adjust: Callable[[Seen], Seen] | None = None  # a request as forwarded
        self.seen: list[Seen] = []
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline().decode("latin-1").strip()
                if not line:
                    return
                method, target, _ = line.split(" ", 2)
                headers: dict[str, str] = {}
                while (raw := self.rfile.readline().decode("latin-1").strip()):
                    name, _, value = raw.partition(":")
                    headers[name.strip()] = value.strip()
                length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
                seen = Seen(method, target, headers, self.rfile.read(length) if length else b"")
                owner.seen.append(seen)
                try:
                    action = owner.fault(seen) if owner.fault else None
                    (action or owner._forward(seen))(self.wfile)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: that is the point of most faults

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)  # quick stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Misbehaving:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Misbehaving:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _forward(self, seen: Seen) -> Action:
        assert self.upstream, "no fault answered and no upstream to forward to"
        seen = self.adjust(seen) if self.adjust else seen
        parts = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        headers = {k: v for k, v in seen.headers.items() if k.lower() not in ("host", "connection", "accept-encoding")}
        conn.request(seen.method, seen.target, body=seen.body or None, headers=headers)
        reply = conn.getresponse()
        body, status, kind = reply.read(), reply.status, reply.getheader("Content-Type", "application/json")
        location = reply.getheader("Location")  # a redirect (an OAuth authorize page) goes on as it came
        conn.close()
        if self.rewrite and body:
            body = json.dumps(self.rewrite(seen, json.loads(body)), ensure_ascii=False).encode()
        return answer(status, body, kind, f"Location: {location}\r\n" if location else "")
