"""Tomorrow's data: `greenery arrive` appends the next days to the raw tables, as the source would.

Each arrived day starts at the warehouse's data clock (`clock.py`; for a warehouse without one,
the midnight after its newest data) and brings, in one transaction:

- new activity (`activity.py`): sessions and events by returning and new users, new users and
  their addresses, new orders and their items; traffic follows the warehouse's own recent level
  (so a scaled warehouse stays scaled) and its recent product mix, with a rare bot episode;
- orders moving *in place*: preparing orders ship (tracking id, shipping service and delivery
  estimate filled, a package_shipped event logged in their checkout session) and shipped orders
  are delivered on their due day (delivered_at a whole number of days after the order);
- inventory that changes: every unit sold leaves stock, products can sell out, and low stock is
  restocked;
- late events: a share of the day's events carry a created_at up to 48 hours earlier, inside
  sessions that already exist, as if a phone had been offline.

Then the clock moves to the end of the day. The same seed and day on the same warehouse always
give the same rows, and it works on any warehouse this project loaded, a team's own CSV export
included: it continues from the newest data it finds.
"""

from __future__ import annotations

import csv
import math
import random
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from greenery.warehouse import clock, loader
from greenery.warehouse.activity import (
    DELIVERY_DAYS,
    NO_ESTIMATE_SHARE,
    WEEKDAY_WEIGHTS,
    Activity,
    Customer,
    Product,
    Promo,
    Simulator,
    Traffic,
)
from greenery.warehouse.facts import RAW_TABLES
from greenery.warehouse.loader import rollback
from greenery.warehouse.rows import EventRow

RAW = loader.RAW_SCHEMA
LOG_TABLE = clock.ARRIVALS_LOG
LATE_SHARE = 0.03  # of a day's events, arriving late
LATE_HOURS = 48  # how much earlier a late event can be
RECENT_DAYS = 28  # the window the traffic level and the product mix are read from
MIN_DAILY_SESSIONS = 20
BOT_EPISODE_CHANCE = 0.05
ADD_TO_CART_RATE = 0.68
CHECKOUT_RATE = 0.80
FIRST_SHIP_HOUR, LAST_SHIP_HOUR = 6, 20  # when the warehouse team ships waiting orders


class ArrivalError(Exception):
    """The warehouse cannot take an arrival (no raw data)."""


@dataclass(frozen=True)
class ArrivedDay:
    """What one arrived day brought."""

    day: date
    seed: int
    sessions: int
    events: int
    late_events: int
    new_users: int
    orders: int
    shipped: int
    delivered: int
    restocked: int


@dataclass(frozen=True)
class OrderMove:
    """An order's new state: shipped (tracking filled) or delivered."""

    order_id: str
    status: str
    tracking_id: str | None
    shipping_service: str | None
    estimated_delivery_at: datetime | None
    delivered_at: datetime | None


@dataclass
class Day:
    """Everything one arrival writes."""

    start: datetime
    activity: Activity
    late: list[EventRow]
    moves: list[OrderMove]
    inventory: dict[str, int]
    restocked: int


# ---------------------------------------------------------------------------- reading the warehouse
def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def day_start(con: duckdb.DuckDBPyConnection) -> datetime:
    """Where the next day begins: the data clock, else the midnight after the newest data."""
    if not loader.raw_tables_present(con):
        raise ArrivalError("the warehouse has no raw tables: run `greenery load` first")
    now = clock.read(con)
    if now is None:
        newest = clock.newest_data(con, RAW)
        if newest is None:
            raise ArrivalError("the raw tables are empty: nothing to continue from")
        return clock.midnight_after(newest)
    if now != now.replace(hour=0, minute=0, second=0, microsecond=0):
        return clock.midnight_after(now)
    return now


