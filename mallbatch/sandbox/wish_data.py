"""Seeded sample data for the Wish simulator: customers in several locales, orders in the v2
``Order`` shape (reference §3.3 real dump) and support tickets in the v3 ``Ticket`` shape (§3.5).

Wish sells across borders: buyers are European and American, in their own languages (seed 004:
구매 전 질문 and 고객 지원 후 질문 only for customers in Europe). Names and texts are made up.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

NextId = Callable[[str, int], int]

V2_FMT = "%Y-%m-%dT%H:%M:%S"  # reference §3.3: "2016-06-18T01:55:10" style, UTC, no offset

# locale → (names, country, city, zipcode, pre-purchase question, order complaint, post-support question, follow-up)
CUSTOMERS: dict[str, dict[str, Any]] = {
    "en": {"names": ("Emily Clarke", "James Walker", "Olivia Hughes"), "country": "GB", "city": "London", "zip": "SW1A 1AA",
           "pre": "Hi, does this come in a larger size? I usually wear a UK 14.",
           "order": "My parcel arrived but the item is damaged. Can I get a refund?",
           "post": "Can I still change the colour of my order to black?",
           "again": "Thanks, but I still have not received anything. Any update?"},
    "de": {"names": ("Lukas Müller", "Anna Schmidt", "Jonas Weber"), "country": "DE", "city": "Berlin", "zip": "10115",
           "pre": "Hallo, ist das Produkt auch in Schwarz erhältlich?",
           "order": "Die Bestellung ist beschädigt angekommen. Bitte um Erstattung.",
           "post": "Können Sie die Lieferadresse meiner Bestellung noch ändern?",
           "again": "Danke, aber das Paket ist immer noch nicht da. Gibt es Neuigkeiten?"},
    "fr": {"names": ("Camille Martin", "Lucas Bernard", "Léa Dubois"), "country": "FR", "city": "Paris", "zip": "75001",
           "pre": "Bonjour, quelle est la taille exacte de ce produit ?",
           "order": "Un article manque dans ma commande. Pouvez-vous me rembourser ?",
           "post": "Où en est ma commande ? Le suivi ne bouge plus.",
           "again": "Merci, mais je n'ai toujours rien reçu. Des nouvelles ?"},
    "es": {"names": ("Lucía García", "Hugo Fernández", "Sofía López"), "country": "ES", "city": "Madrid", "zip": "28013",
           "pre": "Hola, ¿este producto es resistente al agua?",
           "order": "El producto no coincide con la descripción. Quiero un reembolso.",
           "post": "¿Puedo quitar un artículo de mi pedido?",
           "again": "Gracias, pero todavía no he recibido nada. ¿Alguna novedad?"},
    "it": {"names": ("Giulia Rossi", "Marco Bianchi", "Chiara Romano"), "country": "IT", "city": "Roma", "zip": "00184",
           "pre": "Ciao, quanto tempo ci vuole per la spedizione in Italia?",
           "order": "Il pacco è arrivato vuoto. Vorrei un rimborso.",
           "post": "Potete inviarmi il numero di tracciamento?",
           "again": "Grazie, ma non ho ancora ricevuto nulla. Novità?"},
}
LOCALES = tuple(CUSTOMERS)
# ticket type → (subject, sub_label) the buyer picked; invented wording after seed 004's issue lists
LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "PRE_PURCHASE": (("Product question", "Size or colour"), ("Store question", "General")),
    "ORDER": (("Refund request", "Item damaged"), ("Refund request", "Item missing"), ("Return", "Start a return")),
    "POST_CUSTOMER_SUPPORT": (("Change order", "Change size or colour"), ("Shipping", "Change shipping address"),
                              ("Order status", "Tracking information")),
}
TEXT_OF_TYPE = {"PRE_PURCHASE": "pre", "ORDER": "order", "POST_CUSTOMER_SUPPORT": "post"}

SYNTHETIC_PRODUCTS = (  # invented ids (24-hex like Wish's BSON ids)
    {"id": "61a0c0ffee00000000000001", "name": "Silver Heart Necklace", "parent_sku": "SIM-WISH-001",
     "variants": [{"id": "61a0c0ffee00000000000101", "sku": "SIM-WISH-001-1", "color": "Silver", "size": "", "price": "19.0"}]},
    {"id": "61a0c0ffee00000000000002", "name": "Cotton Summer Dress", "parent_sku": "SIM-WISH-002",
     "variants": [{"id": "61a0c0ffee00000000000201", "sku": "SIM-WISH-002-1", "color": "Blue", "size": "M", "price": "24.0"},
                  {"id": "61a0c0ffee00000000000202", "sku": "SIM-WISH-002-2", "color": "Blue", "size": "L", "price": "24.0"}]},
)


def hex_id(next_id: NextId, name: str, prefix: str) -> str:
    """A 24-hex id (Wish ids are BSON object ids, reference §3.5): 8 hex of ``prefix``, then a counter."""
    return f"{prefix}{next_id(name, 1):016x}"


def v2_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(V2_FMT)


def v3_time(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:mm:ss.sss+00:00`` (v3 Date/Time Format)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def make_order(rng: random.Random, next_id: NextId, product: dict[str, Any], now: datetime,
               locale: str | None = None) -> dict[str, Any]:
    """One APPROVED order of one variant (Wish ships each order id on its own, reference §3.4)."""
    locale = locale or rng.choice(LOCALES)
    who = CUSTOMERS[locale]
    variant = rng.choice(product["variants"])
    quantity = rng.choice((1, 1, 1, 2))
    price = float(variant.get("price") or 10)
    shipping = rng.choice((0.0, 2.0, 3.5))
    stamp = v2_time(now)
    return {
        "order_id": hex_id(next_id, "order", "5E000000"),
        "transaction_id": hex_id(next_id, "transaction", "5D000000"),
        "state": "APPROVED", "order_time": stamp, "last_updated": stamp, "released_to_merchant_time": stamp,
        "shipped_date": None, "hours_to_fulfill": 120,  # invented: the 5-day fulfilment window as hours
        "sku": variant["sku"], "product_id": product["id"], "variant_id": variant["id"],
        "product_name": product["name"], "product_image_url": "https://img.example.com/wish.jpg",
        "color": variant.get("color", ""), "size": variant.get("size", ""), "quantity": quantity,
        "price": f"{price:.2f}", "cost": f"{price * 0.85:.2f}", "shipping": f"{shipping:.2f}",
        "shipping_cost": f"{shipping * 0.85:.2f}", "order_total": f"{(price + shipping) * quantity:.2f}",
        "shipping_provider": None, "tracking_number": None, "buyer_id": hex_id(next_id, "buyer", "5C000000"),
        "ShippingDetail": {"name": rng.choice(who["names"]), "phone_number": f"+{rng.randint(30, 49)}{rng.randint(10**8, 10**9 - 1)}",
                           "street_address1": f"{rng.randint(1, 200)} Market Street", "street_address2": "",
                           "city": who["city"], "state": "", "zipcode": who["zip"], "country": who["country"]},
        "_locale": locale,  # sandbox only: the buyer's language, for tickets on this order
    }


def make_ticket(rng: random.Random, next_id: NextId, kind: str, locale: str, now: datetime,
                order: dict[str, Any] | None, merchant_id: str) -> dict[str, Any]:
    """A new ticket AWAITING_MERCHANT whose first reply is the customer's question (v3 Ticket shape)."""
    who = CUSTOMERS[locale]
    subject, sub_label = rng.choice(LABELS[kind])
    stamp = v3_time(now)
    name = order["ShippingDetail"]["name"] if order else rng.choice(who["names"])
    return {
        "id": hex_id(next_id, "ticket", "5F000000"), "type": kind, "subject": subject,
        "sub_label": sub_label, "state": "AWAITING_MERCHANT", "opened_at": stamp, "updated_at": stamp,
        "merchant_id": merchant_id, "buyer_info": {"name": name, "locale": locale},
        "orders": [{"id": order["order_id"]}] if order else [],
        "products": [{"id": order["product_id"]}] if order else [],
        "replies": [reply("USER", who[TEXT_OF_TYPE[kind]], now)],
        "resolution_info": None, "refund_reason": None,
        "_awaiting_since": stamp,  # sandbox only: when the 48-hour clock started
    }


def reply(sender: str, message: str, moment: datetime) -> dict[str, Any]:
    """v3 Reply (reference §3.3)."""
    return {"message": message, "replied_at": v3_time(moment), "sender": sender, "supporting_files": []}


def follow_up(locale: str) -> str:
    return str(CUSTOMERS.get(locale, CUSTOMERS["en"])["again"])


def shifted(value: str | None, hours: float, fmt: str = "") -> str | None:
    """``value`` (a v2 or v3 time) moved ``hours`` into the past."""
    if not value:
        return value
    moment = datetime.fromisoformat(value)
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) - timedelta(hours=hours)
    return v2_time(moment) if fmt == "v2" else v3_time(moment)
