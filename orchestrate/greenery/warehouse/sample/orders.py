"""The published week's orders: who placed each, when, in what state, shipped where and how.

Every published count about orders (per user, per hour, per status, per shipping service, with a
promo, without a delivery estimate) is dealt as a deck; the terms of all orders are decided first
(`plan_terms`), then each order's row, items and checkout session are written from them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from greenery.warehouse.rows import AddressRow, OrderItemRow, OrderRow, UserRow, random_uuid
from greenery.warehouse.sample.baskets import Basket
from greenery.warehouse.sample.draws import deck, seconds
from greenery.warehouse.sample.sessions import PlacedOrder, Session
from greenery.warehouse.sample.shipments import plan_shipments

ORDERS_SHIPPED_HOME = 2  # 359 of 361 orders ship away from the user's home address
DELIVERY_DAYS = (1, 2, 3, 3, 4, 4, 5, 5, 6, 7)  # whole days, before fitting the published mean
MAX_DELIVERY_DAYS = 7
PROMO_MIN_COST = 60  # promos go to orders that cost more than the discount plus a margin
HOURS = 48  # the orders' two days


@dataclass(frozen=True)
class Buyers:
    """Who placed each order, and the buyer who is also the week's bot."""

    owners: list[UserRow]  # by order number
    bot: UserRow  # a user with exactly two orders


@dataclass(frozen=True)
class Terms:
    """What is decided about every order before its row is written, by order number."""

    times: list[datetime]
    statuses: list[str]
    services: dict[int, str]  # the shipped and delivered orders'
    ids: list[str]
    delivery_days: dict[int, int]  # the delivered orders'
    no_estimate: set[int]
    shipping_cents: list[int]
    costs: list[float]
    promos: dict[int, dict[str, Any]]
    shipped_home: set[int]


@dataclass
class OrderBook:
    """The orders' rows, their items, and the session each was checked out in."""

    bot: UserRow
    orders: list[OrderRow] = field(default_factory=list)
    items: list[OrderItemRow] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)


def plan_orders(
    rng: random.Random,
    facts: dict[str, Any],
    users: list[UserRow],
    addresses: list[AddressRow],
    baskets: list[Basket],
) -> OrderBook:
    """One order per basket, its checkout session, and when each ships (`plan_shipments`)."""
    buyers = plan_buyers(rng, facts, users)
    terms = plan_terms(rng, facts, baskets)
    address_ids = [a.address_id for a in addresses]
    book = OrderBook(buyers.bot)
    for i, basket in enumerate(baskets):
        owner = buyers.owners[i]
        order = order_row(rng, terms, i, owner, ship_to(rng, terms, i, owner, address_ids))
        book.orders.append(order)
        book.items.extend(OrderItemRow(order.order_id, pid, q) for pid, q in basket.items())
        book.sessions.append(checkout_session(rng, order, basket))
    plan_shipments(rng, [s.order for s in book.sessions if s.order])
    return book


def plan_buyers(rng: random.Random, facts: dict[str, Any], users: list[UserRow]) -> Buyers:
    """The published number of orders per user; users are in random order, so the first ones
    buy and the rest never come back."""
    per_user = deck(rng, {int(k): v for k, v in facts["users"]["orders_per_user"].items()})
    buyers = users[: len(per_user)]
    owners = [u for u, k in zip(buyers, per_user, strict=True) for _ in range(k)]
    rng.shuffle(owners)
    bot = next(u for u, k in zip(buyers, per_user, strict=True) if k == 2)
    return Buyers(owners, bot)


def plan_terms(rng: random.Random, facts: dict[str, Any], baskets: list[Basket]) -> Terms:
    """Every order's time, status, service, id, delivery, shipping cost, cost and promo."""
    orders = facts["orders"]
    times = order_times(rng, orders, len(baskets))
    statuses = plan_statuses(rng, orders, times)
    services = plan_services(rng, orders, statuses)
    ids = plan_ids(rng, facts, statuses)
    days = plan_delivery_days(rng, orders, statuses)
    no_estimate = plan_missing_estimates(rng, orders, statuses)
    cents = plan_shipping_cents(rng, orders, len(baskets))
    price = {p["product_id"]: float(p["price"]) for p in facts["products"]}
    costs = [round(sum(price[p] * q for p, q in b.items()), 2) for b in baskets]
    promos = plan_promos(rng, facts["promos"], costs)
    shipped_home = set(rng.sample(range(len(baskets)), ORDERS_SHIPPED_HOME))
    return Terms(
        times, statuses, services, ids, days, no_estimate, cents, costs, promos, shipped_home
    )


def order_times(rng: random.Random, orders: dict[str, Any], n: int) -> list[datetime]:
    """n order times over 48 hours, every hour with an order, first and last as published."""
    start, end = (datetime.fromisoformat(t) for t in orders["created_at_range"])
    day0 = start.replace(hour=0, minute=0, second=0)
    hours = list(range(HOURS)) + [rng.randrange(HOURS) for _ in range(n - HOURS - 2)]
    times = [start, end]
    for h in hours:
        low = 120 if h == 0 else 0  # only the very first session begins before midnight
        high = (end - day0).seconds % 3600 - 1 if h == HOURS - 1 else 3599
        times.append(day0 + timedelta(hours=h) + seconds(rng, low, high))
    return sorted(times)


