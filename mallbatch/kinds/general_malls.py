"""Seed 001's rules for the 종합몰 (malls.py ``general``), checked when the seller's sheet is read, before anything
is sent, whatever mallbatch's transport to the mall is (an upload file today, an API when one is known):

- 옵션추가금액 is not applied on 현대몰, 롯데닷컴 and 롯데홈쇼핑 (``option_prices``): a product with priced options
  linked to one of them is an error — register each option as its own product (단품);
- a 종합몰 상품명 should not use even the basic special characters ( ) , / + - ~ (a warning);
- a 종합몰 판매정보 group carries its own 품목고시 (seed 001: 종합몰인 경우 판매정보 등록 시 품목고시를 재등록).
The product rules are ``kinds/products.check_general_product``; the seller's 판매취소 on a 종합몰 is refused in
``kinds/invoices.py`` (GENERAL_NO_CANCEL); and at send time ``Connector.listing_problems`` refuses priced options again
on those three malls (a product saved before it was linked there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from mallbatch.kinds.products import NOTICE, NOTICE_GROUP, check_notice
from mallbatch.malls import find_mall
from mallbatch.sheets.issues import Issue
from mallbatch.sheets.rows import Row, SheetContext

GROUP_NOTICE_GROUP = dataclasses.replace(
    NOTICE_GROUP, required=False, help=f"종합몰(현대몰, 롯데ON, 롯데홈쇼핑, CJ몰, GS SHOP, 공영홈쇼핑)이면 필수: 이 판매정보로 보낼 "
                                       f"상품정보제공고시 품목 (상품 시트의 품목고시 대신 씁니다). {NOTICE_GROUP.help}", example="")
GROUP_NOTICE = dataclasses.replace(NOTICE, required=False, help=f"종합몰이면 필수. {NOTICE.help}", example="")


def check_group_notice(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    """A 종합몰 판매정보 needs its own 품목고시 and 품목고시 내용 (checked like the 상품 sheet's)."""
    mall = find_mall(row.get("mall", ""))
    if mall is None or not mall.general:
        if row.has("notice_group") or row.has("notice"):
            yield from check_notice(row, ctx)
        return
    for name, column in (("notice_group", GROUP_NOTICE_GROUP), ("notice", GROUP_NOTICE)):
        if not row.has(name):
            yield ctx.issue(row, name, "general-notice", f"{mall.name} 같은 종합몰의 판매정보에는 {column.header}을(를) 다시 입력해야 합니다",
                            f"{column.header} 열을 채우세요 (상품 시트와 같은 방식: {column.help.split('. ', 1)[-1]})")
    yield from check_notice(row, ctx)
