"""티몬 JSON <-> canonical records (reference §2.3–2.4 fields; ``invented`` where the reference is silent).

Orders hold deals (``tmonDealNo`` / ``deliveryNo``: the ship unit) holding options (``tmonDealOptionNo``: the
line). Ship unit ``{tmonOrderNo}-{deliveryNo}`` and line ``{tmonOrderNo}-{tmonDealOptionNo}`` (UKP's line key
[C]) name the order, so every write finds its order (``GET /orders/{tmonOrderNo}``) from the key alone.
Personal fields arrive encrypted (§2.1) and are decrypted here, before anything is kept; ``raw`` holds the
decrypted copy, never the ciphertext.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mallbatch.connectors.tmon.crypto import Undecryptable, decrypt
from mallbatch.domain.clock import KST
from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, MallProduct, OptionCombo, OrderLine, OrderStatus
from mallbatch.domain.states import State

Doc = dict[str, Any]
FMT = "%Y-%m-%dT%H:%M:%S"  # reference §2.1: ISO local yyyy-MM-dd'T'HH:mm:ss (also …'T'HH:mm)

SELF_DELIVERY = "10099"  # reference §2.2 / §6.2 [C]: 자체배송, sent with deliveryScheduledDate instead of a number
# Canonical courier → deliveryCorp. Only 10099 is known (§6.2); every parcel code below is invented (5 digits, §6.2 [C]).
COURIER_CODES: dict[str, str] = {
    "CJ": "10001",  # invented (the reference's invoice example shows 10001)
    "HANJIN": "10002",  # invented
    "LOTTE": "10003",  # invented
    "LOGEN": "10004",  # invented
    "EPOST": "10005",  # invented
    "KDEXP": "10006",  # invented
    "DAESIN": "10007",  # invented
    "ILYANG": "10008",  # invented
    "CHUNIL": "10009",  # invented
    "HDEXP": "10010",  # invented
    "CVSNET": "10011",  # invented
    "CUPARCEL": "10012",  # invented
    "NHLOGIS": "10013",  # invented
    "KUNYOUNG": "10014",  # invented
    "DIRECT": SELF_DELIVERY,  # 직접배송 / 자체배송 (the canonical DIRECT courier's synonym)
}
COURIER_BY_CODE = {v: k for k, v in COURIER_CODES.items()}

# reference §2.3: D1 결제완료, D2 주문확인, D3/D4 배송중 (exact split [I]), D5 배송완료
ORDER_STATUS = {"D1": OrderStatus.PAID, "D2": OrderStatus.PREPARING, "D3": OrderStatus.SHIPPING,
                "D4": OrderStatus.SHIPPING, "D5": OrderStatus.DELIVERED}
# claimType: C = cancel [C]; invented: R (refund = 반품), E (exchange)
CLAIM_KINDS = {"C": ClaimKind.CANCEL, "R": ClaimKind.RETURN, "E": ClaimKind.EXCHANGE}
# claimStatus: C1 요청, C3 완료, C8 철회 [C]; invented: C2 처리중 (수거·보류·재배송), C4 거부 (meanings of C2/C4 are [U])
CLAIM_STATUS = {"C1": ClaimStatus.REQUESTED, "C2": ClaimStatus.IN_PROGRESS, "C3": ClaimStatus.DONE,
                "C4": ClaimStatus.REJECTED, "C8": ClaimStatus.WITHDRAWN}
CLAIM_LISTS = {ClaimKind.CANCEL: "cancellations", ClaimKind.RETURN: "refunds", ClaimKind.EXCHANGE: "exchanges"}  # §2.2 [C2]

# Personal fields that arrive encrypted (reference §2.1/§2.4: names, phones, addresses, user ids). invented: which
# address parts (zipCode comes plain) and the claim's userName / userPhone (the reference lists no claim customer).
ORDER_SECRETS = ("userId", "userName", "userPhone", "receiverName", "receiverPhone")
ADDRESS_SECRETS = ("address", "streetAddress", "addressDetail")
CLAIM_SECRETS = ("userName", "userPhone")
FIELD_KO = {"userId": "주문자 ID", "userName": "주문자명", "userPhone": "주문자 연락처", "receiverName": "수령인명",
            "receiverPhone": "수령인 연락처", "address": "주소", "streetAddress": "도로명주소", "addressDetail": "상세주소"}

Decrypt = Callable[[str, str], str]  # (field name, value) → plain text


def parse_time(value: Any) -> datetime | None:
    text = str(value or "")
    for fmt in (FMT, "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(text[:19] if fmt == FMT else text[:16], fmt).replace(tzinfo=KST)
        except ValueError:
            continue
    return None


def opener(key: bytes, what: str) -> Decrypt:
    """A decryptor of one record's fields; a field that does not open stops the read, naming the record and field."""
    def open_field(name: str, value: str) -> str:
        if not value:
            return ""
        try:
            return decrypt(value, key)
        except ValueError:
            raise Undecryptable(
                f"티몬 {what}의 {FIELD_KO.get(name, name)}을(를) 복호화하지 못했습니다. 아무것도 저장하지 않았습니다. "
                "config.toml 의 aes_key 가 티몬 파트너센터의 개인정보 암호화 키와 같은지 확인한 뒤 다시 수집하세요; "
                "키가 맞다면 티몬에 이 주문의 개인정보를 문의하세요") from None
    return open_field