def plan_statuses(rng: random.Random, orders: dict[str, Any], times: list[datetime]) -> list[str]:
    """Preparing orders are the second day's, never the very last order; the rest shipped or
    delivered, in the published numbers."""
    n = len(times)
    second_day = [i for i in range(n - 1) if times[i].day == times[-1].day]
    preparing = set(rng.sample(second_day, orders["by_status"]["preparing"]))
    rest = [i for i in range(n) if i not in preparing]
    shipped = set(rng.sample(rest, orders["by_status"]["shipped"]))
    return [
        "preparing" if i in preparing else "shipped" if i in shipped else "delivered"
        for i in range(n)
    ]


def sent(statuses: list[str], status: str | None = None) -> list[int]:
    """The orders that left the warehouse (not preparing), or those of one status."""
    return [
        i for i, s in enumerate(statuses) if s != "preparing" and (status is None or s == status)
    ]


def plan_services(
    rng: random.Random, orders: dict[str, Any], statuses: list[str]
) -> dict[int, str]:
    services = deck(rng, {k: v for k, v in orders["by_shipping_service"].items() if k})
    return dict(zip(sent(statuses), services, strict=True))


def plan_ids(rng: random.Random, facts: dict[str, Any], statuses: list[str]) -> list[str]:
    """Random ids, but for the named orders of the weekly history: preparing orders that ship
    in later weeks (`greenery replay`)."""
    ids = [random_uuid(rng) for _ in statuses]
    named = [oid for week in facts["weekly_history"]["orders_shipped"].values() for oid in week]
    preparing = [i for i, s in enumerate(statuses) if s == "preparing"]
    for i, oid in zip(preparing, named, strict=False):
        ids[i] = oid
    return ids


def plan_delivery_days(
    rng: random.Random, orders: dict[str, Any], statuses: list[str]
) -> dict[int, int]:
    """Whole days from order to delivery, summing to the published average over delivered
    orders."""
    delivered = sent(statuses, "delivered")
    days = {i: rng.choice(DELIVERY_DAYS) for i in delivered}
    target = round(orders["avg_delivery_hours"] * len(delivered) / 24)
    while (total := sum(days.values())) != target:
        i = rng.choice(delivered)
        if total > target and days[i] > 1:
            days[i] -= 1
        elif total < target and days[i] < MAX_DELIVERY_DAYS:
            days[i] += 1
    return days


def plan_missing_estimates(
    rng: random.Random, orders: dict[str, Any], statuses: list[str]
) -> set[int]:
    """The orders without a delivery estimate: every preparing one, and the published number of
    each other status."""
    missing = {i for i, s in enumerate(statuses) if s == "preparing"}
    for status, k in orders["null_estimated_delivery_at"].items():
        if status != "preparing":
            missing |= set(rng.sample(sent(statuses, status), k))
    return missing


def plan_shipping_cents(rng: random.Random, orders: dict[str, Any], n: int) -> list[int]:
    """Shipping costs in cents, both published bounds present."""
    low, high = (round(x * 100) for x in orders["shipping_cost_range"])
    cents = [low, high] + [rng.randint(low, high) for _ in range(n - 2)]
    rng.shuffle(cents)
    return cents


def plan_promos(
    rng: random.Random, promos: list[dict[str, Any]], costs: list[float]
) -> dict[int, dict[str, Any]]:
    """Each promo on its published number of orders, among those that cost enough."""
    candidates = [i for i, cost in enumerate(costs) if cost >= PROMO_MIN_COST]
    rng.shuffle(candidates)
    return {candidates.pop(): promo for promo in promos for _ in range(promo["orders"])}


def ship_to(
    rng: random.Random, terms: Terms, i: int, owner: UserRow, address_ids: list[str]
) -> str:
    """Orders ship away from their buyer's home, but for a published few."""
    home = owner.address_id
    if i in terms.shipped_home:
        return home
    return rng.choice([a for a in address_ids if a != home])


def order_row(rng: random.Random, terms: Terms, i: int, owner: UserRow, address: str) -> OrderRow:
    created, status = terms.times[i], terms.statuses[i]
    promo = terms.promos.get(i)
    discount = promo["discount"] if promo else 0
    shipping = terms.shipping_cents[i] / 100
    estimate = None if i in terms.no_estimate else delivery_estimate(rng, terms, i)
    return OrderRow(
        order_id=terms.ids[i],
        user_id=owner.user_id,
        promo_id=promo["promo_id"] if promo else None,
        address_id=address,
        created_at=created,
        order_cost=terms.costs[i],
        shipping_cost=shipping,
        order_total=round(terms.costs[i] + shipping - discount, 2),
        tracking_id=None if status == "preparing" else random_uuid(rng),
        shipping_service=terms.services.get(i),
        estimated_delivery_at=estimate,
        delivered_at=(
            created + timedelta(days=terms.delivery_days[i]) if status == "delivered" else None
        ),
        status=status,
    )


def delivery_estimate(rng: random.Random, terms: Terms, i: int) -> datetime:
    """A day or so either side of the actual delivery (or a guess for orders not delivered)."""
    guess = rng.randint(2, 6)  # drawn for every order with an estimate: the stream depends on it
    days = terms.delivery_days.get(i, guess)
    return terms.times[i] + timedelta(days=max(1, days + rng.choice((-1, 0, 0, 1))))


def checkout_session(rng: random.Random, order: OrderRow, basket: Basket) -> Session:
    """The session the order was checked out in: every product of the basket viewed and added."""
    session = Session(random_uuid(rng), order.user_id)
    session.order = PlacedOrder(order.order_id, order.created_at, order.status, list(basket))
    for product_id in basket:
        session.add_to_cart(product_id)
    return session
