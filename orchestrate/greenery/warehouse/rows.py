"""The raw tables' rows as named records, in the physical column order they are loaded in.

Every generator (the published week in `sample/`, the simulated weeks and days in
`activity.py`) writes these records, so a row reads `order.created_at`, never `row[4]`, and
loads as it is: a record is a tuple in the raw table's column order (data/published_facts.yml,
`source_schema`). Ids and event urls are made here the one way both generators make them.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime
from typing import NamedTuple

URL_ROOT = "https://greenary.com"  # the real shop's domain really is misspelled
#: The events that look at a product; the others (checkout, package_shipped) are about an order.
PRODUCT_EVENTS = ("page_view", "add_to_cart")


class AddressRow(NamedTuple):
    address_id: str
    address: str
    zipcode: int
    state: str
    country: str


class UserRow(NamedTuple):
    user_id: str
    first_name: str
    last_name: str
    email: str
    phone_number: str
    created_at: datetime
    updated_at: datetime
    address_id: str


class PromoRow(NamedTuple):
    promo_id: str
    discount: int
    status: str


class ProductRow(NamedTuple):
    product_id: str
    name: str
    price: float
    inventory: int


class OrderRow(NamedTuple):
    order_id: str
    user_id: str
    promo_id: str | None
    address_id: str
    created_at: datetime
    order_cost: float
    shipping_cost: float
    order_total: float
    tracking_id: str | None
    shipping_service: str | None
    estimated_delivery_at: datetime | None
    delivered_at: datetime | None
    status: str


class OrderItemRow(NamedTuple):
    order_id: str
    product_id: str
    quantity: int


class EventRow(NamedTuple):
    event_id: str
    session_id: str
    user_id: str
    page_url: str
    created_at: datetime
    event_type: str
    order_id: str | None
    product_id: str | None


def random_uuid(rng: random.Random) -> str:
    """A version-4 uuid drawn from `rng`, so the same seed gives the same ids."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def event_row(
    event_id: str, session_id: str, user_id: str, kind: str, ref: str, at: datetime
) -> EventRow:
    """An event of a session: `ref` is the product a page view or an add is about, else the
    order a checkout or a shipment is about; the url says which, as the shop's urls do."""
    if kind in PRODUCT_EVENTS:
        return EventRow(
            event_id, session_id, user_id, f"{URL_ROOT}/product/{ref}", at, kind, None, ref
        )
    path = "checkout" if kind == "checkout" else "shipping"
    return EventRow(event_id, session_id, user_id, f"{URL_ROOT}/{path}/{ref}", at, kind, ref, None)
