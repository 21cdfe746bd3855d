"""The 11번가 simulator spoken to with plain httpx over a real socket (no connector): the
protocol of reference §3 as an independent client would meet it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from mallbatch.config import Secret
from tests.conftest import StartSim

DECLARATION = b'<?xml version="1.0" encoding="EUC-KR" standalone="yes"?>'
KST = ZoneInfo("Asia/Seoul")
XML_HEADERS = {"Content-Type": "text/xml; charset=euc-kr"}


class Mall:
    """A bare client: the key header, EUC-KR XML decoded by hand (expat reads no EUC-KR)."""

    def __init__(self, start_sim: StartSim, **faults: Any) -> None:
        self.server, account = start_sim("11st", {"rate_limit": 1000, **faults})  # the limit has its own test
        key = account.options["openapikey"]
        self.key = key.reveal() if isinstance(key, Secret) else str(key)
        self.http = httpx.Client(base_url=self.server.url, timeout=10, headers={"openapikey": self.key})

    def call(self, method: str, path: str, body: bytes | None = None, **kwargs: Any) -> tuple[httpx.Response, Any]:
        headers = kwargs.pop("headers", XML_HEADERS if body is not None else {})
        answer = self.http.request(method, path, content=body, headers=headers, **kwargs)
        return answer, parse(answer)

    def get(self, path: str) -> Any:
        answer, root = self.call("GET", path)
        assert answer.status_code == 200, answer.content
        return root

    def generate(self, orders: int = 0, claims: int = 0, inquiries: int = 0) -> None:
        self.http.post("/_sandbox/generate", json={"orders": orders, "claims": claims, "inquiries": inquiries})

    def state(self) -> dict[str, Any]:
        return dict(self.http.get("/_sandbox/state").json())

    def orders(self, kind: str = "complete", days: int = 1) -> list[dict[str, str]]:
        return rows(self.get(f"/ordservices/{kind}/{window(days)}"))

    def claims(self, kind: str) -> list[dict[str, str]]:
        return rows(self.get(f"/claimservice/{kind}/{window(1)}"))


def parse(answer: httpx.Response) -> Any:
    assert answer.content.startswith(DECLARATION), answer.content[:80]
    assert "EUC-KR" in answer.headers["Content-Type"]
    return fromstring(answer.content.decode("euc_kr")[len(DECLARATION):])


def rows(root: Any) -> list[dict[str, str]]:
    return [{child.tag: child.text or "" for child in item} for item in root if not item.tag.endswith("result_code")
            and not item.tag.endswith("result_text")]


def result(root: Any) -> tuple[str, str]:
    ns = "{http://skt.tmall.business.openapi.spring.service.client.domain/}"
    code = root.find("result_code")
    if code is None:
        code, text = root.find(f"{ns}result_code"), root.find(f"{ns}result_text")
    else:
        text = root.find("result_text")
    return code.text, text.text


def window(days: float, *, end: datetime | None = None) -> str:
    end = end or datetime.now(KST) + timedelta(minutes=5)
    return f"{(end - timedelta(days=days)):%Y%m%d%H%M}/{end:%Y%m%d%H%M}"


def now_path() -> str:
    return f"{datetime.now(KST):%Y%m%d%H%M}"


def confirm(mall: Mall, line: dict[str, str]) -> tuple[str, str]:
    path = f"/ordservices/reqpackaging/{line['ordNo']}/{line['ordPrdSeq']}/N/null/{line['dlvNo']}"
    return result(mall.get(path))


def ship(mall: Mall, dlv_no: str, invoice: str, courier: str = "00034", part: dict[str, str] | None = None) -> tuple[str, str]:
    path = f"/ordservices/reqdelivery/{now_path()}/01/{courier}/{invoice}/{dlv_no}"
    if part:
        path += f"/Y/{part['ordNo']}/{part['ordPrdSeq']}"
    return result(mall.get(path))


def product_xml(name: str = "국내산 햇 사과 5kg", price: str = "29900", options: int = 2, code: str = "APPLE-5",
                encoding: str = "euc-kr") -> bytes:
    opts = "".join(f"<ProductOption><colOptPrice>0</colOptPrice><colValue0>옵션{i}</colValue0>"
                   f"<colCount>10</colCount></ProductOption>" for i in range(options))
    text = (f'<?xml version="1.0" encoding="{encoding}" standalone="yes"?>'
            f"<Product><selMthdCd>01</selMthdCd><dispCtgrNo>1001234</dispCtgrNo><prdTypCd>01</prdTypCd>"
            f"<prdNm><![CDATA[{name}]]></prdNm><sellerPrdCd>{code}</sellerPrdCd><selPrc>{price}</selPrc>"
            f"<dlvEtprsCd>00034</dlvEtprsCd><ProductRootOption><colTitle>구성</colTitle>{opts}</ProductRootOption></Product>")
    return text.encode("utf-8" if encoding == "utf-8" else "euc_kr")


def message(root: Any) -> tuple[str, str, str]:
    return root.findtext("resultCode"), root.findtext("message") or "", root.findtext("productNo") or ""


def test_a_missing_or_wrong_key_is_refused(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    for headers in ({"openapikey": ""}, {"openapikey": "0" * 32}):
        answer, root = mall.call("GET", f"/ordservices/complete/{window(1)}", headers=headers)
        assert answer.status_code == 401
        assert "openapikey" in message(root)[1]
    assert mall.get(f"/ordservices/complete/{window(1)}") is not None


def test_no_data_is_result_code_zero_with_the_korean_text(start_sim: StartSim) -> None:
    answer, root = Mall(start_sim).call("GET", f"/ordservices/complete/{window(1)}")
    assert answer.status_code == 200
    assert root.tag == "{http://skt.tmall.business.openapi.spring.service.client.domain/}orders"
    assert result(root) == ("0", "조회된 결과가 없습니다.")
    assert b'<ns2:orders xmlns:ns2="http://skt.tmall.business.openapi.spring.service.client.domain/">' in answer.content


def test_a_window_longer_than_a_week_is_refused(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    end = datetime(2026, 3, 8, 0, 0)
    assert result(mall.get(f"/ordservices/complete/{window(7, end=end)}")) == ("0", "조회된 결과가 없습니다.")
    for path in (f"/ordservices/complete/{window(7 + 1 / 1440, end=end)}", f"/claimservice/returnorders/{window(8)}",
                 "/prodqnaservices/prodqnalist/20260301/20260309/00"):
        code, text = result(mall.get(path))
        assert code != "0" and "7일" in text, path
    code, text = result(mall.get("/ordservices/complete/2026-03-01/202603020000"))
    assert code != "0" and "yyyyMMddHHmm" in text


def test_list_confirm_ship_then_listed_as_shipped(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    mall.generate(orders=3)
    lines = mall.orders()
    assert len(lines) >= 3 and {x["ordPrdStat"] for x in lines} == {"202"}
    assert all(re.fullmatch(r"\d{15,17}", x["ordNo"]) for x in lines)
    assert all(x["ordNm"] and x["rcvrBaseAddr"] and x["rcvrPrtblNo"].startswith("010") for x in lines)
    box = lines[0]["dlvNo"]
    in_box = [x for x in lines if x["dlvNo"] == box]
    for line in in_box:
        assert confirm(mall, line) == ("0", "발주확인 처리되었습니다.")
    assert confirm(mall, in_box[0])[0] != "0"  # confirmed once
    assert {x["ordPrdStat"] for x in mall.orders("packaging") if x["dlvNo"] == box} == {"301"}
    assert ship(mall, box, "612345678901")[0] == "0"
    shipped = [x for x in mall.orders("shipping") if x["dlvNo"] == box]
    assert len(shipped) == len(in_box)
    assert {(x["ordPrdStat"], x["dlvEtprsCd"], x["invcNo"], x["dlvMthdCd"]) for x in shipped} == {("401", "00034", "612345678901", "01")}
    assert not [x for x in mall.orders() if x["dlvNo"] == box]
    code, text = ship(mall, box, "612345678901")
    assert code != "0" and "같은 송장번호" in text  # a repeat: already done with this invoice
    assert mall.server.simulator.store.audit_counts("invoice.send") == {f"{x['ordNo']}-{x['ordPrdSeq']}": 1 for x in in_box}


def test_ship_before_confirm_and_unknown_courier_are_refused(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    mall.generate(orders=1)
    line = mall.orders()[0]
    code, text = ship(mall, line["dlvNo"], "612345678901")
    assert code != "0" and "발주확인" in text
    confirm(mall, line)
    code, text = ship(mall, line["dlvNo"], "612345678901", courier="00777")
    assert code != "0" and "00777" in text
    assert mall.state()["lines"].get("401") is None


def test_reject_before_shipping_only_and_a_cancelled_line_never_ships(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    mall.generate(orders=2)
    first, second = (x for x in mall.orders() if x["ordPrdSeq"] == "1")
    code, _ = result(mall.get(f"/claimservice/reqrejectorder/{first['ordNo']}/1/06/재고 소진"))
    assert code == "0"
    cancelled = mall.claims("canceledorders")
    assert [(c["ordNo"], c["ordCnMnbdCd"], c["ordCnStatCd"], c["ordCnDtlsRsn"]) for c in cancelled] == [
        (first["ordNo"], "02", "02", "재고 소진")]
    confirm_code, text = confirm(mall, first)
    assert confirm_code != "0" and "취소" in text
    code, text = ship(mall, first["dlvNo"], "612345678901", part=first)
    assert code != "0" and "취소" in text
    confirm(mall, second)
    assert ship(mall, second["dlvNo"], "612345678902", part=second)[0] == "0"
    code, text = result(mall.get(f"/claimservice/reqrejectorder/{second['ordNo']}/1/06/재고 소진"))
    assert code != "0" and "발송" in text


def test_partial_shipping_ships_one_line_of_the_box(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    boxes: dict[str, list[dict[str, str]]] = {}
    for _ in range(10):
        mall.generate(orders=5)
        boxes = {}
        for line in mall.orders():
            boxes.setdefault(line["dlvNo"], []).append(line)
        if any(len(v) > 1 for v in boxes.values()):
            break
    box, (one, two) = next((k, v[:2]) for k, v in boxes.items() if len(v) > 1)
    confirm(mall, one)
    confirm(mall, two)
    assert ship(mall, box, "700000000001", part=one)[0] == "0"
    assert [x["ordPrdSeq"] for x in mall.orders("shipping") if x["dlvNo"] == box] == [one["ordPrdSeq"]]
    assert [x["ordPrdSeq"] for x in mall.orders("packaging") if x["dlvNo"] == box] == [two["ordPrdSeq"]]
    assert ship(mall, box, "700000000002")[0] == "0"  # the whole box now: only what is left
    assert {x["ordPrdSeq"]: x["invcNo"] for x in mall.orders("shipping") if x["dlvNo"] == box} == {
        one["ordPrdSeq"]: "700000000001", two["ordPrdSeq"]: "700000000002"}
    other = next(k for k in boxes if k != box)
    code, text = ship(mall, other, "700000000001")  # another box's tracking number
    assert code != "0"


def test_claims_are_listed_with_their_codes_and_decided_once(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    mall.generate(orders=8)
    lines = mall.orders()
    for line in lines[:4]:
        confirm(mall, line)
        ship(mall, line["dlvNo"], f"5{line['ordNo'][-9:]}{line['ordPrdSeq']}", part=line)
    mall.generate(claims=len(lines))  # one claim per line: cancels on the open ones, returns/exchanges on the shipped
    cancels = mall.claims("cancelorders")
    returns, exchanges = mall.claims("returnorders"), mall.claims("exchangeorders")
    assert cancels and len(returns) + len(exchanges) == 4
    assert all(c["ordCnStatCd"] == "01" and c["ordPrdCnSeq"] and c["ordCnMnbdCd"] == "01" for c in cancels)
    assert all(c["clmStat"] == "105" and c["clmReqSeq"] for c in returns)
    assert all(c["clmStat"] == "201" and c["exchNm"] for c in exchanges)
    held = cancels[0]
    code, text = confirm(mall, {**held, "dlvNo": held["dlvNo"]})
    assert code != "0" and "취소요청" in text  # no 발주확인 while the buyer asks to cancel
    approve = f"/claimservice/cancelreqconf/{held['ordPrdCnSeq']}/{held['ordNo']}/{held['ordPrdSeq']}"
    assert result(mall.get(approve))[0] == "0"
    assert result(mall.get(approve))[0] != "0"  # decided once
    assert held["ordPrdCnSeq"] in {c["ordPrdCnSeq"] for c in mall.claims("canceledorders")}
    claim, kind = (returns[0], "return") if returns else (exchanges[0], "exchange")
    invoice = "/00034/612345678901" if kind == "exchange" else ""  # 교환승인 sends the new item
    assert result(mall.get(f"/claimservice/{kind}reqconf/{claim['clmReqSeq']}/{claim['ordNo']}/{claim['ordPrdSeq']}{invoice}"))[0] == "0"


def test_a_question_is_answered_once(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    mall.generate(inquiries=3)
    today = f"{datetime.now(KST):%Y%m%d}"
    open_ = rows(mall.get(f"/prodqnaservices/prodqnalist/{today}/{today}/02"))
    assert open_ and all(q["answerYn"] == "N" and q["qnaDtlsCdNm"] for q in open_)
    qna = open_[0]
    path = f"/prodqnaservices/prodqnaanswer/{qna['brdInfoNo']}/{qna['brdInfoClfNo']}"

    def answer(text: str) -> tuple[str, str, str]:
        body = f'<?xml version="1.0" encoding="euc-kr"?><ProductQna><answerCont><![CDATA[{text}]]></answerCont></ProductQna>'
        return message(mall.call("PUT", path, body.encode("euc_kr"))[1])

    assert answer("안녕하세요 고객님, 내일 출고됩니다.")[0] == "200"
    assert answer("안녕하세요 고객님, 내일 출고됩니다.")[0] == "210"  # the same answer again: already there
    code, text, _ = answer("다른 답변입니다.")
    assert code not in ("200", "210") and "한 번만" in text
    done = rows(mall.get(f"/prodqnaservices/prodqnalist/{today}/{today}/01"))
    assert [q["answerCont"] for q in done if q["brdInfoNo"] == qna["brdInfoNo"]] == ["안녕하세요 고객님, 내일 출고됩니다."]


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"options": 101}, "최대 100개"),
    ({"name": "가" * 26}, "50바이트"),
    ({"price": "29905"}, "10원 단위"),
    ({"price": "0"}, "판매가"),
])
def test_product_rules_are_refused_with_the_message(start_sim: StartSim, kwargs: dict[str, Any], words: str) -> None:
    mall = Mall(start_sim)
    code, text, _ = message(mall.call("POST", "/prodservices/product", product_xml(**kwargs))[1])
    assert code != "200" and words in text
    assert mall.state()["products"] == 0


def test_product_register_update_look_up_and_display(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    code, _, no = message(mall.call("POST", "/prodservices/product", product_xml(name="가" * 25, options=100))[1])
    assert code == "200" and no
    code, text, _ = message(mall.call("PUT", f"/prodservices/product/{no}", product_xml(price="30001"))[1])
    assert code != "200" and "10원 단위" in text
    assert message(mall.call("PUT", f"/prodservices/product/{no}", product_xml(price="31000"))[1])[0] == "200"
    found = rows(mall.get("/prodmarketservice/sellerprodcode/APPLE-5"))
    assert [(p["prdNo"], p["selPrc"], p["selStatCd"]) for p in found] == [(no, "31000", "103")]
    assert result(mall.get("/prodmarketservice/sellerprodcode/NOPE")) == ("0", "조회된 결과가 없습니다.")
    assert message(mall.call("PUT", f"/prodstatservice/stat/stopdisplay/{no}")[1])[0] == "200"
    assert mall.state()["off_sale"] == ["APPLE-5"]
    mall.generate(orders=3)
    earlier = mall.orders()
    assert no not in {x["prdNo"] for x in earlier}  # off display: never ordered
    assert message(mall.call("PUT", f"/prodstatservice/stat/restartdisplay/{no}")[1])[0] == "200"
    mall.generate(orders=3)
    later = [x for x in mall.orders() if x not in earlier]
    assert later and {x["prdNo"] for x in later} == {no}  # the only product on sale
    assert {x["slctPrdOptNm"].split(":")[0] for x in later} == {"구성"}


def test_hangul_round_trips_in_euc_kr_and_utf8_product_bodies_are_read_as_declared(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    name = "햇사과·배 선물세트 ①"
    answer, root = mall.call("POST", "/prodservices/product", product_xml(name=name, encoding="utf-8"),
                             headers={"Content-Type": "text/xml; charset=euc-kr"})  # the declaration wins
    assert message(root)[0] == "200"
    mall.generate(orders=1)
    raw = mall.http.get(f"/ordservices/complete/{window(1)}").content
    assert name.encode("euc_kr") in raw and name.encode("utf-8") not in raw
    assert {x["prdNm"] for x in mall.orders()} == {name}


@pytest.mark.parametrize("char", ["😀", "똠"])
def test_a_character_outside_euc_kr_is_refused_with_the_element_named(start_sim: StartSim, char: str) -> None:
    mall = Mall(start_sim)
    code, text, _ = message(mall.call("POST", "/prodservices/product", product_xml(name=f"사과{char}", encoding="utf-8"))[1])
    assert code != "200" and "<prdNm>" in text and "EUC-KR" in text
    mall.generate(inquiries=1)
    today = f"{datetime.now(KST):%Y%m%d}"
    qna = rows(mall.get(f"/prodqnaservices/prodqnalist/{today}/{today}/00"))[0]
    body = f"<ProductQna><answerCont><![CDATA[감사합니다{char}]]></answerCont></ProductQna>".encode()  # utf-8 bytes, euc-kr declared
    code, text, _ = message(mall.call("PUT", f"/prodqnaservices/prodqnaanswer/{qna['brdInfoNo']}/{qna['brdInfoClfNo']}", body)[1])
    assert code != "200" and "EUC-KR" in text
    assert mall.state()["products"] == 0 and mall.state()["unanswered"] == 1


def test_entities_and_malformed_bodies_are_refused_not_expanded(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    bomb = (b'<?xml version="1.0" encoding="euc-kr"?><!DOCTYPE Product [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Product><prdNm>&b;</prdNm></Product>')
    for body in (bomb, b"<Product><prdNm>", b"<Other/>"):
        answer, root = mall.call("POST", "/prodservices/product", body)
        assert answer.status_code == 200 and message(root)[0] == "400", body
    answer, root = mall.call("POST", "/prodservices/product", product_xml(), headers={"Content-Type": "application/json"})
    assert message(root)[0] == "400" and "text/xml" in message(root)[1]
    assert mall.state()["products"] == 0


def test_faults_rate_limit_and_drop_after_commit(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    mall.generate(orders=1)
    line = mall.orders()[0]
    mall.http.post("/_sandbox/faults", json={"burst_429": 1.0, "burst_length": 2})
    answer, root = mall.call("GET", f"/ordservices/complete/{window(1)}")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    assert message(root)[0] == "429" and "호출 한도" in message(root)[1]
    mall.http.post("/_sandbox/faults", json={"burst_429": 0.0, "drop_rate": 1.0})
    mall.call("GET", f"/ordservices/complete/{window(1)}")  # the end of the burst
    assert len(mall.orders()) >= 1  # reads are never dropped
    with pytest.raises(httpx.TransportError):
        confirm(mall, line)
    mall.http.post("/_sandbox/faults", json={"drop_rate": 0.0})
    assert [x["ordNo"] for x in mall.orders("packaging")] == [line["ordNo"]]  # applied, then the answer was lost
    assert mall.server.simulator.store.audit_counts("order.confirm") == {f"{line['ordNo']}-{line['ordPrdSeq']}": 1}


def test_the_default_rate_limit_answers_the_invented_429(start_sim: StartSim) -> None:
    mall = Mall(start_sim, rate_limit=0)  # 0: the simulator's own default
    statuses = [mall.http.get(f"/ordservices/complete/{window(1)}").status_code for _ in range(12)]
    assert 429 in statuses and statuses[0] == 200


def stock_body(product_no: str, stock_no: str, quantity: str) -> bytes:
    return (f'<?xml version="1.0" encoding="euc-kr" standalone="yes"?><ProductStock><prdNo>{product_no}</prdNo>'
            f"<prdStckNo>{stock_no}</prdStckNo><stckQty>{quantity}</stckQty><optWght>0</optWght></ProductStock>").encode()


def test_stock_is_read_and_set_per_stock_number_never_below_zero(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    no = message(mall.call("POST", "/prodservices/product", product_xml(options=2))[1])[2]
    root = mall.get(f"/prodmarketservice/prodmarket/stck/{no}")
    ns = "{http://skt.tmall.business.openapi.spring.service.client.domain/}"
    assert root.tag == f"{ns}ProductStocks" and root.findtext(f"{ns}prdNo") == no
    stocks = [{c.tag: c.text or "" for c in item} for item in root.iter(f"{ns}ProductStock")]
    assert [(s["mixOptNm"], s["mixDtlOptNm"], s["stckQty"], s["prdStckStatCd"]) for s in stocks] == [
        ("구성", "옵션0", "10", "01"), ("구성", "옵션1", "10", "01")]
    first = stocks[0]["prdStckNo"]
    code, text, stock_no = message(mall.call("PUT", f"/prodservices/stockqty/{first}", stock_body(no, first, "0"))[1])
    assert (code, stock_no) == ("200", first) and "변경된 수량 : 0" in text  # 0 is 품절, not an error
    for body, expected in ((stock_body(no, first, "-1"), "400"), (stock_body(no, "999", "1"), "400"),
                           (stock_body("123", first, "1"), "404")):
        code, text, _ = message(mall.call("PUT", f"/prodservices/stockqty/{first}", body)[1])
        assert code == expected and "수량 업데이트 실패" in text
    again = [{c.tag: c.text or "" for c in item} for item in mall.get(f"/prodmarketservice/prodmarket/stck/{no}").iter(f"{ns}ProductStock")]
    assert [(s["stckQty"], s["prdStckStatCd"]) for s in again] == [("0", "02"), ("10", "01")]
    assert mall.server.simulator.store.audit_counts("stock.update") == {first: 1}
    assert message(mall.call("GET", "/prodmarketservice/prodmarket/stck/123")[1])[0] == "404"


def test_price_detail_and_the_paged_product_list(start_sim: StartSim) -> None:
    mall = Mall(start_sim)
    numbers = [message(mall.call("POST", "/prodservices/product", product_xml(code=f"C-{i}"))[1])[2] for i in range(3)]
    code, _, no = message(mall.call("GET", f"/prodservices/product/price/{numbers[0]}/25000")[1])
    assert (code, no) == ("200", numbers[0])
    code, text, _ = message(mall.call("GET", f"/prodservices/product/price/{numbers[0]}/25005")[1])
    assert code == "500" and "가격 업데이트 실패" in text and "10원 단위" in text
    detail = mall.get(f"/prodmarketservice/prodmarket/{numbers[0]}")
    assert (detail.tag, detail.findtext("selPrc"), detail.findtext("selStatCd")) == ("Product", "25000", "103")

    def search(body: str) -> Any:
        xml = f'<?xml version="1.0" encoding="euc-kr" standalone="yes"?><SearchProduct>{body}</SearchProduct>'
        return mall.call("POST", "/prodmarketservice/prodmarket", xml.encode())[1]

    page = rows(search("<limit>2</limit><start>2</start><end>3</end>"))
    assert [(p["prdNo"], p["sellerPrdCd"], p["selStatNm"]) for p in page] == [(numbers[1], "C-1", "판매중"), (numbers[2], "C-2", "판매중")]
    assert message(search("<limit>501</limit>"))[0] == "400"  # at most 500 a call
    assert result(search("<limit>10</limit><start>4</start>")) == ("0", "조회된 결과가 없습니다.")
