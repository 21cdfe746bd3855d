"""Wish JSON <-> canonical records: v2 ``Order`` and ``Product`` objects (reference §3.3 real dump),
v3 ``Ticket`` objects (§3.5). Wish times are UTC (§3.1); every record here carries aware KST datetimes.
Fields the reference does not show are marked ``invented``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from mallbatch.domain.clock import to_kst
from mallbatch.domain.couriers import find_courier
from mallbatch.domain.records import (
    MallProduct,
    OptionCombo,
    OrderLine,
    OrderStatus,
    Ticket,
    TicketCategory,
    TicketMessage,
    TicketState,
)

# canonical courier code → Wish tracking_provider. invented names in Wish's style (the reference gives
# only the carriers endpoint, §3.4); carriers Wish has and no Korean code are canonical international ones.
COURIERS: dict[str, str] = {
    "EPOST": "KoreaPost", "EMS": "EMS", "CJ": "CJLogistics", "HANJIN": "HanjinExpress", "LOTTE": "LotteGlobalLogistics",
    "LOGEN": "Logen", "USPS": "USPS", "UPS": "UPS", "FEDEX": "FedEx", "DHL": "DHL",
}
COURIER_OF: dict[str, str] = {v: k for k, v in COURIERS.items()}

# v2 order state (reference §3.4 enum) → canonical
ORDER_STATUS = {"APPROVED": OrderStatus.PAID, "SHIPPED": OrderStatus.SHIPPING, "REFUNDED": OrderStatus.CANCELED,
                "DECLINED": OrderStatus.CANCELED, "REQUIRE_REVIEW": OrderStatus.PAID}
REVIEW_HOLD = "Wish 가 주문을 검토 중입니다 (REQUIRE_REVIEW): 승인(APPROVED)될 때까지 발송하지 마세요"
SKU_SUFFIX = re.compile(r"^(?P<code>.+)-V\d+$")  # invented: variant SKUs are <자체상품코드>-V<n> (see hooks.variants_of)
OPTION_FIELDS = ("color", "size")  # Wish variants carry a colour and a size (reference §3.3 order fields)
OPTION_NAMES = ("색상", "사이즈")


def parse_time(value: Any) -> datetime | None:
    """A Wish time (v2 ``2016-06-18T01:55:10`` without offset, or v3 ISO with one), UTC, as KST."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return to_kst(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def v2_time(moment: datetime) -> str:
    """What v2 takes: UTC without offset."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def v3_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def money(value: Any) -> int:
    """Wish amounts are decimal strings in the account's currency; records hold whole units (rounded),
    the exact value stays in ``raw``."""
    try:
        return round(float(value or 0))
    except (TypeError, ValueError):
        return 0


def courier_of(provider: Any) -> str:
    """Canonical courier code of a Wish tracking_provider ("" when unknown)."""
    name = str(provider or "")
    if name in COURIER_OF:
        return COURIER_OF[name]
    courier = find_courier(name)
    return courier.code if courier else ""


def option_values(variant: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(variant.get(f) or "") for f in OPTION_FIELDS if variant.get(f))


def seller_code_of(sku: str) -> str:
    match = SKU_SUFFIX.match(sku)
    return match["code"] if match else sku


def order_line(item: dict[str, Any], account: str) -> OrderLine:
    """One v2 order: Wish ships every order id on its own, so it is line, ship unit and line id at once;
    the transaction (the buyer's checkout) is the order number."""
    order = item.get("Order") if isinstance(item.get("Order"), dict) else item
    ship = order.get("ShippingDetail") or {}
    state = str(order.get("state") or "")
    quantity = int(order.get("quantity") or 0)
    released = parse_time(order.get("released_to_merchant_time") or order.get("order_time"))
    hours = order.get("hours_to_fulfill")  # invented field: the fulfilment window
    address = ", ".join(str(ship.get(k)) for k in ("street_address1", "city", "state", "country") if ship.get(k))
    return OrderLine(
        mall="wish", account=account, line_id=str(order["order_id"]), order_id=str(order.get("transaction_id") or order["order_id"]),
        ship_unit=str(order["order_id"]), status=ORDER_STATUS.get(state, OrderStatus.PAID), status_raw=state,
        ordered_at=parse_time(order.get("order_time")), paid_at=parse_time(order.get("order_time")),
        buyer_name=str(ship.get("name") or ""), buyer_phone=str(ship.get("phone_number") or ""),
        receiver_name=str(ship.get("name") or ""), receiver_phone=str(ship.get("phone_number") or ""), receiver_phone2="",
        zip=str(ship.get("zipcode") or ""), address=address, address_detail=str(ship.get("street_address2") or ""),
        memo=str(order.get("ship_note") or ""), product_id=str(order.get("product_id") or ""),
        seller_code=seller_code_of(str(order.get("sku") or "")), product_name=str(order.get("product_name") or ""),
        option_name="/".join(option_values(order)), quantity=quantity, unit_price=money(order.get("price")),
        amount=money(float(order.get("price") or 0) * quantity), shipping_fee=money(float(order.get("shipping") or 0) * quantity),
        ship_by=released + timedelta(hours=int(hours)) if released and str(hours or "").isdigit() else None,
        courier=courier_of(order.get("shipping_provider")), tracking_no=str(order.get("tracking_number") or ""),
        raw=order, hold=REVIEW_HOLD if state == "REQUIRE_REVIEW" else "",
    )


def changed_at(line: OrderLine) -> datetime | None:
    """When Wish last changed the order (multi-get's ``since`` compares it): the read's stamp."""
    return parse_time(line.raw.get("last_updated")) or line.paid_at


# --- tickets (v3) -------------------------------------------------------------------------------
def awaiting_since(ticket: dict[str, Any]) -> datetime | None:
    """When the ticket last came to the merchant: the customer's first message after the last answer
    from the merchant or Wish; else (re-opened, back from Wish) its last update; None unless
    AWAITING_MERCHANT. The 48-hour clock of seed 004 runs from here."""
    if ticket.get("state") != "AWAITING_MERCHANT":
        return None
    replies = ticket.get("replies") or []
    answered = max((n for n, r in enumerate(replies) if r.get("sender") != "USER"), default=-1)
    waiting = next((r for r in replies[answered + 1:] if r.get("sender") == "USER"), None)
    if waiting is not None:
        return parse_time(waiting.get("replied_at"))
    return parse_time(ticket.get("updated_at") if replies else ticket.get("opened_at"))


def to_ticket(item: dict[str, Any], account: str) -> Ticket:
    """A v3 Ticket. CSAT: the ticket object has none (reference §3.5), so ``csat`` stays None."""
    replies = item.get("replies") or []
    messages = [TicketMessage(str(r.get("sender") or ""), str(r.get("message") or ""), parse_time(r.get("replied_at")))
                for r in replies]
    first = next((m.at for m in messages if m.sender == "MERCHANT"), None)
    buyer = item.get("buyer_info") or {}
    kind, state = str(item.get("type") or ""), str(item.get("state") or "")
    return Ticket(
        mall="wish", account=account, ticket_id=str(item["id"]),
        category=TicketCategory[kind] if kind in TicketCategory.__members__ else TicketCategory.POST_CUSTOMER_SUPPORT,
        state=TicketState[state] if state in TicketState.__members__ else TicketState.AWAITING_WISH, state_raw=state,
        label=str(item.get("sub_label") or item.get("subject") or ""), subject=str(item.get("subject") or ""),
        opened_at=parse_time(item.get("opened_at")), updated_at=parse_time(item.get("updated_at")),
        customer_name=str(buyer.get("name") or ""), locale=str(buyer.get("locale") or ""),
        order_ids=[str(o.get("id")) for o in item.get("orders") or [] if o.get("id")],
        product_ids=[str(p.get("id")) for p in item.get("products") or [] if p.get("id")],
        messages=messages, awaiting_since=awaiting_since(item), first_reply_at=first, csat=None, raw=item,
    )


# --- products (v2) --------------------------------------------------------------------------------
def variants(product: dict[str, Any]) -> list[dict[str, Any]]:
    return [v.get("Variant") if isinstance(v.get("Variant"), dict) else v for v in product.get("variants") or []]


def to_mall_product(item: dict[str, Any], account: str) -> MallProduct:
    product = item.get("Product") if isinstance(item.get("Product"), dict) else item
    found = variants(product)
    combos = [OptionCombo(option_values(v), 0, int(v.get("inventory") or 0)) for v in found if option_values(v)]
    width = max((len(c.values) for c in combos), default=0)
    prices = [money(v.get("price")) for v in found] or [0]
    on_sale = str(product.get("enabled", "True")) != "False"
    return MallProduct(
        mall="wish", account=account, product_id=str(product["id"]), seller_code=str(product.get("parent_sku") or ""),
        name=str(product.get("name") or ""), sale_price=min(prices), list_price=min(prices),
        stock=sum(int(v.get("inventory") or 0) for v in found), on_sale=on_sale,
        option_names=OPTION_NAMES[-width:] if width == 1 else OPTION_NAMES[:width], options=tuple(combos),
        extra={"on_sale": on_sale}, raw=product,
    )
