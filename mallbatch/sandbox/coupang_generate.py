"""쿠팡 simulator scenarios: the seeded generator and the buyer actions tests trigger.

A mixin of :class:`~mallbatch.sandbox.coupang.CoupangSimulator`, kept apart so the
protocol module stays readable. Everything is written to the SimStore; callers that are
not already inside a transaction use the public methods, which open one.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from mallbatch.sandbox.coupang_data import (
    APPROVED,
    CANCEL_REASONS,
    COURIERS,
    EXCHANGE_REASONS,
    RETURN_REASONS,
    SHIPPED,
    SYNTHETIC_PRODUCTS,
    now_kst,
    sellable,
    stamp,
    unit,
    write_lines,
)
from mallbatch.sandbox.engine import fixtures, orders
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Claim
from mallbatch.sandbox.engine.refusal import Refusal
from mallbatch.sandbox.store import SimStore


class CoupangScenarios:
    """Orders, claims and inquiries as buyers would create them."""

    store: SimStore
    rng: random.Random
    credentials: dict[str, str]

    def request_cancel(self, shipment_box_id: str, *, complete: bool = False) -> int:
        """Buyer cancels an unshipped box: at ACCEPT a CANCEL receipt, at INSTRUCT an RU 출고중지요청."""
        with self.store.transaction():
            box = self.store.get("box", shipment_box_id)
            if box is None:
                raise ValueError(f"box {shipment_box_id} cannot be cancelled")
            try:
                return self._cancel(box, complete)
            except Refusal as refusal:
                raise ValueError(f"box {shipment_box_id} cannot be cancelled: {refusal}") from None

    def deliver(self, shipment_box_id: str) -> None:
        """The box is shipped (with a generated CJ invoice when it has none) and delivered."""
        with self.store.transaction():
            box = self._claimable_box(shipment_box_id)
            if not box.get("invoiceNumber"):
                box.update(_deliveryCompanyCode="CJGLS", deliveryCompanyName=COURIERS["CJGLS"][0],
                           invoiceNumber=str(self.rng.randint(10**11, 10**12 - 1)), inTrasitDateTime=stamp(now_kst()))
            # a box delivered already keeps its delivery time (a return's window counts from it)
            box.update(status="FINAL_DELIVERY", deliveredDate=box.get("deliveredDate") or stamp(now_kst()))
            self.store.put("box", shipment_box_id, box)

    def request_return(self, shipment_box_id: str) -> int:
        """The buyer asks to return a shipped box: a RETURN receipt in 반품접수 (UC)."""
        with self.store.transaction():
            box = self._claimable_box(shipment_box_id, Claim.RETURN)
            return self._new_receipt(box, "RETURN", "RETURNS_UNCHECKED", "비대상", self.rng.choice(RETURN_REASONS))

    def request_exchange(self, shipment_box_id: str, status: str = "RECEIPT") -> int:
        """The buyer asks to exchange a shipped box: an exchange in 접수 (or 진행, the pickup under way)."""
        with self.store.transaction():
            return self._new_exchange(self._claimable_box(shipment_box_id, Claim.EXCHANGE), status)

    def withdraw_exchange(self, exchange_id: str) -> None:
        """The buyer takes an exchange back (철회): exchangeStatus CANCEL."""
        with self.store.transaction():
            exchange = self.store.get("exchange", exchange_id)
            if exchange is None:
                raise ValueError(f"exchange {exchange_id} not found")
            exchange.update(exchangeStatus="CANCEL", collectStatus="Withdraw", deliveryStatus="Withdraw", modifiedAt=stamp(now_kst()))
            self.store.put("exchange", exchange_id, exchange)

    def _claimable_box(self, shipment_box_id: str, kind: Claim | None = None) -> dict[str, Any]:
        box = self.store.get("box", shipment_box_id)
        if box is None or (kind is not None and not orders.claimable(unit(box), kind)):
            raise ValueError(f"box {shipment_box_id} cannot take a {kind or 'delivery'}")
        return box

    def _cancel(self, box: dict[str, Any], complete: bool) -> int:
        state = unit(box)
        orders.cancel(state, complete=complete)
        write_lines(box, state)
        if box["status"] == "ACCEPT":
            # inferred: a 결제완료 cancel usually completes at once; "RETURNS_UNCHECKED" models one still pending
            kind, status, release = "CANCEL", "RETURNS_COMPLETED" if complete else "RETURNS_UNCHECKED", "비대상"
        else:
            kind, status, release = "RETURN", "RETURNS_COMPLETED" if complete else "RELEASE_STOP_UNCHECKED", "미처리"
        self.store.put("box", str(box["shipmentBoxId"]), box)
        return self._new_receipt(box, kind, status, release, self.rng.choice(CANCEL_REASONS))

    def _new_receipt(self, box: dict[str, Any], kind: str, status: str, release: str, reason: tuple[str, str]) -> int:
        receipt_id = self.store.next_id("receiptId", 300000001)
        created = stamp(now_kst())
        orderer = box["orderer"]
        items = [{
            "vendorItemPackageId": 0, "vendorItemPackageName": i["vendorItemPackageName"], "vendorItemId": i["vendorItemId"],
            "vendorItemName": i["vendorItemName"], "purchaseCount": i["shippingCount"], "cancelCount": i["shippingCount"],
            "shipmentBoxId": box["shipmentBoxId"], "sellerProductId": i["sellerProductId"], "sellerProductName": i["sellerProductName"],
        } for i in box["orderItems"]]
        self.store.put("receipt", str(receipt_id), {
            "receiptId": receipt_id, "orderId": box["orderId"], "paymentId": box["orderId"] + 1000, "receiptType": kind,
            "receiptStatus": status, "createdAt": created, "modifiedAt": created,
            "requesterName": orderer["name"], "requesterPhoneNumber": orderer["safeNumber"], "requesterRealPhoneNumber": None,
            "requesterAddress": box["receiver"]["addr1"], "requesterAddressDetail": box["receiver"]["addr2"],
            "requesterZipCode": box["receiver"]["postCode"], "cancelReasonCategory1": reason[0],
            "cancelReasonCategory2": reason[1], "cancelReason": reason[1],
            "cancelCountSum": sum(i["shippingCount"] for i in box["orderItems"]),
            "returnDeliveryId": receipt_id + 7000000, "returnDeliveryType": "연동택배", "releaseStopStatus": release,
            "enclosePrice": 0, "faultByType": "CUSTOMER", "preRefund": False,
            "completeConfirmType": "VENDOR_CONFIRM" if status == "RETURNS_COMPLETED" else "UNDEFINED",
            "completeConfirmDate": created if status == "RETURNS_COMPLETED" else "",
            "returnItems": items, "returnDeliveryDtos": [],
        })
        return receipt_id

    def _new_exchange(self, box: dict[str, Any], status: str | None = None) -> int:
        status = status or self.rng.choice(("RECEIPT", "PROGRESS"))
        exchange_id = self.store.next_id("exchangeId", 100000001)
        item = box["orderItems"][0]
        reason = self.rng.choice(EXCHANGE_REASONS)
        created = stamp(now_kst())
        receiver = box["receiver"]
        self.store.put("exchange", str(exchange_id), {
            "exchangeId": exchange_id, "orderId": box["orderId"], "vendorId": self.credentials["vendor_id"],
            "orderDeliveryStatusCode": box["status"], "exchangeStatus": status,
            "referType": "WEB_MOBILE", "faultType": "CUSTOMER", "exchangeAmount": 0, "reasonCode": reason[0],
            "reasonCodeText": reason[1], "reasonEtcDetail": "", "cancelReason": "", "createdByType": "CUSTOMER",
            "createdAt": created, "modifiedByType": "CUSTOMER", "modifiedAt": created,
            "exchangeItemDtoV1s": [{
                "exchangeItemId": self.store.next_id("exchangeItemId", 110000001),
                "orderItemId": item["vendorItemId"],  # inferred: the ordered option (vendorItemId)
                "orderItemUnitPrice": item["salesPrice"], "orderItemName": item["vendorItemName"],
                "targetItemId": item["vendorItemId"], "targetItemUnitPrice": item["salesPrice"],
                "targetItemName": item["vendorItemName"], "quantity": item["shippingCount"],
                "originalShipmentBoxId": box["shipmentBoxId"],
            }],
            "exchangeAddressDtoV1": {
                "returnCustomerName": receiver["name"], "returnAddressZipCode": receiver["postCode"],
                "returnAddress": receiver["addr1"], "returnAddressDetail": receiver["addr2"], "returnMobile": receiver["safeNumber"],
                "deliveryCustomerName": receiver["name"], "deliveryAddressZipCode": receiver["postCode"],
                "deliveryAddress": receiver["addr1"], "deliveryAddressDetail": receiver["addr2"], "deliveryMobile": receiver["safeNumber"],
            },
            # inferred: 쿠팡 opens the exchange's delivery box at once (its shipmentBoxId takes the 교환상품 송장)
            "deliveryInvoiceGroupDtos": [{
                "shipmentBoxId": self.store.next_id("shipmentBoxId", 640000000000000001), "orderId": box["orderId"],
                "shippingDeliveryType": "EXCHANGE_DELIVERY", "deliveryInvoiceDtos": []}],
            "deliveryStatus": "BeforeDirection", "collectStatus": "BeforeDirection" if status == "RECEIPT" else "Delivering",
            "returnDeliveryDtos": [], "rejectable": True, "deliveryInvoiceModifiable": False, "successable": False,
        })
        return exchange_id

    # --- generator -------------------------------------------------------------------
    def _catalogue(self) -> Catalogue:
        """Registered products buyers can order: approved, with an item not sold out or stopped."""
        return Catalogue(self.store, "product", fallback=SYNTHETIC_PRODUCTS,
                         keep=lambda p: p.get("statusName") == APPROVED and any(map(sellable, p["items"])))

    def _sold(self, catalogue: Catalogue, product: dict[str, Any], item: dict[str, Any], wanted: int) -> int:
        """How many of ``item`` the order takes, its stock decremented (the samples' stock is endless)."""
        stock = item.get("maximumBuyCount")
        if stock is None:
            return wanted
        count = min(wanted, int(stock))
        item["maximumBuyCount"] = int(stock) - count
        key = str(product["sellerProductId"])
        self.store.put("product", key, product)
        if not any(map(sellable, product["items"])):
            catalogue.discard(key)
        return count

    def _new_box(self, catalogue: Catalogue, status: str = "ACCEPT") -> dict[str, Any]:
        rng = self.rng
        product = catalogue.pick(rng)
        offered = [i for i in product["items"] if sellable(i)]
        chosen = rng.sample(offered, k=min(len(offered), rng.choice((1, 1, 1, 2))))
        now = now_kst()
        ordered = now.isoformat(timespec="microseconds")
        (orderer_name, orderer_phone), (receiver_name, receiver_phone) = fixtures.buyer_and_receiver(rng, safe_number=True)
        zip_code, addr1, addr2 = fixtures.address(rng)
        items = []
        for item in chosen:
            count, price = self._sold(catalogue, product, item, rng.choice((1, 1, 2, 3))), int(item["salePrice"])
            items.append({
                "vendorItemPackageId": 0, "vendorItemPackageName": product["sellerProductName"],
                "productId": product.get("productId", 0), "vendorItemId": item["vendorItemId"],
                "vendorItemName": f"{product['sellerProductName']}, {item['itemName']}", "shippingCount": count,
                "salesPrice": price, "orderPrice": price * count, "discountPrice": 0, "instantCouponDiscount": 0,
                "downloadableCouponDiscount": 0, "coupangDiscount": 0,
                "externalVendorSkuCode": item.get("externalVendorSku") or "", "etcInfoHeader": None,
                "etcInfoValue": None, "etcInfoValues": None, "sellerProductId": product["sellerProductId"],
                "sellerProductName": product["sellerProductName"], "sellerProductItemName": item["itemName"],
                "firstSellerProductItemName": item["itemName"], "cancelCount": 0, "holdCountForCancel": 0,
                "estimatedShippingDate": (now + timedelta(days=2)).date().isoformat(), "plannedShippingDate": "",
                "invoiceNumberUploadDate": "", "extraProperties": {}, "pricingBadge": False, "usedProduct": False,
                "confirmDate": "", "deliveryChargeTypeName": "무료", "canceled": False,
            })
        box = {
            "shipmentBoxId": self.store.next_id("shipmentBoxId", 640000000000000001),  # 18 digits since 2024-11-14
            "orderId": self.store.next_id("orderId", 28000000000001), "orderedAt": ordered, "paidAt": ordered,
            "status": status, "orderer": {"name": orderer_name, "email": "", "safeNumber": orderer_phone, "ordererNumber": None},
            "receiver": {"name": receiver_name, "safeNumber": receiver_phone, "receiverNumber": None,
                         "addr1": addr1, "addr2": addr2, "postCode": zip_code},
            "shippingPrice": rng.choice((0, 0, 3000)), "remotePrice": 3000 if zip_code.startswith("63") else 0,
            "remoteArea": zip_code.startswith("63"), "parcelPrintMessage": fixtures.memo(rng), "splitShipping": False,
            "ableSplitShipping": False, "orderItems": items,
            "overseaShippingInfoDto": {"personalCustomsClearanceCode": None, "ordererSsn": None, "ordererPhoneNumber": None},
            "deliveryCompanyName": "", "invoiceNumber": "", "inTrasitDateTime": "", "deliveredDate": "",
            "refer": rng.choice(("안드로이드앱", "아이폰앱", "PC웹", "모바일웹")), "shipmentType": "THIRD_PARTY",
            "isCod": False, "extraProperties": {}, "_deliveryCompanyCode": "",
        }
        if status in SHIPPED:
            box.update(_deliveryCompanyCode="CJGLS", deliveryCompanyName=COURIERS["CJGLS"][0],
                       invoiceNumber=str(rng.randint(10**11, 10**12 - 1)), inTrasitDateTime=now.strftime("%Y-%m-%d %H:%M:%S"))
        self.store.put("box", str(box["shipmentBoxId"]), box)
        return box

    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        made = {"orders": 0, "claims": 0, "inquiries": 0}
        with self.store.transaction():
            catalogue = self._catalogue()
            for _ in range(orders):
                self._new_box(catalogue)
                made["orders"] += 1
            if claims:
                made["claims"] = self._claims(claims, catalogue)
            for _ in range(inquiries):
                self._new_inquiry(catalogue)
                made["inquiries"] += 1
        return made

    def _claims(self, count: int, catalogue: Catalogue) -> int:
        """Cancels, returns and exchanges in turn, on boxes without an open claim (read once)."""
        taken = {i["shipmentBoxId"] for r in self.store.all("receipt") for i in r["returnItems"]}
        taken |= {x["exchangeItemDtoV1s"][0]["originalShipmentBoxId"] for x in self.store.all("exchange")}
        free = [b for b in self.store.all("box") if b["shipmentBoxId"] not in taken]
        pools = {kind: [b for b in free if orders.claimable(unit(b), kind)] for kind in (Claim.CANCEL, Claim.RETURN)}

        def pick(kind: Claim, fallback: str) -> dict[str, Any]:
            pool = pools[kind]
            return pool.pop(self.rng.randrange(len(pool))) if pool else self._new_box(catalogue, fallback)

        for n in range(count):
            if n % 3 == 0:
                box = pick(Claim.CANCEL, "ACCEPT")
                self._cancel(box, complete=box["status"] == "ACCEPT" and self.rng.random() < 0.5)
            elif n % 3 == 1:
                box = pick(Claim.RETURN, "FINAL_DELIVERY")
                status = self.rng.choice(("RETURNS_UNCHECKED", "RETURNS_UNCHECKED", "RETURNS_COMPLETED"))
                self._new_receipt(box, "RETURN", status, "비대상", self.rng.choice(RETURN_REASONS))
            else:
                self._new_exchange(pick(Claim.RETURN, "FINAL_DELIVERY"))
        return count

    def _new_inquiry(self, catalogue: Catalogue) -> None:
        product = catalogue.pick(self.rng)
        item = self.rng.choice(product["items"])
        inquiry_id = self.store.next_id("inquiryId", 200000001)
        now = now_kst()
        comments = []
        if self.rng.random() < 0.3:
            comments.append({"inquiryCommentId": self.store.next_id("inquiryCommentId", 500000001), "inquiryId": inquiry_id,
                             "content": "안녕하세요 고객님, 문의 주셔서 감사합니다. 내일 출고 예정입니다.",
                             "inquiryCommentAt": now.strftime("%Y-%m-%d %H:%M:%S")})
        self.store.put("inquiry", str(inquiry_id), {
            "inquiryId": inquiry_id, "productId": product.get("productId", 0), "vendorItemId": item["vendorItemId"],
            "content": fixtures.question(self.rng), "inquiryAt": now.strftime("%Y-%m-%d %H:%M:%S"),
            "orderIds": None, "buyerEmail": "", "commentDtoList": comments,
        })
