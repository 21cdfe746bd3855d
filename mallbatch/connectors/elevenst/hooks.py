"""What is genuinely special to 11번가: it has no order or claim look-up by id, only time-window lists,
so 발주확인 (per line: ordNo/ordPrdSeq/…/dlvNo) and partial 발송처리 find the box's lines in the lists
first and a claim action is read back from its kind's claim lists; every claim action names the claim in
its path (parsed back from our claim id); products are XML bodies; 전시중지/재개 is its own call; stock is
set per 재고번호 (prdStckNo), found in the product's stock list first."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from mallbatch.connectors.elevenst import mapping
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.writes import run_write
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import KST
from mallbatch.domain.records import (
    ClaimAction,
    ClaimKind,
    Invoice,
    ItemResult,
    ListingChange,
    MallProduct,
    OrderCancel,
    OrderLine,
    OrderStatus,
    ProductListing,
    ProductRef,
    split_target,
)
from mallbatch.errors import OutcomeUnknown, RejectedError

LOOKBACK = timedelta(days=30)  # invented: how far back the lists are searched for a box's lines
STOCKS_BATCH = 100  # invented: products per 다중상품재고정보조회 (the page only warns that many are slow)
WEEK = timedelta(days=7)  # reference §3.1: at most one week per list call


def tracking(item: Invoice | ClaimAction) -> str:
    return re.sub(r"[\s-]", "", item.tracking_no)


def now() -> datetime:
    return datetime.now(KST)


def last_week(**extra: str) -> dict[str, str]:
    """The path window of the last 7 days (read-backs look where a write just landed)."""
    end = now() + timedelta(minutes=1)
    return {"startTime": (end - WEEK).strftime(mapping.PATH_TIME), "endTime": end.strftime(mapping.PATH_TIME), **extra}


def last_week_days(**extra: str) -> dict[str, str]:
    """The Q&A list's day window (yyyyMMdd, both days included) of the last 7 days."""
    today = now().date()
    return {"startTime": f"{today - timedelta(days=6):%Y%m%d}", "endTime": f"{today:%Y%m%d}", **extra}


def pick(match: Callable[[dict[str, Any], str], bool]) -> Callable[[Any, str], dict[str, Any] | None]:
    """A Lookup's pick: the newest record of a list answer that ``match``es the key."""
    def choose(data: Any, key: str) -> dict[str, Any] | None:
        found = [item for item in mapping.records(data) if match(item, key.strip())]
        return found[-1] if found else None
    return choose


# --- checks made before any call -------------------------------------------------------------
def unit_problem(unit: str) -> str | None:
    return None if unit.strip().isdigit() else f"11번가 배송번호(dlvNo)는 숫자여야 합니다 ({unit.strip()})"


def invoice_problem(invoice: Invoice) -> str | None:
    return unit_problem(invoice.ship_unit) or courier_problem(invoice)


def courier_problem(item: Invoice | ClaimAction, action_ko: str = "발송처리") -> str | None:
    """A courier 11번가 has a code for and a numeric tracking number (an invoice, 취소거부, 교환승인)."""
    if not item.courier and not item.tracking_no.strip():
        return f"11번가 {action_ko}에는 택배사와 송장번호가 필요합니다. 택배사와 송장번호를 입력하세요"
    if item.courier not in mapping.COURIER_CODES:
        return (f"11번가 택배사 코드를 알 수 없는 택배사입니다 ({item.courier}). "
                f"CJ대한통운·한진·롯데·로젠만 보낼 수 있으니 11번가 판매자센터에서 직접 {action_ko}하세요")
    if not tracking(item).isdigit():
        return f"11번가 송장번호는 숫자여야 합니다 ({item.tracking_no})"
    return None


def answer_problem(inquiry_id: str, text: str) -> str | None:
    try:
        mapping.split_inquiry(inquiry_id)
    except ValueError:
        return f"11번가 문의번호는 '문의번호-상품번호' 형식입니다 ({inquiry_id.strip()}). 수집된 문의 엑셀의 번호를 그대로 쓰세요"
    return mapping.euc_kr_problem("답변내용", text)


