"""재고·가격 (stock): the short sheet a seller fills daily — a product's (or one option's) stock,
safety stock, sale price and sale state, sent to every mall the product is linked to.

Stock is absolute and 0 is 품절, never an error. The product must be saved first (상품 sheet):
its option combinations are what 옵션 is checked against. 쇼핑몰/계정 narrow the row to one
mall or account; blank means every mall the product is linked to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from mallbatch.kinds.common import ACCOUNT, MALL, MALL_PRODUCT_ID, OPTION_OUT, check_account
from mallbatch.kinds.listings import STOCK_OUT
from mallbatch.kinds.products import CODE, combinations, per_combination
from mallbatch.kinds.products import STOCK as PRODUCT_STOCK
from mallbatch.kinds.sales_groups import SALE_PRICE
from mallbatch.sheets.columns import Column, Kind, SheetKind
from mallbatch.sheets.issues import Issue
from mallbatch.sheets.normalize import NormalizeError
from mallbatch.sheets.rows import Row, SheetContext

ON_SALE, SOLD_OUT, STOPPED = "판매", "품절", "판매중지"

STOCK_CODE = replace(CODE, help="상품 시트로 저장한 자체상품코드", example="NK1001")
OPTION = replace(OPTION_OUT, name="option", help="옵션 상품이면 조합을 옵션값 순서대로 '/'로 구분 (예: 골드/M). 옵션이 없는 상품은 비우세요",
                 example="골드")
STOCK = replace(STOCK_OUT, min=0, synonyms=(PRODUCT_STOCK.header, "수량", "가용재고"),
                help="판매자의 실제 재고 (0 = 품절). 비우면 저장된 재고 그대로", example="30")
SAFETY = Column("안전재고", "safety", Kind.INT, min=0, synonyms=("안전 재고", "예비재고"),
                help="쇼핑몰에 보이지 않게 남겨 둘 수량: 쇼핑몰에는 재고 − 안전재고를 보냅니다. 비우면 그대로", example="2", width=10)
STOCK_MALL = replace(MALL, required=False, help="비우면 이 상품이 연동된 모든 쇼핑몰. 한 쇼핑몰에만 보내려면 고르세요")
STOCK_PRICE = replace(SALE_PRICE, required=False, synonyms=("판매 가격", "가격"),
                      help="비우면 그대로. 쇼핑몰(·계정)을 고르면 그 쇼핑몰에만, 비우면 연동된 모든 쇼핑몰에 보냅니다", example="")
SALE_STATE = Column(
    "판매상태", "status", Kind.CHOICE, choices=(ON_SALE, SOLD_OUT, STOPPED),
    aliases={"판매가능": ON_SALE, "판매중": ON_SALE, "판매불가": STOPPED},
    variants={"판매재개": ON_SALE, "재판매": ON_SALE, "판매함": ON_SALE, "정상": ON_SALE, "일시품절": SOLD_OUT, "품절처리": SOLD_OUT,
              "재고없음": SOLD_OUT, "판매종료": STOPPED, "중지": STOPPED, "판매안함": STOPPED, "판매정지": STOPPED, "판매중단": STOPPED},
    synonyms=("상품상태", "판매여부"),
    help="판매(판매재개) / 품절(재고 0) / 판매중지. 비우면 그대로", example="", width=10,
)
CHANGES = ("stock", "safety", "sale_price", "status")

COLUMNS = (STOCK_CODE, OPTION, STOCK, SAFETY, STOCK_MALL, ACCOUNT, STOCK_PRICE, SALE_STATE)


def stored_combinations(product: dict[str, Any]) -> list[str]:
    """The product's 조합형 combinations as 옵션 is written ("골드/M"); [] for a product without them."""
    if not product.get("option_use") or product.get("option_type") != "조합형":
        return []
    return ["/".join(c) for c in combinations(Row(0, [], product))]


