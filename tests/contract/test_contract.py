"""The contract every mall's adapter keeps, run once per mall through its harness (harness.py).

Each scenario talks over real loopback sockets to the mall's simulator, through a misbehaving
proxy (tests/misbehaving.py) that forwards unchanged unless a scenario tells it to misbehave.
Adapters are called only through their public methods, pipeline/ops.execute and the
simulators' /_sandbox/ control endpoints; the simulator's store is read for audits only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mallbatch.config import Account
from mallbatch.errors import AuthError, MalformedResponse, OutcomeUnknown, RateLimited, RemoteError, TransientError
from mallbatch.pipeline.ops import OPS, Outcome, execute
from mallbatch.sandbox.server import Response, SandboxServer
from mallbatch.store import Store
from mallbatch.store.journal import DONE, FAILED, Command
from tests.contract.harness import (
    HARNESSES, KST, Capability, Harness, Invoice, ItemResult, RetryPolicy, open_adapter, with_options,
)
from tests.misbehaving import Action, Misbehaving, Seen, answer, html_page, trickle

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
HANGUL = re.compile("[가-힣]")


@dataclass
class Mall:
    """One mall's simulator, the proxy in front of it and an account that talks through the proxy."""

    harness: Harness
    server: SandboxServer
    front: Misbehaving
    account: Account
    tmp: Path
    adapters: list[Any] = field(default_factory=list)

    def adapter(self, **options: Any) -> Any:
        made = open_adapter(with_options(self.account, **options) if options else self.account, retry=FAST)
        self.adapters.append(made)
        return made

    def control(self, what: str, body: dict[str, Any]) -> Any:
        return httpx.post(f"{self.server.url}/_sandbox/{what}", json=body, timeout=30).json()

    def units(self, orders: int) -> list[str]:
        """Let ``orders`` orders arrive; their ship units, as the simulator holds them."""
        before = self.harness.ship_units(self.server)
        self.control("generate", {"orders": orders})
        return sorted(self.harness.ship_units(self.server) - before)

    def audit(self, op: str) -> dict[str, int]:
        return self.harness.audit(self.server, op)

    def sent(self, path: str) -> list[Seen]:
        return [s for s in self.front.seen if path in s.target]

    def reply(self, response: Response, drop: tuple[str, ...] = (), **headers: str) -> Action:
        """The simulator's own answer ``response`` as the proxy's, with headers changed."""
        kept = {k: v for k, v in response.headers.items() if k.lower() not in {d.lower() for d in drop} | {"content-type"}}
        extra = "".join(f"{k}: {v}\r\n" for k, v in {**kept, **headers}.items())
        return answer(response.status, response.body, response.headers.get("Content-Type", "application/json"), extra)

    def confirms(self, adapter: Any) -> bool:
        return Capability.ORDERS_CONFIRM in adapter.spec.capabilities

    def write_path(self, adapter: Any) -> str:
        """Where the first write on a new order goes: 발주확인, or the invoice where the mall has none (Wish)."""
        return self.harness.confirm_path if self.confirms(adapter) else self.harness.invoice_path

    def write_op(self, adapter: Any) -> str:
        return "order.confirm" if self.confirms(adapter) else "invoice.send"

    def write(self, adapter: Any, units: list[str]) -> list[ItemResult]:
        """The first write on these units (발주확인, or for a mall without one their invoices)."""
        if self.confirms(adapter):
            return adapter.confirm(units)
        return adapter.send_invoices(invoices(adapter, units, self.harness.courier))

    def write_item(self, adapter: Any, unit: str) -> tuple[str, dict[str, Any], Any]:
        """The journal command (target, payload, object) of the first write on ``unit``."""
        if self.confirms(adapter):
            return unit, {}, unit
        [obj] = invoices(adapter, [unit], self.harness.courier)
        return unit, {"courier": obj.courier, "tracking_no": obj.tracking_no}, obj

    def execute(self, adapter: Any, op: str, items: list[tuple[str, dict[str, Any], Any]]) -> dict[str, Outcome]:
        """Send through the journal as push does; outcome by target."""
        with Store(self.tmp / "mallbatch.db") as store:
            commands = [(Command.new(self.harness.mall, self.account.name, op, target, payload), obj) for target, payload, obj in items]
            outcomes = execute(store.journal, adapter, OPS[op], commands)
            return {c.target: outcomes[c.idem_key] for c, _ in commands}


@pytest.fixture(params=HARNESSES, ids=lambda h: h.mall)
def mall(request: pytest.FixtureRequest, start_sim: Any, tmp_path: Path) -> Iterator[Mall]:
    harness: Harness = request.param
    server, account = start_sim(harness.mall, faults={"rate_limit": 1000}, rate_limit=1000)
    front = Misbehaving(server.url).start()
    made = Mall(harness, server, front, replace(account, base_url=front.url), tmp_path)
    yield made
    for adapter in made.adapters:
        adapter.close()
    front.stop()


