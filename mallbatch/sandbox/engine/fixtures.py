"""Fake Korean customers for every simulator: names, phones, addresses, memos, questions.

Made up, but shaped like what a Korean seller sees, so workbooks built from simulated orders
read naturally. One module for all malls; each protocol module decides which fields it shows
(쿠팡 shows 안심번호, the others mobile numbers).
"""

from __future__ import annotations

import random
from typing import NamedTuple

FAMILY = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = (
    "민준", "서연", "도윤", "지우", "하준", "서윤", "은우", "하은", "지호", "수아", "예준", "지민",
    "현우", "채원", "건우", "소율", "시우", "유진", "다은", "영숙", "정희",
)
ADDRESSES = (
    ("06236", "서울특별시 강남구 테헤란로 152", "강남파이낸스센터 12층"),
    ("04524", "서울특별시 중구 세종대로 110", "3층 301호"),
    ("48058", "부산광역시 해운대구 센텀중앙로 79", "센텀사이언스파크 1203호"),
    ("41911", "대구광역시 중구 공평로 88", "행복아파트 103동 704호"),
    ("21999", "인천광역시 연수구 컨벤시아대로 165", "포스코타워 15층"),
    ("61945", "광주광역시 서구 내방로 111", "201동 804호"),
    ("35208", "대전광역시 서구 둔산로 100", "101동 1502호"),
    ("13529", "경기도 성남시 분당구 판교역로 235", "에이치스퀘어 N동 7층"),
    ("26464", "강원특별자치도 원주시 시청로 1", "현관 앞"),
    ("63122", "제주특별자치도 제주시 문연로 6", "201호"),  # 도서산간: 쿠팡 adds remotePrice
)
MEMOS = ("", "", "부재 시 경비실에 맡겨주세요", "문 앞에 놓아주세요", "배송 전 연락 부탁드립니다", "파손 주의")
QUESTIONS = (
    "배송은 언제쯤 출발하나요? 이번 주 안에 받을 수 있을까요?",
    "사이즈가 평소보다 크게 나오나요? 정사이즈로 주문하면 될까요?",
    "색상이 사진과 같은가요? 실물이 더 어둡다는 후기가 있어서요.",
    "유통기한이 언제까지인 제품인가요?",
    "구성품에 충전 케이블도 포함되어 있나요?",
    "재입고 예정이 있나요?",
    "제주도도 배송되나요? 추가 배송비가 있나요?",
    "묶음배송 가능한가요? 두 개 주문하려고 합니다.",
)
ANSWER = "안녕하세요 고객님, 문의 주셔서 감사합니다. 확인 후 바로 처리해 드리겠습니다."


class Person(NamedTuple):
    name: str
    phone: str


class Address(NamedTuple):
    zip_code: str
    base: str
    detail: str


def person(rng: random.Random, *, safe_number: bool = False) -> Person:
    """A Korean name with a mobile number, or a 0503 안심번호 (쿠팡 hides real numbers)."""
    prefix = "0503" if safe_number else "010"
    return Person(rng.choice(FAMILY) + rng.choice(GIVEN), f"{prefix}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}")


def buyer_and_receiver(rng: random.Random, *, safe_number: bool = False) -> tuple[Person, Person]:
    """Most buyers ship to themselves; about three in ten send a gift."""
    buyer = person(rng, safe_number=safe_number)
    return buyer, (buyer if rng.random() < 0.7 else person(rng, safe_number=safe_number))


def address(rng: random.Random) -> Address:
    return Address(*rng.choice(ADDRESSES))


def memo(rng: random.Random) -> str:
    return rng.choice(MEMOS)


def question(rng: random.Random) -> str:
    return rng.choice(QUESTIONS)


def masked_id(rng: random.Random) -> str:
    """A buyer's login as malls show it to sellers: a few letters, then stars."""
    return "".join(rng.choice("abcdefghkmnprstwxyz") for _ in range(4)) + "****"
