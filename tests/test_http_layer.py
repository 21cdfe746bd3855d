"""The shared HTTP layer against servers that misbehave: not the envelope, trickling, endless
bodies, paging loops, echoed secrets; and the limiter's one-second guarantee."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import mallbatch.connectors.runtime.http as http
from mallbatch.connectors.coupang.spec import CoupangConnector as CoupangAdapter
from mallbatch.domain.records import OrderLine
from mallbatch.connectors.runtime.http import RateLimiter, RetryPolicy
from mallbatch.connectors.smartstore.spec import SmartstoreConnector as SmartstoreAdapter
from mallbatch.connectors.wemakeprice.spec import WemakepriceConnector as WemakepriceAdapter
from mallbatch.cli import cli
from mallbatch.domain.clock import KST
from mallbatch.config import Account, resolve_value
from mallbatch.errors import MalformedResponse, OutcomeUnknown, ResponseTooLarge, TransientError
from mallbatch.sandbox.registry import sandbox_credentials
from mallbatch.store import Store
from tests.contract.harness import coupang_listing
from tests.misbehaving import Misbehaving, Seen, answer, endless, html_page, trickle

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
ADAPTERS = {"coupang": CoupangAdapter, "smartstore": SmartstoreAdapter, "wemakeprice": WemakepriceAdapter}


def account(mall: str, url: str, **options: Any) -> Account:
    creds = {**sandbox_credentials(mall), "rate_limit": 1000, **options}
    return Account(mall, "test", url, True, {k: resolve_value(k, v, "test") for k, v in creds.items()})


@pytest.fixture
def proxy(start_sim: Any) -> Iterator[Any]:
    """(mall) → (simulator server, misbehaving proxy in front of it, adapter through the proxy)."""
    proxies: list[Misbehaving] = []

    def make(mall: str, **options: Any) -> tuple[Any, Misbehaving, Any]:
        server, _ = start_sim(mall, faults={"rate_limit": 1000})
        front = Misbehaving(server.url).start()
        proxies.append(front)
        return server, front, ADAPTERS[mall](account(mall, front.url, **options), retry=FAST)

    yield make
    for front in proxies:
        front.stop()


def recent() -> tuple[datetime, datetime]:
    now = datetime.now(KST)
    return now - timedelta(days=1), now + timedelta(minutes=1)


def on(path_part: str, action: Any) -> Any:
    return lambda seen: action if path_part in seen.target else None


# --- A1: not the envelope ----------------------------------------------------------------------
@pytest.mark.parametrize("mall, reads", [
    ("coupang", "ordersheets"), ("smartstore", "last-changed-statuses"), ("wemakeprice", "getOrderList")])
@pytest.mark.parametrize("body", ["html", "garbage", "truncated", "list", "foreign", "redirect"])
def test_a_read_that_is_not_the_envelope_fails_instead_of_reading_nothing(proxy: Any, mall: str, reads: str, body: str) -> None:
    server, front, adapter = proxy(mall)
    server.simulator.generate(3, 0, 0)
    replies = {
        "html": html_page(),
        "garbage": answer(200, b"\x00\xffnot json at all", "application/json"),
        "truncated": answer(200, b'{"code":200,"data":[{"shipmentBoxId":1', "application/json"),
        "list": answer(200, b"[]", "application/json"),
        "foreign": answer(200, b'{"status":"ok"}', "application/json"),
        "redirect": answer(302, b"", "text/html", "Location: https://login.example/portal?next=x\r\n"),
    }
    front.fault = on(reads, replies[body])
    with pytest.raises(MalformedResponse) as info:
        list(adapter.orders(*recent()))
    assert adapter.spec.envelope.mall_ko in info.value.message_ko
    assert sum(reads in s.target for s in front.seen) == FAST.attempts  # retried like a transient error


def test_a_write_answered_by_a_maintenance_page_is_unknown_and_the_read_back_never_says_not_applied(proxy: Any) -> None:
    server, front, adapter = proxy("coupang")
    front.fault = on("seller-products", html_page())
    with pytest.raises(OutcomeUnknown, match="HTML"):
        adapter.create_product(coupang_listing("HTML-1"))
    with pytest.raises(MalformedResponse):  # the read-back sees the same page: unknown stays unknown
        adapter.find_product("HTML-1")
    front.fault = None
    assert adapter.find_product("HTML-1") is None  # the proxy never let it through


def test_collect_of_a_mall_answering_html_fails_keeps_its_watermark_and_catches_up(sim_workspace: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """쿠팡 answering an HTML 200: not "주문: 0건"; the orders of the previous days arrive once it is healthy."""
    monkeypatch.setattr(http.RetryPolicy, "delay", lambda self, attempt, retry_after: 0.01)
    ws, servers = sim_workspace(("coupang", "wemakeprice"))
    sim = servers["coupang"].simulator
    sim.generate(12, 0, 0)
    for n, box in enumerate(sim.store.all("box")):  # spread over the two previous days
        moment = (datetime.now(KST) - timedelta(days=1 + n % 2, hours=1)).isoformat(timespec="microseconds")
        box["orderedAt"] = box["paidAt"] = moment
        sim.store.put("box", str(box["shipmentBoxId"]), box)
    servers["wemakeprice"].simulator.generate(3, 0, 0)
    expected = {f"{b['shipmentBoxId']}-{i['vendorItemId']}" for b in sim.store.all("box") for i in b["orderItems"]}
    front = Misbehaving(servers["coupang"].url).start()
    config = ws.home / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(servers["coupang"].url, front.url), encoding="utf-8")
    try:
        front.fault = on("ordersheets", html_page())
        failed = CliRunner().invoke(cli, ["--home", str(ws.home), "collect", "--kind", "orders"])
        assert failed.exit_code != 0
        assert "쿠팡" in failed.output and "HTML" in failed.output and "실패" in failed.output
        assert "쿠팡/기본 주문: 0건" not in failed.output
        with Store(ws.store_path) as store:
            assert store.records.watermark("coupang", "기본", "orders") is None
            assert store.records.watermark("wemakeprice", "기본", "orders") is not None
        books = [p.name for p in (ws.outbox).rglob("주문_*.xlsx")]
        assert len(books) == 1  # 위메프's orders are still written, with 쿠팡's failure said on the console

        front.fault = None
        healthy = CliRunner().invoke(cli, ["--home", str(ws.home), "collect", "--kind", "orders"])
        assert healthy.exit_code == 0, healthy.output
        with Store(ws.store_path) as store:
            got = {line.line_id for line, _, _ in store.records.all(OrderLine, "orders") if line.mall == "coupang"}
            assert store.records.watermark("coupang", "기본", "orders") is not None
        assert got == expected
    finally:
        front.stop()


def test_collect_writes_no_workbook_of_a_kind_no_account_could_read(sim_workspace: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http.RetryPolicy, "delay", lambda self, attempt, retry_after: 0.01)
    ws, servers = sim_workspace(("coupang",))
    front = Misbehaving(servers["coupang"].url).start()
    config = ws.home / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(servers["coupang"].url, front.url), encoding="utf-8")
    try:
        front.fault = on("ordersheets", html_page())
        result = CliRunner().invoke(cli, ["--home", str(ws.home), "collect"])
        assert result.exit_code != 0 and "HTML" in result.output
        assert not list(ws.outbox.rglob("주문_*.xlsx"))  # never an empty orders workbook as if 쿠팡 had none
        assert list(ws.outbox.rglob("클레임_*.xlsx")) and list(ws.outbox.rglob("문의_*.xlsx"))
    finally:
        front.stop()


# --- A2: overall deadline ----------------------------------------------------------------------
@pytest.mark.parametrize("in_headers", [False, True])
def test_a_trickling_server_cannot_hold_a_request_past_its_deadline(in_headers: bool) -> None:
    with Misbehaving() as server:
        server.fault = lambda seen: trickle(0.2, 40, in_headers=in_headers)  # 8 s if waited out
        adapter = CoupangAdapter(account("coupang", server.url, deadline_seconds=1), retry=FAST)
        with pytest.raises(TransientError, match="1초 안에"):
            list(adapter.orders(*recent()))
        with pytest.raises(OutcomeUnknown, match="1초 안에"):
            adapter.confirm(["123"])


# --- A3: body size cap ----------------------------------------------------------------------
def test_a_body_past_the_cap_is_an_error_not_memory() -> None:
    with Misbehaving() as server:
        server.fault = lambda seen: endless()
        adapter = CoupangAdapter(account("coupang", server.url, max_body_mb=1), retry=FAST)
        with pytest.raises(ResponseTooLarge, match="너무 큽니다"):
            list(adapter.orders(*recent()))
        with pytest.raises(OutcomeUnknown, match="너무 큽니다"):
            adapter.confirm(["123"])
        server.fault = lambda seen: answer(200, b'{"code":200,"data":[]}', extra="X-Pad: 1\r\n")
        assert list(adapter.orders(*recent())) == []


# --- A4: paging loops ----------------------------------------------------------------------
def _stop_after(front: Misbehaving, path: str, limit: int) -> bool:
    """True once ``limit`` pages were served, so a client without a guard still ends."""
    return sum(path in s.target for s in front.seen) > limit


def test_coupang_next_token_handed_out_twice_stops_with_an_error(proxy: Any) -> None:
    _, front, adapter = proxy("coupang")

    def same_token(seen: Seen) -> Any:
        if "ordersheets" not in seen.target:
            return None
        token = "T-1" if not _stop_after(front, "ordersheets", 30) else ""
        return answer(200, json.dumps({"code": 200, "message": "OK", "data": [], "nextToken": token}).encode())

    front.fault = same_token
    with pytest.raises(MalformedResponse, match="쿠팡.*반복을 멈췄습니다"):
        list(adapter.orders(*recent()))


def test_smartstore_more_sequence_going_round_stops_with_an_error(proxy: Any) -> None:
    server, front, adapter = proxy("smartstore")
    server.simulator.generate(2, 0, 0)
    turn = [0]
    # A window with no changes of its own still needs a well-formed moreFrom (the mall checks its format).
    fallback = (datetime.now(KST) - timedelta(hours=1)).isoformat(timespec="milliseconds")

    def rewrite(seen: Seen, body: Any) -> Any:
        if "last-changed-statuses" in seen.target and isinstance(body.get("data"), dict):
            turn[0] += 1
            if not _stop_after(front, "last-changed-statuses", 30):  # A, B, A, B, …
                body["data"]["more"] = {"moreFrom": (body["data"].get("lastChangeStatuses") or [{}])[0].get("lastChangedDate", fallback),
                                        "moreSequence": str(turn[0] % 2)}
                body["data"]["lastChangeStatuses"] = []
        return body

    front.rewrite = rewrite
    with pytest.raises(MalformedResponse, match="스마트스토어.*반복을 멈췄습니다"):
        list(adapter.orders(*recent()))


def test_wemakeprice_pages_that_repeat_stop_with_an_error(proxy: Any) -> None:
    server, front, adapter = proxy("wemakeprice")
    server.simulator.generate(2, 0, 0)

    def rewrite(seen: Seen, body: Any) -> Any:
        if "getOrderList" in seen.target and isinstance(body.get("data"), dict) and body["data"].get("bundle"):
            if not _stop_after(front, "getOrderList", 40):  # page N answered with page 1, "a million" in all
                body["data"]["totalCount"], body["data"]["pageSize"] = 10**6, len(body["data"]["bundle"])
        return body

    def page_one(seen: Seen) -> Seen:
        if "getOrderList" not in seen.target or not seen.body:
            return seen
        body = json.dumps({**json.loads(seen.body), "page": 1}).encode()
        return replace(seen, body=body, headers={**seen.headers, "Content-Length": str(len(body))})

    front.rewrite, front.adjust = rewrite, page_one
    with pytest.raises(MalformedResponse, match="위메프.*반복을 멈췄습니다"):
        list(adapter.orders(*recent()))


# --- A4b: one-second windows ----------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@settings(max_examples=200, deadline=None)
@given(gaps=st.lists(st.floats(min_value=0, max_value=0.4), min_size=1, max_size=120),
       rate=st.sampled_from([9.5, 10.0, 5.0]), burst=st.integers(min_value=1, max_value=4))
def test_no_one_second_window_holds_more_than_the_limit(gaps: list[float], rate: float, burst: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, burst, per_second=10, clock=clock, sleep=clock.sleep)
    sent = []
    for gap in gaps:  # the caller's own work between calls (journal commits, parsing)
        clock.now += gap
        limiter.acquire()
        sent.append(clock.now)
    for i, start in enumerate(sent):
        assert sum(1 for t in sent[i:] if t < start + 1.0) <= 10


def test_the_limiter_stays_close_to_its_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(9.5, 2, per_second=10, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(951):
        limiter.acquire()
    assert 9.3 <= 950 / (clock.now - start) <= 10.0


def test_coupang_limiter_guarantees_ten_in_every_second() -> None:
    adapter = CoupangAdapter(account("coupang", "http://127.0.0.1:9", rate_limit=9.5))
    assert adapter.http.limiter.per_second == 10


# --- C6: nothing a mall echoes carries a secret out --------------------------------------------
def _echo(seen: Seen) -> Any:
    """A 400 that repeats the request, headers and all, in the mall's own error shape."""
    echoed = f"잘못된 요청입니다. 요청 헤더: {json.dumps(seen.headers, ensure_ascii=False)} 본문: {seen.body[:200].decode('utf-8', 'replace')}"
    if "seller-products" in seen.target and seen.method == "POST":
        return answer(400, json.dumps({"code": "ERROR", "message": echoed}, ensure_ascii=False).encode())
    if "setProduct" in seen.target:
        return answer(400, json.dumps({"resultCode": 400, "data": None, "error": echoed}, ensure_ascii=False).encode())
    return None