def recent() -> tuple[datetime, datetime]:
    now = datetime.now(KST)
    return now - timedelta(hours=1), now + timedelta(minutes=1)


def on(path: str, action: Action, times: int | None = None) -> Any:
    """A proxy fault answering requests to ``path`` with ``action`` (the first ``times`` only)."""
    hits = [0]

    def fault(seen: Seen) -> Action | None:
        if path not in seen.target or (times is not None and hits[0] >= times):
            return None
        hits[0] += 1
        return action
    return fault


def invoices(adapter: Any, units: list[str], courier: str) -> list[Invoice]:
    """One invoice per unit, covering its lines as the mall lists them (unique 12-digit numbers); a unit
    the mall does not have gets one naming only itself."""
    lines: dict[str, list[Any]] = {}
    for line in adapter.lookup_orders(units):
        lines.setdefault(line.ship_unit, []).append(line)
    return [Invoice(u, tuple(l.line_id for l in lines.get(u, ())) or (u,), lines[u][0].order_id if u in lines else u, courier,
                    f"5{n:011d}") for n, u in enumerate(units)]


def refused_text(call: Any) -> str:
    """The Korean text a refused write leaves: the error's, or its failed items'."""
    try:
        results: list[ItemResult] = call()
    except RemoteError as exc:
        return exc.message_ko
    assert not all(r.ok for r in results)
    return " ".join(r.message_ko for r in results)


# --- authentication ----------------------------------------------------------------------
def test_auth_refused_is_an_auth_error_in_korean_and_not_retried(mall: Mall) -> None:
    bad = mall.adapter(**mall.harness.bad_credentials())
    for call in (bad.check_auth, lambda: list(bad.orders(*recent()))):
        before = mall.server.requests
        with pytest.raises(AuthError) as info:
            call()
        assert HANGUL.search(info.value.message_ko)
        assert mall.server.requests - before <= 1  # refused once, never hammered
    mall.adapter().check_auth()  # the right credentials pass on the same simulator


def test_an_expired_token_is_issued_again_and_the_read_goes_on(mall: Mall) -> None:
    units = mall.units(3)
    adapter = mall.adapter()
    assert {l.ship_unit for l in adapter.orders(*recent())} >= set(units)
    reason = mall.harness.expire_token(mall.server)
    if reason:
        pytest.skip(reason)
    assert {l.ship_unit for l in adapter.orders(*recent())} >= set(units)


# --- reads -------------------------------------------------------------------------------
def test_a_range_longer_than_one_window_is_split_and_a_raw_long_window_is_refused(mall: Mall) -> None:
    units = mall.units(3)
    now = datetime.now(KST)
    for unit, age in zip(units, (0, 12, 39), strict=False):  # a mall may make several units of one order
        mall.harness.backdate(mall.server, unit, now - timedelta(days=age, hours=1))
    found = {l.ship_unit for l in mall.adapter().orders(now - timedelta(days=40), now + timedelta(minutes=1))}
    assert found == set(units)
    raw = mall.harness.raw_long_window(mall.server)
    if isinstance(raw, str):
        pytest.skip(f"read across the range; no raw over-long window: {raw}")
    assert mall.harness.refused(raw), raw.text


def test_orders_are_read_across_pages(mall: Mall) -> None:
    size = mall.harness.page_size(mall.server)
    if isinstance(size, str):
        pytest.skip(size)
    units = mall.units(size + 10)
    assert len(units) > size
    lines = list(mall.adapter().orders(*recent()))
    assert len({l.line_id for l in lines}) == len(lines)  # no line twice
    assert {l.ship_unit for l in lines} == set(units)


# --- batches -----------------------------------------------------------------------------
def test_writes_are_split_to_the_batch_size_and_a_raw_oversized_batch_is_refused(mall: Mall) -> None:
    adapter = mall.adapter()
    size = adapter.spec.batch(Capability.ORDERS_CONFIRM if mall.confirms(adapter) else Capability.INVOICES_SEND)
    units = mall.units(size + 1)[: size + 1]
    if mall.confirms(adapter):  # a mall without 발주확인 (Wish) ships at once
        assert all(r.ok and not r.already for r in adapter.confirm(units))
        assert len(mall.sent(mall.harness.confirm_path)) == mall.harness.confirm_calls(mall.server, units, size)
        assert mall.audit("order.confirm") == dict.fromkeys(units, 1)

    sent = adapter.send_invoices(invoices(adapter, units, mall.harness.courier))
    assert all(r.ok for r in sent), [r for r in sent if not r.ok]
    assert len(mall.sent(mall.harness.invoice_path)) >= math.ceil(len(units) / adapter.spec.batch(Capability.INVOICES_SEND))
    assert mall.audit("invoice.send") == dict.fromkeys(units, 1)

    more = mall.units(size + 1)[: size + 1]
    raw = mall.harness.raw_oversized_confirm(mall.server, more)
    if isinstance(raw, str):
        pytest.skip(f"split and sent once each; no raw oversized batch: {raw}")
    assert mall.harness.refused(raw), raw.text
    assert not set(more) & set(mall.audit("order.confirm"))