def product_counts(product: dict[str, Any]) -> dict[str, int]:
    """The 상품 sheet's stock per option key ("" without options): the count before the seller sets one."""
    combos = stored_combinations(product)
    if not combos:
        return {"": int(product.get("stock") or 0)}
    try:
        stocks = per_combination(str(product.get("option_stock") or ""), len(combos))
    except NormalizeError:  # validated before it was saved: a count is never guessed
        stocks = [0] * len(combos)
    return dict(zip(combos, stocks))


def option_text(text: str) -> str:
    """골드 / M → 골드/M, the store's option key."""
    return "/".join(part.strip() for part in text.split("/"))


def check_product(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    if not row.has("code"):
        return
    product = ctx.book.stored_products(row.get("code"))
    if product is None:
        yield ctx.issue(row, "code", "code-unknown", f"저장된 상품이 아닙니다: {row.get('code')}",
                        "먼저 상품 시트로 저장하세요 (mallbatch validate 또는 push)")
        return
    combos = stored_combinations(product)
    option = option_text(row.get("option", ""))
    shown = ", ".join(combos[:10]) + (f" … (전체 {len(combos)}개)" if len(combos) > 10 else "")
    if option and not combos:
        yield ctx.issue(row, "option", "option-none", "옵션이 없는 상품입니다", "옵션을 비우세요")
    elif option and option not in combos:
        yield ctx.issue(row, "option", "option-unknown", f"이 상품에 없는 옵션 조합입니다: {option}",
                        f"다음 중 하나를 쓰세요: {shown}")
    elif combos and not option and MALL_PRODUCT_ID.name not in ctx.columns:
        # (a 판매상품 workbook dropped back shows the options' total; a changed total is refused at push)
        for name in ("stock", "safety"):
            if row.has(name):
                yield ctx.issue(row, "option", "option-missing", f"옵션 상품은 옵션마다 {ctx.header_of(name)}를 적습니다",
                                f"옵션에 조합을 쓰세요 ({shown})")
                break


def check_change(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    if not any(row.has(name) for name in CHANGES):
        yield ctx.issue(row, "stock", "no-change", "바꿀 값이 없습니다",
                        "재고·안전재고·판매가·판매상태 중 하나 이상을 입력하거나 이 행을 지우세요")
        return
    if row.has("account") and not row.has("mall"):
        yield ctx.issue(row, "mall", "mall-missing", "계정을 적었는데 쇼핑몰이 비어 있습니다", "쇼핑몰을 고르거나 계정을 비우세요")
    status, stock = row.get("status"), row.get("stock")
    if status == SOLD_OUT and isinstance(stock, int) and stock > 0:
        yield ctx.issue(row, "stock", "sold-out-stock", f"판매상태가 품절인데 재고가 {stock:,}개입니다",
                        "품절이면 재고를 비우거나 0으로, 팔 재고가 있으면 판매상태를 비우세요")
    if row.has("option"):
        if status in (ON_SALE, STOPPED):
            yield ctx.issue(row, "status", "option-status", f"{status}은(는) 상품 전체에만 적용됩니다",
                            "옵션 하나만 멈추려면 판매상태를 품절로 하거나, 옵션을 비우세요")
        if row.has("sale_price"):
            yield ctx.issue(row, "sale_price", "option-price", "판매가는 상품 전체에만 적용됩니다",
                            "옵션을 비우세요 (옵션별 가격은 상품 시트의 옵션추가금액으로 정합니다)")


STOCK_PRICES = SheetKind(
    code="stock",
    title="재고·가격",
    columns=COLUMNS,
    description="상품·옵션별 재고, 안전재고, 쇼핑몰별 판매가와 판매상태 (연동된 모든 쇼핑몰에 보냅니다)",
    unique=("code", "option", "mall", "account"),
    row_rules=(check_product, check_change, check_account),
    example_rows=(
        {"code": "NK1001", "option": "골드", "stock": "30", "safety": "2"},
        {"code": "NK1001", "option": "실버", "stock": "0"},
        {"code": "NK1001", "mall": "쿠팡", "account": "기본", "sale_price": "24000"},
        {"code": "NK1001", "mall": "스마트스토어", "status": STOPPED},
    ),
)
