"""Generate greenery's seven raw tables at scale 1, calibrated to the published facts.

The real warehouse is not available to this project, so this module builds a dataset that
reproduces every figure analysts published about it (see `data/published_facts.yml`): row counts,
the funnel, per-product sessions, order shapes, timings and the odd shapes of the real data.

Nothing is sampled and hoped for: each published count is built by construction (a shuffled
deck of exactly the right cards), and the random generator only decides which row gets which
card. The same seed always gives the same rows. Larger scales are made from this scale-1 world
inside DuckDB (see `scale.py`), never row by row in Python.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from greenery.warehouse.facts import published_facts

Row = tuple[Any, ...]

URL_ROOT = "https://greenary.com"  # the real shop's domain really is misspelled

# Building blocks for people and places (invented, not taken from the real data).
FIRST_NAMES = [
    "Ada",
    "Alma",
    "Amir",
    "Ana",
    "Arlo",
    "Bea",
    "Cleo",
    "Dara",
    "Eli",
    "Emil",
    "Esme",
    "Finn",
    "Gia",
    "Hana",
    "Ines",
    "Ivo",
    "Jada",
    "Jon",
    "Kai",
    "Lena",
    "Liam",
    "Lola",
    "Mae",
    "Mira",
    "Nico",
    "Noor",
    "Otis",
    "Pia",
    "Quinn",
    "Remy",
    "Rosa",
    "Sami",
    "Tara",
    "Theo",
    "Uma",
    "Vera",
    "Wes",
    "Yara",
    "Zane",
    "Zoe",
]
LAST_NAMES = [
    "Abbot",
    "Bishop",
    "Castillo",
    "Dunn",
    "Ellis",
    "Fowler",
    "Garza",
    "Hale",
    "Ibarra",
    "Jensen",
    "Keller",
    "Lowe",
    "Mendez",
    "Nash",
    "Ortega",
    "Pike",
    "Quint",
    "Rhodes",
    "Sutton",
    "Tate",
    "Underwood",
    "Vance",
    "Whitaker",
    "Xu",
    "Young",
    "Zamora",
    "Brandt",
    "Cole",
    "Delgado",
    "Frost",
    "Greer",
    "Holt",
    "Irwin",
    "Joyce",
    "Kline",
    "Lam",
    "Moss",
    "Novak",
    "Oakes",
    "Pruitt",
]
EMAIL_DOMAINS = ("example.com", "mail.test", "inbox.example", "post.example", "greenmail.test")
STREETS = [
    "Oak",
    "Maple",
    "Cedar",
    "Birch",
    "Willow",
    "Aspen",
    "Juniper",
    "Magnolia",
    "Spruce",
    "Laurel",
    "Alder",
    "Hawthorn",
    "Sequoia",
    "Cypress",
    "Linden",
    "Sycamore",
    "Elm",
    "Poplar",
    "Chestnut",
    "Hickory",
]
STREET_KINDS = ("Street", "Avenue", "Road", "Lane", "Court", "Drive", "Place", "Way", "Parkway")

# New England zip codes start with 0; stored as a number they lose it (the published shape).
NEW_ENGLAND_ZIPS = {
    "Massachusetts": 2203,
    "Connecticut": 6103,
    "Rhode Island": 2903,
    "New Hampshire": 3301,
    "Vermont": 5401,
    "Maine": 4101,
}
# Other states with the range their five-digit zip codes fall in (none start with 0).
STATE_ZIPS = {
    "California": (90001, 96162),
    "Texas": (75001, 79999),
    "New York": (10001, 14925),
    "Florida": (32003, 34997),
    "Illinois": (60001, 62999),
    "Pennsylvania": (15001, 19640),
    "Ohio": (43001, 45999),
    "Georgia": (30002, 31999),
    "North Carolina": (27006, 28909),
    "Michigan": (48001, 49971),
    "Virginia": (20101, 24658),
    "Washington": (98001, 99403),
    "Arizona": (85001, 86556),
    "Tennessee": (37010, 38589),
    "Indiana": (46001, 47997),
    "Missouri": (63001, 65899),
    "Maryland": (20601, 21930),
    "Wisconsin": (53001, 54990),
    "Colorado": (80001, 81658),
    "Minnesota": (55001, 56763),
    "South Carolina": (29001, 29945),
    "Alabama": (35004, 36925),
    "Louisiana": (70001, 71497),
    "Kentucky": (40003, 42788),
    "Oregon": (97001, 97920),
    "Oklahoma": (73001, 74966),
    "Iowa": (50001, 52809),
    "Nevada": (88901, 89883),
    "Utah": (84001, 84791),
    "Kansas": (66002, 67954),
    "Arkansas": (71601, 72959),
    "Mississippi": (38601, 39776),
    "Nebraska": (68001, 69367),
    "New Mexico": (87001, 88441),
    "Idaho": (83201, 83877),
    "Hawaii": (96701, 96898),
    "District of Columbia": (20001, 20599),
    "Montana": (59001, 59937),
}
# Users' home addresses: how many addresses are shared by 1, 2, 3 and 4 users (130 users, 89 homes).
HOME_SHARING = {1: 60, 2: 20, 3: 6, 4: 3}

BOT_WINDOW_START = datetime(2021, 2, 11, 14, 20, 0)
FIRST_SESSION_START = datetime(2021, 2, 9, 23, 55, 8)
SESSIONS_CROSSING_AN_HOUR = 34  # 947 = 578 sessions + 335 shipped hours + 34 crossings
MAX_BROWSE = timedelta(minutes=30)
ORDERS_SHIPPED_HOME = 2  # 359 of 361 orders ship away from the user's home address


@dataclass
class Session:
    session_id: str
    user_id: str
    viewed: list[str] = field(default_factory=list)  # product ids, in browsing order
    added: set[str] = field(default_factory=set)
    repeat_views: set[str] = field(default_factory=set)  # products viewed a second time
    repeat_add: str | None = None  # a product added twice
    order: dict[str, Any] | None = None  # the order checked out in this session

    def add_view(self, product_id: str) -> None:
        if product_id not in self.viewed:
            self.viewed.append(product_id)


class Generator:
    """Builds the scale-1 greenery world from one seed."""

    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.facts = published_facts()

    # ------------------------------------------------------------------ helpers
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def deck(self, counts: dict[Any, int]) -> list[Any]:
        """Exactly counts[k] cards of each k, shuffled."""
        cards = [key for key, n in counts.items() for _ in range(n)]
        self.rng.shuffle(cards)
        return cards

    def seconds(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=self.rng.randint(int(low), int(high)))

    # ------------------------------------------------------------------ tables
    def build(self) -> dict[str, list[Row]]:
        self.products = self.facts["products"]
        self.price = {p["product_id"]: float(p["price"]) for p in self.products}
        addresses = self.build_addresses()
        users = self.build_users(addresses)
        baskets = self.build_baskets()
        orders, order_items, sessions = self.build_orders(users, addresses, baskets)
        self.fill_browsing(sessions)
        events = self.build_events(sessions)
        promos = [(p["promo_id"], p["discount"], p["status"]) for p in self.facts["promos"]]
        products = [
            (p["product_id"], p["name"], float(p["price"]), p["base_inventory"])
            for p in self.products
        ]
        return {
            "addresses": addresses,
            "users": users,
            "promos": promos,
            "products": products,
            "orders": orders,
            "order_items": order_items,
            "events": events,
        }

    def build_addresses(self) -> list[Row]:
        n = self.facts["source_schema"]["addresses"]["rows"]
        n_states = self.facts["addresses"]["distinct_states"]
        other_states = self.rng.sample(sorted(STATE_ZIPS), n_states - len(NEW_ENGLAND_ZIPS))
        states = list(NEW_ENGLAND_ZIPS) + other_states
        states += [self.rng.choice(other_states) for _ in range(n - len(states))]
        self.rng.shuffle(states)
        rows = []
        for state in states:
            if state in NEW_ENGLAND_ZIPS:
                zipcode = NEW_ENGLAND_ZIPS[state]
            else:
                zipcode = self.rng.randint(*STATE_ZIPS[state])
            street = f"{self.rng.randint(1, 9999)} {self.rng.choice(STREETS)} "
            street += self.rng.choice(STREET_KINDS)
            rows.append((self.uuid(), street, zipcode, state, self.facts["addresses"]["country"]))
        return rows

    def build_users(self, addresses: list[Row]) -> list[Row]:
        facts = self.facts["users"]
        homes = iter(self.rng.sample([a[0] for a in addresses], sum(HOME_SHARING.values())))
        home_of_user = [
            home
            for sharing, n in HOME_SHARING.items()
            for _ in range(n)
            for home in [next(homes)] * sharing
        ]
        self.rng.shuffle(home_of_user)
        first = datetime.fromisoformat(facts["created_at_range"][0])
        last = datetime.fromisoformat(facts["created_at_range"][1])
        span = int((last - first).total_seconds()) + 86399
        window_end = datetime.fromisoformat(self.facts["events"]["created_at_range"][1])
        rows = []
        for i, address_id in enumerate(home_of_user):
            first_name = self.rng.choice(FIRST_NAMES)
            last_name = self.rng.choice(LAST_NAMES)
            if i == 0:
                created = first + self.seconds(0, 86399)
            elif i == 1:
                created = last + self.seconds(0, 86399)
            else:
                created = first + self.seconds(0, span)
            if self.rng.random() < 0.15:  # some profiles are edited after the event window
                updated = window_end + self.seconds(3600, 40 * 86400)
            else:
                updated = created + self.seconds(0, 30 * 86400)
            email = f"{first_name[0]}{last_name}{i + 1}@{self.rng.choice(EMAIL_DOMAINS)}".lower()
            phone = (
                f"{self.rng.randint(201, 989)}-{self.rng.randint(200, 999)}-"
                f"{self.rng.randint(0, 9999):04d}"
            )
            rows.append(
                (self.uuid(), first_name, last_name, email, phone, created, updated, address_id)
            )
        return rows

    def build_baskets(self) -> list[dict[str, int]]:
        """The 361 baskets: lines per order, which products, and quantities, all exact.

        Products are dealt to baskets like the Gale-Ryser construction of a bipartite graph with
        given degrees: the largest basket first, each taking the products with the most purchases
        left, so every product ends with exactly its published purchase count.
        """
        sizes = self.deck({int(k): v for k, v in self.facts["orders"]["lines_per_order"].items()})
        sizes.sort(reverse=True)
        left = {p["product_id"]: p["purchase_sessions"] for p in self.products}
        baskets: list[list[str]] = []
        for size in sizes:
            ids = list(left)
            self.rng.shuffle(ids)
            ids.sort(key=lambda pid: -left[pid])
            chosen = ids[:size]
            if left[chosen[-1]] <= 0:
                raise RuntimeError("the published basket sizes cannot hold the purchases")
            for pid in chosen:
                left[pid] -= 1
            baskets.append(chosen)
        qmin, qmax = self.facts["orders"]["quantity_range"]
        lines_of: dict[str, list[tuple[int, str]]] = {p["product_id"]: [] for p in self.products}
        for b, basket in enumerate(baskets):
            for pid in basket:
                lines_of[pid].append((b, pid))
        quantity: dict[tuple[int, str], int] = {}
        for p in self.products:
            lines = lines_of[p["product_id"]]
            for line in lines:
                quantity[line] = qmin
            extra = p["units_sold"] - qmin * len(lines)
            while extra > 0:
                line = self.rng.choice(lines)
                if quantity[line] < qmax:
                    quantity[line] += 1
                    extra -= 1
        result = [{pid: quantity[(b, pid)] for pid in basket} for b, basket in enumerate(baskets)]
        self.rng.shuffle(result)
        return result

    def order_times(self, n: int) -> list[datetime]:
        """n order times over 48 hours, every hour with an order, first and last as published."""
        start, end = (datetime.fromisoformat(t) for t in self.facts["orders"]["created_at_range"])
        day0 = start.replace(hour=0, minute=0, second=0)
        hours = list(range(48)) + [self.rng.randrange(48) for _ in range(n - 48 - 2)]
        times = [start, end]
        for h in hours:
            low = 120 if h == 0 else 0  # only the very first session begins before midnight
            high = (end - day0).seconds % 3600 - 1 if h == 47 else 3599
            times.append(day0 + timedelta(hours=h) + self.seconds(low, high))
        return sorted(times)

    def build_orders(
        self, users: list[Row], addresses: list[Row], baskets: list[dict[str, int]]
    ) -> tuple[list[Row], list[Row], list[Session]]:
        facts = self.facts["orders"]
        n = len(baskets)
        per_user = self.deck({int(k): v for k, v in self.facts["users"]["orders_per_user"].items()})
        buyers = users[: len(per_user)]  # users are in random order; the rest never come back
        owner: list[Row] = [u for u, k in zip(buyers, per_user, strict=True) for _ in range(k)]
        self.rng.shuffle(owner)
        self.bot_user = next(u for u, k in zip(buyers, per_user, strict=True) if k == 2)
        times = self.order_times(n)
        # Statuses: preparing orders are the second day's, never the very last order.
        day2 = [i for i in range(n - 1) if times[i].day == times[-1].day]
        preparing = set(self.rng.sample(day2, facts["by_status"]["preparing"]))
        rest = [i for i in range(n) if i not in preparing]
        status = dict.fromkeys(preparing, "preparing")
        shipped = set(self.rng.sample(rest, facts["by_status"]["shipped"]))
        status.update({i: "shipped" if i in shipped else "delivered" for i in rest})
        services = self.deck({k: v for k, v in facts["by_shipping_service"].items() if k})
        service = dict(zip(rest, services, strict=True))
        # Named orders of the weekly history are preparing orders that ship in later weeks.
        named = [
            oid for week in self.facts["weekly_history"]["orders_shipped"].values() for oid in week
        ]
        order_id = {i: self.uuid() for i in range(n)}
        for i, oid in zip(sorted(preparing), named, strict=False):
            order_id[i] = oid
        # Delivery: whole days, summing to the published average over delivered orders.
        delivered = [i for i in rest if status[i] == "delivered"]
        days = {i: self.rng.choice((1, 2, 3, 3, 4, 4, 5, 5, 6, 7)) for i in delivered}
        target_days = round(facts["avg_delivery_hours"] * len(delivered) / 24)
        while (total := sum(days.values())) != target_days:
            i = self.rng.choice(delivered)
            if total > target_days and days[i] > 1:
                days[i] -= 1
            elif total < target_days and days[i] < 7:
                days[i] += 1
        no_estimate = set(preparing)
        for state, k in facts["null_estimated_delivery_at"].items():
            if state != "preparing":
                no_estimate |= set(self.rng.sample([i for i in rest if status[i] == state], k))
        # Shipping cost in cents, both published bounds present.
        low, high = (round(x * 100) for x in facts["shipping_cost_range"])
        cents = [low, high] + [self.rng.randint(low, high) for _ in range(n - 2)]
        self.rng.shuffle(cents)
        costs = [round(sum(self.price[p] * q for p, q in b.items()), 2) for b in baskets]
        # Promos go to orders that cost more than the discount plus a margin.
        promo_of: dict[int, dict[str, Any]] = {}
        candidates = [i for i in range(n) if costs[i] >= 60]
        self.rng.shuffle(candidates)
        for promo in self.facts["promos"]:
            for _ in range(promo["orders"]):
                promo_of[candidates.pop()] = promo
        # Orders ship away from home, but for two.
        at_home = set(self.rng.sample(range(n), ORDERS_SHIPPED_HOME))
        address_ids = [a[0] for a in addresses]

        orders, items, sessions = [], [], []
        for i, (basket, created) in enumerate(zip(baskets, times, strict=True)):
            user = owner[i]
            home = user[7]
            address = (
                home if i in at_home else self.rng.choice([a for a in address_ids if a != home])
            )
            promo = promo_of.get(i)
            discount = promo["discount"] if promo else 0
            shipping = cents[i] / 100
            st = status[i]
            estimate = None
            if i not in no_estimate:
                base = days.get(i, self.rng.randint(2, 6))
                estimate = created + timedelta(days=max(1, base + self.rng.choice((-1, 0, 0, 1))))
            orders.append(
                (
                    order_id[i],
                    user[0],
                    promo["promo_id"] if promo else None,
                    address,
                    created,
                    costs[i],
                    shipping,
                    round(costs[i] + shipping - discount, 2),
                    None if st == "preparing" else self.uuid(),
                    service.get(i),
                    estimate,
                    created + timedelta(days=days[i]) if st == "delivered" else None,
                    st,
                )
            )
            items.extend((order_id[i], pid, q) for pid, q in basket.items())
            session = Session(self.uuid(), user[0])
            session.order = {
                "order_id": order_id[i],
                "created_at": created,
                "status": st,
                "basket": list(basket),
            }
            for pid in basket:
                session.add_view(pid)
                session.added.add(pid)
            sessions.append(session)
        self.plan_shipments(sessions)
        return orders, items, sessions

    def plan_shipments(self, sessions: list[Session]) -> None:
        """package_shipped comes 2 to 9 hours after the order, and fills the night hours."""
        orders = [s.order for s in sessions if s.order]
        for o in orders:
            o["shipped_at"] = None
            if o["status"] != "preparing":
                o["shipped_at"] = o["created_at"] + self.seconds(2 * 3600, 9 * 3600)
        last = max(orders, key=lambda o: o["created_at"])
        last["shipped_at"] = last["created_at"] + timedelta(hours=9)  # the last event published
        night = last["created_at"].replace(hour=0, minute=0, second=0) + timedelta(days=1)
        used = {id(last)}
        for h in range(8):  # every hour until the last shipment has an event
            hour = night + timedelta(hours=h)
            for o in sorted(orders, key=lambda o: o["created_at"], reverse=True):
                lo = max(o["created_at"] + timedelta(hours=2), hour)
                hi = min(o["created_at"] + timedelta(hours=9), hour + timedelta(seconds=3599))
                if o["status"] != "preparing" and id(o) not in used and lo <= hi:
                    o["shipped_at"] = lo + self.seconds(0, (hi - lo).total_seconds())
                    used.add(id(o))
                    break

    def fill_browsing(self, sessions: list[Session]) -> None:
        """Add the bot's sessions and deal out every view and add beyond the purchases."""
        products = self.products
        bot = self.bot_user[0]
        n_sessions = self.facts["events"]["sessions_by_type"]["page_view"]
        n_add = self.facts["events"]["sessions_by_type"]["add_to_cart"]
        n_checkout = len(sessions)
        bot_adders = [Session(self.uuid(), bot) for _ in range(n_add - n_checkout)]
        bot_viewers = [Session(self.uuid(), bot) for _ in range(n_sessions - n_add)]
        # Adds beyond purchases: one to each bot add session first, the rest anywhere in them.
        extra_adds = self.deck(
            {p["product_id"]: p["add_to_cart_sessions"] - p["purchase_sessions"] for p in products}
        )
        for s, pid in zip(bot_adders, extra_adds, strict=False):
            s.add_view(pid)
            s.added.add(pid)
        for pid in extra_adds[len(bot_adders) :]:
            s = self.rng.choice([b for b in bot_adders if pid not in b.added])
            s.add_view(pid)
            s.added.add(pid)
        # Views without an add: one to each view-only bot session, the rest to any session.
        all_sessions = sessions + bot_adders + bot_viewers
        extra_views = self.deck(
            {p["product_id"]: p["page_view_sessions"] - p["add_to_cart_sessions"] for p in products}
        )
        for s, pid in zip(bot_viewers, extra_views, strict=False):
            s.add_view(pid)
        for pid in extra_views[len(bot_viewers) :]:
            while pid in (s := self.rng.choice(all_sessions)).viewed:
                pass
            s.add_view(pid)
            s.viewed.insert(self.rng.randrange(len(s.viewed)), s.viewed.pop())
        # Second views of a product within a session.
        for p in products:
            viewers = [s for s in all_sessions if p["product_id"] in s.viewed]
            for s in self.rng.sample(viewers, p["page_view_events"] - p["page_view_sessions"]):
                s.repeat_views.add(p["product_id"])
        extra_add_events = self.facts["events"]["by_type"]["add_to_cart"] - sum(
            p["add_to_cart_sessions"] for p in products
        )
        for s in self.rng.sample(sessions, extra_add_events):
            s.repeat_add = self.rng.choice(sorted(s.added))
        sessions.extend(bot_adders + bot_viewers)

    def browse_durations(self, checkouts: list[datetime]) -> list[timedelta]:
        """How long each buyer browsed before checking out.

        Exactly SESSIONS_CROSSING_AN_HOUR sessions start in the hour before their checkout (the
        very first session, those whose checkout is too close to the hour, and a random few).
        """
        offsets = [c - c.replace(minute=0, second=0) for c in checkouts]
        first = checkouts.index(min(checkouts))
        minimum = timedelta(seconds=60)
        crossing = {first} | {i for i, o in enumerate(offsets) if o < minimum}
        optional = [
            i
            for i, o in enumerate(offsets)
            if i not in crossing
            and o < MAX_BROWSE - minimum
            and checkouts[i] - MAX_BROWSE > FIRST_SESSION_START
        ]
        crossing |= set(self.rng.sample(optional, SESSIONS_CROSSING_AN_HOUR - len(crossing)))
        durations = []
        for i, (c, o) in enumerate(zip(checkouts, offsets, strict=True)):
            if i == first:
                durations.append(c - FIRST_SESSION_START)
            elif i in crossing:
                durations.append(o + self.seconds(1, (MAX_BROWSE - o).total_seconds()))
            else:
                durations.append(
                    self.seconds(minimum.total_seconds(), min(o, MAX_BROWSE).total_seconds())
                )
        return durations

    def build_events(self, sessions: list[Session]) -> list[Row]:
        buyers = [s for s in sessions if s.order]
        checkouts = [s.order["created_at"] - self.seconds(1, 5) for s in buyers]
        durations = self.browse_durations(checkouts)
        rows: list[Row] = []
        for s, checkout, duration in zip(buyers, checkouts, durations, strict=True):
            steps = self.browse_steps(s)
            times = self.spread(checkout - duration, checkout, len(steps))
            rows.extend(
                self.event(s, kind, ref, t) for (kind, ref), t in zip(steps, times, strict=True)
            )
            rows.append(self.event(s, "checkout", s.order["order_id"], checkout))
            if s.order["shipped_at"]:
                rows.append(
                    self.event(s, "package_shipped", s.order["order_id"], s.order["shipped_at"])
                )
        for s in sessions:
            if s.order:
                continue
            steps = self.browse_steps(s)
            start = BOT_WINDOW_START + self.seconds(0, 239)
            t = start
            for kind, ref in steps:
                rows.append(self.event(s, kind, ref, t))
                t += self.seconds(1, 5)
        rows.sort(key=lambda r: (r[4], r[0]))
        return rows

    def browse_steps(self, s: Session) -> list[tuple[str, str]]:
        steps = []
        for pid in s.viewed:
            steps.append(("page_view", pid))
            if pid in s.repeat_views:
                steps.append(("page_view", pid))
            if pid in s.added:
                steps.append(("add_to_cart", pid))
                if s.repeat_add == pid:
                    steps.append(("add_to_cart", pid))
        return steps

    def spread(self, start: datetime, end: datetime, n: int) -> list[datetime]:
        """n sorted times in [start, end), the first exactly at start."""
        width = max(int((end - start).total_seconds()) - 1, 0)
        inner = sorted(self.rng.randint(0, width) for _ in range(n - 1))
        return [start] + [start + timedelta(seconds=x) for x in inner]

    def event(self, s: Session, kind: str, ref: str, at: datetime) -> Row:
        if kind in ("page_view", "add_to_cart"):
            url, order_id, product_id = f"{URL_ROOT}/product/{ref}", None, ref
        else:
            path = "checkout" if kind == "checkout" else "shipping"
            url, order_id, product_id = f"{URL_ROOT}/{path}/{ref}", ref, None
        return (self.uuid(), s.session_id, s.user_id, url, at, kind, order_id, product_id)


def generate(seed: int = 42) -> dict[str, list[Row]]:
    """The seven raw tables at scale 1 as rows in physical column order."""
    return Generator(seed).build()