def test_one_bad_item_fails_alone_with_a_korean_message(mall: Mall) -> None:
    a, b = mall.units(2)[:2]
    adapter = mall.adapter()
    results = mall.write(adapter, [a, mall.harness.missing_unit, b])
    assert [r.ok for r in results] == [True, False, True]
    bad = results[1]
    assert bad.key == mall.harness.missing_unit and bad.code and HANGUL.search(bad.message_ko), bad
    assert mall.audit(mall.write_op(adapter)) == {a: 1, b: 1}


def test_a_write_on_a_cancelled_order_is_refused_with_the_malls_reason(mall: Mall) -> None:
    unit = mall.units(1)[0]
    mall.harness.cancel(mall.server, unit)
    adapter = mall.adapter()
    [result] = mall.write(adapter, [unit])
    assert not result.ok and mall.harness.cancelled_reason in result.message_ko, result
    outcome = mall.execute(adapter, mall.write_op(adapter), [mall.write_item(adapter, unit)])[unit]
    assert outcome.state == FAILED and mall.harness.cancelled_reason in outcome.message
    assert mall.audit(mall.write_op(adapter)) == {}


# --- unknown outcomes --------------------------------------------------------------------
@pytest.mark.parametrize("op", ["order.confirm", "invoice.send"])
def test_a_lost_response_is_read_back_and_applied_once(mall: Mall, op: str) -> None:
    adapter = mall.adapter()
    if op == "order.confirm" and not mall.confirms(adapter):
        pytest.skip(f"{mall.harness.mall} has no 발주확인 (orders ship at once); the invoice case covers its first write")
    unit = mall.units(1)[0]
    if op == "invoice.send":
        if mall.confirms(adapter):
            assert adapter.confirm([unit])[0].ok
        [obj] = invoices(adapter, [unit], mall.harness.courier)
        payload = {"courier": obj.courier, "tracking_no": obj.tracking_no}  # as the pipeline journals it
    else:
        obj, payload = unit, {}
    mall.control("faults", {"drop_rate": 1.0})  # applied, then the connection closes without an answer
    outcome = mall.execute(adapter, op, [(unit, payload, obj)])[unit]
    assert outcome.state == DONE, outcome
    assert mall.audit(op) == {unit: 1}
    path = mall.harness.confirm_path if op == "order.confirm" else mall.harness.invoice_path
    assert len(mall.sent(path)) == 1  # read back, never resent


def test_a_lost_create_is_found_by_its_seller_code_and_made_once(mall: Mall) -> None:
    adapter = mall.adapter()
    listing = mall.harness.listing("LOST-1")
    mall.control("faults", {"drop_rate": 1.0})
    outcome = mall.execute(adapter, "product.create", [("LOST-1", {"seller_code": "LOST-1"}, listing)])["LOST-1"]
    assert outcome.state == DONE and outcome.remote_id, outcome
    assert mall.audit("product.create") == {"LOST-1": 1}
    assert [s.method for s in mall.front.seen if s.path == mall.harness.create_path].count("POST") == 1
    mall.control("faults", {"drop_rate": 0.0})
    found = adapter.find_product("LOST-1")
    assert found is not None and found.product_id == outcome.remote_id


def test_a_500_on_a_write_is_unknown_and_read_back_before_it_is_sent_again(mall: Mall) -> None:
    adapter = mall.adapter()
    unit = mall.units(1)[0]
    path, error, op = mall.write_path(adapter), mall.reply(mall.server.simulator.server_error(None)), mall.write_op(adapter)
    item = mall.write_item(adapter, unit)
    mall.front.fault = on(path, error, times=1)
    with pytest.raises(OutcomeUnknown):
        mall.write(adapter, [unit])
    assert mall.audit(op) == {}

    mall.front.fault, start = on(path, error, times=1), len(mall.front.seen)
    outcome = mall.execute(adapter, op, [item])[unit]
    assert outcome.state == DONE and mall.audit(op) == {unit: 1}
    writes = [n for n, s in enumerate(mall.front.seen[start:]) if path in s.target]
    assert len(writes) == 2 and writes[1] - writes[0] > 1  # the mall was read back between the two sends