def decrypted_answer(path: str, data: Any, key: bytes) -> Any:
    """An order or claim answer with its personal fields in plain text: the order list (a bare array), one order,
    a claim search page. Anything else is returned as it is."""
    if path.startswith("/orders") and isinstance(data, list):
        return [decrypted_order(o, key) for o in data if isinstance(o, dict)]
    if path.startswith("/orders/") and isinstance(data, dict) and "tmonOrderNo" in data:
        return decrypted_order(data, key)
    if isinstance(data, dict) and "claimNo" in data:  # one claim (read-backs)
        return decrypted_claim(data, key)
    if path.endswith("/search") and isinstance(data, dict):
        return {**data, "items": [decrypted_claim(c, key) for c in data.get("items") or [] if isinstance(c, dict)]}
    return data


def decrypted_order(order: Doc, key: bytes) -> Doc:
    """The order with every personal field in plain text (a copy: the mall's answer is not changed)."""
    open_field = opener(key, f"주문 {order.get('tmonOrderNo')}")
    plain = {**order, **{f: open_field(f, str(order.get(f) or "")) for f in ORDER_SECRETS}}
    address = dict(order.get("receiverAddress") or {})
    address.update({f: open_field(f, str(address.get(f) or "")) for f in ADDRESS_SECRETS})
    plain["receiverAddress"] = address
    return plain


def decrypted_claim(claim: Doc, key: bytes) -> Doc:
    open_field = opener(key, f"클레임 {claim.get('claimNo')}")
    return {**claim, **{f: open_field(f, str(claim.get(f) or "")) for f in CLAIM_SECRETS}}


def ship_unit(order_no: Any, deal: Doc) -> str:
    return f"{order_no}-{deal.get('deliveryNo')}"


def line_id(order_no: Any, option: Doc) -> str:
    return f"{order_no}-{option.get('tmonDealOptionNo')}"


def split_key(key: str) -> tuple[str, str]:
    """(tmonOrderNo, second number) of a ship unit or line key; ValueError when it is not two numbers."""
    order_no, _, other = key.strip().partition("-")
    if not (order_no.isdigit() and other.isdigit()):
        raise ValueError(key)
    return order_no, other


def deal_status(deal: Doc) -> tuple[OrderStatus, str]:
    """The deal's state; invented: a deal whose cancel claim completed carries claimType C + claimStatus C3."""
    raw = str(deal.get("deliveryStatus") or "")
    if deal.get("claimType") == "C" and deal.get("claimStatus") == "C3":
        return OrderStatus.CANCELED, f"{raw}/C3"
    return ORDER_STATUS.get(raw, OrderStatus.PAID), raw


def courier_of(invoice: Doc) -> str:
    return COURIER_BY_CODE.get(str(invoice.get("deliveryCorp") or ""), "")


