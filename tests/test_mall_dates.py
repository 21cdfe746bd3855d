"""The mall's own dates on collected orders: 발송기한 (OrderLine.ship_by) and 배송완료 (OrderLine.delivered_at).

Each mapping reads the mall's own fields in the mall's own formats; end to end, the 주문 workbook shows
the mall's 발송기한 (근거 쇼핑몰) and a return on a delivered order counts its 반품기한 from the delivery.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from mallbatch.connectors.coupang import mapping as coupang
from mallbatch.connectors.elevenst import mapping as elevenst
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.connectors.smartstore import mapping as smartstore
from mallbatch.connectors.wemakeprice import mapping as wemakeprice
from mallbatch.domain.clock import KST
from mallbatch.kinds.collected import CLAIMS, ORDERS
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from tests.contract.harness import HARNESSES

FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)


# --- mappings, in each mall's own formats -------------------------------------------------------------
def test_smartstore_reads_shipping_due_date_and_delivered_date() -> None:
    item = {"order": {"orderId": "2026112012345601", "paymentDate": "2026-11-20T10:00:00.000+09:00"},
            "productOrder": {"productOrderId": "2026112151234561", "productOrderStatus": "DELIVERED",
                             "shippingDueDate": "2026-11-23T23:59:59.000+09:00", "quantity": 1},
            "delivery": {"deliveryCompany": "CJGLS", "trackingNumber": "123", "deliveryStatus": "DELIVERY_COMPLETION",
                         "deliveredDate": "2026-11-25T14:03:11.000+09:00"}}
    line = smartstore.order_line(item, "기본")
    assert line is not None
    assert line.ship_by == datetime(2026, 11, 23, 23, 59, 59, tzinfo=KST)
    assert line.delivered_at == datetime(2026, 11, 25, 14, 3, 11, tzinfo=KST)
    not_yet = smartstore.order_line({**item, "productOrder": {**item["productOrder"], "productOrderStatus": "PAYED"},
                                     "delivery": None}, "기본")
    assert not_yet is not None and not_yet.delivered_at is None


def _coupang_box(**fields: Any) -> dict[str, Any]:
    item = {"vendorItemId": 4001, "shippingCount": 1, "cancelCount": 0, "estimatedShippingDate": "2026-11-23",
            "plannedShippingDate": ""}
    return {"shipmentBoxId": 640000000000000001, "orderId": 5001, "status": "FINAL_DELIVERY",
            "orderedAt": "2026-11-20T10:00:00", "paidAt": "2026-11-20T10:00:01",
            "deliveredDate": "2026-11-25 14:03:11", "orderItems": [{**item, **fields}]}


def test_coupang_reads_the_items_shipping_date_and_the_boxs_delivered_date() -> None:
    line, = coupang.order_lines(_coupang_box(), "coupang", "기본")
    assert line.ship_by is not None and line.ship_by.date() == date(2026, 11, 23)
    assert line.delivered_at == datetime(2026, 11, 25, 14, 3, 11, tzinfo=KST)
    # a split box's own date (분리배송 출고예정일) comes first; v5 times carry micros and an offset
    split = {**_coupang_box(plannedShippingDate="2026-11-24"), "deliveredDate": "2026-11-25T14:03:11.973885+09:00"}
    line, = coupang.order_lines(split, "coupang", "기본")
    assert line.ship_by is not None and line.ship_by.date() == date(2026, 11, 24)
    assert line.delivered_at == datetime(2026, 11, 25, 14, 3, 11, 973885, tzinfo=KST)
    line, = coupang.order_lines({**_coupang_box(estimatedShippingDate=""), "deliveredDate": ""}, "coupang", "기본")
    assert (line.ship_by, line.delivered_at) == (None, None)


def test_elevenst_reads_dlv_snd_due() -> None:
    item = {"ordNo": "202611200000001", "ordPrdSeq": "1", "dlvNo": "5001", "ordPrdStat": "202",
            "ordStlEndDt": "2026-11-20 10:00:00", "dlvSndDue": "2026-11-23 23:59:59"}
    line = elevenst.to_line(item, "complete", "기본")
    assert line.ship_by == datetime(2026, 11, 23, 23, 59, 59, tzinfo=KST)
    assert elevenst.to_line({**item, "dlvSndDue": ""}, "complete", "기본").ship_by is None


def test_wemakeprice_reads_origin_ship_date_and_ship_complete_date() -> None:
    bundle = {"bundleNo": 2667100001, "orderDate": "2026-11-20 10:00:00", "payDate": "2026-11-20 10:00:00",
              "originShipDate": "2026-11-23 23:59:59", "shipCompleteDate": "2026-11-25 14:03:11",
              "delivery": {"shipStatus": "COMPLETE"},
              "orderProduct": [{"orderNo": 3100000001, "productPrice": 1000,
                                "orderOption": [{"orderOptionNo": 5200000001, "optionQty": 1}]}]}
    line, = wemakeprice.bundle_lines(bundle, "wemakeprice", "기본")
    assert line.ship_by == datetime(2026, 11, 23, 23, 59, 59, tzinfo=KST)
    assert line.delivered_at == datetime(2026, 11, 25, 14, 3, 11, tzinfo=KST)
    line, = wemakeprice.bundle_lines({**bundle, "originShipDate": None, "shipCompleteDate": None}, "wemakeprice", "기본")
    assert (line.ship_by, line.delivered_at) == (None, None)


# --- end to end over a simulator ------------------------------------------------------------------------
# The simulator's own record of a ship unit (sandbox internals, read and backdated by the test only).
def _due(mall: str, server: Any, unit: str) -> date:
    store = server.simulator.store
    if mall == "coupang":
        return date.fromisoformat(store.get("box", unit)["orderItems"][0]["estimatedShippingDate"])
    if mall == "smartstore":
        return datetime.fromisoformat(store.get("product_order", unit)["detail"]["productOrder"]["shippingDueDate"]).date()
    return datetime.fromisoformat(store.get("bundle", unit)["originShipDate"]).date()


def _delivered_days_ago(mall: str, server: Any, unit: str, days: int) -> datetime:
    """Move the simulator's delivery time of ``unit`` ``days`` back; the new time."""
    store = server.simulator.store
    when = (datetime.now(KST) - timedelta(days=days)).replace(microsecond=0)
    if mall == "coupang":
        box = store.get("box", unit)
        store.put("box", unit, {**box, "deliveredDate": when.strftime("%Y-%m-%dT%H:%M:%S")})
    elif mall == "smartstore":
        item = store.get("product_order", unit)
        item["detail"]["delivery"]["deliveredDate"] = when.isoformat(timespec="milliseconds")
        store.put("product_order", unit, item)
    else:
        store.put("bundle", unit, {**store.get("bundle", unit), "shipCompleteDate": when.strftime("%Y-%m-%d %H:%M:%S")})
    return when