# --- transport faults --------------------------------------------------------------------
@pytest.mark.parametrize("retry_after", [True, False], ids=["retry-after", "no-retry-after"])
def test_a_429_is_retried_and_the_call_succeeds(mall: Mall, retry_after: bool) -> None:
    units = mall.units(2)
    limited = mall.server.simulator.rate_limited(None)
    headers = {"Retry-After": "1"} if retry_after else {}
    path = mall.harness.list_path
    mall.front.fault = on(path, mall.reply(limited, drop=("Retry-After",), **headers), times=2)
    assert {l.ship_unit for l in mall.adapter().orders(*recent())} >= set(units)
    assert len(mall.sent(path)) > 2
    adapter = mall.adapter()
    mall.front.fault = on(mall.write_path(adapter), mall.reply(limited, drop=("Retry-After",), **headers), times=1)
    assert all(r.ok for r in mall.write(adapter, units))  # a 429 came before anything was applied
    assert mall.audit(mall.write_op(adapter)) == dict.fromkeys(units, 1)
    mall.front.fault = on(path, mall.reply(limited, drop=("Retry-After",), **headers))  # never lets up
    with pytest.raises(RateLimited):
        list(mall.adapter().orders(*recent()))


def test_a_5xx_on_any_read_is_retried_and_a_lasting_one_fails(mall: Mall) -> None:
    mall.control("generate", {"orders": 4, "claims": 2, "inquiries": 3})
    adapter = mall.adapter()

    def everything() -> tuple[set[str], set[str], set[str], set[str]]:
        return ({l.line_id for l in adapter.orders(*recent())}, {c.claim_id for c in adapter.claims(*recent())},
                {i.inquiry_id for i in adapter.inquiries(*recent())}, {t.ticket_id for t in adapter.tickets(*recent())})

    clean = everything()
    # inquiries, or a mall's support tickets (Wish), unless the mall has no Q&A API at all (티몬)
    assert clean[0] and (clean[2] or clean[3] or Capability.INQUIRIES_COLLECT not in adapter.spec.capabilities)
    error, failed = mall.reply(mall.server.simulator.server_error(None)), set()

    def once_per_path(seen: Seen) -> Action | None:  # every read path answers 500 the first time
        if seen.path in failed:
            return None
        failed.add(seen.path)
        return error

    mall.front.fault = once_per_path
    assert everything() == clean
    assert len(failed) >= sum(1 for found in clean if found)  # every list read failed once and was read again
    mall.front.fault = on(mall.harness.list_path, error)
    with pytest.raises(TransientError):
        list(adapter.orders(*recent()))


def test_a_200_that_is_not_the_envelope_fails_a_read_and_leaves_a_write_unknown(mall: Mall) -> None:
    unit = mall.units(1)[0]
    adapter = mall.adapter()
    mall.front.fault = on(mall.harness.list_path, html_page())
    with pytest.raises(MalformedResponse):
        list(adapter.orders(*recent()))
    mall.front.fault = on(mall.write_path(adapter), html_page())
    with pytest.raises(OutcomeUnknown):
        mall.write(adapter, [unit])
    assert mall.audit(mall.write_op(adapter)) == {}


def test_a_trickling_server_is_cut_off_at_the_deadline(mall: Mall) -> None:
    unit = mall.units(1)[0]
    adapter = mall.adapter(deadline_seconds=0.3)
    mall.front.fault = on(mall.harness.list_path, trickle(0.1, 30))  # 3 s if waited out
    with pytest.raises(TransientError, match="초 안에"):
        list(adapter.orders(*recent()))
    mall.front.fault = on(mall.write_path(adapter), trickle(0.1, 30))
    with pytest.raises(OutcomeUnknown, match="초 안에"):
        mall.write(adapter, [unit])


def test_an_echoed_secret_never_reaches_the_text(mall: Mall) -> None:
    unit = mall.units(1)[0]
    adapter = mall.adapter()
    path = mall.write_path(adapter)

    def echo(seen: Seen) -> Action | None:
        if path not in seen.target:
            return None
        text = (f"잘못된 요청입니다. 요청: {seen.target} 헤더: {seen.headers} "
                f"본문: {seen.body[:300].decode('utf-8', 'replace')}")
        return answer(400, mall.harness.error_body(text), mall.harness.error_type)

    mall.front.fault = echo
    text = refused_text(lambda: mall.write(adapter, [unit]))
    assert "잘못된 요청" in text  # the mall's words are kept
    sent = [v for s in mall.sent(path) for v in mall.harness.sent_credentials(s)]
    secrets = [mall.harness.credentials[k] for k in mall.harness.secret_keys]
    assert sent and secrets
    for value in [*secrets, *sent, *(v.split()[-1] for v in sent)]:
        assert value not in text, value[:12]
