"""What is genuinely special to 티몬's orders: every order write names its order in the path and the deal's
option numbers with their quantities in the body (reference §2.2 [C2]), so the deal is read just before the
call (``GET /orders/{tmonOrderNo}``); 자체배송 sends ``deliveryScheduledDate`` instead of a number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.writes import PREPARED
from mallbatch.connectors.tmon.mapping import (
    COURIER_CODES,
    SELF_DELIVERY,
    courier_of,
    deal_status,
    order_lines,
    split_key,
)
from mallbatch.domain.clock import KST
from mallbatch.domain.records import Invoice, OrderLine, OrderStatus
from mallbatch.errors import RejectedError

Doc = dict[str, Any]
CONFIRMED = frozenset({OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED})
SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED})
NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True)
class Deal:
    """A ship unit (or an invoice for one) completed from the mall: its order, deal and options with quantities."""

    unit: str
    order_no: str
    deal: Doc
    invoice: Invoice | None = None


def unit_of(item: Any) -> str:
    if isinstance(item, Deal):
        return item.unit
    if isinstance(item, Invoice):
        return item.ship_unit.strip()
    return str(item).strip()


def order(connector: Connector, order_no: str) -> Doc | None:
    """``GET /orders/{tmonOrderNo}`` (decrypted by the connector); None when the mall has none."""
    try:
        return connector.call("GET", f"/orders/{order_no}", send="params") or None
    except RejectedError:
        return None


def find_deal(connector: Connector, unit: str, *, cached: bool = False) -> tuple[str, Doc] | None:
    """The unit's (order number, deal); ``cached``: an order a prepare of this write already read (read-backs
    always read the mall again)."""
    try:
        order_no, delivery_no = split_key(unit)
    except ValueError:
        return None
    if cached:
        cache = connector.memo.setdefault(PREPARED, {})
        if order_no not in cache:
            cache[order_no] = order(connector, order_no)
        found = cache[order_no]
    else:
        found = order(connector, order_no)
    deal = next((d for d in (found or {}).get("deals") or [] if str(d.get("deliveryNo")) == delivery_no), None)
    return (order_no, deal) if deal else None


def prepare(connector: Connector, item: Any) -> Deal | tuple[str, str]:
    """The unit with its deal read from the mall, or a refusal when the mall has no such order."""
    unit = unit_of(item)
    found = find_deal(connector, unit, cached=True)
    if found is None:
        return NOT_FOUND, (f"티몬에 없는 주문입니다 ({unit}). 묶음배송번호는 '주문번호-배송번호' 입니다; "
                           "주문 엑셀을 다시 수집해 확인하세요")
    return Deal(unit, found[0], found[1], item if isinstance(item, Invoice) else None)


def unit_problem(item: Any) -> str | None:
    try:
        split_key(unit_of(item))
    except ValueError:
        return f"티몬 묶음배송번호는 '주문번호-배송번호' (숫자-숫자) 입니다 ({unit_of(item)})"
    return None


def options_body(deal: Doc) -> list[Doc]:
    """tmonDealOptions: every option of the deal with its quantity (reference §2.2 [C2])."""
    return [{"tmonDealOptionNo": o["tmonDealOptionNo"], "qty": o["qty"]} for o in deal.get("dealOptions") or []]


def confirm_route(deals: list[Deal]) -> tuple[str, str]:
    return "PUT", f"/orders/{deals[0].order_no}/confirm"


def confirm_body(deals: list[Deal]) -> Doc:
    return {"tmonDealNo": deals[0].deal["tmonDealNo"], "tmonDealOptions": options_body(deals[0].deal)}


def tracking(number: str) -> str:
    return re.sub(r"[\s-]", "", number)


def invoice_problem(invoice: Invoice) -> str | None:
    problem = unit_problem(invoice)
    if problem:
        return problem
    if invoice.courier not in COURIER_CODES:
        return f"티몬에서 지원하지 않는 택배사입니다 ({invoice.courier})"
    if COURIER_CODES[invoice.courier] != SELF_DELIVERY and not tracking(invoice.tracking_no):
        return "송장번호를 입력하세요 (자체배송이면 택배사를 '자체배송'으로 고르고 출고일에 배송예정일을 적으세요)"
    if invoice.quantity:
        return "티몬은 수량을 나눠 발송할 수 없습니다: 수량을 비우세요"
    return None


def invoice_route(method: str) -> Any:
    def route(deals: list[Deal]) -> tuple[str, str]:
        return method, f"/orders/{deals[0].order_no}/invoices"
    return route


def invoice_body(deals: list[Deal]) -> Doc:
    """The invoice body (reference §2.2 [C2]); 자체배송 (10099) without invoiceNo, with deliveryScheduledDate
    (the sheet's 출고일, else today)."""
    prepared = deals[0]
    invoice = prepared.invoice
    assert invoice is not None
    corp = COURIER_CODES[invoice.courier]
    scheduled = (invoice.shipped_on or datetime.now(KST).date()).isoformat()
    body: Doc = {"deliveryNo": prepared.deal["deliveryNo"], "tmonDealNo": prepared.deal["tmonDealNo"],
                 "tmonDealOptions": options_body(prepared.deal), "deliveryScheduledDate": scheduled}
    if corp == SELF_DELIVERY:
        body["invoice"] = {"deliveryCorp": int(corp)}
    else:
        body["invoice"] = {"deliveryCorp": int(corp), "invoiceNo": tracking(invoice.tracking_no), "additionalInvoices": []}
    return body


# --- read-backs --------------------------------------------------------------------------------
def deal_lookup(connector: Connector, unit: str) -> Doc | None:
    found = find_deal(connector, unit)
    return found[1] if found else None


def confirmed(deal: Doc, wanted: Doc) -> bool:
    return deal_status(deal)[0] in CONFIRMED


def shipped_as(deal: Doc, wanted: Doc) -> bool:
    """The deal left with this invoice (invented: the deal echoes ``invoice``); 자체배송 has no number to compare."""
    if deal_status(deal)[0] not in SHIPPED:
        return False
    if isinstance(wanted.get("invoice"), dict):  # a prepared Deal (a refusal read back within the write)
        wanted = wanted["invoice"]
    invoice = deal.get("invoice") or {}
    courier = str(wanted.get("courier") or "")
    return courier_of(invoice) == courier and (
        courier == "DIRECT" or str(invoice.get("invoiceNo") or "") == tracking(str(wanted.get("tracking_no") or "")))


def lookup_orders(connector: Connector, ids: Sequence[str]) -> list[OrderLine]:
    """Lines of these ship units or line keys (both start with the order number): the order read once each."""
    found: dict[str, OrderLine] = {}
    orders: dict[str, Doc | None] = {}
    for wanted in dict.fromkeys(str(i).strip() for i in ids):
        try:
            order_no, _ = split_key(wanted)
        except ValueError:
            continue
        if order_no not in orders:
            orders[order_no] = order(connector, order_no)
        data = orders[order_no]
        if data is None:
            continue
        for line in order_lines(data, connector.account.name):
            if wanted in (line.ship_unit, line.line_id):
                found.setdefault(line.line_id, line)
    return list(found.values())
