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
    general: bool = False  # 종합몰: seller-side cancels and per-option prices are not offered


MALLS: tuple[Mall, ...] = (
    Mall("wemakeprice", "위메프", ("wemakeprice", "wmp", "위메프")),
    Mall("coupang", "쿠팡", ("coupang", "쿠팡윙", "wing")),
    Mall("smartstore", "스마트스토어", ("smartstore", "스토어팜", "네이버", "네이버스마트스토어", "naver")),
    Mall("11st", "11번가", ("11st", "11번가", "십일번가")),
    Mall("gmarket", "G마켓", ("gmarket", "지마켓", "g마켓")),
    Mall("auction", "옥션", ("auction", "옥션")),
    Mall("tmon", "티몬", ("tmon", "티켓몬스터")),
    Mall("interpark", "인터파크", ("interpark",)),
    Mall("lotteon", "롯데ON", ("lotteon", "롯데온", "롯데닷컴", "lotte.com"), general=True),
    Mall("lottehomeshopping", "롯데홈쇼핑", ("lottehomeshopping",), general=True),
    Mall("hmall", "현대몰", ("hmall", "현대홈쇼핑", "hyundai"), general=True),
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