def _texts(path: Path) -> bytes:
    """Every byte a seller or a helper could read from ``path`` (xlsx unzipped)."""
    import zipfile

    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return b"".join(book.read(name) for name in book.namelist())
    return path.read_bytes()


def test_an_echoed_request_leaves_no_secret_in_the_workbook_the_store_or_the_console(sim_workspace: Any, tmp_path: Path) -> None:
    from tests.pipeline_helpers import products_file

    ws, servers = sim_workspace(("coupang", "wemakeprice"))
    config = ws.home / "config.toml"
    text = config.read_text(encoding="utf-8")
    fronts = []
    for mall in ("coupang", "wemakeprice"):
        front = Misbehaving(servers[mall].url).start()
        front.fault = _echo
        fronts.append(front)
        text = text.replace(servers[mall].url, front.url)
    config.write_text(text, encoding="utf-8")
    secrets = [sandbox_credentials("wemakeprice")["api_key"], sandbox_credentials("coupang")["access_key"]]
    try:
        source = products_file(ws, tmp_path / "상품.xlsx", 2)
        result = CliRunner().invoke(cli, ["--home", str(ws.home), "push", str(source)])
        sent_auth = [v for f in fronts for s in f.seen for k, v in s.headers.items() if k.lower() in ("authorization", "apikey")]
    finally:
        for front in fronts:
            front.stop()
    assert sent_auth and any(s.method == "POST" for f in fronts for s in f.seen)
    assert "거절" in result.output or "실패" in result.output
    outputs = list(ws.outbox.rglob("*.xlsx"))
    assert any("잘못된 요청" in _texts(p).decode("utf-8", "replace") for p in outputs)  # the mall's words are kept
    for value in [*secrets, *sent_auth]:
        assert value not in result.output
        for path in [*outputs, *ws.store_path.parent.rglob("*")]:
            if path.is_file():
                assert value.encode() not in _texts(path), (path, value[:12])
