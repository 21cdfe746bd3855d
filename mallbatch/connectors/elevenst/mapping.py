"""Pure functions 11번가 XML ↔ mallbatch records (reference §3.3–3.7).

11번가 answers EUC-KR XML (decoded by :mod:`mallbatch.connectors.runtime.xml`); list answers are
``<ns2:orders><ns2:order>…`` with unprefixed fields, actions carry ``result_code``/``result_text``
and product/Q&A answers ``resultCode``/``message``. :func:`decode` gives both one ``code``/``text``.
Requests go out as EUC-KR too, so every text is checked first: a character EUC-KR cannot carry
is refused before sending, naming the seller's column.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from mallbatch.connectors.runtime.xml import decode_xml
from mallbatch.domain.clock import KST
from mallbatch.domain.records import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Inquiry,
    ListingChange,
    MallProduct,
    OptionCombo,
    OrderLine,
    OrderStatus,
    ProductListing,
)
from mallbatch.domain.states import State

MALL = "11st"
PATH_TIME = "%Y%m%d%H%M"  # reference §3.1: yyyyMMddHHmm in paths
NAME_BYTES = 50  # reference §3.6: prdNm 50-byte limit (EUC-KR: 한글 2바이트)
PRICE_UNIT = 10  # reference §3.6: selPrc in 10원 units
MAX_OPTIONS = 100  # seed 001: "11번가의 경우 옵션이 100개 이상 등록 하실수 없습니다" (read as at most 100)

# reference §3.7 (partial): canonical courier → dlvEtprsCd. The full table is not public: every other
# courier (우체국 EPOST, 경동 KDEXP, 대신, 일양, 천일, 합동, 편의점, 농협, 건영, EMS, 직접배송) has no
# known code here and is refused before sending; 00099 기타 (WAPI's fallback) is only read, never sent.
COURIER_CODES = {"CJ": "00034", "HANJIN": "00011", "LOTTE": "00012", "LOGEN": "00002"}
COURIER_OF = {code: canonical for canonical, code in COURIER_CODES.items()}

# ordPrdStat: 202 결제완료 is in the reference (§3.3); inferred from 11번가's numbering: 301 배송준비중,
# 401 배송중, 501 배송완료, 901 구매확정.
ORDER_STATUS = {"202": OrderStatus.PAID, "301": OrderStatus.PREPARING, "401": OrderStatus.SHIPPING,
                "501": OrderStatus.DELIVERED, "901": OrderStatus.DECIDED}
# Order lists (reference §3.2) → the status their lines have; "shipping" is invented (no 배송중 list
# in the reference; the read-back of 발송처리 needs one).
ORDER_LISTS = {"complete": OrderStatus.PAID, "packaging": OrderStatus.PREPARING,
               "shipping": OrderStatus.SHIPPING, "dlvcompleted": OrderStatus.DELIVERED}
LIST_STAMP = {"complete": "ordStlEndDt", "packaging": "plcodrCnfDt"}  # the date each list is ordered by

CANCEL_STATUS = {"01": ClaimStatus.REQUESTED, "02": ClaimStatus.DONE}  # reference §3.4 ordCnStatCd
CLAIM_STATUS = {  # reference §3.4 clmStat
    "103": ClaimStatus.IN_PROGRESS, "104": ClaimStatus.IN_PROGRESS, "105": ClaimStatus.REQUESTED,
    "106": ClaimStatus.DONE, "107": ClaimStatus.REJECTED, "108": ClaimStatus.WITHDRAWN, "109": ClaimStatus.IN_PROGRESS,
    "201": ClaimStatus.REQUESTED, "212": ClaimStatus.IN_PROGRESS, "214": ClaimStatus.IN_PROGRESS,
    "221": ClaimStatus.DONE, "232": ClaimStatus.REJECTED, "233": ClaimStatus.WITHDRAWN,
    "301": ClaimStatus.IN_PROGRESS, "302": ClaimStatus.DONE,
}
# clmStat that say more than kind + status (Claim.stage). inferred: 103 재결제대기 waits on the buyer (보류);
# 221 교환발송완료 and 301 재배송접수 mean the new item is on its way (재배송).
CLAIM_STAGE = {"103": State.HELD, "104": State.HELD, "109": State.HELD, "212": State.EXCHANGE_APPROVED,
               "214": State.HELD, "221": State.RESHIPPING, "301": State.RESHIPPING}
CLAIM_LETTERS = {ClaimKind.CANCEL: "C", ClaimKind.RETURN: "R", ClaimKind.EXCHANGE: "X"}  # ours, in Claim.claim_id
# 판매불가 ordCnRsnCd per domain.states.SELLER_REASONS. second-hand (two independent integrations agree):
# 06 배송 지연 예상, 07 상품/가격 정보 잘못 입력, 08 상품 품절(전체옵션), 09 옵션 품절, 10 고객변심, 99 기타.
REASON_CODES = {"품절": "08", "배송지연": "06", "상품정보오류": "07", "구매자요청": "10", "기타": "99"}
# 반품거부 refsRsnCd (second-hand: 11번가 guide page apiSeq 1645): 101 반품 상품 미입고, 102 고객 반품신청 철회 대행,
# 103 반품 불가 상품, 104 기타. 교환거부 (second-hand: an integration's parameter notes): 201 교환 상품 미입고,
# 202 고객 교환신청 철회 대행, 203 교환 불가 상품, 204 기타. Only 구매자요청 has a code of its own.
REFUSAL_CODES = {ClaimKind.RETURN: ({"구매자요청": "102"}, "104"), ClaimKind.EXCHANGE: ({"구매자요청": "202"}, "204")}
# 반품보류 deferRefsRsnCd (second-hand: guide page apiSeq 1654): 101 반품 상품 미입고, 102 반품 배송비 미동봉,
# 103 반품 상품 훼손, 104 구매자 연락 두절, 105 기타; no seller reason matches one of the others.
HOLD_CODE = "105"
# Claim lists (reference §3.2) → kind; the partition key "list" fills the path.
CLAIM_LISTS = {"cancelorders": ClaimKind.CANCEL, "canceledorders": ClaimKind.CANCEL,
               "returnorders": ClaimKind.RETURN, "exchangeorders": ClaimKind.EXCHANGE}
QNA_KINDS = {"01": "상품", "02": "배송", "03": "반품/환불/취소", "04": "교환/변경", "05": "기타"}  # reference §3.5
# second-hand (11번가 다중상품조회 page): selStatCd 103 판매중, 104 품절, 105 전시중지 (106–108 ended or banned)
ON_SALE, SOLD_OUT, OFF_DISPLAY = "103", "104", "105"
# Answers that are a record without any result code (a product, its stock list, the product list)
RECORD_ROOTS = ("Product", "ProductStocks", "products")


# --- answers --------------------------------------------------------------------------
def decode(content: bytes) -> dict[str, Any]:
    """The XML answer with one result ``code`` and ``text``: ``result_code`` of lists and actions,
    ``resultCode`` of product/Q&A answers; a list with records and no code is a success ("0")."""
    body = decode_xml(content)
    code = body.get("result_code", body.get("resultCode"))
    if code is None and (body.get("_root") in RECORD_ROOTS or any(isinstance(v, list) for v in body.values())):
        code = "0"
    text = body.get("result_text") or body.get("message") or ""
    return {**body, "code": None if code is None else str(code).strip(), "text": str(text).strip()}


def records(data: Any) -> list[dict[str, Any]]:
    """Every record of a list answer, whatever its element is called ("no data" is none)."""
    if not isinstance(data, dict):
        return []
    return [item for value in data.values() if isinstance(value, list) for item in value if isinstance(item, dict)]


def parse_time(value: Any) -> datetime | None:
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:19], fmt).replace(tzinfo=KST)
        except ValueError:
            continue
    return None


def as_int(value: Any) -> int:
    try:
        return int(float(str(value).replace(",", "").strip() or 0))
    except ValueError:
        return 0


def line_key(ord_no: Any, seq: Any) -> str:
    """The line id: ordNo-ordPrdSeq (reference §5.1: 11번가 identity is the pair)."""
    return f"{str(ord_no).strip()}-{str(seq).strip()}"


def split_line(line_id: str) -> tuple[str, str]:
    """(ordNo, ordPrdSeq) of a line id; ValueError when it is not one."""
    ord_no, _, seq = line_id.strip().rpartition("-")
    if not (ord_no.isdigit() and seq.isdigit()):
        raise ValueError(line_id)
    return ord_no, seq


def to_line(item: dict[str, Any], list_name: str, account: str) -> OrderLine:
    raw = str(item.get("ordPrdStat") or "")
    return OrderLine(
        mall=MALL, account=account, line_id=line_key(item.get("ordNo"), item.get("ordPrdSeq")),
        order_id=str(item.get("ordNo") or ""), ship_unit=str(item.get("dlvNo") or ""),
        status=ORDER_STATUS.get(raw, ORDER_LISTS.get(list_name, OrderStatus.PAID)), status_raw=raw,
        ordered_at=parse_time(item.get("ordDt")), paid_at=parse_time(item.get("ordStlEndDt")),
        buyer_name=str(item.get("ordNm") or ""), buyer_phone=str(item.get("ordPrtblTel") or item.get("ordTlphnNo") or ""),
        receiver_name=str(item.get("rcvrNm") or ""), receiver_phone=str(item.get("rcvrPrtblNo") or ""),
        receiver_phone2=str(item.get("rcvrTlphn") or ""), zip=str(item.get("rcvrMailNo") or ""),
        address=str(item.get("rcvrBaseAddr") or ""), address_detail=str(item.get("rcvrDtlsAddr") or ""),
        memo=str(item.get("ordDlvReqCont") or ""), product_id=str(item.get("prdNo") or ""),
        seller_code=str(item.get("sellerPrdCd") or ""), product_name=str(item.get("prdNm") or ""),
        option_name=str(item.get("slctPrdOptNm") or ""), quantity=as_int(item.get("ordQty")),
        unit_price=as_int(item.get("selPrc")), amount=as_int(item.get("ordPayAmt") or item.get("ordAmt")),
        shipping_fee=as_int(item.get("dlvCst")), courier=COURIER_OF.get(str(item.get("dlvEtprsCd") or ""), ""),
        tracking_no=str(item.get("invcNo") or ""), raw=dict(item),
        ship_by=parse_time(item.get("dlvSndDue")),  # reference §3.3 (발송예정일); no delivery time is shown
    )


def to_claim(item: dict[str, Any], list_name: str, account: str) -> Claim:
    kind = CLAIM_LISTS[list_name]
    if kind is ClaimKind.CANCEL:
        seq, raw = item.get("ordPrdCnSeq"), str(item.get("ordCnStatCd") or "")
        status = CANCEL_STATUS.get(raw, ClaimStatus.IN_PROGRESS)  # any other code: still open (inferred)
        when, quantity = item.get("createDt"), item.get("ordCnQty")
        reason = item.get("ordCnDtlsRsn") or item.get("ordCnRsnCd")
        who = {"01": "구매자", "02": "판매자"}.get(str(item.get("ordCnMnbdCd") or ""), "")
        phone = ""
    else:
        seq, raw = item.get("clmReqSeq"), str(item.get("clmStat") or "")
        status = CLAIM_STATUS.get(raw, ClaimStatus.IN_PROGRESS)
        when, quantity = item.get("reqDt"), item.get("clmReqQty")
        reason = item.get("clmReqCont") or item.get("clmReqRsn")
        who = str(item.get("rcvrNm") or item.get("exchNm") or "")
        phone = str(item.get("rcvrPrtblNo") or item.get("exchPrtblTel") or "")
    letter = CLAIM_LETTERS[kind]
    line = line_key(item.get("ordNo"), item.get("ordPrdSeq"))
    return Claim(
        mall=MALL, account=account, claim_id=f"{line}-{letter}{str(seq or '').strip()}", kind=kind, status=status,
        status_raw=raw, order_id=str(item.get("ordNo") or ""), line_ids=[line], ship_unit=str(item.get("dlvNo") or ""),
        requested_at=parse_time(when), reason=str(reason or ""), quantity=as_int(quantity) or 1,
        product_name=str(item.get("prdNm") or ""), option_name=str(item.get("slctPrdOptNm") or item.get("optName") or ""),
        requester_name=who, requester_phone=phone, raw=dict(item), stage=claim_stage(kind, raw, item),
    )


def claim_stage(kind: ClaimKind, code: str, item: dict[str, Any]) -> str:
    """The canonical state when the code says more than kind + status; a return or exchange still
    requested whose pickup invoice (twPrdInvcNo) is known is being picked up (inferred)."""
    if kind is ClaimKind.CANCEL:
        return ""
    if code in ("105", "201") and str(item.get("twPrdInvcNo") or "").strip():
        return State.COLLECTING
    return CLAIM_STAGE.get(code, "")


def split_claim(claim_id: str) -> tuple[str, str, str, str]:
    """(ordNo, ordPrdSeq, kind letter, claim number) of a Claim.claim_id; ValueError when it is not one."""
    line, _, tail = claim_id.strip().rpartition("-")
    ord_no, seq = split_line(line)
    letter, number = tail[:1], tail[1:]
    if letter not in CLAIM_LETTERS.values() or not number.isdigit():
        raise ValueError(claim_id)
    return ord_no, seq, letter, number


def inquiry_key(item: dict[str, Any]) -> str:
    """brdInfoNo-prdNo: answering needs both (reference §3.2 prodqnaanswer/{brdInfoNo}/{prdNo})."""
    return f"{str(item.get('brdInfoNo') or '').strip()}-{str(item.get('brdInfoClfNo') or '').strip()}"


def split_inquiry(inquiry_id: str) -> tuple[str, str]:
    number, _, product = inquiry_id.strip().partition("-")
    if not (number.isdigit() and product.isdigit()):
        raise ValueError(inquiry_id)
    return number, product


def to_inquiry(item: dict[str, Any], account: str) -> Inquiry:
    return Inquiry(
        mall=MALL, account=account, inquiry_id=inquiry_key(item),
        kind=f"상품문의/{item.get('qnaDtlsCdNm') or QNA_KINDS.get(str(item.get('qnaDtlsCd') or ''), '기타')}",
        subject=str(item.get("brdInfoSbjct") or ""), body=str(item.get("brdInfoCont") or ""),
        product_id=str(item.get("brdInfoClfNo") or ""), product_name=str(item.get("prdNm") or ""),
        order_id=str(item.get("ordNoDe") or ""), asked_at=parse_time(item.get("createDt")),
        writer=str(item.get("memID") or ""), answered=str(item.get("answerYn") or "").upper() == "Y",
        answer=str(item.get("answerCont") or ""), answered_at=parse_time(item.get("answerDt")), raw=dict(item),
    )


# --- EUC-KR ------------------------------------------------------------------------------
def outside_euc_kr(text: str) -> str | None:
    """The first character EUC-KR cannot carry. Python spells Hangul outside KS X 1001 (똠) as an
    8-byte jamo sequence that no EUC-KR server reads, so only 1–2 byte characters count."""
    for char in text:
        try:
            if len(char.encode("euc_kr")) <= 2:
                continue
        except UnicodeEncodeError:
            pass
        return char
    return None


def euc_kr_problem(column: str, text: str) -> str | None:
    char = outside_euc_kr(text)
    if char is None:
        return None
    return (f"{column}에 11번가가 받을 수 없는 글자 '{char}' (U+{ord(char):04X})가 있습니다. "
            "11번가는 EUC-KR 글자만 받으니 이 글자를 빼거나 다른 글자로 바꾸세요")


def listing_cells(listing: ProductListing) -> list[tuple[str, str]]:
    """(the seller's column, text) of everything the product XML sends."""
    cells = [("상품명", listing.name), ("자체상품코드", listing.seller_code), ("브랜드", listing.brand),
             ("제조사", listing.maker), ("모델명", listing.model_name), ("원산지", listing.origin_detail or listing.origin),
             ("상세설명", listing.detail_html), ("대표이미지", listing.main_image),
             *(("추가이미지", image) for image in listing.extra_images),
             *(("옵션명", name) for name in listing.option_names),
             *(("옵션값", value) for combo in listing.options for value in combo.values)]
    return [(column, text) for column, text in cells if text]


def name_bytes(name: str) -> int:
    return len(name.encode("euc_kr", errors="replace"))


# --- product XML (reference §3.6) ------------------------------------------------------------
def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _fee_type(fee_type: str) -> str:
    # reference §3.6 dlvCstInstBasiCd: 01 무료, 02 고정, 03 조건부무료
    return {"무료": "01", "유료": "02", "조건부 무료": "03", "조건부무료": "03"}.get(fee_type.strip(), "02")


def _origin(origin: str) -> str:
    # reference §3.6 orgnTypCd: 01 국내, 02 해외, 03 기타
    text = origin.strip()
    return "01" if text.startswith(("국내", "국산", "대한민국")) else "02" if text.startswith(("해외", "수입", "중국", "미국")) else "03"


def product_xml(listing: ProductListing, courier_code: str) -> bytes:
    """The ``<Product>`` body, EUC-KR (the caller has checked every text with :func:`euc_kr_problem`)."""
    ship = listing.shipping
    parts = [
        "<selMthdCd>01</selMthdCd>", f"<dispCtgrNo>{escape(listing.mall_category.strip())}</dispCtgrNo>",
        "<prdTypCd>01</prdTypCd>", f"<prdNm>{_cdata(listing.name)}</prdNm>", f"<brand>{escape(listing.brand or listing.maker)}</brand>",
        f"<orgnTypCd>{_origin(listing.origin)}</orgnTypCd>", f"<orgnNmVal>{escape(listing.origin_detail or listing.origin)}</orgnNmVal>",
        f"<sellerPrdCd>{escape(listing.seller_code)}</sellerPrdCd>",
        f"<suplDtyfrPrdClfCd>{'02' if listing.tax_type.strip() == '면세' else '01'}</suplDtyfrPrdClfCd>",
        "<prdStatCd>01</prdStatCd>", f"<minorSelCnYn>{'N' if listing.adult_only else 'Y'}</minorSelCnYn>",
        f"<prdImage01>{escape(listing.main_image)}</prdImage01>",
        *(f"<prdImage{n:02d}>{escape(image)}</prdImage{n:02d}>" for n, image in enumerate(listing.extra_images[:3], start=2)),
        f"<htmlDetail>{_cdata(listing.detail_html)}</htmlDetail>", "<selTermUseYn>N</selTermUseYn>",
        f"<selPrc>{listing.sale_price}</selPrc>", f"<prdSelQty>{listing.stock}</prdSelQty>",
        "<dlvCnAreaCd>01</dlvCnAreaCd>", "<dlvWyCd>01</dlvWyCd>", f"<dlvEtprsCd>{courier_code}</dlvEtprsCd>",
        f"<dlvCstInstBasiCd>{_fee_type(ship.fee_type)}</dlvCstInstBasiCd>", f"<dlvCst1>{ship.fee}</dlvCst1>",
        f"<bndlDlvCnYn>{'N' if ship.bundle_type.strip() == '묶음배송' else 'Y'}</bndlDlvCnYn>",
        # invented: dlvCstPayTypCd 01 선결제 / 02 착불 (the reference gives the codes 01/02/03, not their meaning)
        f"<dlvCstPayTypCd>{'02' if ship.pay_type.strip() == '착불' else '01'}</dlvCstPayTypCd>",
        f"<jejuDlvCst>{ship.jeju_fee}</jejuDlvCst>", f"<islandDlvCst>{ship.island_fee}</islandDlvCst>",
        f"<rtngdDlvCst>{ship.return_fee}</rtngdDlvCst>", f"<exchDlvCst>{ship.exchange_fee}</exchDlvCst>",
    ]
    if listing.options:
        # inferred child names (colTitle, colValue0, colOptPrice, colCount): the reference names only
        # ProductRootOption/ProductOption. invented: a combination's values joined by "/" in colValue0.
        options = "".join(
            f"<ProductOption><colValue0>{escape('/'.join(combo.values))}</colValue0><colOptPrice>{combo.extra_price}</colOptPrice>"
            f"<colCount>{combo.stock}</colCount></ProductOption>" for combo in listing.options)
        parts.append(f"<ProductRootOption><colTitle>{escape('/'.join(listing.option_names))}</colTitle>{options}</ProductRootOption>")
    text = '<?xml version="1.0" encoding="euc-kr" standalone="yes"?><Product>' + "".join(parts) + "</Product>"
    return text.encode("euc_kr")


def answer_xml(text: str) -> bytes:
    """``<ProductQna><answerCont>`` with the answer as CDATA (reference §3.2)."""
    body = f'<?xml version="1.0" encoding="euc-kr" standalone="yes"?><ProductQna><answerCont>{_cdata(text)}</answerCont></ProductQna>'
    return body.encode("euc_kr")


# --- the catalogue: stock per 재고번호, the product list (second-hand: 11번가 Open API guide pages) ----
PAGE = 500  # 다중상품조회: "일괄 최대 500개 목록 조회 가능"


def option_of(stock: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(option names, values) of one 재고번호: mixOptNm / mixDtlOptNm list one per option column,
    comma-separated ("사이즈,색상" / "one,와인"). A product registered by mallbatch has one column whose
    name and value join the combination with "/" (product_xml), split back here."""
    names = tuple(n.strip() for n in str(stock.get("mixOptNm") or "").split(",") if n.strip())
    values = tuple(v.strip() for v in str(stock.get("mixDtlOptNm") or "").split(",") if v.strip())
    if len(names) == len(values) == 1 and 0 < names[0].count("/") == values[0].count("/"):
        names, values = tuple(names[0].split("/")), tuple(values[0].split("/"))
    return names, values


def stock_xml(change: ListingChange) -> bytes:
    """``<ProductStock>`` of 상품재고수량변경처리: every field is required, optWght as the mall has it."""
    fields = {"prdNo": change.product_id.strip(), "prdStckNo": change.extra["prdStckNo"], "stckQty": change.stock,
              "optWght": change.extra.get("optWght") or "0"}
    body = "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in fields.items())
    return f'<?xml version="1.0" encoding="euc-kr" standalone="yes"?><ProductStock>{body}</ProductStock>'.encode("euc_kr")


def stocks_xml(product_ids: list[str]) -> bytes:
    """``<ProductStocks>`` of 다중상품재고정보조회: one ``<ProductStock><prdNo>`` per product."""
    items = "".join(f"<ProductStock><prdNo>{escape(no)}</prdNo></ProductStock>" for no in product_ids)
    return f'<?xml version="1.0" encoding="euc-kr" standalone="yes"?><ProductStocks>{items}</ProductStocks>'.encode("euc_kr")


@dataclass(frozen=True)
class SearchPages:
    """다중상품조회 pages: ``<SearchProduct>`` with ``limit`` and the ``start``/``end`` positions
    (inferred: 1-based, both included); a full page means there may be another."""

    size: int = PAGE

    def params(self, cursor: Any) -> dict[str, Any]:
        start = cursor or 1
        body = f"<limit>{self.size}</limit><start>{start}</start><end>{start + self.size - 1}</end>"
        return {"content": f'<?xml version="1.0" encoding="euc-kr" standalone="yes"?><SearchProduct>{body}</SearchProduct>'.encode()}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        return (cursor or 1) + self.size if len(items) >= self.size else None


def to_product(item: dict[str, Any], account: str) -> MallProduct:
    """One row of the product list; its options and stock come from the stock list (:func:`with_stocks`)."""
    price = as_int(item.get("selPrc"))
    end = parse_time(item.get("aplEndDy"))
    return MallProduct(
        mall=MALL, account=account, product_id=str(item.get("prdNo") or "").strip(),
        seller_code=str(item.get("sellerPrdCd") or "").strip(), name=str(item.get("prdNm") or ""),
        sale_price=price, list_price=price,  # the list shows no 정가 (inferred: the sale price stands for it)
        stock=0, on_sale=str(item.get("selStatCd") or "") in (ON_SALE, SOLD_OUT), category=str(item.get("dispCtgrNo") or ""),
        sale_end=end.date() if end else None, raw=dict(item))


def with_stocks(product: MallProduct, stocks: list[dict[str, Any]]) -> MallProduct:
    """The product with its 재고번호 as options (values, 옵션가 addPrc, stckQty) and their total as its stock."""
    options = [(option_of(s), s) for s in stocks]
    combos = tuple(OptionCombo(values, as_int(s.get("addPrc")), as_int(s.get("stckQty"))) for (_, values), s in options if values)
    names = next((names for (names, values), _ in options if values), ())
    return replace(product, stock=sum(as_int(s.get("stckQty")) for s in stocks), option_names=names, options=combos)
