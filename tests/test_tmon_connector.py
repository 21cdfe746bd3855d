"""티몬 over real sockets: the token and vendorId, partner headers, invalid_token renewal, personal data decrypted
(and never kept encrypted), empty write answers, the claim windows, 자체배송 (10099) and the order writes."""

from __future__ import annotations

import base64
import json
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.connectors.tmon.spec import ENVELOPE, TmonConnector
from mallbatch.domain.records import Invoice
from mallbatch.errors import AuthError, MalformedResponse, OutcomeUnknown
from mallbatch.sandbox.server import SandboxServer
from mallbatch.sandbox.tmon import PARTNER, SANDBOX_CREDENTIALS, VENDOR_ID
from mallbatch.store import Store
from tests.contract.harness import KST, Tmon, with_options
from tests.misbehaving import Misbehaving, answer

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
HARNESS = Tmon()


@pytest.fixture
def tmon(start_sim: Any) -> Any:
    server, account = start_sim("tmon", faults={"rate_limit": 1000}, rate_limit=1000)
    front = Misbehaving(server.url).start()
    opened: list[TmonConnector] = []

    def adapter(**options: Any) -> TmonConnector:
        made = TmonConnector(with_options(replace(account, base_url=front.url), **options), retry=FAST)
        opened.append(made)
        return made

    yield server, front, adapter
    for made in opened:
        made.close()
    front.stop()


def recent() -> tuple[datetime, datetime]:
    now = datetime.now(KST)
    return now - timedelta(hours=1), now + timedelta(minutes=1)


def units(server: SandboxServer, count: int) -> list[str]:
    before = HARNESS.ship_units(server)
    httpx.post(f"{server.url}/_sandbox/generate", json={"orders": count})
    return sorted(HARNESS.ship_units(server) - before)


def test_the_token_is_asked_with_basic_auth_and_its_vendor_id_names_every_path(tmon: Any) -> None:
    server, front, adapter = tmon
    unit = units(server, 1)[0]
    assert unit in {l.ship_unit for l in adapter().orders(*recent())}
    token_calls = [s for s in front.seen if s.path == "/oauth/token"]
    assert len(token_calls) == 1 and "grant_type=client_credentials" in token_calls[0].target
    pair = f"{SANDBOX_CREDENTIALS['client_id']}:{SANDBOX_CREDENTIALS['client_secret']}"
    assert {k.lower(): v for k, v in token_calls[0].headers.items()}["authorization"] == "Basic " + base64.b64encode(pair.encode()).decode()
    api = [s for s in front.seen if s.path != "/oauth/token"]
    assert api and all(s.path.startswith(f"/api/{VENDOR_ID}/") for s in api)
    assert not any("x-partner-id" in {k.lower() for k in s.headers} for s in api)  # no agency configured: no headers


def test_partner_headers_go_with_every_call_when_configured_and_a_wrong_one_is_an_auth_error(tmon: Any) -> None:
    server, front, adapter = tmon
    units(server, 1)
    assert list(adapter(partner_id=PARTNER[0], partner_token=PARTNER[1]).orders(*recent()))
    api = [{k.lower(): v for k, v in s.headers.items()} for s in front.seen if s.path.startswith("/api/")]
    assert api and all(h.get("x-partner-id") == PARTNER[0] and h.get("x-partner-token") == PARTNER[1] for h in api)
    with pytest.raises(AuthError) as refused:
        list(adapter(partner_id=PARTNER[0], partner_token="not-the-token").orders(*recent()))
    assert "파트너" in refused.value.message_ko or "인증" in refused.value.message_ko


def test_an_expired_token_is_issued_again_once_and_the_write_goes_on(tmon: Any) -> None:
    server, front, adapter = tmon
    unit = units(server, 1)[0]
    connector = adapter()
    connector.check_auth()
    server.simulator.expire_tokens()
    assert connector.confirm([unit])[0].ok
    assert len([s for s in front.seen if s.path == "/oauth/token"]) == 2
    assert server.simulator.store.audit_counts("order.confirm") == {unit: 1}
    with pytest.raises(AuthError, match="토큰 발급 실패"):
        adapter(client_secret="wrong").check_auth()


