"""Wish orders (reference §3.4): APPROVED → SHIPPED with Wish's carrier names, tracking changed, 1002 read
back as done, UTC times shown in KST, paging.next followed and guarded, the refund as 판매취소, and the
invoice sheet's 택배사 taking Wish carrier names. Real simulator over loopback sockets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mallbatch.config import Account
from mallbatch.connectors.registry import connector_class
from mallbatch.domain.couriers import find_courier
from mallbatch.domain.records import Invoice, OrderCancel, OrderStatus
from mallbatch.errors import MalformedResponse
from mallbatch.pipeline.ops import OPS, execute
from mallbatch.sandbox.server import SandboxServer
from mallbatch.store import Store
from mallbatch.store.journal import DONE, Command
from tests.contract.harness import KST, Wish
from tests.misbehaving import Misbehaving


@pytest.fixture
def wish(start_sim: Any) -> tuple[SandboxServer, Account]:
    return start_sim("wish", faults={"rate_limit": 1000})


def recent() -> tuple[datetime, datetime]:
    now = datetime.now(KST)
    return now - timedelta(hours=1), now + timedelta(minutes=1)


def orders(server: SandboxServer, count: int) -> list[str]:
    before = Wish().ship_units(server)
    httpx.post(f"{server.url}/_sandbox/generate", json={"orders": count})
    return sorted(Wish().ship_units(server) - before)


def invoice(adapter: Any, unit: str, courier: str = "EPOST", number: str = "EG123456789KR") -> Invoice:
    [line] = adapter.lookup_orders([unit])
    return Invoice(unit, (line.line_id,), line.order_id, courier, number)


def test_an_approved_order_ships_with_a_wish_carrier_and_its_tracking_changes(wish: Any) -> None:
    server, account = wish
    adapter = connector_class("wish")(account)
    [unit] = orders(server, 1)
    [line] = list(adapter.orders(*recent()))
    assert line.status is OrderStatus.PAID and line.status_raw == "APPROVED" and not adapter.spec.confirm_before_invoice
    assert line.paid_at is not None and line.paid_at.utcoffset() == timedelta(hours=9)  # UTC in the API, KST here
    stored = server.simulator.store.get("order", unit)["order_time"]
    assert line.paid_at == datetime.fromisoformat(stored).replace(tzinfo=UTC)
    assert adapter.send_invoices([invoice(adapter, unit, "USPS", "9400111899223856921312")])[0].ok
    shipped = server.simulator.store.get("order", unit)
    assert (shipped["state"], shipped["shipping_provider"]) == ("SHIPPED", "USPS")
    assert adapter.update_invoices([invoice(adapter, unit, "EPOST", "EG987654321KR")])[0].ok
    [moved] = adapter.lookup_orders([unit])
    assert (moved.status, moved.courier, moved.tracking_no) == (OrderStatus.SHIPPING, "EPOST", "EG987654321KR")


def test_already_fulfilled_1002_is_read_back_as_done_and_another_number_is_refused(wish: Any) -> None:
    server, account = wish
    adapter = connector_class("wish")(account)
    [unit] = orders(server, 1)
    sent = invoice(adapter, unit)
    assert adapter.send_invoices([sent])[0].ok
    [again] = adapter.send_invoices([sent])
    assert again.ok and again.already and again.code == "1002", again
    [other] = adapter.send_invoices([invoice(adapter, unit, "EPOST", "EG111111111KR")])
    assert not other.ok and "송장 수정" in other.message_ko, other
    assert server.simulator.store.audit_counts("invoice.send") == {unit: 1}


def test_a_carrier_wish_does_not_have_is_refused_before_any_call(wish: Any) -> None:
    server, account = wish
    adapter = connector_class("wish")(account)
    [unit] = orders(server, 1)
    daesin = invoice(adapter, unit, "DAESIN", "1234567890123")
    before = server.requests
    [result] = adapter.send_invoices([daesin])
    assert not result.ok and "Wish 에서 쓸 수 없는 택배사" in result.message_ko and "우체국택배" in result.message_ko
    assert server.requests == before


def test_the_refund_is_the_sale_cancel_of_an_unshipped_order_only(wish: Any, tmp_path: Path) -> None:
    server, account = wish
    adapter = connector_class("wish")(account)
    paid, shipped = orders(server, 2)
    server.simulator.deliver(shipped)
    lines = {l.ship_unit: l for l in adapter.lookup_orders([paid, shipped])}
    cancels = [OrderCancel(lines[u].line_id, lines[u].order_id, u, "품절", line=lines[u]) for u in (paid, shipped)]
    with Store(tmp_path / "mallbatch.db") as store:
        commands = [(Command.new("wish", account.name, "order.cancel", c.target, c.payload()), c) for c in cancels]
        outcomes = execute(store.journal, adapter, OPS["order.cancel"], commands)
    by_target = {c.target: outcomes[c.idem_key] for c, _ in commands}
    assert by_target[paid].state == DONE and server.simulator.store.get("order", paid)["refund_reason"] == "1"
    assert by_target[shipped].state != DONE and "티켓에서 환불" in by_target[shipped].message
    assert [l.status for l in adapter.lookup_orders([paid])] == [OrderStatus.CANCELED]


def test_what_changed_in_the_windows_last_second_is_collected(wish: Any) -> None:
    """v2 times are whole seconds and upto may exclude its end: a read until 12:00:00.5 must still ask for
    the order changed at 12:00:00 (and v3 tickets likewise at their millisecond), not leave it to a later run."""
    server, account = wish
    adapter = connector_class("wish")(account)
    [unit] = orders(server, 1)
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    Wish().backdate(server, unit, moment)
    assert [l.ship_unit for l in adapter.orders(moment - timedelta(hours=1), moment + timedelta(milliseconds=500))] == [unit]
    ticket = Wish().open_ticket(server, "PRE_PURCHASE")
    stamp = datetime.fromisoformat(server.simulator.store.get("ticket", ticket)["updated_at"])
    found = adapter.tickets(stamp - timedelta(hours=1), stamp + timedelta(microseconds=400))
    assert [t.ticket_id for t in found] == [ticket]


def test_orders_under_review_are_held(wish: Any) -> None:
    server, account = wish
    [unit] = orders(server, 1)
    Wish()._edit(server, unit, state="REQUIRE_REVIEW")
    [line] = connector_class("wish")(account).lookup_orders([unit])
    assert line.status is OrderStatus.PAID and "REQUIRE_REVIEW" in line.hold


def test_a_paging_next_handed_out_twice_stops_the_read(wish: Any) -> None:
    server, account = wish
    orders(server, 3)
    front = Misbehaving(server.url).start()
    try:
        def same_next(seen: Any, body: dict[str, Any]) -> dict[str, Any]:  # every page points at page two
            if "multi-get" in seen.target:
                body["paging"] = {"next": f"{server.url}/api/v2/order/multi-get?start=1&limit=1"}
                body["data"] = body["data"][:1] if "start=1" not in seen.target else body["data"][1:2]
            return body

        front.rewrite = same_next
        from dataclasses import replace

        adapter = connector_class("wish")(replace(account, base_url=front.url))
        with pytest.raises(MalformedResponse, match="두 번"):
            list(adapter.orders(*recent()))
    finally:
        front.stop()


def test_the_invoice_sheet_takes_wish_carrier_names() -> None:
    for name, code in (("KoreaPost", "EPOST"), ("CJLogistics", "CJ"), ("HanjinExpress", "HANJIN"), ("USPS", "USPS"),
                       ("FedEx", "FEDEX"), ("DHL", "DHL"), ("UPS", "UPS")):
        courier = find_courier(name)
        assert courier is not None and courier.code == code, name
    assert find_courier("UPS").check("1Z999AA10123456784") is None
    from mallbatch.connectors.wish.mapping import COURIERS

    assert set(COURIERS) <= {c.code for c in (find_courier(n) for n in COURIERS.values()) if c}