def order_lines(plain: Doc, account: str) -> list[OrderLine]:
    """One OrderLine per deal option of a decrypted order; the deal's delivery fee on its first line."""
    address = plain.get("receiverAddress") or {}
    head = {k: v for k, v in plain.items() if k != "deals"}
    no = plain["tmonOrderNo"]
    lines: list[OrderLine] = []
    for deal in plain.get("deals") or []:
        status, status_raw = deal_status(deal)
        invoice = deal.get("invoice") or {}  # invented: the deal echoes the invoice it left with
        deal_head = {k: v for k, v in deal.items() if k != "dealOptions"}
        for n, option in enumerate(deal.get("dealOptions") or []):
            quantity, price = int(option.get("qty") or 0), int(option.get("salesPrice") or 0)
            lines.append(OrderLine(
                mall="tmon", account=account, line_id=line_id(no, option), order_id=str(no), ship_unit=ship_unit(no, deal),
                status=status, status_raw=status_raw,
                ordered_at=parse_time(plain.get("orderDate")), paid_at=parse_time(plain.get("depositDate")),
                buyer_name=str(plain.get("userName") or ""), buyer_phone=str(plain.get("userPhone") or ""),
                receiver_name=str(plain.get("receiverName") or ""), receiver_phone=str(plain.get("receiverPhone") or ""),
                receiver_phone2="",
                zip=str(address.get("zipCode") or ""), address=address.get("streetAddress") or address.get("address") or "",
                address_detail=address.get("addressDetail") or "", memo=str(plain.get("deliveryMemo") or ""),
                product_id=str(deal.get("tmonDealNo") or ""), seller_code=str(deal.get("vendorDealNo") or ""),
                product_name=str(deal.get("dealTitle") or ""), option_name=str(option.get("dealOptionTitle") or ""),
                quantity=quantity, unit_price=price, amount=price * quantity,
                shipping_fee=int((deal.get("deliveryFee") or {}).get("amount") or 0) if n == 0 else 0,
                courier=courier_of(invoice), tracking_no=str(invoice.get("invoiceNo") or ""),
                claim="취소요청" if deal.get("claimType") == "C" and deal.get("claimStatus") == "C1" else "",
                raw={"order": head, "deal": deal_head, "option": option},
                ship_by=parse_time(deal.get("deliveryScheduledDate")),  # inferred: the deal's 배송예정일 is its 발송기한
            ))
    return lines


def claim_stage(claim: Doc, kind: ClaimKind) -> str:
    """The State a C2 (invented: 처리중) claim is at: 보류 (holding), 재배송 (reInvoiceNo), 수거완료 (the return
    delivery done, invented D5), else 수거중 / 교환승인."""
    if str(claim.get("claimStatus")) != "C2":
        return ""
    if claim.get("holding"):
        return State.HELD
    if kind is ClaimKind.EXCHANGE and claim.get("reInvoiceNo"):
        return State.RESHIPPING
    if claim.get("returnDeliveryStatus") == "D5":
        return State.COLLECTED
    return State.COLLECTING if kind is ClaimKind.RETURN else State.EXCHANGE_APPROVED


def to_claim(plain: Doc, account: str, asked: ClaimKind) -> Claim:
    """A decrypted claim; ``asked`` (the list it came from) stands in for an unfamiliar claimType."""
    kind = CLAIM_KINDS.get(str(plain.get("claimType") or ""), asked)
    no = plain.get("tmonOrderNo")
    deals = plain.get("claimDeals") or []
    options = [o for d in deals for o in d.get("tmonDealOptions") or []]
    return Claim(
        mall="tmon", account=account, claim_id=str(plain["claimNo"]), kind=kind,
        status=CLAIM_STATUS.get(str(plain.get("claimStatus") or ""), ClaimStatus.IN_PROGRESS),
        status_raw=str(plain.get("claimStatus") or ""), order_id=str(no or ""),
        line_ids=[line_id(no, o) for o in options], ship_unit=f"{no}-{plain.get('deliveryNo')}",
        requested_at=parse_time(plain.get("requestedDate")),
        reason=" ".join(str(r) for r in (plain.get("requestReason"), plain.get("requestReasonDetail")) if r),
        quantity=sum(int(o.get("qty") or 0) for o in options),
        product_name=str(deals[0].get("dealTitle") or "") if deals else "",
        option_name=", ".join(str(o.get("dealOptionTitle")) for o in options if o.get("dealOptionTitle")),
        requester_name=str(plain.get("userName") or ""), requester_phone=str(plain.get("userPhone") or ""), raw=plain, stage=claim_stage(plain, kind),
    )


def to_mall_product(deal: Doc, account: str) -> MallProduct:
    """A deal as ``GET /deals/{no}`` shows it (invented body: the reference confirms only the paths)."""
    names = tuple(str(n) for n in deal.get("optionNames") or ())
    options = deal.get("options") or []
    on_sale = deal.get("saleStatus") != "STOP"
    return MallProduct(
        mall="tmon", account=account, product_id=str(deal["tmonDealNo"]), seller_code=str(deal.get("vendorDealNo") or ""),
        name=str(deal.get("dealTitle") or ""), sale_price=int(deal.get("salesPrice") or 0),
        list_price=int(deal.get("originalPrice") or 0), stock=sum(int(o.get("stock") or 0) for o in options),
        on_sale=on_sale, category=str(deal.get("categoryNo") or ""), option_names=names,
        options=tuple(OptionCombo(tuple(str(v) for v in o.get("optionValues") or ()),
                                  int(o.get("salesPrice") or 0) - int(deal.get("salesPrice") or 0), int(o.get("stock") or 0))
                      for o in options if names),
        extra={"vendorDealNo": str(deal.get("vendorDealNo") or ""), "on_sale": on_sale}, raw=deal,
    )
