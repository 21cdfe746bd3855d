"""ESM Trading API protocol over the real simulator: the per-call JWT and the no-permission 401, both
envelopes, the 5-second order-list limit shared by the G마켓 and 옥션 accounts of one master id, the
order / claim / CS windows and the cancel list's SiteType 3 trap."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from mallbatch.domain.capability import Capability
from mallbatch.errors import AuthError
from mallbatch.sandbox.server import SandboxServer
from tests.contract.harness import KST, RetryPolicy, esm_token, open_adapter
from tests.misbehaving import Misbehaving

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
LIST = "/shipping/v1/Order/RequestOrders"


def part(text: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def raw(server: SandboxServer, path: str, body: dict[str, Any], token: str | None = None, creds: dict[str, str] | None = None) -> httpx.Response:
    from mallbatch.sandbox.registry import sandbox_credentials

    token = token or esm_token(creds or sandbox_credentials("gmarket"))
    return httpx.post(f"{server.url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def window(days: float, end: datetime | None = None) -> dict[str, str]:
    end = end or datetime.now(KST)
    return {"requestDateFrom": (end - timedelta(days=days)).strftime("%Y-%m-%d %H:%M"), "requestDateTo": end.strftime("%Y-%m-%d %H:%M")}


def test_every_call_carries_a_fresh_hs256_jwt_the_simulator_checks(start_sim: Any) -> None:
    server, account = start_sim("gmarket", faults={"rate_limit": 1000}, rate_limit=1000)
    front = Misbehaving(server.url).start()
    try:
        adapter = open_adapter(replace(account, base_url=front.url), retry=FAST)
        adapter.check_auth()
        header = next(v for k, v in front.seen[-1].headers.items() if k.lower() == "authorization")
        head, body, _ = header.removeprefix("Bearer ").split(".")
        assert part(head) == {"typ": "JWT", "alg": "HS256", "kid": account.secret("master_id")}
        claims = part(body)
        assert claims["sub"] == "sell" and claims["aud"] == "sa.esmplus.com" and isinstance(claims["iat"], int)
        assert claims["ssi"] == f"A:{account.secret('auction_seller_id')},G:{account.secret('gmarket_seller_id')}"
        adapter.close()
    finally:
        front.stop()


def test_a_wrong_key_gets_the_no_permission_401_and_a_korean_auth_error(start_sim: Any) -> None:
    server, account = start_sim("gmarket", faults={"rate_limit": 1000}, rate_limit=1000)
    from mallbatch.sandbox.registry import sandbox_credentials

    creds = sandbox_credentials("gmarket")
    for token in (esm_token(creds, secret="0" * 32), esm_token({**creds, "master_id": "someone_else"})):
        answer = raw(server, LIST, {"siteType": 2, "orderStatus": 0, "orderNo": "1"}, token=token)
        assert answer.status_code == 401
        assert answer.json() == {"status": {"message": "The user does not have right access to the api", "status_code": 401}}
    only_auction = esm_token(creds, sites="A")
    answer = raw(server, LIST, {"siteType": 2, "orderStatus": 0, "orderNo": "1"}, token=only_auction)
    assert answer.status_code == 401  # the token lacks the G마켓 seller id the call asks for
    bad = open_adapter(replace(account, options={**account.options, "master_id": "someone_else"}), retry=FAST)
    with pytest.raises(AuthError, match="권한") as info:
        bad.check_auth()
    assert "G마켓" in info.value.message_ko
    bad.close()


def test_shipping_answers_are_pascal_case_and_item_answers_camel_case(start_sim: Any) -> None:
    server, account = start_sim("gmarket", faults={"rate_limit": 1000}, rate_limit=1000)
    refused = raw(server, "/shipping/v1/Order/OrderCheck/3999999999", {})
    assert refused.status_code == 200 and refused.json()["ResultCode"] != 0 and refused.json()["Data"] is None
    from mallbatch.sandbox.registry import sandbox_credentials

    token = esm_token(sandbox_credentials("gmarket"))
    couriers = httpx.get(f"{server.url}/item/v1/shipping/delivery-company", headers={"Authorization": f"Bearer {token}"}).json()
    assert couriers["resultCode"] == 0 and {"deliveryCompCode": 10013, "deliveryCompName": "CJ대한통운"} in couriers["deliveryCompanies"]
    adapter = open_adapter(account, retry=FAST)
    [result] = adapter.confirm(["3999999999"])
    assert not result.ok and result.message_ko.startswith("G마켓:") and "주문번호" in result.message_ko
    adapter.close()


def test_the_order_list_limit_is_shared_by_both_sites_accounts_of_one_master_id(start_sim: Any) -> None:
    """The simulator allows one list call per seller id of the token every 5 s (at its documented rate; a test
    mall's rate_limit 1000 makes it 0.05 s); the accounts' tokens name both ids, so G마켓 and 옥션 calls count
    alike and must take turns (the connectors' limiter spaces them 0.25 s at rate_limit 200: room for a loaded
    machine to delay one call's arrival by 0.2 s, while two sites with a limiter each would call back to back)."""
    server, gmarket = start_sim("gmarket", faults={"rate_limit": 10}, rate_limit=200)
    auction = replace(gmarket, mall="auction")
    first = raw(server, LIST, {"siteType": 2, "orderStatus": 1, "requestDateType": 2, **window(1)})
    second = raw(server, LIST, {"siteType": 1, "orderStatus": 1, "requestDateType": 2, **window(1)})
    assert first.json()["ResultCode"] == 0
    assert second.json()["ResultCode"] == 3000 and "5초" in second.json()["Message"]  # the other site, same ids: refused
    httpx.post(f"{server.url}/_sandbox/faults", json={"rate_limit": 1000})
    time.sleep(0.1)  # the first raw call's interval, 0.05 s at the new rate: the connectors' limiter never saw it

    a, b = open_adapter(gmarket, retry=RetryPolicy(attempts=1)), open_adapter(auction, retry=RetryPolicy(attempts=1))
    assert a.http.endpoints[("POST", LIST)].limiter is b.http.endpoints[("POST", LIST)].limiter  # one per master id
    now = datetime.now(KST)
    for adapter in (a, b, a, b):  # 5 status lists each, alternating sites; one refusal would raise (one attempt)
        list(adapter.orders(now - timedelta(hours=1), now + timedelta(minutes=1)))
    for adapter in (a, b):
        assert adapter.lookup_orders(["3999999999"]) == []  # order-number look-ups are not limited
        adapter.close()


def test_windows_are_split_per_site_and_claims_stay_under_seven_days(start_sim: Any) -> None:
    # the raw list calls below come back to back: at 100000/s the simulator's 5 s list limit is 0.5 ms, not in their way
    server, gmarket = start_sim("gmarket", faults={"rate_limit": 100000}, rate_limit=1000)
    assert raw(server, LIST, {"siteType": 2, "orderStatus": 1, "requestDateType": 2, **window(31)}).json()["ResultCode"] == 0
    assert raw(server, LIST, {"siteType": 2, "orderStatus": 1, "requestDateType": 2, **window(32)}).json()["ResultCode"] == 1000
    assert raw(server, LIST, {"siteType": 1, "orderStatus": 1, "requestDateType": 2, **window(180)}).json()["ResultCode"] == 0
    today = datetime.now(KST).date()
    for days, code in ((7, 2000), (6, 0)):
        body = {"SiteType": 3, "Type": 2, "StartDate": str(today - timedelta(days=days)), "EndDate": str(today)}
        assert raw(server, "/claim/v1/sa/Cancels", body).json()["ResultCode"] == code, days
    httpx.post(f"{server.url}/_sandbox/faults", json={"rate_limit": 1000})  # the connectors' own pace from here

    for mall, longest in (("gmarket", 31), ("auction", 180)):
        front = Misbehaving(server.url).start()
        adapter = open_adapter(replace(gmarket, mall=mall, base_url=front.url), retry=FAST)
        now = datetime.now(KST)
        list(adapter.orders(now - timedelta(days=200), now))
        list(adapter.claims(now - timedelta(days=20), now))
        adapter.close()
        front.stop()
        for seen in front.seen:
            body = json.loads(seen.body or b"{}")
            if seen.path == LIST:
                span = datetime.fromisoformat(body["requestDateTo"]) - datetime.fromisoformat(body["requestDateFrom"])
                assert span <= timedelta(days=longest), (mall, body)
            elif seen.path.startswith("/claim/v1/sa/"):
                span = datetime.fromisoformat(body["EndDate"]) - datetime.fromisoformat(body["StartDate"])
                assert span < timedelta(days=7), body


def test_gmarket_cancels_are_asked_with_site_type_3_never_the_silent_2(start_sim: Any) -> None:
    server, account = start_sim("gmarket", faults={"rate_limit": 1000}, rate_limit=1000)
    httpx.post(f"{server.url}/_sandbox/generate", json={"orders": 1})
    unit = str(server.simulator.store.all("order")[0]["OrderNo"])
    assert httpx.post(f"{server.url}/_sandbox/claim", json={"unit": unit, "kind": "cancel"}).status_code == 200
    today = datetime.now(KST).date()
    ask = {"Type": 2, "StartDate": str(today - timedelta(days=1)), "EndDate": str(today + timedelta(days=1))}
    silent = raw(server, "/claim/v1/sa/Cancels", {"SiteType": 2, **ask}).json()
    assert silent["ResultCode"] == 0 and silent["Data"] == []  # the trap: no error, no rows
    assert [c["OrderNo"] for c in raw(server, "/claim/v1/sa/Cancels", {"SiteType": 3, **ask}).json()["Data"]] == [int(unit)]

    front = Misbehaving(server.url).start()
    adapter = open_adapter(replace(account, base_url=front.url), retry=FAST)
    now = datetime.now(KST)
    claims = list(adapter.claims(now - timedelta(days=1), now + timedelta(minutes=1)))
    assert [(c.claim_id, c.ship_unit) for c in claims] == [(f"{unit}-C", unit)]
    sent = [json.loads(s.body)["SiteType"] for s in front.seen if s.path == "/claim/v1/sa/Cancels"]
    assert sent and set(sent) == {3}
    adapter.close()
    front.stop()


def test_both_sites_declare_what_their_api_allows() -> None:
    from mallbatch.connectors.registry import connector_class

    wanted = {Capability.ORDERS_COLLECT, Capability.CLAIMS_COLLECT, Capability.INQUIRIES_COLLECT, Capability.PRODUCTS_LIST,
              Capability.ORDERS_CONFIRM, Capability.INVOICES_SEND, Capability.INQUIRIES_ANSWER, Capability.ORDERS_CANCEL,
              Capability.ORDERS_RELEASE, Capability.CANCEL_APPROVE, Capability.RETURN_APPROVE, Capability.RETURN_HOLD,
              Capability.COLLECTED, Capability.EXCHANGE_RESHIP, Capability.EXCHANGE_HOLD, Capability.STOCK_UPDATE,
              Capability.PRICE_UPDATE, Capability.SALE_STATUS, Capability.PRODUCTS_CREATE, Capability.PRODUCTS_UPDATE}
    for mall in ("gmarket", "auction"):
        cls = connector_class(mall)
        assert cls is not None and cls.spec.capabilities == wanted, mall


def test_the_order_list_limit_is_the_one_the_spec_declares(start_sim: Any) -> None:
    """Both sites' specs declare the order lists' 1 call / 5 s (kept to 5.5 s), shared by the accounts of one
    master id and for list calls only (order-number look-ups are exempt); the connector's limiter is that one."""
    from mallbatch.connectors.esm.spec import ORDER_LISTS, AuctionConnector, GmarketConnector

    declared = [next(e for e in cls.spec.rate.endpoints if LIST in e.paths) for cls in (GmarketConnector, AuctionConnector)]
    assert declared[0] == declared[1]
    lists = declared[0]
    assert (lists.method, lists.paths, lists.per_second, lists.client, lists.shared_by) == ("POST", ORDER_LISTS, 1 / 5, 1 / 5.5, "master_id")
    assert lists.applies({"orderStatus": 1}) and not lists.applies({"orderStatus": 0, "orderNo": "1"})
    _, gmarket = start_sim("gmarket", faults={"rate_limit": 1000})
    connector = open_adapter(replace(gmarket, options={k: v for k, v in gmarket.options.items() if k != "rate_limit"}))
    try:
        limiter = connector.http.endpoints[("POST", LIST)].limiter
        assert limiter.rate == lists.client and limiter is connector.http.endpoints[("POST", ORDER_LISTS[1])].limiter
    finally:
        connector.close()
