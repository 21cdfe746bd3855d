"""상품정보제공 고시 (품목고시): every group of the 공정거래위원회 고시 and its required fields.

The one table of groups: it feeds the 품목고시 dropdown and choices, the template's 안내
sheet, the README reference and the 품목고시 내용 check. Group names are the 고시's own
(쿠팡's noticeCategoryName uses the same wording); field names follow the 고시's 항목,
shortened where the 고시 adds an explanation in brackets. A field may be filled with one
of ``ALLOWED_PLACEHOLDERS`` but never with N / 아니오 (seed 001 주의사항).
"""

from __future__ import annotations

import difflib

AS = "A/S 책임자와 전화번호"
MAKER = "제조자(수입자)"
KC = "KC 인증정보"
MODEL = "품명 및 모델명"
RELEASED = "동일모델의 출시년월"
WARRANTY = "품질보증기준"
PHONE = "소비자상담 관련 전화번호"
CANCEL = "취소 규정"
BOOKING = "예약담당 연락처"
ELECTRIC = (MODEL, KC, "정격전압", "소비전력", "에너지소비효율등급", RELEASED, MAKER, "제조국", "크기")
OTHER_GOODS = "기타 재화"

NOTICE_GROUPS: dict[str, tuple[str, ...]] = {
    "의류": ("제품소재", "색상", "치수", MAKER, "제조국", "세탁방법 및 취급시 주의사항", "제조연월", WARRANTY, AS),
    "구두/신발": ("제품 주소재", "색상", "치수", MAKER, "제조국", "취급시 주의사항", WARRANTY, AS),
    "가방": ("종류", "소재", "색상", "크기", MAKER, "제조국", "취급시 주의사항", WARRANTY, AS),
    "패션잡화(모자/벨트/액세서리)": ("종류", "소재", "치수", MAKER, "제조국", "취급시 주의사항", WARRANTY, AS),
    "침구류/커튼": ("제품소재", "색상", "치수", "제품구성", MAKER, "제조국", "세탁방법 및 취급시 주의사항", WARRANTY, AS),
    "가구(침대/소파/싱크대/DIY제품)": ("품명", KC, "색상", "구성품", "주요 소재", MAKER, "제조국", "크기",
                                 "배송·설치비용", WARRANTY, AS),
    "영상가전(TV류)": (*ELECTRIC, "화면사양", WARRANTY, AS),
    "가정용 전기제품(냉장고/세탁기/식기세척기/전자레인지)": (*ELECTRIC, WARRANTY, AS),
    "계절가전(에어컨/온풍기)": (*ELECTRIC, "냉난방면적", "추가설치비용", WARRANTY, AS),
    "사무용기기(컴퓨터/노트북/프린터)": (*ELECTRIC, "무게", "주요 사양", WARRANTY, AS),
    "광학기기(디지털카메라/캠코더)": (MODEL, KC, RELEASED, MAKER, "제조국", "크기", "무게", "주요 사양", WARRANTY, AS),
    "소형전자(MP3/전자사전 등)": (MODEL, KC, "정격전압", "소비전력", RELEASED, MAKER, "제조국", "크기", "무게", "주요 사양",
                            WARRANTY, AS),
    "휴대형 통신기기": (MODEL, KC, RELEASED, MAKER, "제조국", "크기", "무게", "이동통신사 가입조건", "주요 사양", WARRANTY, AS),
    "내비게이션": (MODEL, KC, "정격전압", "소비전력", RELEASED, MAKER, "제조국", "크기", "무게", "주요 사양",
              "맵 업데이트 비용 및 무상기간", WARRANTY, AS),
    "자동차용품(자동차부품/기타 자동차용품)": (MODEL, RELEASED, "자동차부품 자기인증 유무", MAKER, "제조국", "크기", "적용차종",
                                  WARRANTY, AS),
    "의료기기": (MODEL, "의료기기 허가·신고 번호", "광고사전심의필 유무", "정격전압", "소비전력", RELEASED, MAKER, "제조국",
             "사용목적 및 사용방법", "취급시 주의사항", WARRANTY, AS),  # unsure: 허가·신고 번호 and 광고심의 are one 항목 in the 고시
    "주방용품": (MODEL, "재질", "구성품", "크기", RELEASED, MAKER, "제조국", "식품위생법에 따른 수입신고",  # unsure: wording of 수입신고 항목
             WARRANTY, AS),
    "화장품": ("용량 또는 중량", "제품 주요 사양", "사용기한 또는 개봉 후 사용기간", "사용방법", "제조업자 및 책임판매업자", "제조국",
            "주요성분", "기능성 화장품 심사필 유무", "사용할 때의 주의사항", WARRANTY, "소비자상담 전화번호"),
    "귀금속/보석/시계류": ("소재/순도/밴드재질", "중량", MAKER, "제조국", "치수", "착용 시 주의사항", "주요 사양", "보증서 제공여부",
                   WARRANTY, AS),
    "식품(농수산물)": ("품목 또는 명칭", "포장단위별 용량(중량)/수량/크기", "생산자(수입자)", "원산지", "제조연월일/소비기한",
                 "관련법상 표시사항", "상품구성", "보관방법 또는 취급방법", PHONE),
    "가공식품": ("제품명", "식품의 유형", "생산자 및 소재지", "제조연월일/소비기한", "포장단위별 용량(중량)/수량", "원재료명 및 함량",
             "영양성분", "유전자변형식품 여부", "소비자안전을 위한 주의사항", "수입식품 문구", PHONE),
    "건강기능식품": ("제품명", "식품의 유형", "제조업소의 명칭과 소재지", "제조연월일/소비기한", "포장단위별 용량(중량)/수량",
               "원료명 및 함량", "영양정보", "기능정보", "섭취량/섭취방법/주의사항", "질병 예방·치료 의약품 아님 문구",
               "유전자변형 건강기능식품 여부", "수입식품 문구", PHONE),
    "영유아용품": (MODEL, KC, "크기/중량", "색상", "재질", "사용연령", RELEASED, MAKER, "제조국", "취급방법 및 주의사항", WARRANTY, AS),
    "악기": (MODEL, "크기", "색상", "재질", "제품 구성", RELEASED, MAKER, "제조국", "상품별 세부 사양", WARRANTY, AS),
    "스포츠용품": (MODEL, "크기/중량", "색상", "재질", "제품 구성", RELEASED, MAKER, "제조국", "상품별 세부 사양", WARRANTY, AS),
    "서적": ("도서명", "저자/출판사", "크기", "쪽수", "제품 구성", "출간일", "목차 또는 책소개"),
    "호텔/펜션 예약": ("국가 또는 지역명", "숙소형태", "등급/객실타입", "사용가능 인원/인원 추가 시 비용", "부대시설/제공 서비스",
                 CANCEL, BOOKING),
    "여행패키지": ("여행사", "이용항공편", "여행기간 및 일정", "총 예정 인원/출발 가능 인원", "숙박정보", "여행상품 가격",
              "선택경비 유무", "선택관광 및 대체일정", "가이드 팁", CANCEL, "여행경보단계", BOOKING),
    "항공권": ("요금조건/왕복·편도 여부", "유효기간", "제한사항", "티켓수령방법", "좌석종류", "가격에 포함되지 않은 내역 및 금액",
            CANCEL, BOOKING),
    "자동차 대여 서비스(렌터카)": ("차종", "소유권 이전 조건", "추가 선택 시 비용", "차량 반환 시 연료대금 정산 방법",
                          "차량의 고장·훼손 시 소비자 책임", "예약 취소 또는 중도 해약 시 환불 기준", PHONE),
    "물품대여 서비스(정수기/비데/공기청정기 등)": (MODEL, "소유권 이전 조건", "유지보수 조건", "고장·분실·훼손 시 소비자 책임",
                                    "중도 해약 시 환불 기준", "제품 사양", PHONE),
    "물품대여 서비스(서적/유아용품/행사용품 등)": (MODEL, "소유권 이전 조건", "고장·분실·훼손 시 소비자 책임",
                                    "중도 해약 시 환불 기준", PHONE),
    "디지털 콘텐츠(음원/게임/인터넷강의 등)": ("제작자 또는 공급자", "이용조건 및 이용기간", "상품 제공 방식", "최소 시스템 사양 및 필수 소프트웨어",
                                  "청약철회 또는 계약의 해제·해지에 따른 효과", PHONE),
    "상품권/쿠폰": ("발행자", "유효기간 및 이용조건", "이용 가능 매장", "잔액 환급 조건", PHONE),
    "모바일 쿠폰": ("발행자", "유효기간 및 이용조건", "이용 가능 매장", "환불 조건 및 방법", PHONE),
    "영화/공연": ("주최 또는 기획", "주연", "관람등급", "상영·공연시간", "상영·공연장소", "예매 취소 조건", "취소·환불 방법", PHONE),
    "생활화학제품": ("품목 및 제품명", "용도 및 제형", "제조연월 및 유통기한", "중량·용량·매수", "효과·효능", "수입자/제조자", "제조국",
               "어린이보호포장 대상 제품 유무", "제품에 사용된 화학물질 명칭", "사용상 주의사항",
               "안전기준적합확인 신고번호",  # unsure: 고시 says 신고번호 또는 승인번호
               PHONE),
    "살생물제품": ("제품명 및 제품 유형", "중량 또는 용량 및 표준사용량", "효과·효능", "사용대상자 및 사용범위", "수입자/제조자", "제조국",
              "어린이보호포장 대상 제품 유무", "살생물물질/나노물질/기타 화학물질 명칭", "제품 유해성·위해성 표시",
              "사용방법 및 사용상 주의사항", "승인번호", PHONE),
    "기타 용역": ("서비스 제공 사업자", "인증·허가 사항", "이용조건", "상품 제공 방식", "최소 시스템 사양",
              "청약철회 또는 계약의 해제·해지에 따른 효과", PHONE),
    OTHER_GOODS: (MODEL, "인증·허가 사항", "제조국(원산지)", MAKER, "A/S 책임자와 전화번호(소비자상담 전화번호)"),
}

