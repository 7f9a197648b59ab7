"""Simulate greenery's shop activity in a time window: who visits, what they browse and buy.

The scale-1 published week (`sample/`) is built card by card to reproduce the published
figures exactly. Everything else greenery does, the weeks before it (`weeks.py`) and the days
after it (`arrivals.py`), is simulated here from the same shapes: the published basket sizes,
quantities, shipping services, delivery times, promo use and url formats, with the traffic,
conversion, product mix, promos and bots of a `Traffic` plan.

Rows are named records in the raw tables' physical column order (`rows.py`), so they load as
they are.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from greenery.warehouse.facts import published_facts
from greenery.warehouse.names import names, phone_number, street_address
from greenery.warehouse.rows import (
    AddressRow,
    EventRow,
    OrderItemRow,
    OrderRow,
    UserRow,
    event_row,
    random_uuid,
)


# ---------------------------------------------------------------------------- inputs
class Product(NamedTuple):
    product_id: str
    price: float


class Promo(NamedTuple):
    promo_id: str
    discount: int


class Customer(NamedTuple):
    """A user who can come back: their id, when they signed up and where they live."""

    user_id: str
    created_at: datetime
    address_id: str


@dataclass(frozen=True)
class Traffic:
    """What a window of greenery looks like: how many visit, how they convert, what they see."""

    sessions: int  # human sessions
    add_to_cart_rate: float  # share of human sessions that add something to the cart
    checkout_rate: float  # share of those that check out
    product_weights: dict[str, float]  # relative chance that a product is viewed
    new_user_share: float = 0.12  # share of sessions by users who sign up in the window
    promo_share: float = 0.11  # share of orders with a promo (40 of 361 in the published week)
    campaign_promo: str | None = None  # a promo campaign: this promo on campaign_share of orders
    campaign_share: float = 0.0
    bot_sessions: int = 0  # a bot episode: this many sessions by one user within five minutes


# The published week's shapes (data/published_facts.yml), reused for every simulated window.
def _published_weights(key: str) -> dict[object, int]:
    return {k: v for k, v in published_facts()["orders"][key].items() if k}


BASKET_SIZES = {int(k): v for k, v in _published_weights("lines_per_order").items()}
SHIPPING_SERVICES = {str(k): v for k, v in _published_weights("by_shipping_service").items()}
QUANTITIES = {1: 38, 2: 30, 3: 19, 4: 13}  # mean 2.07 units a line, as published (1,782 / 862)
DELIVERY_DAYS = (1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7)  # whole days, mean ~3.9 (93.4 h published)
EXTRA_VIEWS = {0: 30, 1: 30, 2: 20, 3: 12, 4: 8}  # products viewed beyond those added
REPEAT_VIEW_SHARE = 0.014  # 26 of 1,845 viewed products were viewed twice
NO_ESTIMATE_SHARE = 0.06  # delivery estimate missing (21 of 335 shipped orders)
SHIPPED_HOME_SHARE = 0.03  # orders shipped to the buyer's own home
HOUR_WEIGHTS = (3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 7, 8, 8, 8, 9, 9, 8, 7, 6, 5, 4)
WEEKDAY_WEIGHTS = (10, 10, 10, 10, 11, 12, 13)  # Monday .. Sunday
MAX_BROWSE_SECONDS = 30 * 60
SESSION_MARGIN = timedelta(minutes=45)  # sessions end inside their window, scale shifts too
SHIP_HOURS = (2, 9)  # package_shipped 2 to 9 hours after the order, as published
STATE_WEIGHTS = {
    "California": 12,
    "Texas": 9,
    "Florida": 7,
    "New York": 6,
    "Pennsylvania": 4,
    "Illinois": 4,
    "Ohio": 3,
    "Georgia": 3,
    "North Carolina": 3,
    "Michigan": 3,
    "Washington": 3,
    "Massachusetts": 2,
    "Connecticut": 1,
}


@dataclass
class Activity:
    """The new rows of a window, table by table."""

    addresses: list[AddressRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    orders: list[OrderRow] = field(default_factory=list)
    order_items: list[OrderItemRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)

    def extend(self, other: Activity) -> None:
        self.addresses += other.addresses
        self.users += other.users
        self.orders += other.orders
        self.order_items += other.order_items
        self.events += other.events


@dataclass
class Shipment:
    """How an order is fulfilled: when it ships and when it arrives."""

    shipped_at: datetime
    service: str
    tracking_id: str
    estimated_delivery_at: datetime | None
    delivered_at: datetime


class Simulator:
    """Makes the activity of one window from one random generator."""

    def __init__(
        self,
        rng: random.Random,
        products: Sequence[Product],
        promos: Sequence[Promo],
        addresses: Sequence[str],
        customers: Sequence[Customer],
        stock: dict[str, int] | None = None,
    ) -> None:
        self.rng = rng
        self.products = list(products)
        self.price = {p.product_id: p.price for p in products}
        self.promos = {p.promo_id: p for p in promos}
        self.address_ids = list(addresses)
        self.customers = list(customers)
        self.stock = stock  # units in stock per product; None: never runs out

    # ------------------------------------------------------------------ helpers
    def uuid(self) -> str:
        return random_uuid(self.rng)

    def pick(self, weights: dict[object, float]) -> object:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def session_start(self, start: datetime, end: datetime) -> datetime:
        """A session start in [start, end - margin), by weekday and hour of day."""
        latest = end - SESSION_MARGIN
        days = [start + timedelta(days=d) for d in range(max(1, (end - start).days))]
        day_weights = [WEEKDAY_WEIGHTS[d.weekday()] for d in days]
        while True:
            day = self.rng.choices(days, weights=day_weights)[0]
            day = day.replace(hour=0, minute=0, second=0)
            hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            at = day + timedelta(hours=hour, seconds=self.rng.randrange(3600))
            if start <= at < latest:
                return at

    # ------------------------------------------------------------------ people
    def new_address(self) -> AddressRow:
        places = names()
        states = {**{s: 1 for s in places.state_zips}, **{s: 1 for s in places.new_england_zips}}
        states.update(STATE_WEIGHTS)
        state = str(self.pick(states))
        if state in places.new_england_zips:
            zipcode = places.new_england_zips[state] + self.rng.randrange(0, 90)
        else:
            zipcode = self.rng.randint(*places.state_zips[state])
        street = street_address(self.rng)
        address = AddressRow(self.uuid(), street, zipcode, state, "United States")
        self.address_ids.append(address.address_id)
        return address

    def new_user(self, signed_up: datetime, activity: Activity) -> Customer:
        if self.address_ids and self.rng.random() < 0.15:  # moves in with someone
            home = self.rng.choice(self.address_ids)
        else:
            address = self.new_address()
            activity.addresses.append(address)
            home = address.address_id
        places = names()
        first = self.rng.choice(places.first_names)
        last = self.rng.choice(places.last_names)
        user_id = self.uuid()
        email = f"{first[0]}{last}.{user_id[:6]}@{self.rng.choice(places.email_domains)}".lower()
        phone = phone_number(self.rng)
        updated = signed_up + timedelta(seconds=self.rng.randint(0, 30 * 86400))
        activity.users.append(UserRow(user_id, first, last, email, phone, signed_up, updated, home))
        customer = Customer(user_id, signed_up, home)
        self.customers.append(customer)
        return customer

    def visitor(self, at: datetime, traffic: Traffic, activity: Activity) -> Customer:
        """Who starts a session at `at`: a returning customer, or someone signing up."""
        if self.rng.random() >= traffic.new_user_share:
            for _ in range(8):
                customer = self.rng.choice(self.customers) if self.customers else None
                if customer is not None and customer.created_at < at:
                    return customer
        signed_up = at - timedelta(seconds=self.rng.randint(60, 3 * 86400))
        return self.new_user(signed_up, activity)

    # ------------------------------------------------------------------ browsing
    def in_stock(self, product_id: str, units: int = 1) -> bool:
        return self.stock is None or self.stock.get(product_id, 0) >= units

    def browse(self, traffic: Traffic, n_added: int) -> tuple[list[str], list[str]]:
        """Products viewed (in order) and the ones added to the cart, by the product mix."""
        weights = traffic.product_weights
        n_viewed = max(1, n_added + int(self.pick(EXTRA_VIEWS)))  # type: ignore[call-overload]
        ids = list(weights)
        # weighted sampling without replacement: smallest of exp(1) / weight
        keyed = sorted(ids, key=lambda p: self.rng.expovariate(1.0) / max(weights[p], 1e-9))
        addable = [p for p in keyed if self.in_stock(p)]
        added = addable[:n_added]
        others = [p for p in keyed if p not in added][: max(0, n_viewed - len(added))]
        viewed = added + others
        self.rng.shuffle(viewed)
        return viewed, added

    def steps(self, viewed: list[str], added: list[str]) -> list[tuple[str, str]]:
        steps = []
        for product_id in viewed:
            steps.append(("page_view", product_id))
            if self.rng.random() < REPEAT_VIEW_SHARE:
                steps.append(("page_view", product_id))
            if product_id in added:
                steps.append(("add_to_cart", product_id))
        return steps

    def event(self, session: str, user: str, kind: str, ref: str, at: datetime) -> EventRow:
        return event_row(self.uuid(), session, user, kind, ref, at)

    # ------------------------------------------------------------------ orders
    def shipment(self, ordered: datetime) -> Shipment:
        shipped = ordered + timedelta(
            seconds=self.rng.randint(SHIP_HOURS[0] * 3600, SHIP_HOURS[1] * 3600)
        )
        days = self.rng.choice(DELIVERY_DAYS)
        estimate = None
        if self.rng.random() >= NO_ESTIMATE_SHARE:
            estimate = ordered + timedelta(days=max(1, days + self.rng.choice((-1, 0, 0, 1))))
        return Shipment(
            shipped_at=shipped,
            service=str(self.pick(SHIPPING_SERVICES)),
            tracking_id=self.uuid(),
            estimated_delivery_at=estimate,
            delivered_at=ordered + timedelta(days=days),
        )

    def promo_for(self, cost: float, traffic: Traffic) -> Promo | None:
        draw = self.rng.random()
        promo = None
        if traffic.campaign_promo and draw < traffic.campaign_share:
            promo = self.promos.get(traffic.campaign_promo)
        elif draw < traffic.campaign_share + traffic.promo_share and self.promos:
            promo = self.rng.choice(sorted(self.promos.values()))
        if promo is not None and cost >= promo.discount + 20:
            return promo
        return None

    def order(
        self,
        customer: Customer,
        basket: list[str],
        created: datetime,
        as_of: datetime,
        traffic: Traffic,
    ) -> tuple[OrderRow, list[OrderItemRow], Shipment | None]:
        """An order placed at `created`, in the state it is in at `as_of`."""
        order_id = self.uuid()
        items = []
        for product_id in basket:
            quantity = int(self.pick(QUANTITIES))  # type: ignore[call-overload]
            if self.stock is not None:
                quantity = max(1, min(quantity, self.stock.get(product_id, 0)))
                self.stock[product_id] -= quantity
            items.append(OrderItemRow(order_id, product_id, quantity))
        cost = round(sum(self.price[i.product_id] * i.quantity for i in items), 2)
        shipping = self.rng.randint(100, 999) / 100
        promo = self.promo_for(cost, traffic)
        discount = promo.discount if promo else 0
        total = round(cost + shipping - discount, 2)
        if self.rng.random() < SHIPPED_HOME_SHARE or len(self.address_ids) < 2:
            address = customer.address_id
        else:
            address = customer.address_id
            while address == customer.address_id:
                address = self.rng.choice(self.address_ids)
        shipment = self.shipment(created)
        promo_id = promo.promo_id if promo else None
        if shipment.shipped_at > as_of:  # not shipped yet
            row = OrderRow(
                order_id, customer.user_id, promo_id, address, created, cost, shipping, total,
                None, None, None, None, "preparing",
            )  # fmt: skip
            return row, items, None
        delivered = shipment.delivered_at <= as_of
        row = OrderRow(
            order_id, customer.user_id, promo_id, address, created, cost, shipping, total,
            shipment.tracking_id, shipment.service, shipment.estimated_delivery_at,
            shipment.delivered_at if delivered else None, "delivered" if delivered else "shipped",
        )  # fmt: skip
        return row, items, shipment

    # ------------------------------------------------------------------ sessions
    def session_kinds(self, traffic: Traffic) -> list[str]:
        """Exactly the planned number of buying, adding and browsing sessions, shuffled."""
        adders = round(traffic.sessions * traffic.add_to_cart_rate)
        buyers = round(adders * traffic.checkout_rate)
        kinds = ["buy"] * buyers + ["add"] * (adders - buyers)
        kinds += ["view"] * (traffic.sessions - adders)
        self.rng.shuffle(kinds)
        return kinds

    def human_session(
        self,
        kind: str,
        start: datetime,
        end: datetime,
        as_of: datetime,
        traffic: Traffic,
        activity: Activity,
    ) -> None:
        at = self.session_start(start, end)
        customer = self.visitor(at, traffic, activity)
        session = self.uuid()
        n_added = 0 if kind == "view" else int(self.pick(BASKET_SIZES))  # type: ignore[call-overload]
        viewed, added = self.browse(traffic, n_added)
        if kind == "buy" and not added:
            kind = "view" if not viewed else "add"
        steps = self.steps(viewed, added)
        duration = self.rng.randint(max(30, 20 * len(steps)), MAX_BROWSE_SECONDS)
        offsets = sorted(self.rng.randint(1, duration) for _ in range(len(steps) - 1))
        times = [at] + [at + timedelta(seconds=s) for s in offsets]
        activity.events += [
            self.event(session, customer.user_id, step, ref, t)
            for (step, ref), t in zip(steps, times, strict=True)
        ]
        if kind != "buy":
            return
        checkout = times[-1] + timedelta(seconds=self.rng.randint(5, 60))
        created = checkout + timedelta(seconds=self.rng.randint(1, 5))
        order, items, shipment = self.order(customer, added, created, as_of, traffic)
        activity.orders.append(order)
        activity.order_items += items
        activity.events.append(
            self.event(session, customer.user_id, "checkout", order.order_id, checkout)
        )
        if shipment is not None:
            activity.events.append(
                self.event(
                    session,
                    customer.user_id,
                    "package_shipped",
                    order.order_id,
                    shipment.shipped_at,
                )  # fmt: skip
            )

    def bot_episode(
        self, n_sessions: int, start: datetime, end: datetime, traffic: Traffic, activity: Activity
    ) -> None:
        """One user opening many sessions within five minutes, browsing and never buying."""
        window = self.session_start(start, end)
        customer = self.visitor(window, traffic, activity)
        ids = list(traffic.product_weights)
        for _ in range(n_sessions):
            session = self.uuid()
            at = window + timedelta(seconds=self.rng.randint(0, 239))
            viewed = self.rng.sample(ids, self.rng.randint(1, 3))
            added = viewed[:1] if self.rng.random() < 0.4 else []
            for step, ref in self.steps(viewed, added):
                activity.events.append(self.event(session, customer.user_id, step, ref, at))
                at += timedelta(seconds=self.rng.randint(1, 5))

    def simulate(
        self, start: datetime, end: datetime, traffic: Traffic, as_of: datetime
    ) -> Activity:
        """The activity of [start, end): sessions, sign-ups, orders as they stand at `as_of`."""
        activity = Activity()
        for kind in self.session_kinds(traffic):
            self.human_session(kind, start, end, as_of, traffic, activity)
        if traffic.bot_sessions:
            self.bot_episode(traffic.bot_sessions, start, end, traffic, activity)
        activity.events.sort(key=lambda e: (e.created_at, e.event_id))
        activity.orders.sort(key=lambda o: (o.created_at, o.order_id))
        return activity
