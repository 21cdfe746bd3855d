"""수량 나누기 (seed 003): how many of an order line a 송장 or 판매취소 row asks for, and why a part is refused.

The 수량 cell is blank on a 송장 sheet and shows the line's own quantity in the 주문 workbook: either is
the whole line (0). A smaller number is a part of the one line the row names, allowed only where the
mall's spec splits quantities (``MarketplaceSpec.split_quantity``), while the line is still 상품준비
(결제완료: 배송대기/발주확인 can no longer be split), and not for an order paid through an external
checkout (네이버페이 주문형 / 톡체크아웃: "수량나누기 불가"). Every refusal is made before any call and
names the file, sheet, row and column, with what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mallbatch.connectors.runtime.spec import MarketplaceSpec
from mallbatch.domain.records import OrderLine, OrderStatus
from mallbatch.malls import mall_name
from mallbatch.sheets.rows import Row

# 아임웹 keeps the order beside each line (OrderLine.raw["order"]); its type names an external checkout (seed 003)
EXTERNAL_CHECKOUTS = {"npay": "네이버페이 주문형", "talkpay": "톡체크아웃"}


def external_checkout(line: OrderLine) -> str:
    """The external checkout that paid the line's order ("" for the mall's own): no 수량 나누기 there."""
    order = line.raw.get("order") if isinstance(line.raw, dict) else None
    return EXTERNAL_CHECKOUTS.get(str(order.get("type") or ""), "") if isinstance(order, dict) else ""


@dataclass(frozen=True)
class Part:
    quantity: int = 0  # 0: the whole line (or every line the row names)
    refusal: str = ""  # why the row is not sent ("" when it may be)


def part_of(row: Row, lines: Sequence[OrderLine], spec: MarketplaceSpec, where: str) -> Part:
    """The quantity a row asks for of ``lines`` (those it names); ``where`` locates its 수량 cell."""
    if not row.has("quantity"):
        return Part()
    wanted = int(row.get("quantity"))
    whole = sum(line.quantity for line in lines)
    if len(lines) == 1 and wanted == whole:
        return Part()
    if len(lines) != 1:
        return Part(refusal=f"{where}: 수량을 나누려면 상품주문번호로 한 줄만 지정하세요 (이 행은 {len(lines)}줄을 가리킵니다) "
                            "— 수량을 비우면 모두 처리합니다")
    (line,) = lines
    if wanted > whole:
        return Part(refusal=f"{where}: 수량 {wanted}이(가) 이 상품주문({line.line_id})의 수량 {whole}보다 많습니다 "
                            f"— {whole} 이하로 고치거나 비우세요")
    mall = mall_name(line.mall)
    if not spec.split_quantity:
        return Part(refusal=f"{where}: {mall}은 수량 나누기를 지원하지 않습니다 — 수량을 비우거나 {whole}(전체)로 두세요")
    external = external_checkout(line)
    if external:
        return Part(refusal=f"{where}: {external} 주문은 수량을 나눌 수 없습니다 ({mall} 정책) "
                            f"— 수량을 비우거나 {whole}(전체)로 두세요")
    if line.status is OrderStatus.PREPARING:
        return Part(refusal=f"{where}: 배송대기(발주확인) 상태에서는 수량을 나눌 수 없습니다 ({mall}: 수량 나누기는 상품준비에서만) "
                            f"— 수량을 비우거나 {whole}(전체)로 두세요")
    if line.status is not OrderStatus.PAID:
        return Part(refusal=f"{where}: 상품준비 상태가 아니라 수량을 나눌 수 없습니다 — 수량을 비우거나 {whole}(전체)로 두세요")
    return Part(wanted)
