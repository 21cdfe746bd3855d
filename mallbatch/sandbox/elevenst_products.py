"""11번가 products (reference §3.6): ``<Product>`` XML registered and updated, its listing
rules checked as the mall would (seed 001, reference §3.6), looked up by seller code and taken
off or back on display.

A mixin of :class:`~mallbatch.sandbox.elevenst.ElevenstSimulator`. Rules:

* 상품명 at most 50 EUC-KR bytes (reference §3.6: "50-byte limit noted in comment"; seed 001's
  "한글 20자, 영어 40자" is the integration service's general advice for every mall, not 11번가's);
* 판매가 in 10원 units (reference §3.6);
* at most 100 options (seed 001: "11번가의 경우 옵션이 100개 이상 등록 하실수 없습니다"; read as
  the issue states it, 100 allowed and 101 refused).

Every product keeps its stock per 재고번호 (``prdStckNo``, second-hand: 11번가's 재고처리 API pages):
one entry per ``<ProductOption>``, or one without option names for a product without options
(``prdSelQty``). selStatCd follows the stock: 103 판매중, 104 품절 once every entry is 0 (an entry at
0 is 재고상태 02 품절), 105 전시중지 until the seller restarts the display.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from mallbatch.sandbox import elevenst_data as data
from mallbatch.sandbox import elevenst_xml as xml
from mallbatch.sandbox.elevenst_xml import Refused
from mallbatch.sandbox.engine import catalogue
from mallbatch.sandbox.server import Request, Response
from mallbatch.sandbox.store import SimStore

NAME_BYTES = 50
PRICE_UNIT = 10
MAX_OPTIONS = 100
# second-hand (11번가 다중상품조회 page): selStatCd 103 판매중, 104 품절, 105 전시중지
ON_SALE, SOLD_OUT, OFF_DISPLAY = "103", "104", "105"
IN_USE, STOCK_OUT = "01", "02"  # second-hand: prdStckStatCd 01 사용, 02 품절
INDEX = "11st.sellerPrdCd"
INVALID, UNKNOWN = 400, 404  # invented resultCodes of a refused product call (only 200 is in the reference)
Api = Callable[..., Callable[[Request], Response]]


def refused(code: int, message: str) -> Refused:
    return Refused(xml.client_message(code, message))


def read_xml(request: Request, root_name: str) -> Element:
    """The request body's root, which must be ``root_name`` (refusals are ClientMessages)."""
    try:
        root = xml.parse(request.body, str(request.headers.get("Content-Type") or ""))
    except xml.XmlRefused as exc:
        raise refused(INVALID, exc.message) from None
    if root.tag != root_name:
        raise refused(INVALID, f"요청 XML 의 최상위 요소는 <{root_name}> 입니다.")  # invented
    return root


def stock_entry(number: str, title: str, value: str, quantity: int, extra_price: int = 0, seller_code: str = "") -> dict[str, Any]:
    """One 재고번호 as the stock answers show it (second-hand field names; optWght invented as 0)."""
    return {"prdStckNo": number, "optName": f"{title}:{value}" if title else value, "sellerStockCd": seller_code,
            "mixOptNm": title, "mixDtlOptNm": value, "addPrc": extra_price, "stckQty": quantity, "selQty": 0,
            "optWght": "0", "prdStckStatCd": IN_USE if quantity > 0 else STOCK_OUT}


def _count(text: str, name: str) -> int:
    if not re.fullmatch(r"\d{1,9}", text or "0"):
        raise refused(INVALID, f"{name} 는 0 이상의 숫자여야 합니다: {text}")  # invented wording
    return int(text or 0)


def _options(root: Element, product_no: str) -> list[dict[str, Any]]:
    """Every ``<ProductOption>`` as a 재고번호 (inferred child names colValue0, colOptPrice, colCount,
    colSellerStockCd); a product without options has one, holding ``prdSelQty``."""
    title = xml.text_of(root, "colTitle")
    found = []
    for i, option in enumerate(root.iter("ProductOption"), start=1):
        found.append(stock_entry(f"{product_no}{i:03d}", title, xml.text_of(option, "colValue0"),
                                 _count(xml.text_of(option, "colCount"), "colCount"),
                                 int(xml.text_of(option, "colOptPrice") or 0), xml.text_of(option, "colSellerStockCd")))
    return found or [stock_entry(f"{product_no}001", "", "", _count(xml.text_of(root, "prdSelQty"), "prdSelQty"))]


def restate(product: dict[str, Any]) -> None:
    """selStatCd after a stock change: 104 품절 when every 재고번호 is 0, 103 again when one is not;
    전시중지 (105) stays until restartdisplay (inferred from the status codes)."""
    for entry in product["options"]:
        entry["prdStckStatCd"] = IN_USE if int(entry["stckQty"]) > 0 else STOCK_OUT
    if product.get("selStatCd", ON_SALE) != OFF_DISPLAY:
        product["selStatCd"] = ON_SALE if any(int(e["stckQty"]) > 0 for e in product["options"]) else SOLD_OUT


