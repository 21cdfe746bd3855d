"""아임웹 주문관리 v2 (seed 003) order rules on stored prod orders: 상품준비 (PAY_COMPLETE) → 배송대기
(STANDBY) → 배송중 (DELIVERING) → 배송완료 (COMPLETE) → 구매확정, one step at a time, with quantities split
only in 상품준비 and never for 네이버페이 주문형 / 톡체크아웃.

Each rule either changes the prod order (and returns the prod orders it made or touched) or raises
:class:`Refused` with the mall's failed-list message. Every message is invented wording of the seed's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mallbatch.sandbox.imweb_data import count_of, set_count

Doc = dict[str, Any]

PAID, STANDBY, DELIVERING, COMPLETE, CANCEL = "PAY_COMPLETE", "STANDBY", "DELIVERING", "COMPLETE", "CANCEL"
# invented: v2 has no 구매확정 status; a COMPLETE prod order reads as this 7 days after complete_time (seed 003)
DECIDED = "PURCHASE_CONFIRM"
DECIDE_AFTER = 7 * 24 * 3600
EXTERNAL = ("npay", "talkpay")  # seed 003: no 수량나누기 for 네이버페이 주문형 / 톡체크아웃
# reference §6.4 parcel codes; invented: QUICK and VISIT for 퀵서비스 / 방문수령 (seed 003: free-text numbers there)
PARCEL_CODES = frozenset((
    "CJ EPOST REGISTPOST HANJIN LOGEN GTX KG LOTTE DS IY KD NHLOGIS SEBANG CI CVS HD EMS kpacket DHL FEDEX GSMN UPS TNT "
    "USPS AIRBOY DHLMAIL IPARCEL HANWISA GUNYOUNG BUMHAN APEX ECMSExpress GOODTOLUCK DHLGER WIZIWA ACI EZUSA LOTTEGLOBAL "
    "CJGLOBAL SUNGWON DAEWOON DADREAM SLX HONAM GSIEXPRESS KGBPS CUPARCEL VROONG todaypickup CHAINLOGIS HOMEPICK QXPRESS "
    "LINEEXP GPSLOGIX CRLX BRIDGE EFS FRESH FRESHMATES 2FASTEXP ACEEXP BGF GTSLOGIS HILOGIS KGLNET LTL NOGOK DADASMART "
    "LOGISPOT INTRAS PANTOS SMARTLOGIS SPASYS1 CWAY ANYTRACK ESTHER LSERVICE YONGMA WEVILL WARPEX WONDERS UFREIGHT EUNHA "
    "GNETWORK ZENIELSYSTEM JLOGIST GENIEGO PINGPONG QRUN TPMLOGIS FOREVERPS HIVECITY HANSSEM HOMEINNOV ETC QUICK VISIT"
).split())
FREE_TEXT = frozenset({"ETC", "QUICK", "VISIT"})  # seed 003: 퀵서비스 / 방문수령 / 기타 take any invoice text


class Refused(Exception):
    """A rule said no; ``message`` goes into the failed list."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shown_status(prod_order: Doc, now: int) -> str:
    """The status the API answers: a COMPLETE prod order is 구매확정 seven days after delivery."""
    if prod_order["status"] == COMPLETE and prod_order.get("complete_time") and now >= prod_order["complete_time"] + DECIDE_AFTER:
        return DECIDED
    return prod_order["status"]


def _open_cancel(prod_order: Doc) -> bool:
    return bool(prod_order.get("_cancel_requested"))


def _alive(prod_order: Doc) -> None:
    if prod_order["status"] == CANCEL:
        raise Refused("취소된 품목주문은 처리할 수 없습니다")


def _split(prod_order: Doc, count: int, order: Doc, new_no: Callable[[], str]) -> Doc | None:
    """``count`` of the prod order as a prod order of its own (None: the whole of it).

    invented representation: the part gets a new prod order number and the original keeps the rest."""
    total = count_of(prod_order)
    if not count or count == total:
        return None
    if count < 0 or count > total:
        raise Refused(f"수량은 1~{total} 사이로 입력하세요 (입력: {count})")
    if order.get("type") in EXTERNAL:
        raise Refused("네이버페이 주문형·톡체크아웃 주문은 수량을 나눌 수 없습니다 (외부 채널 정책)")
    if prod_order["status"] != PAID:
        raise Refused("배송대기 상태에서는 수량을 나눌 수 없습니다. 수량 나누기는 상품준비 상태에서만 가능합니다")
    part = {**prod_order, "order_no": new_no(), "items": [dict(i, payment=dict(i["payment"]),
                                                                 options=[[dict(o, payment=dict(o["payment"])) for o in g]
                                                                          for g in i["options"]])
                                                          for i in prod_order["items"]]}
    set_count(part, count)
    set_count(prod_order, total - count)
    order["_prod_orders"].append(part["order_no"])
    return part