def done(key: Callable[[Any], str]) -> Callable[[Any, list[Any]], list[ItemResult]]:
    """Per-item results of a one-item call that did not raise: done (11번가 names no receipt id);
    a Q&A answer's 210 is the same answer already there (reference §3.1: 200 or 210)."""
    def results(data: Any, items: list[Any]) -> list[ItemResult]:
        again = isinstance(data, dict) and data.get("code") == "210"
        return [ItemResult(key(i), True, already=again, message_ko=str(data.get("text") or "") if again else "") for i in items]
    return results


def answer_body(answer: Any) -> dict[str, Any]:
    """Path parameters of prodqnaanswer and the EUC-KR ``<ProductQna>`` body."""
    number, product = mapping.split_inquiry(answer.inquiry_id)
    return {"brdInfoNo": number, "prdNo": product, "content": mapping.answer_xml(answer.text)}


def listing_problems(connector: Connector, listing: ProductListing) -> list[str]:
    """seed 001 / reference §3.6 rules beyond ListingRules, and EUC-KR for every text sent."""
    label, problems = connector.account.label, []
    size = mapping.name_bytes(listing.name)
    if size > mapping.NAME_BYTES:
        problems.append(f"{label}: 11번가 상품명은 {mapping.NAME_BYTES}바이트(한글 {mapping.NAME_BYTES // 2}자)까지입니다 "
                        f"(현재 {size}바이트). 상품명을 줄이세요")
    if listing.sale_price % mapping.PRICE_UNIT:
        problems.append(f"{label}: 11번가 판매가는 {mapping.PRICE_UNIT}원 단위여야 합니다 (현재 {listing.sale_price:,}원)")
    if not listing.mall_category.strip().isdigit():
        problems.append(f"{label}: 11번가 쇼핑몰 카테고리는 전시카테고리 번호(숫자)여야 합니다 ({listing.mall_category.strip()})")
    problems += [f"{label}: {p}" for column, text in mapping.listing_cells(listing)
                 if (p := mapping.euc_kr_problem(column, text))]
    return problems


# --- orders ------------------------------------------------------------------------------------
def scan(connector: Connector, lists: Sequence[str], since: datetime | None = None) -> list[OrderLine]:
    """Every line of these order lists over the look-back, in ≤ 7-day path windows."""
    read = connector.spec.reads["orders"]
    assert read.window is not None
    end = now() + timedelta(minutes=1)
    found: dict[str, OrderLine] = {}
    for window in read.window.calls(since or end - LOOKBACK, end):
        for name in lists:
            data = connector.call("GET", read.path, send="params", payload={**window, "list": name})
            for item in mapping.records(data):
                line = mapping.to_line(item, name, connector.account.name)
                found[line.line_id] = line
    return list(found.values())


def lookup_orders(connector: Connector, ids: Sequence[str]) -> list[OrderLine]:
    """Lines whose line id (ordNo-ordPrdSeq), dlvNo or ordNo is asked for, as the lists show them now."""
    wanted = {str(i).strip() for i in ids if str(i).strip()}
    if not wanted:
        return []
    return [line for line in scan(connector, tuple(mapping.ORDER_LISTS))
            if wanted & {line.line_id, line.ship_unit, line.order_id}]


def _boxes(connector: Connector, name: str) -> dict[str, list[OrderLine]]:
    """dlvNo → lines of one list, read once per connector (a push run) and kept in ``memo``."""
    boxes = connector.memo.get(name)
    if boxes is None:
        boxes = connector.memo[name] = {}
        for line in scan(connector, (name,)):
            boxes.setdefault(line.ship_unit, []).append(line)
    return boxes


def _per_unit(units: Sequence[str], results: list[ItemResult], missing: dict[str, ItemResult]) -> list[ItemResult]:
    """One result per asked unit: ok when every call of its lines was (already counts as done)."""
    by_unit: dict[str, list[ItemResult]] = {}
    for result in results:
        by_unit.setdefault(result.key, []).append(result)
    out = []
    for unit in units:
        parts = by_unit.get(unit)
        if not parts:
            out.append(missing[unit])
            continue
        failed = next((r for r in parts if not r.ok), None)
        out.append(failed or ItemResult(unit, True, already=all(r.already for r in parts),
                                        message_ko=next((r.message_ko for r in parts if r.already), "")))
    return out