def test_personal_data_arrives_encrypted_and_is_read_in_plain_text(tmon: Any) -> None:
    server, front, adapter = tmon
    unit = units(server, 1)[0]
    order = server.simulator.store.get("order", unit.split("-")[0])
    wire = httpx.get(f"{server.url}/_sandbox/state")  # the simulator stores plain text; the API answers ciphertext
    raw = HARNESS.raw(server, "GET", f"/orders/{order['tmonOrderNo']}").json()
    assert raw["receiverName"] != order["receiverName"] and wire.status_code == 200
    [line, *_] = [l for l in adapter().orders(*recent()) if l.ship_unit == unit]
    assert (line.receiver_name, line.buyer_phone, line.address_detail) == (
        order["receiverName"], order["userPhone"], order["receiverAddress"]["addressDetail"])
    assert raw["receiverName"] not in str(line.raw)


def test_a_value_that_does_not_decrypt_fails_the_read_and_is_never_stored_nor_written(sim_workspace: Any) -> None:
    """Chosen: the read fails (the watermark stays, the seller is told to check aes_key) rather than keeping a line
    marked 복호화 실패: a line without its receiver cannot ship, and a wrong key would mark every line."""
    from mallbatch.pipeline.collect import collect
    from mallbatch.pipeline.session import Session

    ws, servers = sim_workspace(("tmon",), rate_limit=300)
    server = servers["tmon"]
    httpx.post(f"{server.url}/_sandbox/generate", json={"orders": 3})
    order_no = sorted(server.simulator.store.keys("order"))[0]
    garbled = httpx.post(f"{server.url}/_sandbox/garble", json={"tmonOrderNo": order_no, "field": "receiverName"}).json()
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        result = collect(ws, store, session, kinds=("orders",))
        [(key, message)] = result.errors.items()
        assert key[0] == "tmon" and "수령인명" in message and "aes_key" in message and order_no in message
        assert not store.records.watermark("tmon", "기본", "orders")
    ciphertexts = [garbled["value"], *(HARNESS.raw(server, "GET", f"/orders/{n}").json()["userName"]
                                       for n in server.simulator.store.keys("order"))]
    assert_nowhere(ws.home, ciphertexts)


def test_collected_workbooks_and_the_store_hold_plain_names_and_no_ciphertext(sim_workspace: Any) -> None:
    from mallbatch.pipeline.collect import collect
    from mallbatch.pipeline.session import Session

    ws, servers = sim_workspace(("tmon",), rate_limit=300)
    server = servers["tmon"]
    httpx.post(f"{server.url}/_sandbox/generate", json={"orders": 3})
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        result = collect(ws, store, session, kinds=("orders",))
        assert not result.errors and result.workbooks["orders"]
        book = result.workbooks["orders"]
    names = {o["receiverName"] for o in server.simulator.store.all("order")}
    assert all(name in workbook_text(book) for name in names)
    assert_nowhere(ws.home, [HARNESS.raw(server, "GET", f"/orders/{n}").json()["receiverName"]
                             for n in server.simulator.store.keys("order")])


def workbook_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist() if n.endswith(".xml"))


def assert_nowhere(home: Path, values: list[str]) -> None:
    """None of ``values`` in any file of the workspace but the simulators' own (store, workbooks, logs, WAL)."""
    for path in home.rglob("*"):
        if not path.is_file() or path.name.startswith("sandbox"):
            continue
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            data = workbook_text(path).encode()
        for value in values:
            assert value.encode() not in data, (path, value[:12])


def test_a_write_may_answer_an_empty_body_but_a_read_may_not(tmon: Any) -> None:
    server, front, adapter = tmon
    unit = units(server, 1)[0]
    connector = adapter()
    assert connector.confirm([unit])[0].ok  # the simulator answers 200 with no body
    front.fault = lambda seen: answer(200, b"", "application/json") if "/orders?" in seen.target else None
    with pytest.raises(MalformedResponse, match="빈 응답"):
        list(connector.orders(*recent()))
    front.fault = lambda seen: answer(200, b'{"tmonOrderNo": 1, "deals": [', "application/json") if "/orders/" in seen.target else None
    with pytest.raises(MalformedResponse):
        connector.lookup_orders([unit])
    front.fault = lambda seen: answer(200, b"<html>maintenance</html>", "text/html") if "/invoices" in seen.target else None
    [invoice] = [Invoice(unit, (), unit.split("-")[0], "CJ", "612345678901")]
    with pytest.raises(OutcomeUnknown):
        connector.send_invoices([invoice])
    assert ENVELOPE.empty_writes and ENVELOPE.arrays


