"""아임웹 REST API v2 JSON <-> canonical records (reference §4.2, seed 003).

One :class:`OrderLine` per 품목주문 (prod order): ``line_id`` is its number (in the prod-order answer its own
``order_no`` field, reference §4.2), ``order_id`` and ``ship_unit`` the order's number. The order is the ship
unit because it is what 아임웹 confirms (``place``), ships (``send`` names the order, its prod orders
optionally), and holds (배송보류 follows the order's address, seed 003); the prod order is the line a cancel
or a split quantity names. Dates are unix seconds. Fields the reference does not show are marked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mallbatch.domain.clock import KST
from mallbatch.domain.records import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Inquiry,
    MallProduct,
    OptionCombo,
    OrderLine,
    OrderStatus,
)
from mallbatch.domain.states import State

Doc = dict[str, Any]

# Canonical courier code → 아임웹 parcel_code (reference §6.4).
COURIER_CODES: dict[str, str] = {
    "CJ": "CJ", "EPOST": "EPOST", "HANJIN": "HANJIN", "LOGEN": "LOGEN", "LOTTE": "LOTTE", "KDEXP": "KD",
    "DAESIN": "DS", "ILYANG": "IY", "CHUNIL": "CI", "HDEXP": "HD", "CVSNET": "CVS", "CUPARCEL": "CUPARCEL",
    "NHLOGIS": "NHLOGIS", "KUNYOUNG": "GUNYOUNG", "EMS": "EMS",
    "DIRECT": "ETC",  # invented: 직접배송 as ETC (기타), which takes any text (seed 003: 기타 택배/임의 송장)
    "QUICK": "QUICK",  # invented code: 퀵서비스 (seed 003: free-text invoice numbers)
    "VISIT": "VISIT",  # invented code: 방문수령
}
COURIER_BY_CODE = {v: k for k, v in COURIER_CODES.items()}
FREE_TEXT = frozenset({"DIRECT", "QUICK", "VISIT"})  # any reference is an invoice number (seed 003)

# status → (canonical, the v2 state name shown in the 주문 workbook's 쇼핑몰 상태, seed 003)
ORDER_STATUS: dict[str, tuple[OrderStatus, str]] = {
    "PAY_WAIT": (OrderStatus.PAID, "입금대기"),
    "PAY_COMPLETE": (OrderStatus.PAID, "상품준비"),
    "STANDBY": (OrderStatus.PREPARING, "배송대기"),  # 발주확인 = place (reference §4.2 배송준비)
    "DELIVERING": (OrderStatus.SHIPPING, "배송중"),
    "COMPLETE": (OrderStatus.DELIVERED, "배송완료"),
    "PURCHASE_CONFIRM": (OrderStatus.DECIDED, "구매확정"),  # invented code: v2 lists no 구매확정 status
    "CANCEL": (OrderStatus.CANCELED, "취소완료"),
    "RETURN": (OrderStatus.RETURNED, "반품완료"),
    "EXCHANGE": (OrderStatus.EXCHANGED, "교환완료"),
}
CLAIM_KINDS = {"CANCEL": ClaimKind.CANCEL, "RETURN": ClaimKind.RETURN, "EXCHANGE": ClaimKind.EXCHANGE}
# claim_status → (status, stage). Reference §4.2 values; invented: the hold / reject / accept / done ones
CLAIM_STATUS: dict[str, tuple[ClaimStatus, str]] = {
    "CANCEL_REQUEST": (ClaimStatus.REQUESTED, ""), "CANCELING": (ClaimStatus.IN_PROGRESS, ""),
    "CANCEL_FAILED": (ClaimStatus.IN_PROGRESS, ""), "CANCEL_DONE": (ClaimStatus.DONE, ""),
    "CANCEL_REJECT": (ClaimStatus.REJECTED, ""), "CANCEL_WITHDRAW": (ClaimStatus.WITHDRAWN, ""),
    "RETURN_REQUEST": (ClaimStatus.REQUESTED, ""), "RETURN_COLLECTING": (ClaimStatus.IN_PROGRESS, State.COLLECTING),
    "RETURN_COLLECT_DONE": (ClaimStatus.IN_PROGRESS, State.COLLECTED),
    "RETURN_REFUNDING": (ClaimStatus.IN_PROGRESS, State.COLLECTED),
    "RETURN_REFUND_FAILED": (ClaimStatus.IN_PROGRESS, State.COLLECTED),
    "RETURN_HOLD": (ClaimStatus.IN_PROGRESS, State.HELD), "RETURN_DONE": (ClaimStatus.DONE, ""),
    "RETURN_REJECT": (ClaimStatus.REJECTED, ""), "RETURN_WITHDRAW": (ClaimStatus.WITHDRAWN, ""),
    "EXCHANGE_REQUEST": (ClaimStatus.REQUESTED, ""),
    "EXCHANGE_COLLECTIN": (ClaimStatus.IN_PROGRESS, State.COLLECTING),  # sic (reference §4.2)
    "EXCHANGE_COLLECT_DONE": (ClaimStatus.IN_PROGRESS, State.COLLECTED),
    "EXCHANGE_ACCEPT": (ClaimStatus.IN_PROGRESS, State.EXCHANGE_APPROVED),
    "REDELIVERING": (ClaimStatus.IN_PROGRESS, State.RESHIPPING),
    "EXCHANGE_HOLD": (ClaimStatus.IN_PROGRESS, State.HELD), "EXCHANGE_DONE": (ClaimStatus.DONE, ""),
    "EXCHANGE_REJECT": (ClaimStatus.REJECTED, ""), "EXCHANGE_WITHDRAW": (ClaimStatus.WITHDRAWN, ""),
}
HOLDS = {"ADDRESS_CHANGED": "배송지 변경"}  # invented code of the 배송보류 (seed 003: 주소지 변경 → 자동 보류)


def parse_time(value: Any) -> datetime | None:
    """Unix seconds (reference §4.2); 0 or empty is "not yet"."""
    try:
        seconds = int(value or 0)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, KST) if seconds > 0 else None


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def courier_of(parcel_code: str) -> str:
    return COURIER_BY_CODE.get(parcel_code, parcel_code)


def order_status(prod_order: Doc) -> tuple[OrderStatus, str]:
    return ORDER_STATUS.get(str(prod_order.get("status") or ""), (OrderStatus.PAID, str(prod_order.get("status") or "")))


def option_text(item: Doc) -> str:
    """``options`` is a list of lists (reference §4.2): every chosen combination as 이름:값/이름:값, joined by ", "."""
    combos = []
    for group in item.get("options") or []:
        for option in group if isinstance(group, list) else [group]:
            pairs = zip(option.get("option_name_list") or [], option.get("value_name_list") or [], strict=False)
            combos.append("/".join(f"{name}:{value}" for name, value in pairs))
    return ", ".join(c for c in combos if c)


def quantity_of(prod_order: Doc) -> int:
    return sum(int((item.get("payment") or {}).get("count") or 0) for item in prod_order.get("items") or [])


def open_claim_text(prod_order: Doc) -> str:
    status = str(prod_order.get("claim_status") or "")
    kind = CLAIM_KINDS.get(str(prod_order.get("claim_type") or ""))
    if kind is None or CLAIM_STATUS.get(status, (ClaimStatus.DONE, ""))[0] not in (ClaimStatus.REQUESTED, ClaimStatus.IN_PROGRESS):
        return ""
    return f"{kind}요청"


def joined(data: Any, changes: dict[str, Doc]) -> list[Doc]:
    """prod-orders answer ``data[order_no][prod_order_no]`` joined with the orders the list gave."""
    found = []
    for order_no, order in changes.items():
        lines = (data or {}).get(order_no) if isinstance(data, dict) else None
        for prod_order in (lines or {}).values() if isinstance(lines, dict) else []:
            found.append({"order": order, "prod_order": prod_order})
    return found


def order_lines(order: Doc, prod_orders: list[Doc], account: str) -> list[OrderLine]:
    return [to_line({"order": order, "prod_order": p}, account, first=n == 0) for n, p in enumerate(prod_orders)]


def to_line(record: Doc, account: str, *, first: bool = True) -> OrderLine:
    order, prod_order = record["order"], record["prod_order"]
    delivery = order.get("delivery") or {}
    address = delivery.get("address") or {}
    orderer = order.get("orderer") or {}
    items = prod_order.get("items") or [{}]
    item = items[0]
    price = int((item.get("payment") or {}).get("price") or 0)
    status, status_raw = order_status(prod_order)
    quantity = quantity_of(prod_order)
    hold = delivery.get("hold_reason") or HOLDS.get(str(delivery.get("hold") or ""), "") if delivery.get("hold") else ""
    return OrderLine(
        mall="imweb", account=account, line_id=str(prod_order["order_no"]), order_id=str(order["order_no"]),
        ship_unit=str(order["order_no"]), status=status, status_raw=status_raw,
        ordered_at=parse_time(order.get("order_time")), paid_at=parse_time(prod_order.get("pay_time") or order.get("order_time")),
        buyer_name=str(orderer.get("name") or ""), buyer_phone=str(orderer.get("call") or ""),
        receiver_name=str(address.get("name") or ""), receiver_phone=str(address.get("phone") or ""),
        receiver_phone2=str(address.get("phone2") or ""), zip=str(address.get("postcode") or ""),
        address=str(address.get("address") or ""), address_detail=str(address.get("address_detail") or ""),
        memo=str(delivery.get("memo") or ""), product_id=str(item.get("prod_no") or ""),
        seller_code=str(item.get("prod_custom_code") or ""),
        product_name=" + ".join(str(i.get("prod_name") or "") for i in items), option_name=option_text(item),
        quantity=quantity, unit_price=price, amount=sum(int((i.get("payment") or {}).get("price") or 0)
                                                        * int((i.get("payment") or {}).get("count") or 0) for i in items),
        shipping_fee=int((order.get("payment") or {}).get("deliv_price") or 0) if first else 0,
        courier=courier_of(str(prod_order.get("parcel_code") or "")), tracking_no=str(prod_order.get("invoice_no") or ""),
        claim=open_claim_text(prod_order), delivered_at=parse_time(prod_order.get("complete_time")),
        hold=str(hold), raw={"order": order, "prod_order": prod_order},
    )


def claim_records(data: Any, changes: dict[str, Doc]) -> list[Doc]:
    """The prod orders of each order grouped by their claim type: one claim per order and kind (invented)."""
    grouped: dict[tuple[str, str], Doc] = {}
    for record in joined(data, changes):
        kind = str(record["prod_order"].get("claim_type") or "")
        if kind not in CLAIM_KINDS:
            continue
        entry = grouped.setdefault((str(record["order"]["order_no"]), kind), {"order": record["order"], "prod_orders": []})
        entry["prod_orders"].append(record["prod_order"])
    return list(grouped.values())


def claim_id(order_no: str, claim_type: str) -> str:
    """invented: v2 numbers no claim; the order and the kind name it."""
    return f"{order_no}:{claim_type}"


def to_claim(record: Doc, account: str) -> Claim:
    order, prod_orders = record["order"], record["prod_orders"]
    first = prod_orders[0]
    kind = CLAIM_KINDS[str(first["claim_type"])]
    status_raw = str(first.get("claim_status") or "")
    status, stage = CLAIM_STATUS.get(status_raw, (ClaimStatus.IN_PROGRESS, ""))
    address = (order.get("delivery") or {}).get("address") or {}
    items = [i for p in prod_orders for i in p.get("items") or []]
    return Claim(
        mall="imweb", account=account, claim_id=claim_id(str(order["order_no"]), str(first["claim_type"])),
        kind=kind, status=status, status_raw=status_raw, stage=str(stage), order_id=str(order["order_no"]),
        line_ids=[str(p["order_no"]) for p in prod_orders], ship_unit=str(order["order_no"]),
        requested_at=parse_time(first.get("claim_time")), reason=str(first.get("claim_reason") or ""),
        quantity=sum(quantity_of(p) for p in prod_orders),
        product_name=", ".join(str(i.get("prod_name") or "") for i in items),
        option_name=", ".join(t for i in items if (t := option_text(i))),
        requester_name=str(address.get("name") or ""), requester_phone=str(address.get("phone") or ""),
        raw={"order": order, "prod_orders": prod_orders},
    )


def to_inquiry(item: Doc, account: str) -> Inquiry:
    """reference §4.2 fields; invented: ``answers`` [{body, wtime}]."""
    answers = item.get("answers") or []
    last = answers[-1] if answers else {}
    return Inquiry(
        mall="imweb", account=account, inquiry_id=str(item["idx"]), kind="상품문의",
        subject=str(item.get("subject") or ""), body=str(item.get("body") or ""),
        product_id=str(item.get("prod_no") or ""), product_name="", order_id="",
        asked_at=parse_time(item.get("wtime")), writer=str(item.get("nick") or ""),
        answered=str(item.get("status") or "") == "COMPLETE", answer=str(last.get("body") or ""),
        answered_at=parse_time(last.get("wtime")), raw=item,
    )


def to_mall_product(item: Doc, details: list[Doc], groups: list[Doc], account: str) -> MallProduct:
    """A product with its option combinations named by their values (``/options`` maps the codes)."""
    names = {v["code"]: v["name"] for g in groups for v in g.get("values") or []}
    options = tuple(OptionCombo(tuple(names.get(c, c) for c in d.get("value_code_list") or []), int(d.get("price") or 0),
                                int(d.get("stock") or 0)) for d in details)
    stock = item.get("stock") or {}
    on_sale = str(item.get("prod_status") or "") == "sale"
    return MallProduct(
        mall="imweb", account=account, product_id=str(item["no"]), seller_code=str(item.get("custom_prod_code") or ""),
        name=str(item.get("name") or ""), sale_price=int(item.get("price") or 0),
        list_price=int(item.get("price_org") or item.get("price") or 0),
        stock=sum(o.stock for o in options) if options else int(stock.get("stock_no_option") or 0), on_sale=on_sale,
        option_names=tuple(str(g.get("name") or "") for g in groups), options=options,
        extra={"on_sale": on_sale}, raw=item,
    )