def place(prod_order: Doc, order: Doc, count: int, new_no: Callable[[], str]) -> list[Doc]:
    """배송대기 처리 (발주확인): 상품준비 → 배송대기, the whole prod order or ``count`` of it."""
    _alive(prod_order)
    if _open_cancel(prod_order):
        raise Refused("구매자의 취소요청이 접수된 품목주문입니다. 취소요청을 먼저 처리하세요")
    if prod_order["status"] == STANDBY and not count:
        raise Refused("이미 배송대기 상태인 품목주문입니다")
    if prod_order["status"] != PAID:
        raise Refused("상품준비 상태의 품목주문만 배송대기로 처리할 수 있습니다")
    part = _split(prod_order, count, order, new_no) or prod_order
    part["status"] = STANDBY
    return [part] if part is prod_order else [prod_order, part]


def send(prod_order: Doc, order: Doc, count: int, parcel: str, number: str, new_no: Callable[[], str], now: int) -> list[Doc]:
    """송장 (발송처리) with ``parcel``/``number``: one step forward with the invoice — 배송대기 → 배송중, or, for
    ``count`` of a 상품준비 prod order, that part → 배송대기 carrying the invoice (invented: the part waits there for
    the courier's pickup)."""
    _alive(prod_order)
    if order.get("_hold"):
        raise Refused(f"배송보류 중인 주문입니다 ({order['_hold']['reason']}). 변경된 배송지를 확인하고 배송보류를 해제한 뒤 발송하세요")
    if _open_cancel(prod_order):
        raise Refused("구매자의 취소요청이 접수된 품목주문은 발송할 수 없습니다")
    if order["payment"]["deliv_type"] == "no_deliv":
        raise Refused("배송없음 상품은 송장 없이 배송완료로 처리하세요")
    status = prod_order["status"]
    if status in (DELIVERING, COMPLETE):
        raise Refused("이미 발송된 품목주문입니다")
    if status == PAID and (not count or count == count_of(prod_order)):
        raise Refused("상품준비 상태의 품목주문은 배송대기로 처리한 뒤 발송할 수 있습니다 (단계를 건너뛸 수 없습니다)")
    part = _split(prod_order, count, order, new_no)
    if part is not None:  # 상품준비 → 배송대기 for the part, with its invoice
        part.update(status=STANDBY, parcel_code=parcel, invoice_no=number)
        return [prod_order, part]
    prod_order.update(status=DELIVERING, parcel_code=parcel, invoice_no=number, delivery_time=now)
    return [prod_order]


def complete(prod_order: Doc, order: Doc, now: int) -> list[Doc]:
    """배송완료: from 배송중; a 배송없음 order straight from 상품준비 or 배송대기 (seed 003)."""
    _alive(prod_order)
    status = prod_order["status"]
    if status == COMPLETE:
        raise Refused("이미 배송완료된 품목주문입니다")
    no_delivery = order["payment"]["deliv_type"] == "no_deliv"
    if status != DELIVERING and not (no_delivery and status in (PAID, STANDBY)):
        raise Refused("배송중 상태의 품목주문만 배송완료로 처리할 수 있습니다 (단계를 건너뛸 수 없습니다)")
    prod_order.update(status=COMPLETE, complete_time=now)
    return [prod_order]


def cancel(prod_order: Doc, order: Doc, count: int, reason: str, new_no: Callable[[], str]) -> list[Doc]:
    """판매취소: before shipping and without an invoice; ``count`` of a 상품준비 prod order alone (a new,
    cancelled prod order: invented representation)."""
    if prod_order["status"] == CANCEL:
        raise Refused("이미 취소된 품목주문입니다")
    if _open_cancel(prod_order):
        raise Refused("구매자의 취소요청이 접수된 품목주문입니다. 취소승인으로 처리하세요")
    if prod_order["status"] in (DELIVERING, COMPLETE):
        raise Refused("배송중 단계부터는 취소할 수 없습니다. 반품으로 처리하세요")
    if prod_order["status"] == STANDBY and prod_order.get("invoice_no"):
        raise Refused("송장번호가 등록된 품목주문은 취소할 수 없습니다. 송장번호를 삭제한 뒤 취소하세요")
    part = _split(prod_order, count, order, new_no) or prod_order
    part.update(status=CANCEL, _cancel_reason=reason)
    return [part] if part is prod_order else [prod_order, part]


def delete_invoice(prod_order: Doc) -> list[Doc]:
    """송장삭제 (invented action): only in 배송대기, before the courier has it."""
    if prod_order["status"] == STANDBY and prod_order.get("invoice_no"):
        prod_order.update(parcel_code="", invoice_no="")
        return [prod_order]
    if prod_order["status"] in (DELIVERING, COMPLETE):
        raise Refused("배송중 단계부터는 송장번호를 삭제할 수 없습니다")
    raise Refused("삭제할 송장번호가 없습니다")


def check_invoice(parcel: str, number: str) -> None:
    if parcel not in PARCEL_CODES:
        raise Refused(f"사용할 수 없는 택배사 코드입니다: {parcel}")
    if parcel in FREE_TEXT:
        if not number.strip():
            raise Refused("송장번호를 입력하세요 (퀵서비스·방문수령은 임의의 값도 됩니다. 예: 1234)")
        return
    if not (number.isdigit() and 8 <= len(number) <= 20):  # invented: the check of tracked couriers
        raise Refused(f"송장번호 형식이 올바르지 않습니다: {number}")