# Names a seller (or an earlier mallbatch) writes for a group: the part before the bracket
# ("가구", "영상가전") is added below; these are the other spellings.
NOTICE_ALIASES: dict[str, str] = {
    "농수축산물": "식품(농수산물)",
    "농수산물": "식품(농수산물)",
    "농축수산물": "식품(농수산물)",
    "식품(농축수산물)": "식품(농수산물)",
    "신발": "구두/신발",
    "구두": "구두/신발",
    "패션잡화": "패션잡화(모자/벨트/액세서리)",
    "침구": "침구류/커튼",
    "커튼": "침구류/커튼",
    "렌터카": "자동차 대여 서비스(렌터카)",
    "상품권": "상품권/쿠폰",
    "쿠폰": "상품권/쿠폰",
    "귀금속": "귀금속/보석/시계류",
    "시계": "귀금속/보석/시계류",
    "기타": OTHER_GOODS,
    "기타재화": OTHER_GOODS,
    "기타 상품": OTHER_GOODS,
}
NOTICE_ALIASES.update({name.split("(")[0].strip(): name for name in NOTICE_GROUPS if "(" in name
                       and not name.startswith("물품대여")})

ALLOWED_PLACEHOLDERS = ("상세정보 별도표기", "상세페이지 참조", "해당없음")
FORBIDDEN_VALUES = ("n", "no", "아니오", "아니요", "x", "없음", "-")


def find_group(name: str) -> str | None:
    """The 고시 group ``name`` stands for (its own name or a known short name)."""
    name = name.strip()
    return name if name in NOTICE_GROUPS else NOTICE_ALIASES.get(name)


def closest_groups(value: str, count: int = 3) -> list[str]:
    """Groups whose name looks like ``value`` (typos, partial names), always ending with 기타 재화."""
    names = list(NOTICE_GROUPS) + list(NOTICE_ALIASES)
    found = [find_group(n) or n for n in difflib.get_close_matches(value, names, n=count * 2, cutoff=0.4)]
    found += [g for g in NOTICE_GROUPS if value and (value in g or g.split("(")[0] in value)]
    unique = [g for g in dict.fromkeys(found) if g != OTHER_GOODS][:count]
    return [*unique, OTHER_GOODS]