def traffic_for(con: duckdb.DuckDBPyConnection, start: datetime, rng: random.Random) -> Traffic:
    """The day's plan, from the warehouse's recent level and product mix."""
    since = start - timedelta(days=RECENT_DAYS)
    # the level is the median day's sessions: a day of a bot episode (hundreds of sessions from
    # one user) moves a median no more than any other day
    ((per_day,),) = rows(
        con,
        f"select median(n_sessions) from (select count(distinct session_id) as n_sessions "
        f"from {RAW}.events where created_at >= ? and created_at < ? "
        f"group by cast(created_at as date))",
        [since, start],
    )
    per_day = per_day or MIN_DAILY_SESSIONS
    weekday = WEEKDAY_WEIGHTS[start.weekday()] / (sum(WEEKDAY_WEIGHTS) / 7)
    sessions = max(MIN_DAILY_SESSIONS, round(per_day * weekday * math.exp(rng.gauss(0, 0.1))))
    views = dict(
        rows(
            con,
            f"select p.product_id, count(e.event_id) from {RAW}.products as p "
            f"left join {RAW}.events as e on e.product_id = p.product_id "
            f"and e.event_type = 'page_view' and e.created_at >= ? and e.created_at < ? "
            f"group by p.product_id order by p.product_id",
            [since, start],
        )
    )
    bots = rng.randint(90, 260) if rng.random() < BOT_EPISODE_CHANCE else 0
    return Traffic(
        sessions=sessions,
        add_to_cart_rate=min(0.95, max(0.4, ADD_TO_CART_RATE + rng.gauss(0, 0.03))),
        checkout_rate=min(0.95, max(0.5, CHECKOUT_RATE + rng.gauss(0, 0.03))),
        product_weights={p: n + 1.0 for p, n in views.items()},
        bot_sessions=bots,
    )


def simulator(con: duckdb.DuckDBPyConnection, rng: random.Random, start: datetime) -> Simulator:
    products = [
        Product(p, float(price))
        for p, price in rows(con, f"select product_id, price from {RAW}.products order by 1")
    ]
    stock = dict(
        rows(con, f"select product_id, coalesce(inventory, 0) from {RAW}.products order by 1")
    )
    promos = [
        Promo(p, int(d or 0))
        for p, d in rows(con, f"select promo_id, discount from {RAW}.promos order by 1")
    ]
    addresses = [a for (a,) in rows(con, f"select address_id from {RAW}.addresses order by 1")]
    customers = [
        Customer(*row)
        for row in rows(
            con,
            f"select user_id, created_at, address_id from {RAW}.users "
            f"where created_at < ? and address_id is not null order by user_id",
            [start],
        )
    ]
    return Simulator(rng, products, promos, addresses, customers, stock=stock)


# ---------------------------------------------------------------------------- late events
def late_events(
    con: duckdb.DuckDBPyConnection, sim: Simulator, start: datetime, n_late: int
) -> list[EventRow]:
    """Page views that happened in existing recent sessions but arrive only today."""
    sessions = rows(
        con,
        f"select session_id, min(user_id), min(created_at), max(created_at), "
        f"list(distinct product_id order by product_id) filter (where product_id is not null) "
        f"from {RAW}.events where created_at >= ? and created_at < ? "
        f"and event_type <> 'package_shipped' group by session_id "
        f"having min(created_at) >= ? order by session_id",
        [start - timedelta(hours=LATE_HOURS), start, start - timedelta(hours=LATE_HOURS - 1)],
    )
    if not sessions:
        return []
    product_ids = [p.product_id for p in sim.products]
    late = []
    for _ in range(n_late):
        session_id, user_id, first, last, viewed = sim.rng.choice(sessions)
        if viewed and sim.rng.random() < 0.5:
            product_id = sim.rng.choice(viewed)  # viewed again
        else:
            product_id = sim.rng.choice(product_ids)
        span = max(0, int((last - first).total_seconds()))
        at = first + timedelta(seconds=sim.rng.randint(0, span))
        late.append(sim.event(session_id, user_id, "page_view", product_id, at))
    return late


# ---------------------------------------------------------------------------- fulfilment
class WaitingOrder(NamedTuple):
    """An order not delivered yet, with the checkout session its shipment is logged in."""

    order_id: str
    created_at: datetime
    status: str
    tracking_id: str | None
    shipping_service: str | None
    estimated_delivery_at: datetime | None
    session_id: str | None
    user_id: str | None


def waiting_orders(con: duckdb.DuckDBPyConnection, start: datetime) -> list[WaitingOrder]:
    return [
        WaitingOrder(*row)
        for row in rows(
            con,
            f"select o.order_id, o.created_at, o.status, o.tracking_id, o.shipping_service, "
            f"o.estimated_delivery_at, c.session_id, c.user_id "
            f"from {RAW}.orders as o left join ("
            f"  select order_id, min(session_id) as session_id, min(user_id) as user_id "
            f"  from {RAW}.events where event_type = 'checkout' group by order_id"
            f") as c on c.order_id = o.order_id "
            f"where o.status in ('preparing', 'shipped') and o.created_at < ? "
            f"order by o.order_id",
            [start],
        )
    ]


