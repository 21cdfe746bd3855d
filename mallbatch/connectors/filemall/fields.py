"""The mallbatch fields a file mall's layout may name, per part of ``filemalls.toml``.

Uploads are written from these fields (a product listing joined with its sales group, an invoice); downloads are
read into them. Each field says how its cell is read (a :class:`Kind`) and whether a download must carry it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mallbatch.sheets.columns import Kind


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # Korean, for messages and the README
    kind: Kind = Kind.TEXT
    required: bool = False  # a download without this column cannot be read


PRODUCT_UPLOAD = {f.name: f for f in (
    Field("seller_code", "자체상품코드", required=True), Field("name", "상품명"), Field("sale_price", "판매가", Kind.INT),
    Field("list_price", "정가", Kind.INT), Field("cost_price", "공급원가", Kind.INT), Field("mall_category", "쇼핑몰 카테고리"),
    Field("category", "카테고리"), Field("maker", "제조사"), Field("brand", "브랜드"), Field("model_name", "모델명"),
    Field("model_no", "모델NO"), Field("origin", "원산지"), Field("tax_type", "과세구분"), Field("stock", "재고", Kind.INT),
    Field("options", "옵션 (조합=재고)"), Field("option_names", "옵션명"), Field("main_image", "대표이미지"),
    Field("extra_images", "추가이미지"), Field("detail_html", "상세설명"), Field("notice_group", "품목고시"),
    Field("notice", "품목고시 내용"), Field("certifications", "인증정보"), Field("keywords", "키워드"),
    Field("sale_start", "판매시작일"), Field("sale_end", "판매종료일"), Field("shipping_fee", "배송비", Kind.INT),
    Field("return_fee", "반품배송비", Kind.INT), Field("lead_days", "출고기한", Kind.INT), Field("adult_only", "성인인증"),
)}

INVOICE_UPLOAD = {f.name: f for f in (
    Field("order_id", "주문번호"), Field("ship_unit", "묶음배송번호"), Field("line_id", "상품주문번호"),
    Field("line_seq", "주문순번"), Field("courier", "택배사"), Field("tracking_no", "송장번호", required=True),
    Field("shipped_on", "출고일"), Field("quantity", "수량", Kind.INT),
)}

ORDER_DOWNLOAD = {f.name: f for f in (
    # digits like the 주문 workbook's 주문번호 and 묶음배송번호, which the seller fills and drops back
    Field("order_id", "주문번호", Kind.DIGITS, True), Field("line_id", "상품주문번호", Kind.CODE),
    Field("line_seq", "주문순번", Kind.CODE), Field("ship_unit", "묶음배송번호", Kind.DIGITS),
    Field("status", "주문상태", Kind.TEXT, True), Field("ordered_at", "주문일시", Kind.DATETIME),
    Field("paid_at", "결제일시", Kind.DATETIME), Field("buyer_name", "주문자"), Field("buyer_phone", "주문자 연락처", Kind.PHONE),
    Field("receiver_name", "수취인"), Field("receiver_phone", "수취인 연락처", Kind.PHONE),
    Field("receiver_phone2", "수취인 연락처2", Kind.PHONE), Field("zip", "우편번호", Kind.ZIP), Field("address", "주소"),
    Field("address_detail", "상세주소"), Field("memo", "배송메시지"), Field("product_id", "쇼핑몰 상품번호", Kind.CODE),
    Field("seller_code", "자체상품코드", Kind.CODE), Field("product_name", "상품명", Kind.TEXT, True),
    Field("option_name", "옵션"), Field("quantity", "수량", Kind.INT, True), Field("unit_price", "판매단가", Kind.INT),
    Field("amount", "결제금액", Kind.INT), Field("shipping_fee", "배송비", Kind.INT), Field("courier", "택배사"),
    Field("tracking_no", "송장번호", Kind.CODE), Field("ship_by", "발송기한", Kind.DATETIME),
)}

CLAIM_DOWNLOAD = {f.name: f for f in (
    Field("claim_id", "클레임번호", Kind.CODE, True), Field("kind", "클레임구분", Kind.TEXT, True),
    Field("status", "클레임상태", Kind.TEXT, True), Field("order_id", "주문번호", Kind.DIGITS, True),
    Field("line_id", "상품주문번호", Kind.CODE), Field("line_seq", "주문순번", Kind.CODE),
    Field("requested_at", "접수일시", Kind.DATETIME), Field("reason", "사유"), Field("quantity", "수량", Kind.INT),
    Field("product_name", "상품명"), Field("option_name", "옵션"), Field("requester_name", "요청자"),
    Field("requester_phone", "요청자 연락처", Kind.PHONE),
)}

SECTIONS: dict[str, dict[str, Field]] = {
    "product_upload": PRODUCT_UPLOAD, "invoice_upload": INVOICE_UPLOAD,
    "order_download": ORDER_DOWNLOAD, "claim_download": CLAIM_DOWNLOAD,
}
SECTION_NAMES = {"product_upload": "상품 등록 업로드", "invoice_upload": "송장 등록 업로드",
                 "order_download": "주문 다운로드", "claim_download": "클레임 다운로드"}
