"""시/도 of a Korean delivery address, for 지역별 매출통계: the one piece of an address stats may keep.

Addresses arrive as the malls write them: ``서울특별시 강남구 …``, ``서울시 …``, ``서울 …``, ``경기도 …``,
``충북 청주시 …``, ``충청북도 …``, sometimes after a bracketed postcode. Anything else (a masked record
after retention, an overseas address, a 시/군 without its 도) is 기타.
"""

from __future__ import annotations

import re

OTHER = "기타"
# Official name (2024: 강원·전북 became 특별자치도) → the prefixes the malls write it with.
REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("서울특별시", ("서울",)),
    ("부산광역시", ("부산",)),
    ("대구광역시", ("대구",)),
    ("인천광역시", ("인천",)),
    ("광주광역시", ("광주",)),
    ("대전광역시", ("대전",)),
    ("울산광역시", ("울산",)),
    ("세종특별자치시", ("세종",)),
    ("경기도", ("경기",)),
    ("강원특별자치도", ("강원",)),
    ("충청북도", ("충북", "충청북")),
    ("충청남도", ("충남", "충청남")),
    ("전북특별자치도", ("전북", "전라북")),
    ("전라남도", ("전남", "전라남")),
    ("경상북도", ("경북", "경상북")),
    ("경상남도", ("경남", "경상남")),
    ("제주특별자치도", ("제주",)),
)
_POSTCODE = re.compile(r"^[\s\[(]*\d{3}-?\d{2,3}[\])]?\s*")


def region_of(address: str) -> str:
    """The 시/도 (official name) an address starts with, or 기타."""
    text = _POSTCODE.sub("", (address or "").strip()).lstrip()
    for name, prefixes in REGIONS:
        if text.startswith(prefixes):
            return name
    return OTHER