def ship(sim: Simulator, order: WaitingOrder, start: datetime) -> tuple[OrderMove, EventRow | None]:
    """A preparing order ships today: tracking, carrier and estimate filled, the event logged."""
    shipped_at = start + timedelta(
        hours=sim.rng.randint(FIRST_SHIP_HOUR, LAST_SHIP_HOUR - 1), seconds=sim.rng.randrange(3600)
    )
    shipment = sim.shipment(order.created_at)
    estimate = None
    if sim.rng.random() >= NO_ESTIMATE_SHARE:
        estimate = shipped_at.replace(hour=12, minute=0, second=0) + timedelta(
            days=sim.rng.choice(DELIVERY_DAYS)
        )
    move = OrderMove(
        order.order_id, "shipped", shipment.tracking_id, shipment.service, estimate, None
    )
    if order.session_id is None or order.user_id is None:
        return move, None
    event = sim.event(
        order.session_id, order.user_id, "package_shipped", order.order_id, shipped_at
    )
    return move, event


def deliver(order: WaitingOrder, start: datetime) -> OrderMove:
    """A shipped order arrives today, a whole number of days after it was placed."""
    whole_days = math.ceil((start - order.created_at).total_seconds() / 86400)
    delivered = order.created_at + timedelta(days=max(1, whole_days))
    return OrderMove(
        order.order_id,
        "delivered",
        order.tracking_id,
        order.shipping_service,
        order.estimated_delivery_at,
        delivered,
    )


def fulfil(
    con: duckdb.DuckDBPyConnection, sim: Simulator, start: datetime
) -> tuple[list[OrderMove], list[EventRow]]:
    """Ship waiting orders and deliver the ones due: in-place moves and package_shipped events."""
    end = start + timedelta(days=1)
    moves, events = [], []
    for order in waiting_orders(con, start):
        if order.status == "preparing":
            age_days = (start - order.created_at).total_seconds() / 86400
            if sim.rng.random() < (0.5 if age_days < 2 else 0.9):
                move, event = ship(sim, order, start)
                moves.append(move)
                events += [event] if event else []
            continue
        due = order.estimated_delivery_at or order.created_at + timedelta(days=4)
        if sim.rng.random() < (0.7 if due < end else 0.05):
            moves.append(deliver(order, start))
    return moves, events


def restock(sim: Simulator, sold_per_day: dict[str, float]) -> int:
    """Products low on stock are restocked with one to three weeks of demand."""
    assert sim.stock is not None
    restocked = 0
    for product_id, units in sorted(sim.stock.items()):
        demand = max(1.0, sold_per_day.get(product_id, 0.0))
        if units < 3 * demand and sim.rng.random() < 0.4:
            sim.stock[product_id] = units + round(demand * sim.rng.randint(7, 21)) + 20
            restocked += 1
    return restocked


# ---------------------------------------------------------------------------- one day
def plan_day(con: duckdb.DuckDBPyConnection, seed: int) -> Day:
    """Everything the next day brings, read from the warehouse; nothing written yet."""
    start = day_start(con)
    end = start + timedelta(days=1)
    rng = random.Random(f"greenery-arrival:{seed}:{start.date().isoformat()}")
    traffic = traffic_for(con, start, rng)
    sim = simulator(con, rng, start)
    activity = sim.simulate(start, end, traffic, as_of=end)
    moves, shipped_events = fulfil(con, sim, start)
    activity.events = sorted(
        activity.events + shipped_events, key=lambda e: (e.created_at, e.event_id)
    )
    late = late_events(con, sim, start, round(LATE_SHARE * len(activity.events)))
    sold = dict(
        rows(
            con,
            f"select i.product_id, sum(i.quantity) / {RECENT_DAYS} from {RAW}.order_items as i "
            f"join {RAW}.orders as o on o.order_id = i.order_id "
            f"where o.created_at >= ? group by 1 order by 1",
            [start - timedelta(days=RECENT_DAYS)],
        )
    )
    restocked = restock(sim, {p: float(n) for p, n in sold.items()})
    assert sim.stock is not None
    return Day(start, activity, late, moves, dict(sim.stock), restocked)


def temp_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: dict[str, str],
    values: Sequence[Sequence[Any]],
    directory: Path,
) -> None:
    """A temporary table of rows made in Python, through a CSV file (fast at any size)."""
    path = directory / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([loader.format_value(v) for v in row] for row in values)
    spec = ", ".join(f"'{c}': '{t}'" for c, t in columns.items())
    con.execute(
        f"create or replace temp table {name} as select * from read_csv(?, header = true, "
        f"auto_detect = false, timestampformat = '%Y-%m-%dT%H:%M:%SZ', columns = {{{spec}}})",
        [str(path)],
    )


