"""The canonical courier list: Korean names sellers type, synonyms, tracking-number rules.

Each adapter keeps its own code table (쿠팡 ``CJGLS``, 네이버 ``CJGLS``, 위메프 ``D002`` …)
keyed by the canonical ``Courier.code`` defined here. Length rules come from the
courier tables in ``shared/reference`` (쿠팡 택배사 코드 article 360034156033 and §6.6).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Courier:
    code: str  # canonical id used by adapters' code tables
    name: str  # what the dropdown shows
    synonyms: tuple[str, ...] = ()
    lengths: tuple[int, ...] = ()  # allowed digit counts; empty = any length 8..20
    pattern: str | None = None  # for non-numeric formats such as EMS
    tracked: bool = True  # False: direct delivery, any reference (or none) is accepted

    def check(self, number: str) -> str | None:
        """Return a Korean problem description, or None when the number looks right."""
        if not self.tracked:
            return None
        if self.pattern:
            return None if re.fullmatch(self.pattern, number) else f"{self.name} 송장번호 형식이 아닙니다"
        if not number.isdigit():
            return "송장번호는 숫자만 입력하세요"
        if self.lengths and len(number) not in self.lengths:
            allowed = "/".join(str(n) for n in self.lengths)
            return f"{self.name} 송장번호는 {allowed}자리입니다 (입력: {len(number)}자리)"
        if not self.lengths and not 8 <= len(number) <= 20:
            return "송장번호는 8~20자리 숫자입니다"
        return None


COURIERS: tuple[Courier, ...] = (
    Courier("CJ", "CJ대한통운", ("대한통운", "CJ택배", "CJGLS", "CJ GLS", "CJ 대한통운", "씨제이대한통운"), (10, 12)),
    Courier("HANJIN", "한진택배", ("한진",), (10, 12)),
    Courier("LOTTE", "롯데택배", ("롯데", "현대택배", "롯데글로벌로지스"), (10, 12, 13)),
    Courier("LOGEN", "로젠택배", ("로젠",), (10, 11)),
    Courier("EPOST", "우체국택배", ("우체국", "우편", "우체국소포"), (13,)),
    Courier("KDEXP", "경동택배", ("경동",), tuple(range(8, 17))),
    Courier("DAESIN", "대신택배", ("대신",), (13,)),
    Courier("ILYANG", "일양로지스", ("일양택배", "일양"), tuple(range(8, 17))),
    Courier("CHUNIL", "천일택배", ("천일특송", "천일"), (11,)),
    Courier("HDEXP", "합동택배", ("합동",), tuple(range(8, 17))),
    Courier("CVSNET", "GS Postbox 편의점택배", ("CVSnet", "편의점택배", "GS25택배", "CVS택배"), (10, 12)),
    Courier("CUPARCEL", "CU 편의점택배", ("CU택배", "CU편의점택배"), (10, 12)),
    Courier("NHLOGIS", "농협택배", ("농협",), tuple(range(8, 17))),
    Courier("KUNYOUNG", "건영택배", ("건영",), tuple(range(8, 17))),
    Courier("EMS", "EMS", ("우체국EMS", "우체국 EMS"), pattern=r"[A-Z]{2}\d{9}[A-Z]{2}"),
    Courier("DIRECT", "직접배송", ("업체직송", "직배송", "자체배송", "직접전달"), tracked=False),
    # 아임웹 (seed 003): 퀵서비스 and 방문수령 take any text as the invoice number (a rider's phone, "1234")
    Courier("QUICK", "퀵서비스", ("퀵", "퀵배송", "오토바이퀵"), tracked=False),
    Courier("VISIT", "방문수령", ("직접수령", "매장수령", "방문 수령"), tracked=False),
)

BY_CODE: dict[str, Courier] = {c.code: c for c in COURIERS}


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").upper()


_LOOKUP: dict[str, Courier] = {}
for _c in COURIERS:
    for _name in (_c.code, _c.name, *_c.synonyms):
        _LOOKUP[_key(_name)] = _c


def find_courier(text: str) -> Courier | None:
    """Map what a seller typed (대한통운, CJ택배, ＣＪ대한통운) to one courier."""
    return _LOOKUP.get(_key(text)) if text else None
