"""The checks a catalogue write (ListingChange) makes before any call, in one place: a product number the mall
can have, a stock of 0 or more (0 is 품절), a price above 0, a sale state; said in the mall's own words for its
number and its unit (위메프 상품번호, 티몬 딜)."""

from __future__ import annotations

from dataclasses import dataclass

from mallbatch.domain.records import ListingChange


@dataclass(frozen=True)
class ChangeChecks:
    mall_ko: str
    number_ko: str = "상품번호"
    unit_ko: str = "상품"
    option_stock: str = ""  # the refusal of one option's stock where the mall sets only the product's ("" = allowed)
    option_sale: str = ""  # the refusal of one option's sale state ("" = the usual advice: stock 0)

    def _number(self, change: ListingChange) -> str | None:
        if change.product_id.strip().isdigit():
            return None
        return f"{self.mall_ko} {self.number_ko}는 숫자여야 합니다 ({change.product_id})"

    def stock(self, change: ListingChange) -> str | None:
        if change.option and self.option_stock:
            return f"{self.option_stock} (옵션 {'/'.join(change.option)})"
        if change.stock is None or change.stock < 0:
            return f"재고는 0 이상이어야 합니다 (현재 {change.stock}). 품절은 0 으로 보내세요"
        return self._number(change)

    def price(self, change: ListingChange) -> str | None:
        if change.option:
            return f"{self.mall_ko} 판매가는 {self.unit_ko} 단위입니다. 옵션 가격은 상품 시트의 옵션추가금액으로 바꾸세요"
        if change.sale_price is None or change.sale_price <= 0:
            return f"판매가는 0보다 커야 합니다 (현재 {change.sale_price})"
        return self._number(change)

    def sale(self, change: ListingChange) -> str | None:
        if change.option:
            if self.option_sale:
                return f"{self.option_sale} (옵션 {'/'.join(change.option)})"
            return f"{self.mall_ko} 판매중지/재개는 {self.unit_ko} 단위로 보냅니다 (옵션은 재고 0 으로 품절 처리하세요)"
        if change.on_sale is None:
            return "판매상태(판매/판매중지)가 비어 있습니다"
        return self._number(change)
