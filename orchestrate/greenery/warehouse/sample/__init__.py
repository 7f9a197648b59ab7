"""Generate greenery's seven raw tables at scale 1, calibrated to the published facts.

The real warehouse is not available to this project, so this package builds a dataset that
reproduces every figure analysts published about it (see `data/published_facts.yml`): row counts,
the funnel, per-product sessions, order shapes, timings and the odd shapes of the real data.

Nothing is sampled and hoped for: each published count is built by construction (a shuffled
deck of exactly the right cards), and the random generator only decides which row gets which
card. The same seed always gives the same rows. Larger scales are made from this scale-1 world
inside DuckDB (see `scale.py`), never row by row in Python.

The week is planned in steps, each a module, all drawing from one random stream in this order
(so the order is part of the sample): `people` (addresses and users), `baskets`, `orders` (and
their checkout sessions and shipments), `browsing` (the bot's sessions, every view and add
beyond the purchases) and `events`.
"""

from __future__ import annotations

import random
from typing import Any, NamedTuple

from greenery.warehouse.facts import published_facts
from greenery.warehouse.rows import ProductRow, PromoRow
from greenery.warehouse.sample.baskets import plan_baskets
from greenery.warehouse.sample.browsing import plan_browsing
from greenery.warehouse.sample.events import plan_events
from greenery.warehouse.sample.orders import plan_orders
from greenery.warehouse.sample.people import plan_addresses, plan_users


def generate(seed: int = 42) -> dict[str, list[NamedTuple]]:
    """The seven raw tables at scale 1 as rows in physical column order."""
    rng = random.Random(seed)
    facts = published_facts()
    addresses = plan_addresses(rng, facts)
    users = plan_users(rng, facts, addresses)
    baskets = plan_baskets(rng, facts)
    book = plan_orders(rng, facts, users, addresses, baskets)
    sessions = plan_browsing(rng, facts, book.sessions, book.bot)
    return {
        "addresses": addresses,
        "users": users,
        "promos": promos(facts),
        "products": products(facts),
        "orders": book.orders,
        "order_items": book.items,
        "events": plan_events(rng, sessions),
    }


def promos(facts: dict[str, Any]) -> list[PromoRow]:
    """The shop's promos, as published."""
    return [PromoRow(p["promo_id"], p["discount"], p["status"]) for p in facts["promos"]]


def products(facts: dict[str, Any]) -> list[ProductRow]:
    """The shop's catalogue, as published, with the inventory of the published week."""
    return [
        ProductRow(p["product_id"], p["name"], float(p["price"]), p["base_inventory"])
        for p in facts["products"]
    ]
