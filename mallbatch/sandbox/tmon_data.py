"""Seeded sample data for the 티몬 simulator in interwork shapes (reference §2.4), the partner-key encryption of
personal fields (§2.1: AES-128-ECB, PKCS7, base64, through ``cryptography``), and claims as the shared engine
reads them. Field use beyond §2.4 is invented and marked.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mallbatch.sandbox.engine import fixtures
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.claims import Case, Step
from mallbatch.sandbox.engine.orders import Claim, Invoice

KST = ZoneInfo("Asia/Seoul")
FMT = "%Y-%m-%dT%H:%M:%S"
Doc = dict[str, Any]
NextId = Callable[[str, int], int]

ORDER_SECRETS = ("userId", "userName", "userPhone", "receiverName", "receiverPhone")  # reference §2.1/§2.4
ADDRESS_SECRETS = ("address", "streetAddress", "addressDetail")  # invented: zipCode stays plain
CLAIM_SECRETS = ("userName", "userPhone")  # invented: the claim's customer (the reference lists none)
SHIP_DAYS = 2  # invented: deliveryScheduledDate of a new deal is two days after payment

SYNTHETIC_DEALS = (
    {"tmonDealNo": 7700000001, "vendorDealNo": "SIM-TMON-001", "dealTitle": "[티몬] 국내산 햇 감자 5kg", "salesPrice": 15900,
     "optionNames": ["중량"], "options": [{"tmonDealOptionNo": 7700000101, "vendorDealOptionNo": "SIM-TMON-001-1",
                                          "dealOptionTitle": "5kg", "optionValues": ["5kg"], "salesPrice": 15900, "stock": 999}]},
    {"tmonDealNo": 7700000002, "vendorDealNo": "SIM-TMON-002", "dealTitle": "[티몬] 면 100% 수건 10장", "salesPrice": 19900,
     "optionNames": [], "options": [{"tmonDealOptionNo": 7700000201, "vendorDealOptionNo": "SIM-TMON-002-1",
                                     "dealOptionTitle": "", "optionValues": [], "salesPrice": 19900, "stock": 999}]},
)
REASONS = {"C": ("단순변심", "주문실수"), "R": ("상품불량", "단순변심"), "E": ("사이즈 교환", "색상 교환")}
STATUS_OF = {Step.REQUESTED: "C1", Step.DONE: "C3", Step.WITHDRAWN: "C8", Step.REJECTED: "C4"}  # else C2 (invented)
KIND_OF = {"C": Claim.CANCEL, "R": Claim.RETURN, "E": Claim.EXCHANGE}  # claimType: C [C]; R, E invented
TYPE_OF = {v: k for k, v in KIND_OF.items()}


def now_text(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(KST) + delta).strftime(FMT)


def encrypt(text: str, key: bytes) -> str:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(text.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 - the mall's scheme
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


def encrypted_order(order: Doc, key: bytes) -> Doc:
    """The order as the API answers it: personal fields encrypted (the store keeps them plain); a field the sandbox
    was told to corrupt (``_garbled``) goes out as it is stored."""
    garbled = set(order.get("_garbled") or ())
    out = {k: v for k, v in order.items() if not k.startswith("_")}
    for name in ORDER_SECRETS:
        if out.get(name) and name not in garbled:
            out[name] = encrypt(str(out[name]), key)
    address = dict(out.get("receiverAddress") or {})
    for name in ADDRESS_SECRETS:
        if address.get(name) and name not in garbled:
            address[name] = encrypt(str(address[name]), key)
    out["receiverAddress"] = address
    return out


def encrypted_claim(claim: Doc, key: bytes) -> Doc:
    out = {k: v for k, v in claim.items() if not k.startswith("_")}
    for name in CLAIM_SECRETS:
        if out.get(name):
            out[name] = encrypt(str(out[name]), key)
    return out


def make_order(rng: random.Random, next_id: NextId, catalogue: Catalogue, now: str) -> Doc:
    """One order in D1 (결제완료) with one or two deals of one or two options each."""
    (buyer, buyer_phone), (receiver, receiver_phone) = fixtures.buyer_and_receiver(rng)
    zip_code, base, detail = fixtures.address(rng)
    order_no = next_id("tmonOrderNo", 202600000001)
    deals = []
    for product in catalogue.sample(rng, rng.choice((1, 1, 2))):
        options = [o for o in product["options"] if int(o.get("stock") or 0) > 0]
        if not options:
            continue
        chosen = rng.sample(options, k=min(len(options), rng.choice((1, 1, 2))))
        deals.append({
            "tmonDealNo": product["tmonDealNo"], "vendorDealNo": product["vendorDealNo"],  # invented: vendorDealNo here
            "dealTitle": product["dealTitle"], "deliveryNo": next_id("deliveryNo", 55000001), "deliveryStatus": "D1",
            "updatedDate": now, "deliveryFee": {"amount": rng.choice((0, 2500, 3000)), "longDistanceAmount": 0},
            "deliveryScheduledDate": (datetime.strptime(now, FMT) + timedelta(days=SHIP_DAYS)).strftime("%Y-%m-%d"),
            "delayedReasonCode": None, "customsId": None, "claimType": None, "claimStatus": None, "invoice": None,
            "dealOptions": [{"tmonDealOptionNo": o["tmonDealOptionNo"], "vendorDealOptionNo": o["vendorDealOptionNo"],
                             "dealOptionTitle": o["dealOptionTitle"], "salesPrice": o["salesPrice"],
                             "qty": min(int(o.get("stock") or 1), rng.choice((1, 1, 2))),
                             "purchasePrice": o["salesPrice"], "optAdditionalMessage": ""} for o in chosen],
        })
    return {
        "tmonOrderNo": order_no, "userId": fixtures.masked_id(rng).replace("*", "") + "01", "userName": buyer,
        "userPhone": buyer_phone, "receiverName": receiver, "receiverPhone": receiver_phone,
        "receiverAddress": {"zipCode": zip_code, "address": base, "streetAddress": base, "addressDetail": detail},
        "deliveryMemo": fixtures.memo(rng), "additionalMessage": "", "orderDate": now, "depositDate": now, "deals": deals,
    }


def make_claim(next_id: NextId, rng: random.Random, order: Doc, deal: Doc, kind: Claim, now: str) -> Doc:
    kind_code = TYPE_OF[kind]
    return {
        "claimNo": next_id("claimNo", 880000001), "claimType": kind_code, "claimStatus": "C1",
        "tmonOrderNo": order["tmonOrderNo"], "deliveryNo": deal["deliveryNo"], "requestedDate": now,
        "approvedDate": None, "completedDate": None, "requestReason": rng.choice(REASONS[kind_code]),
        "requestReasonDetail": "", "approvalReason": None, "holding": False, "holdingReason": None,
        "returnDeliveryCorp": None, "returnInvoiceNo": None, "returnDeliveryStatus": None,
        "reDeliveryCorp": None, "reInvoiceNo": None, "refundAmount": sum(o["salesPrice"] * o["qty"] for o in deal["dealOptions"]),
        "returnDeliveryFee": 0 if kind is Claim.CANCEL else 3000,
        "userName": order["userName"], "userPhone": order["userPhone"],  # invented (encrypted on the way out)
        "claimDeals": [{"tmonDealNo": deal["tmonDealNo"], "dealTitle": deal["dealTitle"],
                        "tmonDealOptions": [{"tmonDealOptionNo": o["tmonDealOptionNo"], "qty": o["qty"],
                                             "dealOptionTitle": o["dealOptionTitle"]} for o in deal["dealOptions"]]}],
        "_step": Step.REQUESTED.value, "_held_from": None,
    }


def case_of(claim: Doc) -> Case:
    """The engine's view of a stored claim (the step is kept beside the mall's fields, ``_step``)."""
    reinvoice = Invoice(str(claim.get("reDeliveryCorp") or ""), str(claim.get("reInvoiceNo") or "")) if claim.get("reDeliveryCorp") else None
    held_from = claim.get("_held_from")
    return Case(str(claim["claimNo"]), KIND_OF[claim["claimType"]], Step(claim["_step"]),
                Step(held_from) if held_from else None, str(claim.get("holdingReason") or ""), invoice=reinvoice)


def write_back(claim: Doc, case: Case) -> None:
    """The case's step in 티몬's fields: claimStatus (C2 for every open step but 요청, invented), holding, the return
    delivery (invented: D5 once collected) and the redelivery invoice."""
    now = now_text()
    claim["_step"], claim["_held_from"] = case.step.value, case.held_from.value if case.held_from else None
    claim["claimStatus"] = STATUS_OF.get(case.step, "C2")
    claim["holding"] = case.step is Step.HELD
    claim["holdingReason"] = case.reason if case.step is Step.HELD else claim.get("holdingReason")
    if case.step in (Step.COLLECTED, Step.RESHIPPED) or (case.step is Step.DONE and case.kind is not Claim.CANCEL):
        claim["returnDeliveryStatus"] = "D5"
    if case.step is Step.DONE:
        claim["approvedDate"] = claim["completedDate"] = now
    if case.invoice is not None and case.step is Step.RESHIPPED:
        claim["reDeliveryCorp"], claim["reInvoiceNo"] = case.invoice.courier, case.invoice.number
