"""아임웹 products as the simulator keeps them (second-hand: IMWEBDOC ``Items/add.md``, ``get.md``,
``getOptionsDetail.md``, ``editOptionsDetail.md``): ``POST /products`` creates, ``PATCH /products/{no}``
changes only the fields sent, options come back as option groups (``/options``) and one detail per
combination (``/options-details``) whose ``stock``, ``price`` and ``status`` are set one by one.

invented: the create answer ``{"prod_no"}``, the option and value codes, the ``/options`` shape, the list's
``custom_prod_code`` filter, that a new combination starts with stock 0, and the inquiry documents' answers.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from mallbatch.sandbox.engine import fixtures
from mallbatch.sandbox.imweb_data import ApiError
from mallbatch.sandbox.store import SimStore

Doc = dict[str, Any]
PROD_STATUS = ("sale", "soldout", "nosale")  # Items/get.md
DETAIL_STATUS = ("SALE", "SOLDOUT", "HIDDEN")  # Items/editOptionsDetail.md


def product(store: SimStore, prod_no: str) -> Doc:
    found = store.get("product", str(prod_no))
    if found is None:
        raise ApiError(-11, f"존재하지 않는 상품입니다: {prod_no}")
    return found


def listed(store: SimStore, status: str | None, code: str | None) -> list[Doc]:
    rows = store.find("product", "$.custom_prod_code", code) if code else store.all("product")
    return [public(p) for p in rows if not status or p["prod_status"] == status]


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _number(value: Any, name: str, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ApiError(-10, f"{name} 은(는) {low} 이상의 정수여야 합니다")
    return value


def create(store: SimStore, body: Doc, now: int) -> Doc:
    name = str(body.get("name") or "").strip()
    if not name:
        raise ApiError(-10, "상품명(name)은 필수입니다")
    price = _number(body.get("price"), "price")
    status = str(body.get("prod_status") or "sale")
    if status not in PROD_STATUS:
        raise ApiError(-10, f"prod_status 는 {', '.join(PROD_STATUS)} 중 하나입니다")
    no = store.next_id("prod_no", 1001)
    groups, details = _options(store, body.get("options"), no)
    doc = {
        "no": no, "prod_status": status, "categories": list(body.get("categories") or []),
        "custom_prod_code": str(body.get("custom_prod_code") or ""), "name": name,
        "images": [], "image_url": list(body.get("images") or []), "content": str(body.get("content") or ""),
        "simple_content": str(body.get("simple_content") or ""), "prod_type": "normal",
        "price": price, "price_org": int(body.get("price_org") or price), "price_tax": bool(body.get("price_tax", True)),
        "price_none": False, "origin": str(body.get("origin") or ""), "maker": str(body.get("maker") or ""),
        "brand": str(body.get("brand") or ""),
        "stock": {"stock_use": bool(body.get("stock_use", True)), "stock_unlimit": bool(body.get("stock_unlimit", False)),
                  "stock_no_option": int(body.get("stock_no_option") or 0), "sku_no_option": ""},
        "is_exist_options": "Y" if groups else "N", "is_mix": "Y" if groups else "N",
        "add_time": now, "edit_time": now, "_options": groups, "_details": details,
    }
    store.put("product", str(no), doc)
    store.audit("product.create", doc["custom_prod_code"] or str(no))
    return {"prod_no": no}


def _options(store: SimStore, options: Any, prod_no: int) -> tuple[list[Doc], list[Doc]]:
    """Option groups (codes invented) and one detail per combination of their values."""
    groups_in = (options or {}).get("list") if isinstance(options, dict) else None
    groups = []
    for n, group in enumerate(groups_in or [], start=1):
        values = [v.get("name") if isinstance(v, dict) else v for v in group.get("values") or []]
        if not group.get("name") or not values:
            raise ApiError(-10, "옵션명(name)과 옵션값(values)은 필수입니다")
        groups.append({"code": f"O{prod_no}{n:02d}", "name": str(group["name"]), "type": str(group.get("type") or "default"),
                       "values": [{"code": f"V{prod_no}{n:02d}{m:02d}", "name": str(v)} for m, v in enumerate(values, 1)]})
    details = []
    for combo in itertools.product(*(g["values"] for g in groups)) if groups else ():
        details.append({"no": store.next_id("detail_no", 50001), "is_require": True,
                        "option_code_list": [g["code"] for g in groups], "value_code_list": [v["code"] for v in combo],
                        # invented: the names beside the codes (reference: codes only)
                        "option_name_list": [g["name"] for g in groups], "value_name_list": [v["name"] for v in combo],
                        "price": 0, "stock": 0, "stock_sku": "", "status": "SALE"})
    return groups, details


def update(store: SimStore, prod_no: str, body: Doc, now: int) -> Doc:
    """Only the fields sent change (Items/add.md: 수정 시 변경할 항목만 전달)."""
    doc = product(store, prod_no)
    if "prod_status" in body:
        if body["prod_status"] not in PROD_STATUS:
            raise ApiError(-10, f"prod_status 는 {', '.join(PROD_STATUS)} 중 하나입니다")
        doc["prod_status"] = body["prod_status"]
    for field in ("price", "price_org"):
        if field in body:
            doc[field] = _number(body[field], field)
    if "stock_no_option" in body:
        doc["stock"]["stock_no_option"] = _number(body["stock_no_option"], "stock_no_option")
    for field in ("name", "custom_prod_code", "content", "simple_content", "origin", "maker", "brand"):
        if field in body:
            doc[field] = str(body[field] or "")
    doc["edit_time"] = now
    store.put("product", str(doc["no"]), doc)
    store.audit("product.update", str(doc["no"]), {k: v for k, v in body.items() if k != "content"})
    return {"prod_no": doc["no"]}


def update_detail(store: SimStore, prod_no: str, detail_no: str, body: Doc, now: int) -> Doc:
    doc = product(store, prod_no)
    detail = next((d for d in doc["_details"] if str(d["no"]) == str(detail_no)), None)
    if detail is None:
        raise ApiError(-11, f"존재하지 않는 상세옵션입니다: {detail_no}")
    for field in ("price", "stock"):
        if field in body:
            detail[field] = _number(body[field], field, low=-10**9 if field == "price" else 0)
    if "status" in body:
        if body["status"] not in DETAIL_STATUS:
            raise ApiError(-10, f"status 는 {', '.join(DETAIL_STATUS)} 중 하나입니다")
        detail["status"] = body["status"]
    doc["edit_time"] = now
    store.put("product", str(doc["no"]), doc)
    store.audit("product.option", f"{doc['no']}#{detail['no']}", body)
    return {"no": detail["no"]}


def orderable(doc: Doc) -> Doc:
    """A product as the order generator needs it: its option groups by name."""
    return {**doc, "_options": [{"name": g["name"], "values": [v["name"] for v in g["values"]]} for g in doc["_options"]]}


def make_inquiry(rng: random.Random, idx: int, product_doc: Doc, now: int) -> Doc:
    """A 상품 문의 (reference §4.2 fields) waiting for an answer."""
    question = fixtures.question(rng)
    return {"idx": idx, "np_review_id": "", "type": "imweb", "prod_no": int(product_doc["no"]),
            "nick": fixtures.masked_id(rng), "subject": question[:20], "body": question, "images": [],
            "is_secret": "N", "is_hide": "N", "read_cnt": 0, "status": "WAIT", "writer_ip": "127.0.0.1", "wtime": now,
            "answers": []}  # invented: the answers the seller posted
