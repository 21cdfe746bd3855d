"""Joining a saved product with a saved sales group into what one mall receives."""

from __future__ import annotations

from datetime import date
from typing import Any

from mallbatch.domain.records import (
    Address,
    Certification,
    OptionCombo,
    ProductListing,
    ShippingInfo,
)
from mallbatch.kinds.products import (
    combinations,
    parse_certs,
    parse_notice,
    per_combination,
)
from mallbatch.sheets.normalize import split_list
from mallbatch.sheets.rows import Row


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def build_listing(product: dict[str, Any], group: dict[str, Any]) -> ProductListing:
    """``product`` and ``group`` are the stored row values (see pipeline.check.save_valid)."""
    row = Row(0, [], product)
    option_type = product.get("option_type") or "" if product.get("option_use") else ""
    names = tuple(product[f"option_name{i}"] for i in (1, 2, 3) if product.get(f"option_name{i}")) if option_type else ()
    combos: tuple[OptionCombo, ...] = ()
    if option_type == "조합형":
        values = combinations(row)
        prices = per_combination(product.get("option_prices") or "", len(values))
        stocks = per_combination(product.get("option_stock") or "", len(values))
        combos = tuple(OptionCombo(v, p, s) for v, p, s in zip(values, prices, stocks))
    stock = sum(c.stock for c in combos) if combos else int(product.get("stock") or 0)
    certs = parse_certs(product.get("certs") or "인증대상아님") or []
    shipping = ShippingInfo(
        name=group["ship_name"], bundle_type=group["bundle_type"], method=group["method"], fee_type=group["fee_type"],
        fee=int(group.get("fee") or 0), free_over=int(group.get("free_over") or 0), jeju_fee=int(group.get("jeju_fee") or 0),
        island_fee=int(group.get("island_fee") or 0), pay_type=group["pay_type"], return_fee=int(group["return_fee"]),
        exchange_fee=int(group["return_fee"]),
        ship_from=Address(group["from_zip"], group["from_address"], group.get("from_detail") or ""),
        return_to=Address(group["return_zip"], group["return_address"], group.get("return_detail") or ""),
        lead_days=int(group["lead_days"]),
    )
    return ProductListing(
        seller_code=product["code"], name=product["name"], on_sale=product.get("status") != "판매불가",
        category_path=tuple(p.strip() for p in str(product["category"]).split(">")), mall_category=str(group["mall_category"]),
        model_name=product.get("model_name") or "", model_no=product.get("model_no") or "", maker=product["maker"],
        brand=product["brand"], made_on=_date(product.get("made_on")), expires_on=_date(product.get("expires_on")),
        origin=product["origin"], origin_detail=product.get("origin_detail") or "",
        certifications=tuple(Certification(*c) for c in certs),
        # a 판매정보 group's own 품목고시 (required for a 종합몰, seed 001) comes before the product's
        notice_group=group.get("notice_group") or product["notice_group"],
        notice=parse_notice(group.get("notice") or product["notice"], group.get("notice_group") or product["notice_group"]),
        keywords=tuple(split_list(product.get("keywords") or "").value), detail_html=product["detail"],
        main_image=product["main_image"], extra_images=tuple(split_list(product.get("extra_images") or "").value),
        cost_price=int(product["cost_price"]), list_price=int(group["list_price"]), sale_price=int(group["sale_price"]),
        tax_type=product["tax_type"], sale_region=product.get("region") or "전국", adult_only=bool(product.get("adult")),
        sale_start=_date(group["sale_start"]) or date.today(), sale_end=_date(group["sale_end"]) or date.today(),
        option_type=option_type, option_names=names, options=combos, stock=stock, shipping=shipping, group=group["group"],
    )