def checked(root: Element) -> dict[str, Any]:
    """The listing rules, each refused with the mall's message (wording invented) before anything is stored."""
    name = xml.text_of(root, "prdNm")
    if not name:
        raise refused(INVALID, "상품명(prdNm)을 입력하세요.")
    size = xml.euc_kr_bytes(name)
    if size > NAME_BYTES:
        raise refused(INVALID, f"상품명(prdNm)은 최대 {NAME_BYTES}바이트(한글 {NAME_BYTES // 2}자)까지 입력할 수 있습니다. "
                               f"현재 {size}바이트입니다.")
    price_text = xml.text_of(root, "selPrc")
    if not re.fullmatch(r"\d{1,10}", price_text) or int(price_text) <= 0:
        raise refused(INVALID, f"판매가(selPrc)는 0보다 큰 숫자여야 합니다: {price_text}")
    if int(price_text) % PRICE_UNIT:
        raise refused(INVALID, f"판매가(selPrc)는 {PRICE_UNIT}원 단위로 입력하세요: {price_text}")
    count = sum(1 for _ in root.iter("ProductOption"))
    if count > MAX_OPTIONS:
        raise refused(INVALID, f"옵션은 최대 {MAX_OPTIONS}개까지 등록할 수 있습니다. 현재 {count}개입니다.")
    if not re.fullmatch(r"\d+", xml.text_of(root, "dispCtgrNo")):
        raise refused(INVALID, "전시카테고리 번호(dispCtgrNo)를 입력하세요.")
    courier = xml.text_of(root, "dlvEtprsCd")
    if courier and courier not in data.COURIERS:
        raise refused(INVALID, f"등록되지 않은 택배사 코드입니다: {courier}")
    return {"prdNm": name, "selPrc": int(price_text), "sellerPrdCd": xml.text_of(root, "sellerPrdCd"),
            "dispCtgrNo": xml.text_of(root, "dispCtgrNo"),
            # invented: a sale without a 판매기간 (selTermUseYn N) lists no end date (aplEndDy "")
            "aplBgnDy": data.stamp(data.now_kst()), "aplEndDy": ""}


class ElevenstProducts:
    store: SimStore

    def product_routes(self, api: Api) -> None:
        self.route("POST", "/prodservices/product", api(self.register, write=True))  # type: ignore[attr-defined]
        self.route("PUT", "/prodservices/product/{prdNo}", api(self.update, write=True))  # type: ignore[attr-defined]
        # invented path: the reference shows no look-up by seller code (needed to read a lost register back)
        self.route("GET", "/prodmarketservice/sellerprodcode/{sellerPrdCd}", api(self.by_seller_code))  # type: ignore[attr-defined]
        for action in ("stopdisplay", "restartdisplay"):  # inferred: PUT (the reference gives the path only)
            self.route("PUT", f"/prodstatservice/stat/{action}/{{prdNo}}", api(self._display(action), write=True))  # type: ignore[attr-defined]

    @staticmethod
    def on_sale(product: dict[str, Any]) -> bool:
        return product.get("selStatCd", ON_SALE) == ON_SALE

    def _product(self, no: str) -> dict[str, Any]:
        product = self.store.get("product", no)
        if product is None:
            raise refused(UNKNOWN, f"존재하지 않는 상품번호입니다: {no}")  # invented
        return product

    def _save(self, product: dict[str, Any], root: Element, fields: dict[str, Any]) -> None:
        now = data.stamp(data.now_kst())
        started = product.get("aplBgnDy")
        product.update(fields, options=_options(root, product["prdNo"]), updateDt=now)
        product["aplBgnDy"] = started or fields["aplBgnDy"]
        product.setdefault("createDt", now)
        restate(product)
        self.store.put("product", product["prdNo"], product)
        catalogue.index(self.store, INDEX, product["sellerPrdCd"], product["prdNo"])

    def register(self, request: Request) -> bytes:
        root = read_xml(request, "Product")
        fields = checked(root)
        product = {"prdNo": str(self.store.next_id("prdNo", 4100000001)), "selStatCd": ON_SALE}
        self._save(product, root, fields)
        self.store.audit("product.create", fields["sellerPrdCd"] or product["prdNo"], {"prdNo": product["prdNo"]})
        return xml.client_message(200, "상품이 등록되었습니다.", productNo=product["prdNo"])  # message text invented

    def update(self, request: Request) -> bytes:
        product = self._product(request.params["prdNo"])
        root = read_xml(request, "Product")
        fields = checked(root)
        self._save(product, root, fields)
        self.store.audit("product.update", fields["sellerPrdCd"] or product["prdNo"], {"prdNo": product["prdNo"]})
        return xml.client_message(200, "상품이 수정되었습니다.", productNo=product["prdNo"])  # message text invented

    def by_seller_code(self, request: Request) -> bytes:
        code = request.params["sellerPrdCd"]
        found = [p for p in catalogue.lookup(self.store, "product", INDEX, code) if p["sellerPrdCd"] == code]
        keys = ("prdNo", "sellerPrdCd", "prdNm", "selPrc", "selStatCd", "createDt", "updateDt")
        return xml.records("products", "product", ({k: p[k] for k in keys} for p in found))  # invented shape

    def _display(self, action: str) -> Callable[[Request], bytes]:
        stop = action == "stopdisplay"
        done = "전시중지 되었습니다." if stop else "전시재개 되었습니다."

        def change(request: Request) -> bytes:
            product = self._product(request.params["prdNo"])
            product.update(selStatCd=OFF_DISPLAY if stop else ON_SALE, updateDt=data.stamp(data.now_kst()))
            restate(product)  # a restarted product without stock is 104 품절
            self.store.put("product", product["prdNo"], product)
            status = product["selStatCd"]
            self.store.audit("product.status", product["sellerPrdCd"] or product["prdNo"], {"selStatCd": status})
            return xml.client_message(200, done, productNo=product["prdNo"])  # message text invented

        return change