def confirm(connector: Connector, ship_units: Sequence[str]) -> list[ItemResult]:
    """발주확인 of each box: reqpackaging for each of its 결제완료 lines."""
    write = connector.spec.writes[Capability.ORDERS_CONFIRM]
    units = [str(u).strip() for u in ship_units]
    paid = _boxes(connector, "complete")
    lines, missing = [], {}
    for unit in dict.fromkeys(units):
        problem = unit_problem(unit)
        if problem is None and unit in paid:
            lines += paid[unit]
            continue
        missing[unit] = ItemResult(unit, False, code="INVALID" if problem else "NOT_FOUND",
                                   message_ko=problem or f"11번가 결제완료 목록에 배송번호 {unit} 의 주문이 없습니다. 배송번호를 확인하세요")
        if problem is None:  # not among the paid ones: perhaps confirmed already, or cancelled
            held = connector.read_back(Capability.ORDERS_CONFIRM, {unit: {}}) or {}
            missing[unit] = held.get(unit) or _cancelled(connector, unit) or missing[unit]
    results = run_write(connector, write, lines)
    for result in results:  # a box leaves the paid list once confirmed; an unknown outcome raised and keeps it
        if result.ok:
            paid.pop(result.key, None)
    return _per_unit(units, results, missing)


def _cancelled(connector: Connector, unit: str) -> ItemResult | None:
    """The box's buyer cancel as 11번가 lists it (취소완료/취소요청), so the seller is told why it cannot be confirmed."""
    boxes = connector.memo.get("cancelled")
    if boxes is None:
        boxes = connector.memo["cancelled"] = {}
        read = connector.spec.reads["claims"]
        assert read.window is not None
        end = now() + timedelta(minutes=1)
        for window in read.window.calls(end - LOOKBACK, end):
            for name, state in (("canceledorders", "취소완료"), ("cancelorders", "취소요청")):
                data = connector.call("GET", read.path, send="params", payload={**window, "list": name})
                for item in mapping.records(data):
                    boxes.setdefault(str(item.get("dlvNo") or ""), state)
    state = boxes.get(unit)
    if state is None:
        return None
    # invented code (ours): the refusal is read from the cancel lists, never sent as a reqpackaging
    return ItemResult(unit, False, code="CANCELLED", message_ko=f"11번가에서 {state}된 주문입니다 (배송번호 {unit}). "
                      "취소된 주문은 발주확인할 수 없으니 11번가 판매자센터에서 취소 내역을 확인하세요")


def send_invoices(connector: Connector, invoices: Sequence[Invoice], part: Any) -> list[ItemResult]:
    """발송처리 of each box; an invoice naming only some of the box's open lines ships those lines
    (부분발송, one call per line), otherwise the whole box in one call."""
    whole = connector.spec.writes[Capability.INVOICES_SEND]
    open_boxes = _boxes(connector, "packaging") if any(i.line_ids for i in invoices) else {}
    boxes, lines = [], []
    for invoice in invoices:
        open_ids = {l.line_id for l in open_boxes.get(invoice.ship_unit.strip(), [])}
        named = set(invoice.line_ids)
        if named and open_ids and named < open_ids:
            lines += [replace(invoice, line_ids=(line_id,)) for line_id in invoice.line_ids]
        else:
            boxes.append(invoice)
    results = run_write(connector, whole, boxes) + run_write(connector, part, lines)
    units = [i.ship_unit.strip() for i in invoices]
    return _per_unit(units, results, {})


def delivery_params(invoice: Invoice) -> dict[str, str]:
    """reqdelivery path parameters (reference §3.2): sendDt, 01 택배, dlvEtprsCd, invcNo, dlvNo."""
    return {"sendDt": now().strftime(mapping.PATH_TIME), "dlvMthdCd": "01",
            "dlvEtprsCd": mapping.COURIER_CODES[invoice.courier], "invcNo": tracking(invoice),
            "dlvNo": invoice.ship_unit.strip()}


