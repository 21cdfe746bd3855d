"""11번가's catalogue calls beyond registering: a product and its stock read back, the product
list of ``mallbatch import``, 재고수량 per 재고번호 (``prdStckNo``) and 판매가.

A mixin of :class:`~mallbatch.sandbox.elevenst.ElevenstSimulator`. Paths, methods, body and
answer field names are second-hand (11번가 Open API guide pages as copied into public repositories:
상품조회 apiSeq 1007/1620, 재고처리 1009/1623/1625, 상품가격수정 1752); the reference has only the
price path (§3.2, parameters inferred). Result codes are the pages': ClientMessage ``resultCode``
200 success, 400 잘못된 요청, 404 해당 상품/재고 번호 없음, 500 비지니스 Error, all answered with
HTTP 200 like every refusal here. Message wording beyond the pages' examples is invented.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mallbatch.sandbox import elevenst_data as data
from mallbatch.sandbox import elevenst_xml as xml
from mallbatch.sandbox.elevenst_products import OFF_DISPLAY, ON_SALE, PRICE_UNIT, SOLD_OUT, read_xml, refused, restate
from mallbatch.sandbox.elevenst_xml import Refused
from mallbatch.sandbox.server import Request, Response
from mallbatch.sandbox.store import SimStore

Api = Callable[..., Callable[[Request], Response]]
MAX_LIMIT = 500  # second-hand: 다중상품조회 "일괄 최대 500개 목록 조회 가능"
BAD, UNKNOWN, BUSINESS = 400, 404, 500
STATUS_NAMES = {ON_SALE: "판매중", SOLD_OUT: "품절", OFF_DISPLAY: "전시중지"}
DETAIL = ("prdNo", "prdNm", "sellerPrdCd", "selPrc", "selStatCd", "dispCtgrNo", "aplBgnDy", "aplEndDy")
LISTED = (*DETAIL, "createDt", "updateDt")
STOCK = ("addPrc", "mixDtlOptNm", "mixOptNm", "prdNo", "prdStckNo", "prdStckStatCd", "selQty", "stckQty", "optWght",
         "sellerStockCd")


def _stock_rows(product: dict[str, Any]) -> list[dict[str, Any]]:
    # mixOptNo (the option numbers) is left empty: the simulator numbers no option columns (invented)
    return [{**{f: entry[f] for f in STOCK if f != "prdNo"}, "prdNo": product["prdNo"], "mixOptNo": ""}
            for entry in product["options"]]


def _number(text: str, name: str) -> int:
    if not re.fullmatch(r"\d{1,9}", text):
        raise refused(BAD, f"{name} 는 0 이상의 숫자여야 합니다: {text}")  # invented wording
    return int(text)


class ElevenstCatalogue:
    store: SimStore
    _product: Callable[[str], dict[str, Any]]

    def catalogue_routes(self, api: Api) -> None:
        route = self.route  # type: ignore[attr-defined]
        route("GET", "/prodmarketservice/prodmarket/{prdNo}", api(self.product_detail))
        route("GET", "/prodmarketservice/prodmarket/stck/{prdNo}", api(self.product_stock))
        route("POST", "/prodmarketservice/prodmarket/stocks", api(self.product_stocks))
        route("POST", "/prodmarketservice/prodmarket", api(self.product_list))
        route("PUT", "/prodservices/stockqty/{prdStckNo}", api(self.stock_quantity, write=True))
        route("GET", "/prodservices/product/price/{prdNo}/{selPrc}", api(self.price, write=True))

    # --- reads ---------------------------------------------------------------------------
    def product_detail(self, request: Request) -> bytes:
        """신규상품조회: ``<Product>`` with the fields read back here (the page lists many more)."""
        product = self._product(request.params["prdNo"])
        return xml.plain("Product", {f: product.get(f, "") for f in DETAIL})

    def product_stock(self, request: Request) -> bytes:
        """상품재고정보조회: ``<ns2:ProductStocks>`` of one product's ``<ns2:ProductStock>`` entries."""
        product = self._product(request.params["prdNo"])
        root = xml.answer_root("ProductStocks")
        for row in _stock_rows(product):
            xml.child(root, "ns2:ProductStock", row)
        for name in ("prdNm", "prdNo", "sellerPrdCd"):
            xml.child(root, f"ns2:{name}", {}).text = str(product[name])
        return xml.document(root)

    def product_stocks(self, request: Request) -> bytes:
        """다중상품재고정보조회: ``<ProductStocks><ProductStock><prdNo>`` asked; per product one
        ``<ns2:ProductStocks>`` inside the answer's; an unknown number is left out (invented)."""
        body = read_xml(request, "ProductStocks")
        numbers = [xml.text_of(item, "prdNo") for item in body.iter("ProductStock")]
        if not numbers:
            raise refused(BAD, "조회할 상품번호(prdNo)를 입력하세요.")  # invented
        found = [p for no in dict.fromkeys(numbers) if (p := self.store.get("product", no)) is not None]
        root = xml.answer_root("ProductStocks")
        xml.child(root, "ns2:message", {}).text = f"{len(found)} 건을 조회했습니다."
        for product in found:
            group = xml.child(root, "ns2:ProductStocks", {name: product[name] for name in ("prdNm", "prdNo", "sellerPrdCd")})
            for row in _stock_rows(product):
                xml.child(group, "ns2:ProductStock", row)
        return xml.document(root)

    def product_list(self, request: Request) -> bytes:
        """다중상품조회: ``<SearchProduct>`` with ``limit`` (at most 500) and optional ``start``/``end``
        (inferred: 1-based positions, both included), ``prdNo``, ``prdNm`` (a part of it), ``selStatCd``;
        products in number order."""
        search = read_xml(request, "SearchProduct")
        limit = _number(xml.text_of(search, "limit"), "limit")
        if not 1 <= limit <= MAX_LIMIT:
            raise refused(BAD, f"limit 는 1 이상 {MAX_LIMIT} 이하입니다: {limit}")  # invented wording
        start = _number(xml.text_of(search, "start") or "1", "start") or 1
        end = _number(xml.text_of(search, "end") or str(start + limit - 1), "end")
        number, name, status = (xml.text_of(search, f) for f in ("prdNo", "prdNm", "selStatCd"))
        rows = sorted(self.store.all("product"), key=lambda p: int(p["prdNo"]))
        rows = [p for p in rows if (not number or p["prdNo"] == number) and name in p["prdNm"]
                and (not status or p["selStatCd"] == status)]
        page = rows[start - 1:min(end, start + limit - 1)]
        listed = ({**{f: p.get(f, "") for f in LISTED}, "selStatNm": STATUS_NAMES.get(p["selStatCd"], "")} for p in page)
        return xml.records("products", "product", listed)

    # --- writes --------------------------------------------------------------------------
    def stock_quantity(self, request: Request) -> bytes:
        """상품재고수량변경처리: the absolute 재고수량 of one 재고번호; 0 is 품절, never below 0."""
        stock_no = request.params["prdStckNo"]
        body = read_xml(request, "ProductStock")
        product_no = xml.text_of(body, "prdNo")

        def failed(code: int, why: str) -> Refused:  # the page's example: "… 수량 업데이트 실패. MSG : …"
            return refused(code, f"옵션재고 번호 {stock_no}(상품번호:{product_no})의 수량 업데이트 실패. MSG : {why}")

        if xml.text_of(body, "prdStckNo") != stock_no:
            raise failed(BAD, "요청 본문의 재고번호(prdStckNo)가 경로와 다릅니다.")
        quantity = xml.text_of(body, "stckQty")
        if not re.fullmatch(r"\d{1,9}", quantity):
            raise failed(BAD, f"재고수량(stckQty)은 0 이상의 숫자여야 합니다: {quantity}")
        product = self.store.get("product", product_no)
        entry = next((e for e in product["options"] if e["prdStckNo"] == stock_no), None) if product else None
        if product is None or entry is None:
            raise failed(UNKNOWN, "해당 상품/재고 번호가 없습니다.")
        entry["stckQty"] = int(quantity)
        restate(product)
        product["updateDt"] = data.stamp(data.now_kst())
        self.store.put("product", product_no, product)
        self.store.audit("stock.update", stock_no, {"prdNo": product_no, "stckQty": int(quantity)})
        return xml.client_message(200, f"옵션재고 번호 {stock_no}(상품번호:{product_no})의 수량이 업데이트 되었습니다. "
                                       f"변경된 수량 : {int(quantity)}", productNo=stock_no)

    def price(self, request: Request) -> bytes:
        """상품가격수정: 판매가 alone, in 10원 units (reference §3.6); refusals are the page's 500."""
        product_no, text = request.params["prdNo"], request.params["selPrc"]

        def failed(why: str) -> Refused:  # the page's example: "(상품번호:…)의 가격 업데이트 실패. MSG : …"
            return refused(BUSINESS, f"(상품번호:{product_no})의 가격 업데이트 실패. MSG : {why}")

        product = self.store.get("product", product_no)
        if product is None:
            raise failed("존재하지 않는 상품번호입니다.")
        if not re.fullmatch(r"\d{1,10}", text) or int(text) <= 0:
            raise failed(f"판매가는 0보다 큰 숫자여야 합니다: {text}")
        if int(text) % PRICE_UNIT:
            raise failed(f"판매가는 {PRICE_UNIT}원 단위로 입력하세요: {text}")
        before = product["selPrc"]
        product.update(selPrc=int(text), updateDt=data.stamp(data.now_kst()))
        self.store.put("product", product_no, product)
        self.store.audit("price.update", product_no, {"selPrc": int(text)})
        return xml.client_message(200, f"(상품번호:{product_no})의 가격이 업데이트 되었습니다.", productNo=product_no,
                                  preSelPrc=before)
