"""The published week's baskets: how many lines each order has, which products, how many of
each, all as published.

Products are dealt to baskets like the Gale-Ryser construction of a bipartite graph with given
degrees: the largest basket first, each taking the products with the most purchases left, so
every product ends with exactly its published purchase count. Then each product's units sold
are spread over its lines, within the published quantity range.
"""

from __future__ import annotations

import random
from typing import Any

from greenery.warehouse.sample.draws import deck

#: A basket: product id -> quantity, in the order the products were dealt.
Basket = dict[str, int]
#: An order line while baskets are dealt: (basket number, product id).
Line = tuple[int, str]


def plan_baskets(rng: random.Random, facts: dict[str, Any]) -> list[Basket]:
    """The published number of baskets, in random order."""
    products = facts["products"]
    sizes = deck(rng, {int(k): v for k, v in facts["orders"]["lines_per_order"].items()})
    sizes.sort(reverse=True)
    dealt = deal_products(rng, sizes, {p["product_id"]: p["purchase_sessions"] for p in products})
    quantity = spread_units(
        rng, dealt, {p["product_id"]: p["units_sold"] for p in products}, facts["orders"]
    )
    baskets = [{pid: quantity[(b, pid)] for pid in basket} for b, basket in enumerate(dealt)]
    rng.shuffle(baskets)
    return baskets


def deal_products(
    rng: random.Random, sizes: list[int], purchases: dict[str, int]
) -> list[list[str]]:
    """Fill baskets of the given sizes, largest first, with the products most left to sell."""
    left = dict(purchases)
    baskets: list[list[str]] = []
    for size in sizes:
        ids = list(left)
        rng.shuffle(ids)
        ids.sort(key=lambda pid: -left[pid])
        chosen = ids[:size]
        if left[chosen[-1]] <= 0:
            raise RuntimeError("the published basket sizes cannot hold the purchases")
        for pid in chosen:
            left[pid] -= 1
        baskets.append(chosen)
    return baskets


def spread_units(
    rng: random.Random,
    baskets: list[list[str]],
    units_sold: dict[str, int],
    orders: dict[str, Any],
) -> dict[Line, int]:
    """Each line's quantity: every product's units sold, over its lines, in the quantity range."""
    lines_of: dict[str, list[Line]] = {pid: [] for pid in units_sold}
    for b, basket in enumerate(baskets):
        for pid in basket:
            lines_of[pid].append((b, pid))
    low, high = orders["quantity_range"]
    quantity: dict[Line, int] = {}
    for pid, units in units_sold.items():
        lines = lines_of[pid]
        quantity.update(dict.fromkeys(lines, low))
        extra = units - low * len(lines)
        while extra > 0:
            line = rng.choice(lines)
            if quantity[line] < high:
                quantity[line] += 1
                extra -= 1
    return quantity