def test_claim_searches_end_half_an_hour_back_and_span_at_most_seven_days(tmon: Any) -> None:
    server, front, adapter = tmon
    now = datetime.now(KST)
    assert list(adapter().claims(now - timedelta(days=10), now)) == []  # nothing there: the mall's "조회 대상이 없습니다"
    searches = [s for s in front.seen if s.path.endswith("/search")]
    assert {s.path.split("/")[3] for s in searches} == {"cancellations", "refunds", "exchanges"}
    for seen in searches:
        query = httpx.URL(seen.target).params
        start, end = (datetime.fromisoformat(query[k]).replace(tzinfo=KST) for k in ("startDate", "endDate"))
        assert end <= now - timedelta(minutes=30) and end - start <= timedelta(days=7)
    fmt = "%Y-%m-%dT%H:%M:%S"
    late = HARNESS.raw(server, "GET", "/cancellations/search", {"startDate": (now - timedelta(days=1)).strftime(fmt),
                                                                "endDate": now.strftime(fmt), "claimStatus": "C1"})
    assert late.status_code == 400 and "30분" in late.json()["message"]
    long = HARNESS.raw(server, "GET", "/refunds/search", {"startDate": (now - timedelta(days=9)).strftime(fmt),
                                                          "endDate": (now - timedelta(hours=1)).strftime(fmt), "claimStatus": "C1"})
    assert long.status_code == 400


def test_a_claim_opened_in_the_last_half_hour_is_collected_by_the_next_run(tmon: Any) -> None:
    """The first run cannot ask for it yet; the next one, from the first run's watermark, reaches back and finds it."""
    server, front, adapter = tmon
    unit = units(server, 1)[0]
    HARNESS.open_claim(server, unit, "cancel")
    claim = HARNESS._claim(server, unit, "cancel")
    first_run = datetime.now(KST) - timedelta(hours=2)  # the claim came 5 minutes before a run two hours ago
    stamp = (first_run - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    server.simulator.store.put("claim", str(claim["claimNo"]), {**claim, "requestedDate": stamp})
    # a run at first_run saw nothing newer than first_run − 30 min; the next run starts from its watermark − 10 min
    assert str(claim["claimNo"]) not in {c.claim_id for c in adapter().claims(first_run - timedelta(hours=1), first_run)}
    found = {c.claim_id for c in adapter().claims(first_run - timedelta(minutes=10), datetime.now(KST))}
    assert str(claim["claimNo"]) in found


def test_self_delivery_is_courier_10099_with_the_scheduled_date_and_no_number(tmon: Any) -> None:
    server, front, adapter = tmon
    unit = units(server, 1)[0]
    connector = adapter()
    assert connector.confirm([unit])[0].ok
    when = date.today() + timedelta(days=2)
    [result] = connector.send_invoices([Invoice(unit, (), unit.split("-")[0], "DIRECT", "", when)])
    assert result.ok, result
    _, deal = HARNESS._order_deal(server, unit)
    assert deal["invoice"]["deliveryCorp"] == 10099 and not deal["invoice"]["invoiceNo"]
    assert deal["deliveryScheduledDate"] == when.isoformat() and deal["deliveryStatus"] == "D3"
    again = connector.send_invoices([Invoice(unit, (), unit.split("-")[0], "DIRECT", "", when)])
    assert again[0].ok and again[0].already  # read back: the deal already left by 자체배송
    [line] = [l for l in connector.lookup_orders([unit])][:1]
    assert line.courier == "DIRECT"


def test_a_parcel_invoice_without_a_number_is_refused_before_any_call(tmon: Any) -> None:
    server, front, adapter = tmon
    unit = units(server, 1)[0]
    [result] = adapter().send_invoices([Invoice(unit, (), unit.split("-")[0], "CJ", "")])
    assert not result.ok and "자체배송" in result.message_ko
    assert not [s for s in front.seen if "/invoices" in s.target]


def test_confirm_and_invoice_bodies_name_the_deal_and_its_options_with_quantities(tmon: Any) -> None:
    server, front, adapter = tmon
    unit = units(server, 1)[0]
    connector = adapter()
    assert connector.confirm([unit])[0].ok
    _, deal = HARNESS._order_deal(server, unit)
    [confirm] = [s for s in front.seen if s.target.endswith("/confirm")]
    body = json.loads(confirm.body)
    assert confirm.method == "PUT" and body["tmonDealNo"] == deal["tmonDealNo"]
    assert body["tmonDealOptions"] == [{"tmonDealOptionNo": o["tmonDealOptionNo"], "qty": o["qty"]} for o in deal["dealOptions"]]
    assert connector.send_invoices([Invoice(unit, (), unit.split("-")[0], "CJ", "612345678901")])[0].ok
    changed = connector.update_invoices([Invoice(unit, (), unit.split("-")[0], "HANJIN", "512345678901")])
    assert changed[0].ok, changed
    assert HARNESS._order_deal(server, unit)[1]["invoice"]["invoiceNo"] == "512345678901"
