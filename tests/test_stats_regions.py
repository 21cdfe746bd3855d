"""시/도 of an address (지역별 매출통계): every spelling the malls use, and never anything but a 시/도 or 기타."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mallbatch.domain.regions import OTHER, REGIONS, region_of

NAMES = {name for name, _ in REGIONS}


@pytest.mark.parametrize(("address", "region"), [
    ("서울특별시 강남구 테헤란로 152", "서울특별시"), ("서울시 마포구", "서울특별시"), ("서울 종로구", "서울특별시"),
    ("(06236) 서울 강남구", "서울특별시"), ("[063-62] 서울강남구", "서울특별시"), ("경기도 수원시", "경기도"), ("경기 광주시 오포읍", "경기도"),
    ("광주광역시 북구", "광주광역시"), ("충북 청주시", "충청북도"), ("충청남도 천안시", "충청남도"), ("전라북도 전주시", "전북특별자치도"),
    ("전북특별자치도 전주시", "전북특별자치도"), ("강원도 춘천시", "강원특별자치도"), ("세종시 한누리대로", "세종특별자치시"),
    ("제주도 제주시", "제주특별자치도"), ("경남 창원시", "경상남도"), ("경상북도 포항시", "경상북도"),
    ("***", OTHER), ("", OTHER), ("수원시 팔달구", OTHER), ("1600 Amphitheatre Pkwy, CA", OTHER),
])
def test_the_spellings_malls_use(address: str, region: str) -> None:
    assert region_of(address) == region


@given(st.text())
def test_any_text_is_a_region_or_other(text: str) -> None:
    assert region_of(text) in NAMES | {OTHER}


@given(st.sampled_from(sorted(NAMES)), st.text())
def test_an_official_name_is_itself_whatever_follows(name: str, rest: str) -> None:
    assert region_of(f"{name} {rest}") == name
