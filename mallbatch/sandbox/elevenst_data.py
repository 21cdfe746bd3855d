"""11번가 codes, field lists and seeded sample records (reference §3.3–§3.5, §3.7).

Orders are stored one document per order line (ordNo + ordPrdSeq), as the mall lists them;
``dlvNo`` groups the lines of one box. Fields starting with ``_`` are the simulator's own and
never rendered. Customers come from the shared fixtures.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mallbatch.sandbox.engine import fixtures
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Stage

NextId = Callable[[str, int], int]
KST = ZoneInfo("Asia/Seoul")
XML_TIME = "%Y-%m-%d %H:%M:%S"  # reference §5.4: yyyy-MM-dd HH:mm:ss in XML
PATH_TIME = "%Y%m%d%H%M"  # yyyyMMddHHmm in paths
EPOCH = datetime(2000, 1, 1)

COURIERS = {  # reference §3.7 (partial; the full table is in 11st's docs, not found)
    "00034": "CJ대한통운", "00011": "한진택배", "00012": "롯데택배", "00002": "로젠택배", "00099": "기타",
}
DELIVERY_METHODS = {"01": "택배", "02": "우편", "03": "직접(화물배달)", "04": "퀵서비스"}  # reference §3.2
# ordPrdStat: 202 is confirmed (reference §3.3); the others are inferred from 11st's numbering.
STATUS_STAGE = {"202": Stage.PAID, "301": Stage.CONFIRMED, "401": Stage.SHIPPED, "501": Stage.DELIVERED,
                "901": Stage.DECIDED}
STAGE_STATUS = {stage: code for code, stage in STATUS_STAGE.items()}
CANCELLED = "701"  # inferred: the ordPrdStat of a cancelled line
# Which lines each list shows and the date its window compares (inferred: the reference gives no date rule).
ORDER_LISTS = {
    "complete": ("202", "ordStlEndDt"),
    "packaging": ("301", "plcodrCnfDt"),
    "shipping": ("401", "_sentDt"),  # invented: the reference lists no 배송중 list; this path is ours
    "dlvcompleted": ("501", "_deliveredDt"),
}
# Cancel reasons (reference §3.4: 00, 04, 06–18, 99 …); 판매불가 takes the same codes (inferred).
CANCEL_REASONS = frozenset({"00", "04", *(f"{n:02d}" for n in range(6, 19)), "99"})
QNA_KINDS = {"01": "상품", "02": "배송", "03": "반품/환불/취소", "04": "교환/변경", "05": "기타"}  # §3.5

ORDER_FIELDS = (  # reference §3.3, in its order
    "ordNo", "ordPrdSeq", "dlvNo", "ordPrdStat", "ordDt", "ordStlEndDt", "prdNo", "prdNm", "prdStckNo",
    "slctPrdOptNm", "sellerPrdCd", "sellerStockCd", "ordQty", "selPrc", "ordAmt", "ordPayAmt", "ordOptWonStl",
    "sellerDscPrc", "tmallDscPrc", "lstSellerDscPrc", "lstTmallDscPrc", "dlvCst", "bmDlvCst", "dlvCstType",
    "memID", "memNo", "ordNm", "ordPrtblTel", "ordTlphnNo", "ordBaseAddr", "ordDtlsAddr", "ordMailNo",
    "rcvrNm", "rcvrPrtblNo", "rcvrTlphn", "rcvrBaseAddr", "rcvrDtlsAddr", "rcvrMailNo", "rcvrMailNoSeq",
    "typeAdd", "typeBilNo", "ordDlvReqCont", "dlvEtprsCd", "invcNo", "dlvMthdCd", "dlvSndDue", "plcodrCnfDt",
    "addPrdYn", "addPrdNo", "bndlDlvSeq", "bndlDlvYN", "stlPlnAmt", "totSelFee", "psnCscUniqNo", "gblDlvYn",
)
CANCEL_FIELDS = (  # reference §3.4 cancel lists
    "ordNo", "ordPrdSeq", "ordPrdCnSeq", "dlvNo", "createDt", "ordCnQty", "ordCnMnbdCd", "ordCnRsnCd",
    "ordCnDtlsRsn", "ordCnStatCd", "prdNo", "slctPrdOptNm", "referSeq",
)
CLAIM_FIELDS = (  # reference §3.4 return/exchange lists
    "ordNo", "ordPrdSeq", "clmReqSeq", "clmReqQty", "clmReqRsn", "clmReqCont", "clmStat", "reqDt", "dlvNo",
    "dlvEtprsCd", "twPrdInvcNo", "twMthd", "clmLstDlvCst", "clmDlvCstMthd", "rcvrNm", "rcvrPrtblNo",
    "rcvrBaseAddr", "rcvrDtlsAddr", "rcvrMailNo", "optName", "prdNo",
)
EXCHANGE_FIELDS = (*CLAIM_FIELDS, "exchNm", "exchPrtblTel", "exchBaseAddr", "exchDtlsAddr", "exchMailNo")
QNA_FIELDS = (  # reference §3.5
    "brdInfoNo", "brdInfoClfNo", "prdNm", "brdInfoSbjct", "brdInfoCont", "qnaDtlsCd", "qnaDtlsCdNm", "memID",
    "memNM", "createDt", "answerYn", "answerCont", "answerDt", "buyYn", "dispYn", "ordNoDe", "ordStlEndDt",
)

SYNTHETIC_PRODUCTS = (
    {"prdNo": "3900000001", "prdNm": "무선 블루투스 이어폰", "sellerPrdCd": "SIM-11ST-001", "selPrc": 39000,
     "options": [{"prdStckNo": "3900000001001", "optName": "색상:화이트", "sellerStockCd": ""},
                 {"prdStckNo": "3900000001002", "optName": "색상:블랙", "sellerStockCd": ""}]},
    {"prdNo": "3900000002", "prdNm": "국내산 햇 사과 5kg", "sellerPrdCd": "SIM-11ST-002", "selPrc": 29900,
     "options": []},
)
OUTBOUND_AREA = {  # invented: one 출고지 of the sandbox seller (the reference names only addrSeqOut)
    "addrSeq": "1", "addrNm": "기본 출고지", "rcvrNm": "샌드박스 판매자", "gnrlTlphnNo": "02-0000-0000",
    "prtblTlphnNo": "010-0000-0000", "addr": "서울특별시 중구 한강대로 416", "mailNo": "04637",
}
RETURN_REASONS = ("상품불량", "단순변심", "오배송")
EXCHANGE_REASONS = ("사이즈 교환", "색상 교환", "상품불량")


def now_kst() -> datetime:
    return datetime.now(KST).replace(tzinfo=None, microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.strftime(XML_TIME)


def minutes(value: str) -> float:
    """A stored ``yyyy-MM-dd HH:mm:ss`` as minutes since 2000 (the store's ordered index)."""
    moment = datetime.strptime(value, XML_TIME).replace(second=0)
    return (moment - EPOCH) / timedelta(minutes=1)


def make_order(rng: random.Random, next_id: NextId, catalogue: Catalogue, now: datetime) -> list[dict[str, Any]]:
    """One paid order (ordPrdStat 202): one box (dlvNo) with one or two product lines; none when
    every picked product sold out during this run."""
    (buyer, buyer_phone), (receiver, receiver_phone) = fixtures.buyer_and_receiver(rng)
    zip_code, base, detail = fixtures.address(rng)
    ord_no, dlv_no, when = str(next_id("ordNo", 202600000000001)), str(next_id("dlvNo", 400000001)), stamp(now)
    member, memo, fee = fixtures.masked_id(rng), fixtures.memo(rng), rng.choice((0, 2500, 3000))
    lines: list[dict[str, Any]] = []
    for product in catalogue.sample(rng, rng.choice((1, 1, 2))):
        # a registered product's 재고번호 carry stckQty: only one with stock is ordered, at most what is left
        # (taken from the picked entry here, so later orders of the same run see it; the simulator stores it)
        options = [o for o in product["options"] if int(o.get("stckQty", 1)) > 0]
        if product["options"] and not options:
            continue  # sold out earlier in this run
        option = rng.choice(options) if options else None
        qty, price = rng.choice((1, 1, 1, 2, 3)), int(product["selPrc"])
        if option is not None and "stckQty" in option:
            qty = min(qty, int(option["stckQty"]))
            option["stckQty"] = int(option["stckQty"]) - qty
        amount, seq = qty * price, len(lines) + 1
        lines.append({
            "ordNo": ord_no, "ordPrdSeq": str(seq), "dlvNo": dlv_no, "ordPrdStat": "202", "ordDt": when,
            "ordStlEndDt": when, "prdNo": product["prdNo"], "prdNm": product["prdNm"],
            "prdStckNo": option["prdStckNo"] if option else "",
            "slctPrdOptNm": f"{option['optName']}-{qty}개" if option and option["optName"] else "",
            "sellerPrdCd": product.get("sellerPrdCd", ""), "sellerStockCd": option["sellerStockCd"] if option else "",
            "ordQty": str(qty), "selPrc": str(price), "ordAmt": str(amount), "ordPayAmt": str(amount + (fee if seq == 1 else 0)),
            "ordOptWonStl": "0", "sellerDscPrc": "0", "tmallDscPrc": "0", "lstSellerDscPrc": "0", "lstTmallDscPrc": "0",
            "dlvCst": str(fee if seq == 1 else 0), "bmDlvCst": "0", "dlvCstType": "01" if fee else "03",
            "memID": member, "memNo": str(next_id("memNo", 70000001)) if seq == 1 else "", "ordNm": buyer,
            "ordPrtblTel": buyer_phone, "ordTlphnNo": "", "ordBaseAddr": base, "ordDtlsAddr": detail,
            "ordMailNo": zip_code, "rcvrNm": receiver, "rcvrPrtblNo": receiver_phone, "rcvrTlphn": "",
            "rcvrBaseAddr": base, "rcvrDtlsAddr": detail, "rcvrMailNo": zip_code, "rcvrMailNoSeq": "001",
            "typeAdd": "02", "typeBilNo": "", "ordDlvReqCont": memo, "dlvEtprsCd": "", "invcNo": "", "dlvMthdCd": "",
            "dlvSndDue": stamp(now + timedelta(days=3)), "plcodrCnfDt": "", "addPrdYn": "N", "addPrdNo": "",
            "bndlDlvSeq": "", "bndlDlvYN": "N", "stlPlnAmt": str(amount * 88 // 100), "totSelFee": str(amount * 12 // 100),
            "psnCscUniqNo": "", "gblDlvYn": "N",
            "_held": False, "_claim": "", "_sentDt": "", "_deliveredDt": "", "listAt": minutes(when),
        })
    if len(lines) > 1:
        for line in lines:
            line["bndlDlvYN"], line["bndlDlvSeq"] = "Y", dlv_no
    return lines


def make_cancel(next_id: NextId, line: dict[str, Any], status: str, when: str) -> dict[str, Any]:
    """A buyer's cancel of one line: ordCnStatCd 01 취소요청 or 02 취소완료."""
    return {
        "ordNo": line["ordNo"], "ordPrdSeq": line["ordPrdSeq"], "ordPrdCnSeq": str(next_id("ordPrdCnSeq", 810001)),
        "dlvNo": line["dlvNo"], "createDt": when, "ordCnQty": line["ordQty"], "ordCnMnbdCd": "01",
        "ordCnRsnCd": "06", "ordCnDtlsRsn": "단순변심", "ordCnStatCd": status, "prdNo": line["prdNo"],
        "slctPrdOptNm": line["slctPrdOptNm"], "referSeq": "", "listAt": minutes(when),
    }


def make_claim(rng: random.Random, next_id: NextId, line: dict[str, Any], kind: str, when: str) -> dict[str, Any]:
    """A return (clmStat 105 반품신청) or exchange (201 교환신청) of one shipped line."""
    claim = {
        "ordNo": line["ordNo"], "ordPrdSeq": line["ordPrdSeq"], "clmReqSeq": str(next_id("clmReqSeq", 920001)),
        "clmReqQty": line["ordQty"], "clmReqRsn": rng.choice(RETURN_REASONS if kind == "return" else EXCHANGE_REASONS),
        "clmReqCont": "", "clmStat": "105" if kind == "return" else "201", "reqDt": when, "dlvNo": line["dlvNo"],
        "dlvEtprsCd": "00034", "twPrdInvcNo": "", "twMthd": "06", "clmLstDlvCst": "5000" if kind == "return" else "6000",
        "clmDlvCstMthd": "01", "rcvrNm": line["rcvrNm"], "rcvrPrtblNo": line["rcvrPrtblNo"],
        "rcvrBaseAddr": line["rcvrBaseAddr"], "rcvrDtlsAddr": line["rcvrDtlsAddr"], "rcvrMailNo": line["rcvrMailNo"],
        "optName": line["slctPrdOptNm"], "prdNo": line["prdNo"], "_kind": kind, "listAt": minutes(when),
    }
    if kind == "exchange":
        claim.update(exchNm=line["rcvrNm"], exchPrtblTel=line["rcvrPrtblNo"], exchBaseAddr=line["rcvrBaseAddr"],
                     exchDtlsAddr=line["rcvrDtlsAddr"], exchMailNo=line["rcvrMailNo"])
    return claim


def make_qna(rng: random.Random, next_id: NextId, product: dict[str, Any], when: str, order: str | None) -> dict[str, Any]:
    code = rng.choice(tuple(QNA_KINDS))
    question = fixtures.question(rng)
    name = fixtures.person(rng).name
    return {
        "brdInfoNo": str(next_id("brdInfoNo", 55000001)), "brdInfoClfNo": product["prdNo"], "prdNm": product["prdNm"],
        "brdInfoSbjct": question[:20], "brdInfoCont": question, "qnaDtlsCd": code, "qnaDtlsCdNm": QNA_KINDS[code],
        "memID": fixtures.masked_id(rng), "memNM": name[0] + "*" * (len(name) - 1), "createDt": when,
        "answerYn": "N", "answerCont": "", "answerDt": "", "buyYn": "Y" if order else "N", "dispYn": "Y",
        "ordNoDe": order or "", "ordStlEndDt": when if order else "", "listAt": minutes(when),
    }