def write_day(con: duckdb.DuckDBPyConnection, day: Day, seed: int) -> ArrivedDay:
    """Append and move everything of the day, and the clock, in one transaction."""
    new_rows: dict[str, list[Any]] = {
        "addresses": day.activity.addresses,
        "users": day.activity.users,
        "promos": [],
        "products": [],
        "orders": day.activity.orders,
        "order_items": day.activity.order_items,
        "events": day.activity.events + day.late,
    }
    end = day.start + timedelta(days=1)
    with tempfile.TemporaryDirectory(prefix="greenery-arrival-") as tmp:
        loader.stage_rows(con, new_rows)
        loader.validate_staged(con, lambda table: f"arrival of {day.start.date()} ({table})")
        temp_table(
            con,
            "arrival_moves",
            {
                "order_id": "VARCHAR",
                "status": "VARCHAR",
                "tracking_id": "VARCHAR",
                "shipping_service": "VARCHAR",
                "estimated_delivery_at": "TIMESTAMP",
                "delivered_at": "TIMESTAMP",
            },
            [tuple(asdict(m).values()) for m in day.moves],
            Path(tmp),
        )
        temp_table(
            con,
            "arrival_inventory",
            {"product_id": "VARCHAR", "inventory": "INTEGER"},
            sorted(day.inventory.items()),
            Path(tmp),
        )
        con.execute("begin transaction")
        try:
            for table in RAW_TABLES:
                if new_rows[table]:
                    con.execute(
                        f"insert into {RAW}.{table} "
                        f"{loader.typed_select(table, loader.stage_name(table))}"
                    )
            con.execute(
                f"update {RAW}.orders as o set status = m.status, tracking_id = m.tracking_id, "
                f"shipping_service = m.shipping_service, "
                f"estimated_delivery_at = m.estimated_delivery_at, "
                f"delivered_at = m.delivered_at "
                f"from arrival_moves as m where o.order_id = m.order_id"
            )
            con.execute(
                f"update {RAW}.products as p set inventory = i.inventory "
                f"from arrival_inventory as i "
                f"where p.product_id = i.product_id and p.inventory is distinct from i.inventory"
            )
            arrived = ArrivedDay(
                day=day.start.date(),
                seed=seed,
                sessions=len({e.session_id for e in day.activity.events}),
                events=len(day.activity.events) + len(day.late),
                late_events=len(day.late),
                new_users=len(day.activity.users),
                orders=len(day.activity.orders),
                shipped=sum(m.status == "shipped" for m in day.moves),
                delivered=sum(m.status == "delivered" for m in day.moves),
                restocked=day.restocked,
            )
            log(con, arrived)
            clock.write(con, end, "arrive")
            con.execute("commit")
        except BaseException:
            rollback(con)  # a failed rollback (a full disk) must not hide why it failed
            raise
    return arrived


def log(con: duckdb.DuckDBPyConnection, arrived: ArrivedDay) -> None:
    """One row per arrived day in greenery_meta.arrivals, for people and tests to read."""
    con.execute(f"create schema if not exists {clock.SCHEMA}")
    con.execute(
        f"create table if not exists {LOG_TABLE} (day date primary key, seed integer, "
        "sessions integer, events integer, late_events integer, new_users integer, "
        "orders integer, shipped integer, delivered integer, restocked integer)"
    )
    values = asdict(arrived)
    con.execute(
        f"insert into {LOG_TABLE} ({', '.join(values)}) values ({', '.join('?' for _ in values)})",
        list(values.values()),
    )


def arriving(con: duckdb.DuckDBPyConnection, days: int, seed: int = 42) -> Iterator[ArrivedDay]:
    """Append the next `days` days to the warehouse, one transaction a day, yielding each day
    once it is committed (a run stopped half way keeps the days before it, whole)."""
    if days < 1:
        raise ValueError(f"days must be a whole number >= 1, got {days}")
    for _ in range(days):
        yield write_day(con, plan_day(con, seed), seed)


def arrive(con: duckdb.DuckDBPyConnection, days: int, seed: int = 42) -> list[ArrivedDay]:
    """Append the next `days` days to the warehouse (`arriving`, all of them)."""
    return list(arriving(con, days, seed))