def _rows(path: Path, title: str) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path)[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.mark.parametrize("mall", ["coupang", "smartstore", "wemakeprice"])
def test_the_malls_ship_by_and_a_delivered_returns_window_reach_the_workbooks(sim_workspace, mall: str) -> None:
    harness = next(h for h in HARNESSES if h.mall == mall)
    ws, servers = sim_workspace((mall,), faults={mall: {"rate_limit": 1000}}, rate_limit=1000)
    server = servers[mall]
    server.simulator.generate(2, 0, 0)
    unit = sorted(harness.ship_units(server))[0]
    unit_col, due_col, rule_col = (ORDERS.column(n).header for n in ("ship_unit", "ship_by", "ship_by_rule"))
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        orders = _rows(collect(ws, store, session, kinds=("orders",)).workbooks["orders"], ORDERS.title)
        mine = [r for r in orders if str(r[unit_col]) == unit]
        assert mine and {(r[due_col].date(), r[rule_col]) for r in mine} == {(_due(mall, server, unit), "쇼핑몰")}

        harness.deliver(server, unit)
        delivered = _delivered_days_ago(mall, server, unit, 3)
        harness.open_claim(server, unit, "return")
        # a change in the very millisecond a run starts is the next run's (its window ends there): start after it
        after = datetime.now(KST) + timedelta(milliseconds=2)
        claims = _rows(collect(ws, store, session, kinds=("orders", "claims"), now=after).workbooks["claims"], CLAIMS.title)
    found = [r for r in claims if str(r[CLAIMS.column("ship_unit").header]) == unit]
    assert len(found) == 1, (unit, claims)
    ret = found[0]
    assert ret[CLAIMS.column("kind").header] == "반품"
    assert (ret[CLAIMS.column("return_due").header].date(), ret[CLAIMS.column("return_basis").header]) == \
        ((delivered + timedelta(days=7)).date(), "배송완료일")