def part_params(invoice: Invoice) -> dict[str, str]:
    ord_no, seq = mapping.split_line(invoice.line_ids[0])
    return {**delivery_params(invoice), "partDlvYn": "Y", "ordNo": ord_no, "ordPrdSeq": seq}


def shipped_as(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return str(found.get("invcNo") or "") == re.sub(r"[\s-]", "", str(wanted.get("tracking_no", "")))


# --- after the sale: 판매불가 and the seller's decisions on claims --------------------------------
SHIPPED = (OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED)


def cancel_text(cancel: OrderCancel) -> str:
    """ordCnDtlsRsn: the seller's words, else the reason picked (the path segment cannot be empty)."""
    return cancel.reason.strip() or cancel.reason_code.strip()


def cancel_problem(cancel: OrderCancel) -> str | None:
    """판매불가 takes a whole line that has not shipped, with a reason 11번가 has a code for."""
    try:
        mapping.split_line(cancel.line_id)
    except ValueError:
        return f"11번가 주문 라인 번호는 '주문번호-주문순번' 형식입니다 ({cancel.line_id.strip()})"
    line = cancel.line
    if line is not None and line.status in SHIPPED:
        return (f"이미 발송된 주문은 판매취소할 수 없습니다 (주문 {line.line_id}, 11번가 {line.status}). "
                "구매자에게 반품 신청을 안내하세요")
    if cancel.quantity and (line is None or cancel.quantity < line.quantity):
        return ("11번가 판매취소(판매불가)는 주문 라인 전체만 취소할 수 있습니다 "
                f"(수량 {cancel.quantity}개). 수량을 비우고 라인 전체를 취소하세요")
    if cancel.reason_code.strip() not in mapping.REASON_CODES:
        return f"판매취소 사유를 {', '.join(mapping.REASON_CODES)} 중에서 고르세요 (지금: {cancel.reason_code.strip() or '비어 있음'})"
    return mapping.euc_kr_problem("판매취소 사유", cancel_text(cancel))


def cancel_params(cancel: OrderCancel) -> dict[str, str]:
    ord_no, seq = mapping.split_line(cancel.line_id)
    return {"ordNo": ord_no, "ordPrdSeq": seq, "ordCnRsnCd": mapping.REASON_CODES[cancel.reason_code.strip()],
            "ordCnDtlsRsn": cancel_text(cancel)}


def claim_problem(kind: ClaimKind, action_ko: str, *, reason: bool = False, invoice: bool = False,
                  fee: bool = True) -> Callable[[ClaimAction], str | None]:
    """A precheck for one claim action: the claim id must be one of ``kind``'s; ``reason`` (거부·보류: the
    buyer is sent it), ``invoice`` (취소거부 ships the line, 교환승인 sends the new item) are required;
    ``fee`` False: 11번가's call takes no 배송비 처리, so asking for one is refused, never dropped."""
    def check(action: ClaimAction) -> str | None:
        try:
            letter = mapping.split_claim(action.claim_id)[2]
        except ValueError:
            return (f"11번가 클레임번호는 '주문번호-주문순번-종류클레임번호' 형식입니다 ({action.claim_id.strip()}). "
                    "수집된 클레임 엑셀의 번호를 그대로 쓰세요")
        if letter != mapping.CLAIM_LETTERS[kind]:
            return f"{kind} 클레임이 아니어서 {action_ko} 할 수 없습니다 ({action.claim_id.strip()}). 클레임 종류를 확인하세요"
        if not fee and action.fee.strip():
            return (f"11번가 {action_ko}에는 배송비 처리({action.fee.strip()})를 보낼 수 없습니다: 배송비는 구매자가 신청할 때 "
                    "정한 방법으로 처리됩니다. 배송비 처리를 비우거나 11번가 판매자센터에서 처리하세요")
        if reason and not action.reason.strip():
            return f"11번가 {action_ko}에는 사유가 필요합니다 (구매자에게 문자·메일로 전달됩니다). 사유를 입력하세요"
        if invoice:
            problem = courier_problem(action, action_ko)
            if problem:
                return problem
        return mapping.euc_kr_problem(f"{action_ko} 사유", action.reason) if reason else None
    return check


def claim_params(action: ClaimAction, **extra: str) -> dict[str, str]:
    """Path parameters naming the claim: ordNo, ordPrdSeq and ordPrdCnSeq (cancels) or clmReqSeq."""
    ord_no, seq, letter, number = mapping.split_claim(action.claim_id)
    return {"ordNo": ord_no, "ordPrdSeq": seq, "ordPrdCnSeq" if letter == "C" else "clmReqSeq": number, **extra}


def cancel_reject_params(action: ClaimAction) -> dict[str, str]:
    """취소거부 ships the line (강제출고); second-hand: its sendDt is yyyyMMdd, unlike reqdelivery's."""
    return claim_params(action, dlvMthdCd="01", sendDt=now().strftime("%Y%m%d"),
                        dlvEtprsCd=mapping.COURIER_CODES[action.courier], invcNo=tracking(action))


def refusal_params(action: ClaimAction) -> dict[str, str]:
    codes, other = mapping.REFUSAL_CODES[action.kind]
    return claim_params(action, refsRsnCd=codes.get(action.reason_code.strip(), other), refsRsn=action.reason.strip())


def hold_params(action: ClaimAction) -> dict[str, str]:
    return claim_params(action, deferRefsRsnCd=mapping.HOLD_CODE, deferRefsRsn=action.reason.strip())


def reship_params(action: ClaimAction) -> dict[str, str]:
    return claim_params(action, dlvEtprsCd=mapping.COURIER_CODES[action.courier], invcNo=tracking(action))


KIND_LISTS = {"C": ("cancelorders", "canceledorders"), "R": ("returnorders",), "X": ("exchangeorders",)}  # by claim letter


def find_claim(connector: Connector, claim_id: str) -> dict[str, Any] | None:
    """The claim as 11번가 lists it now, from its kind's lists over the look-back (no look-up by number)."""
    try:
        ord_no, seq, letter, number = mapping.split_claim(claim_id)
    except ValueError:
        return None
    field = "ordPrdCnSeq" if letter == "C" else "clmReqSeq"
    read = connector.spec.reads["claims"]
    assert read.window is not None
    end = now() + timedelta(minutes=1)
    found = None
    for window in read.window.calls(end - LOOKBACK, end):
        for name in KIND_LISTS[letter]:
            for item in mapping.records(connector.call("GET", read.path, send="params", payload={**window, "list": name})):
                if (str(item.get(field) or ""), mapping.line_key(item.get("ordNo"), item.get("ordPrdSeq"))) == (number, f"{ord_no}-{seq}"):
                    found = item
    return found


def find_shipped(connector: Connector, claim_id: str) -> dict[str, Any] | None:
    """The line of a cancel claim as the 배송중/배송완료 lists show it (a rejected cancel ships the line)."""
    try:
        ord_no, seq, _, _ = mapping.split_claim(claim_id)
    except ValueError:
        return None
    lines = [l for l in scan(connector, ("shipping", "dlvcompleted")) if l.line_id == f"{ord_no}-{seq}"]
    return lines[-1].raw if lines else None


def claim_at(*codes: str) -> Callable[[dict[str, Any], dict[str, Any]], bool]:
    """ReadBack.holds: the claim's ordCnStatCd / clmStat is one of ``codes``."""
    return lambda found, _: str(found.get("ordCnStatCd") or found.get("clmStat") or "") in codes


# --- products ------------------------------------------------------------------------------------
def _product_call(connector: Connector, method: str, path: str, listing: ProductListing) -> dict[str, Any]:
    problems = connector.listing_problems(listing)
    if problems:  # pipeline checks first too; the connector never sends what 11번가 would refuse
        raise RejectedError("; ".join(problems))
    courier = mapping.COURIER_CODES.get(str(connector.account.option("courier") or "CJ"), "00034")
    body = mapping.product_xml(listing, courier)
    return connector.call(method, path, write=True, send="content", payload={"content": body}) or {}


def display_path(on_sale: bool) -> str:
    """전시재개 or 전시중지 (reference §3.2; PUT is second-hand: 11번가 판매중지 pages, apiSeq 1631/1632)."""
    return f"/prodstatservice/stat/{'restartdisplay' if on_sale else 'stopdisplay'}/{{prdNo}}"


def set_display(connector: Connector, product_no: str, *, on_sale: bool) -> None:
    """판매불가 → 전시중지, 판매가능 again → 전시재개 of a product just registered or updated."""
    connector.call("PUT", display_path(on_sale), write=True, send="params", payload={"prdNo": product_no})


def create_product(connector: Connector, listing: ProductListing) -> ProductRef:
    data = _product_call(connector, "POST", "/prodservices/product", listing)
    number = str(data.get("productNo") or "").strip()
    if not number:
        raise OutcomeUnknown("11번가가 상품번호 없이 응답했습니다. 자체상품코드로 등록 여부를 확인합니다")
    if not listing.on_sale:
        set_display(connector, number, on_sale=False)
    return ProductRef(number, {"on_sale": listing.on_sale})


def update_product(connector: Connector, ref: ProductRef, listing: ProductListing) -> ProductRef:
    if not ref.product_id.strip().isdigit():
        raise RejectedError(f"11번가 상품번호는 숫자여야 합니다 ({ref.product_id})")
    _product_call(connector, "PUT", f"/prodservices/product/{ref.product_id.strip()}", listing)
    connector.memo.get("stocks", {}).pop(ref.product_id.strip(), None)  # its options may be numbered anew
    if not listing.on_sale or ref.extra.get("on_sale") is False:
        set_display(connector, ref.product_id.strip(), on_sale=listing.on_sale)
    return ProductRef(ref.product_id, {**ref.extra, "on_sale": listing.on_sale})


def find_product(connector: Connector, seller_code: str) -> ProductRef | None:
    data = connector.lookup("products_by_code", seller_code)
    rows = [p for p in mapping.records(data) if str(p.get("sellerPrdCd") or "") == seller_code and str(p.get("prdNo") or "").isdigit()]
    if not rows:
        return None
    latest = max(rows, key=lambda p: int(p["prdNo"]))  # a duplicate register leaves the newest last
    return ProductRef(str(latest["prdNo"]), {"prdNm": latest.get("prdNm", ""), "selStatCd": latest.get("selStatCd", "")})


def product_matches(connector: Connector, product_id: str, name: str, sale_price: int) -> bool:
    """11번가 shows no product by number (reference §3.2), so an unknown update is never vouched for:
    it is sent again, which is harmless (an update PUTs the whole product)."""
    return False


# --- the catalogue: 재고 per 재고번호, 판매가, 전시중지/재개, the product list ---------------------------------
def product_no(target: str) -> str:
    """The 상품번호 of a ListingChange target; ValueError when it cannot be one (a look-up then finds nothing)."""
    number = split_target(target)[0].strip()
    if not number.isdigit():
        raise ValueError(target)
    return number


def _number_problem(change: ListingChange) -> str | None:
    if change.product_id.strip().isdigit():
        return None
    return f"11번가 상품번호는 숫자여야 합니다 ({change.product_id.strip()}). 11번가에 연동된 상품번호를 확인하세요"


def stock_problem(change: ListingChange) -> str | None:
    if change.stock is None or change.stock < 0:
        return f"11번가 재고는 0 이상이어야 합니다 ({change.stock}). 0은 품절입니다"
    return _number_problem(change)


def price_problem(change: ListingChange) -> str | None:
    if change.option:
        return (f"11번가 판매가는 상품 단위로만 바꿀 수 있습니다 (옵션 {'/'.join(change.option)}). "
                "옵션별 가격 차이는 상품 시트의 옵션추가금액으로 바꾸세요")
    price = change.sale_price
    if price is None or price <= 0:
        return f"11번가 판매가는 0보다 커야 합니다 ({price})"
    if price % mapping.PRICE_UNIT:
        return f"11번가 판매가는 {mapping.PRICE_UNIT}원 단위여야 합니다 (현재 {price:,}원)"
    return _number_problem(change)


def sale_problem(change: ListingChange) -> str | None:
    if change.option:
        return (f"11번가 판매중지·판매재개는 상품 단위입니다 (옵션 {'/'.join(change.option)}). "
                "옵션 하나만 팔지 않으려면 그 옵션의 재고를 0(품절)으로 하세요")
    if change.on_sale is None:
        return "판매상태(판매/판매중지)가 비어 있습니다"
    return _number_problem(change)


def pick_stocks(data: Any, target: str) -> dict[str, Any] | None:
    """The stock answer's 재고번호 of the target: its option's, or every one for the whole product."""
    stocks = [s for s in (data.get("ProductStock") or []) if isinstance(s, dict)] if isinstance(data, dict) else []
    _, option = split_target(target)
    if option:
        wanted = tuple(v.strip() for v in option)
        stocks = [s for s in stocks if mapping.option_of(s)[1] == wanted]
    return {"stocks": stocks} if stocks else None


def stock_holds(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(mapping.as_int(s.get("stckQty")) == wanted.get("stock") for s in found["stocks"])


def price_holds(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return mapping.as_int(found.get("selPrc")) == wanted.get("sale_price")


def sale_holds(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """전시중지 is 105; a resumed product shows 103, or 104 품절 when it has no stock."""
    state = str(found.get("selStatCd") or "")
    return state == mapping.OFF_DISPLAY if wanted.get("on_sale") is False else state in (mapping.ON_SALE, mapping.SOLD_OUT)


def _stocks(connector: Connector, number: str) -> list[dict[str, Any]] | None:
    """The product's 재고번호 (read once per connector: their numbers and weights do not change by a stock
    write), or None when 11번가 has no such product."""
    known = connector.memo.setdefault("stocks", {})
    if number not in known:
        found = connector.lookup("stock", number)
        known[number] = found["stocks"] if found else None
    return known[number]


def prepare_stock(connector: Connector, change: ListingChange) -> ListingChange | list[ListingChange] | tuple[str, str]:
    """The change with its 재고번호 and weight (``extra``): an option's, or one part per 재고번호 for a
    whole-product change (the same absolute count on every option; 0 is 품절). A refusal when 11번가
    has no such product or option: the stock list is read, and no stock write is sent for it."""
    number = change.product_id.strip()
    stocks = _stocks(connector, number)
    if stocks is None:
        return "NOT_FOUND", (f"11번가에 상품번호 {number} 인 상품이 없습니다. "
                             "11번가 판매자센터에서 상품번호를 확인하고 연동을 다시 하세요")
    wanted = tuple(v.strip() for v in change.option)
    match = [s for s in stocks if not wanted or mapping.option_of(s)[1] == wanted]
    if not match or (wanted and len(match) > 1):
        have = ", ".join("/".join(mapping.option_of(s)[1]) or "(옵션 없음)" for s in stocks)
        return "NO_OPTION", (f"11번가 상품 {number} 에 옵션 '{'/'.join(wanted)}' 이(가) 없습니다 "
                             f"(11번가의 옵션: {have}). 재고·가격 시트의 옵션을 11번가에 등록된 옵션과 같게 쓰세요")
    parts = [replace(change, extra={**change.extra, "prdStckNo": str(s.get("prdStckNo") or ""),
                                    "optWght": str(s.get("optWght") or "0")}) for s in match]
    return parts[0] if len(parts) == 1 else parts


def stock_body(change: ListingChange) -> dict[str, Any]:
    return {"prdStckNo": change.extra["prdStckNo"], "content": mapping.stock_xml(change)}


def with_stocks(connector: Connector, products: Iterator[MallProduct]) -> Iterator[MallProduct]:
    """Each listed product with its options and stock, from 다중상품재고정보조회 in batches."""
    listed = list(products)
    for start in range(0, len(listed), STOCKS_BATCH):
        batch = listed[start:start + STOCKS_BATCH]
        data = connector.call("POST", "/prodmarketservice/prodmarket/stocks", send="content",
                              payload={"content": mapping.stocks_xml([p.product_id for p in batch])})
        groups = {str(g.get("prdNo") or "").strip(): g for g in (data.get("ProductStocks") or []) if isinstance(g, dict)}
        for product in batch:
            stocks = (groups.get(product.product_id) or {}).get("ProductStock") or []
            yield mapping.with_stocks(product, [s for s in stocks if isinstance(s, dict)])
