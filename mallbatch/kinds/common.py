"""Columns shared by several sheet kinds. Each header string exists once, here or in its kind."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from mallbatch.connectors.registry import NOT_LOADED, connected, connector_class
from mallbatch.domain.couriers import COURIERS
from mallbatch.domain.states import SELLER_REASONS
from mallbatch.malls import MALLS, find_mall
from mallbatch.sheets.columns import Column, Kind
from mallbatch.sheets.issues import WARNING, Issue
from mallbatch.sheets.rows import Row, SheetContext

# The dropdown offers the malls mallbatch talks to (every mall has a connector; one whose module fails to import
# drops out); those are still recognised by name, so a row for one says the install is broken, not "unknown value".
CONNECTED_MALLS = tuple(m.name for m in MALLS if m.code in connected())
UNLOADED_MALLS = tuple(m.name for m in MALLS if m.code not in connected())
MALL = Column(
    "쇼핑몰", "mall", Kind.CHOICE, required=True,
    choices=CONNECTED_MALLS,
    aliases={alias: m.name for m in MALLS for alias in (m.name, m.code, *m.synonyms)},
    refused={name: ("mall-not-loaded", NOT_LOADED) for name in UNLOADED_MALLS},
    synonyms=("제휴몰", "제휴몰명", "마켓", "판매처", "몰"),
    help="목록에서 쇼핑몰을 고르세요" + (f" (불러오지 못함: {', '.join(UNLOADED_MALLS)} — 다시 설치하세요)" if UNLOADED_MALLS else ""),
    example="쿠팡", width=12,
)
ACCOUNT = Column(
    "계정", "account", Kind.TEXT, synonyms=("판매자ID", "판매ID", "계정명", "아이디"),
    help="config.toml 의 계정 이름 (쇼핑몰에 계정이 하나면 비워도 됩니다)", example="기본", width=10,
)


def order_id_kind(row: Row) -> Kind:
    """Order numbers are digits (dashes and spaces dropped) on every mall whose spec says so; a mall with
    other ids (Wish's 24-hex) takes them as codes, so its own 주문 workbook reads back as it was written."""
    mall = find_mall(str(row.get("mall") or ""))
    cls = connector_class(mall.code) if mall else None
    return Kind.CODE if cls is not None and not cls.spec.digit_ids else Kind.DIGITS


ORDER_NO = Column(
    "주문번호", "order_no", Kind.DIGITS, required=True, kind_of=order_id_kind,
    synonyms=("쇼핑몰주문번호", "제휴몰주문번호", "고객주문번호", "주문 번호"),
    help="쇼핑몰의 주문번호 (수집한 주문 엑셀의 값을 그대로; Wish 는 영문·숫자 24자). 묶음배송번호나 상품주문번호가 있으면 비워도 됩니다",
    example="2026112100012345", width=20,
)
SHIP_UNIT = Column(
    "묶음배송번호", "ship_unit", Kind.DIGITS, synonyms=("배송번호", "shipmentBoxId", "bundleNo"), kind_of=order_id_kind,
    help="쿠팡 묶음배송번호, 위메프 배송번호, Wish 주문 ID 등 (있으면 주문번호보다 우선)", width=20,
)
LINE_ID = Column(
    "상품주문번호", "line_id", Kind.CODE, synonyms=("주문상세번호", "옵션주문번호", "주문상품번호"),
    help="스마트스토어 상품주문번호 등 주문 안의 한 줄 (있으면 가장 먼저 사용)", width=22,
)
COURIER = Column(
    "택배사", "courier", Kind.CHOICE, required=True,
    choices=tuple(c.name for c in COURIERS),
    aliases={alias: c.name for c in COURIERS for alias in (c.code, *c.synonyms)},
    synonyms=("배송업체", "택배사명", "배송사"),
    help="목록에서 택배사를 고르세요 (대한통운·CJ택배 등도 인식합니다). 처리가 송장일 때 필수", example="CJ대한통운", width=14,
)
TRACKING_NO = Column(
    "송장번호", "tracking_no", Kind.CODE, required=True,
    synonyms=("운송장번호", "송장 번호", "운송장", "invoiceNo"),
    help="숫자만 입력 (택배사별 자릿수 확인: CJ대한통운 10·12자리, 우체국 13자리 …). 처리가 송장일 때 필수",
    example="612345678901", width=16,
)
SHIPPED_ON = Column(
    "출고일", "shipped_on", Kind.DATE, synonyms=("발송일", "출고일자", "발송일자"),
    help="비우면 처리하는 날로 보냅니다 (YYYY-MM-DD)", example="2026-11-21", width=12,
)
INQUIRY_NO = Column(
    "문의번호", "inquiry_id", Kind.CODE, required=True, synonyms=("문의 번호", "Q&A번호", "질문번호"),
    help="수집한 문의 엑셀의 문의번호", example="QNA-10001", width=16,
)
ANSWER = Column(
    "답변", "answer", Kind.TEXT, required=True, synonyms=("답변내용", "답변 내용"),
    help="고객에게 보낼 답변 (쇼핑몰별 글자수 제한은 보낼 때 확인합니다: 위메프 10~1500자)",
    example="안녕하세요. 문의하신 상품은 내일 출고됩니다. 감사합니다.", width=40,
)
TEMPLATE = Column(
    "템플릿", "template", Kind.TEXT, synonyms=("답변템플릿", "답변 템플릿", "템플릿명"),
    help=("답변 대신 쓸 템플릿 이름 (작업 폴더 templates/answers/<언어>/<이름>.txt). 고객의 언어로 채웁니다 "
          "(없으면 그 언어의 기본 언어, 그다음 Wish 는 en, 국내 쇼핑몰은 ko). 답변을 채우면 답변을 보냅니다"),
    example="배송안내", width=12,
)
ANSWER_ACTION = Column(
    "처리", "action", Kind.CHOICE, choices=("답변", "답변후종료"), aliases={"종료": "답변후종료", "답변 후 종료": "답변후종료"},
    variants={"답변완료": "답변", "답변등록": "답변", "답변하고종료": "답변후종료", "답변및종료": "답변후종료", "처리완료": "답변후종료"},
    help="답변 또는 답변후종료 (비우면 답변)", example="답변", width=10, default="답변",
)

# The seller's action on an order line (seed 001: 발주확인, 송장, 판매취소, 송장송신관리의 강제완료); the
# same 처리 header as answers, with the order actions as its choices.
# 송장삭제 (seed 003): where the mall refuses a cancel while an invoice is on the line, the seller deletes it first.
CONFIRM, SEND, CANCEL, DONE_OUTSIDE, RELEASE, DELETE_INVOICE = "발주확인", "송장", "판매취소", "강제완료", "보류해제", "송장삭제"
ORDER_ACTION = dataclasses.replace(
    ANSWER_ACTION, choices=(SEND, CONFIRM, CANCEL, DONE_OUTSIDE, RELEASE, DELETE_INVOICE),
    aliases={"송장전송": SEND, "송장등록": SEND, "발송": SEND, "발송처리": SEND, "발주": CONFIRM, "주문확인": CONFIRM,
             "판매불가": CANCEL, "보류 해제": RELEASE, "배송보류해제": RELEASE, "강제 완료": DONE_OUTSIDE,
             "송장 삭제": DELETE_INVOICE, "송장번호삭제": DELETE_INVOICE},
    variants={"완료": DONE_OUTSIDE, "처리완료": DONE_OUTSIDE, "취소": CANCEL, "발주처리": CONFIRM, "송장취소": DELETE_INVOICE},
    help=(f"{SEND}(택배사·송장번호를 채우면 비워도 송장), {CONFIRM}(송장 없이), {CANCEL}(사유구분 필수, 발송 전만), "
          f"{DONE_OUTSIDE}(mallbatch 밖에서 보낸 주문: 쇼핑몰에 보내지 않고 다음 주문 엑셀에서 뺍니다), {RELEASE}(쇼핑몰의 배송보류), "
          f"{DELETE_INVOICE}(배송대기 주문의 송장을 지웁니다: 송장이 있으면 판매취소할 수 없는 쇼핑몰)"),
    example=SEND, default=None,
)
CANCEL_REASON = Column(
    "사유구분", "reason_code", Kind.CHOICE, choices=SELLER_REASONS, synonyms=("사유코드", "사유 구분", "취소사유", "판매취소사유"),
    help=f"판매취소할 때 고르세요 ({', '.join(SELLER_REASONS)}). 쇼핑몰마다 맞는 사유 코드로 보냅니다", width=10,
)

PRODUCT_NAME = Column(
    "상품명", "name", Kind.TEXT, required=True, synonyms=("등록상품명", "노출상품명", "상품 이름"),
    help="한글 20자(영문 40자) 이내, 특수문자는 ( ) , / + - ~ 만. 무료배송·사은품증정 같은 문구는 넣지 마세요",
    example="실버 목걸이 세트 (로즈골드)", width=30,
)

# Columns of collected-record workbooks (outbox).
NEW = Column("신규", "new", help="지난번 엑셀 이후 새로 수집된 행", width=6)
COLLECTED_AT = Column("수집일시", "collected_at", Kind.DATETIME, width=18)
OPTION_OUT = Column("옵션", "option_name", synonyms=("옵션정보", "옵션명"), width=20)
QUANTITY_OUT = Column("수량", "quantity", Kind.INT, width=6)
# What the seller fills on an order line: how many of it to ship or cancel (seed 003 수량 나누기).
QUANTITY = dataclasses.replace(
    QUANTITY_OUT, min=1, synonyms=("처리수량", "발송수량", "취소수량", "주문수량"),
    help=("비우거나 주문 수량 그대로 두면 그 상품주문 전체를 보내거나 취소합니다. 일부만 하려면 그 수량으로 고치세요 "
          "(예: 3개 중 2개만 발송 → 2, 남은 1개는 다음에 그 행으로). 쇼핑몰이 수량 나누기를 허용할 때만 (아임웹 상품준비 상태)"),
)
MALL_PRODUCT_ID = Column("쇼핑몰상품번호", "product_id", Kind.CODE, width=16)


def answer_or_template(row: Row) -> tuple[str, ...]:
    """``SheetKind.waived``: a row naming a 템플릿 needs no 답변 (the template renders it)."""
    return ("answer",) if row.has("template") else ()


def check_template_unused(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    """답변 filled wins over 템플릿: say so, the seller may have meant the template."""
    if row.has("answer") and row.has("template"):
        yield ctx.issue(row, "template", "template-unused", "답변이 채워져 있어 템플릿은 쓰지 않고 답변을 보냅니다",
                        "템플릿으로 보내려면 답변 칸을 비우세요", WARNING)


def check_account(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    """The row's mall+account must be configured (an empty 계정 is fine when the mall has one)."""
    accounts, mall = ctx.book.accounts, find_mall(row.get("mall", ""))
    if accounts is None or mall is None or mall.name not in CONNECTED_MALLS:
        return  # an unconnected mall is reported on the 쇼핑몰 cell
    names = sorted(a for m, a in accounts if m == mall.code)
    account = row.get("account")
    if account and account not in names:
        yield ctx.issue(row, "account", "account", f"config.toml 에 {mall.name} '{account}' 계정이 없습니다",
                        f"계정 이름을 고치거나({', '.join(names) or '등록된 계정 없음'}) config.toml 에 계정을 추가하세요")
    elif not account and len(names) != 1:
        fix = f"계정을 입력하세요 ({', '.join(names)})" if names else "config.toml 에 이 쇼핑몰 계정을 추가하세요"
        yield ctx.issue(row, "account", "account", f"{mall.name} 계정을 정할 수 없습니다", fix)
