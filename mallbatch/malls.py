"""The marketplaces a seller can name in a workbook, with their Korean names.

This list drives the 쇼핑몰 dropdown in every template and the mapping from what a
seller types (스토어팜, 네이버, 스마트스토어) to one mall code. Whether mallbatch can
talk to a mall is a separate question answered by ``mallbatch.connectors.registry``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Mall:
    code: str
    name: str
    synonyms: tuple[str, ...] = ()
    general: bool = False  # 종합몰 (seed 001): no seller 판매취소, its own 품목고시 per 판매정보, plain 상품명
    option_prices: bool = True  # False: the mall ignores 옵션추가금액 (seed 001: 현대몰, 롯데닷컴, 롯데홈쇼핑) - register 단품


MALLS: tuple[Mall, ...] = (
    Mall("wemakeprice", "위메프", ("wemakeprice", "wmp", "위메프")),
    Mall("coupang", "쿠팡", ("coupang", "쿠팡윙", "wing")),
    Mall("smartstore", "스마트스토어", ("smartstore", "스토어팜", "네이버", "네이버스마트스토어", "naver")),
    Mall("11st", "11번가", ("11st", "11번가", "십일번가")),
    Mall("gmarket", "G마켓", ("gmarket", "지마켓", "g마켓")),
    Mall("auction", "옥션", ("auction", "옥션")),
    Mall("tmon", "티몬", ("tmon", "티켓몬스터")),
    Mall("interpark", "인터파크", ("interpark",)),
    Mall("lotteon", "롯데ON", ("lotteon", "롯데온", "롯데닷컴", "lotte.com"), general=True, option_prices=False),
    Mall("lottehomeshopping", "롯데홈쇼핑", ("lottehomeshopping",), general=True, option_prices=False),
    Mall("hmall", "현대몰", ("hmall", "현대홈쇼핑", "hyundai"), general=True, option_prices=False),
    Mall("cjmall", "CJ몰", ("cjmall", "cj mall", "cjonstyle", "cj온스타일"), general=True),
    Mall("gsshop", "GS SHOP", ("gsshop", "gs샵", "gs shop"), general=True),
    Mall("gongyoung", "공영홈쇼핑", ("gongyoung", "공영쇼핑"), general=True),
    Mall("wish", "Wish", ("wish", "위시")),
    Mall("imweb", "아임웹", ("imweb",)),
)

BY_CODE: dict[str, Mall] = {m.code: m for m in MALLS}


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").lower()


_LOOKUP: dict[str, Mall] = {}
for _m in MALLS:
    for _name in (_m.code, _m.name, *_m.synonyms):
        _LOOKUP[_key(_name)] = _m


def find_mall(text: str) -> Mall | None:
    """Return the mall a seller meant, tolerant of spacing, case and width."""
    return _LOOKUP.get(_key(text)) if text else None


def mall_name(code: str) -> str:
    """Korean display name of a mall code (the code itself when unknown)."""
    mall = BY_CODE.get(code)
    return mall.name if mall else code


# seed 001 옵션정보 종합몰 등록 시 유의사항: the mall registers options without their own prices
OPTION_PRICES_IGNORED = "{name}은(는) 옵션별 추가금액을 반영하지 않습니다"
OPTION_PRICES_FIX = ("옵션마다 가격이 다르면 옵션 하나하나를 따로 상품(단품, 옵션 없는 상품)으로 등록하세요. "
                     "옵션추가금액을 모두 0으로 하면 옵션 상품 그대로 보낼 수 있습니다")
