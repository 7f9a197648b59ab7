"""The arrival planner's pieces (`arrivals.py`) on a tiny hand-made shop in an in-memory DuckDB.

Fast unit tests: the shop is a dozen rows loaded through the loader's own stage, validate and
publish steps (so the raw tables have the contract's types and the data clock is set), no dbt.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import duckdb
import pytest
from greenery.warehouse import arrivals, clock, loader
from greenery.warehouse.activity import SHIPPING_SERVICES, Simulator
from greenery.warehouse.facts import RAW_TABLES
from greenery.warehouse.rows import (
    AddressRow,
    EventRow,
    OrderItemRow,
    OrderRow,
    ProductRow,
    PromoRow,
    UserRow,
    event_row,
)

START = datetime(2021, 3, 10)  # a Wednesday: the midnight after the shop's newest data
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
END = START + DAY

PRODUCTS = [
    ProductRow("plant-aloe", "Aloe", 10.0, 100),
    ProductRow("plant-basil", "Basil", 5.0, 0),  # sold out
    ProductRow("plant-cactus", "Cactus", 20.0, 2),  # nearly sold out
    ProductRow("plant-dill", "Dill", 8.0, 50),
]
USERS = {"u1": "a1", "u2": "a2", "u3": "a3"}

# Orders: (id, user, created, status, session of its checkout or None, shipped at, estimate)
ORDERS = [
    ("o-recent", "u1", START - 5 * HOUR, "preparing", "s-recent", None, None),
    ("o-old", "u2", START - 3 * DAY, "preparing", "s-old", None, None),
    ("o-lost", "u3", START - DAY, "preparing", None, None, None),  # no checkout event
    ("o-due", "u1", START - 4 * DAY + 3 * HOUR, "shipped", "s-due", START - 4 * DAY + 8 * HOUR,
     START - DAY + 12 * HOUR),
    ("o-later", "u2", START - 30 * HOUR, "shipped", "s-later", START - 25 * HOUR,
     START + 5 * DAY),
    ("o-done", "u3", START - 6 * DAY, "delivered", "s-done", START - 6 * DAY + 4 * HOUR,
     START - 2 * DAY),
]  # fmt: skip
WAITING = {"o-recent", "o-old", "o-lost", "o-due", "o-later"}
#: Sessions with events in the 48 hours before START (a late event may land in these only).
RECENT_SESSIONS = {"s-recent", "s-browse", "s-later"}


def shop_rows() -> dict[str, list[tuple]]:
    events: list[EventRow] = []
    n = 0

    def log(session: str, user: str, kind: str, ref: str, at: datetime) -> None:
        nonlocal n
        n += 1
        events.append(event_row(f"e{n:03d}", session, user, kind, ref, at))

    # a browsing session 30 hours back, a buying one 6 hours back (its order still preparing)
    log("s-browse", "u2", "page_view", "plant-dill", START - 30 * HOUR)
    log("s-browse", "u2", "page_view", "plant-aloe", START - 29 * HOUR)
    log("s-recent", "u1", "page_view", "plant-aloe", START - 6 * HOUR)
    log("s-recent", "u1", "add_to_cart", "plant-aloe", START - 6 * HOUR + timedelta(minutes=2))
    log("s-recent", "u1", "page_view", "plant-cactus", START - 6 * HOUR + timedelta(minutes=5))
    orders, items = [], []
    for order_id, user, created, status, session, shipped, estimate in ORDERS:
        if session is not None:
            log(session, user, "page_view", "plant-dill", created - timedelta(minutes=10))
            log(session, user, "checkout", order_id, created - timedelta(minutes=1))
            if shipped is not None:
                log(session, user, "package_shipped", order_id, shipped)
        delivered = estimate if status == "delivered" else None
        tracking = f"track-{order_id}" if shipped else None
        service = "ups" if shipped else None
        orders.append(
            OrderRow(order_id, user, None, USERS[user], created, 16.0, 4.0, 20.0, tracking,
                     service, estimate, delivered, status)
        )  # fmt: skip
        items.append(OrderItemRow(order_id, "plant-dill", 2))
    return {
        "addresses": [AddressRow(a, f"{i} Main St", 94100 + i, "California", "United States")
                      for i, a in enumerate(USERS.values())],
        "users": [UserRow(u, "Ann", "Lee", f"{u}@example.com", "555-0100",
                          datetime(2021, 1, 5), datetime(2021, 1, 6), a)
                  for u, a in USERS.items()],
        "promos": [PromoRow("spring", 5, "active")],
        "products": PRODUCTS,
        "orders": orders,
        "order_items": items,
        "events": events,
    }  # fmt: skip


def load(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The tiny shop, published as every load publishes: raw tables typed, clock set."""
    loader.stage_rows(con, shop_rows())
    loader.validate_staged(con, lambda table: f"tiny shop {table}")
    loader.publish(con, {t: loader.typed_select(t, loader.stage_name(t)) for t in RAW_TABLES})
    return con


@pytest.fixture(autouse=True)
def dbt_packages() -> None:
    """Overrides conftest's session fixture: the planner needs no dbt packages installed."""


@pytest.fixture(scope="module")
def shop():
    """The shop, shared by the tests that only read it (planning writes nothing)."""
    with duckdb.connect() as con:
        yield load(con)


@pytest.fixture()
def own_shop():
    """A shop of the test's own, for tests that move its clock or drop its tables."""
    with duckdb.connect() as con:
        yield load(con)


def raw_state(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    state = {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in RAW_TABLES}
    state["clock"] = [(clock.read(con),)]
    return state


def sim_for(con: duckdb.DuckDBPyConnection, seed: int) -> Simulator:
    return arrivals.simulator(con, random.Random(seed), START)


def shipped_times(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    return dict(
        con.execute(
            "select order_id, max(created_at) from raw.events "
            "where event_type = 'package_shipped' group by 1"
        ).fetchall()
    )


def waiting(order_id: str, created: datetime, status: str = "shipped") -> arrivals.WaitingOrder:
    return arrivals.WaitingOrder(
        order_id, created, status, "track-1", "fedex", created + 3 * DAY, "s-1", "u-1"
    )


# ---------------------------------------------------------------------------- where a day starts


def test_the_shop_loads_with_its_clock_at_the_midnight_after_its_newest_data(shop):
    assert clock.read(shop) == START
    assert arrivals.day_start(shop) == START


def test_a_clock_inside_a_day_starts_the_next_midnight(own_shop):
    clock.write(own_shop, START + 5 * HOUR, "test")
    assert arrivals.day_start(own_shop) == START + DAY


def test_without_a_clock_the_day_starts_after_the_newest_data(own_shop):
    own_shop.execute(f"drop table {clock.TABLE}")
    assert arrivals.day_start(own_shop) == START


def test_a_warehouse_without_raw_tables_or_data_is_refused():
    with duckdb.connect() as con:
        with pytest.raises(arrivals.ArrivalError, match="no raw tables"):
            arrivals.day_start(con)
        load(con)
        con.execute(f"drop table {clock.TABLE}")
        for table in RAW_TABLES:
            con.execute(f"delete from raw.{table}")
        with pytest.raises(arrivals.ArrivalError, match="empty"):
            arrivals.day_start(con)


# ---------------------------------------------------------------------------- waiting orders


def test_waiting_orders_are_the_undelivered_ones_placed_before_the_day(shop):
    found = arrivals.waiting_orders(shop, START)
    assert {o.order_id for o in found} == WAITING
    assert [o.order_id for o in found] == sorted(o.order_id for o in found)
    assert all(o.status in ("preparing", "shipped") for o in found)


def test_a_waiting_order_carries_its_checkout_session_or_none(shop):
    found = {o.order_id: o for o in arrivals.waiting_orders(shop, START)}
    for order_id, user, _, _, session, _, _ in ORDERS:
        if order_id in found:
            expected = (session, user if session else None)
            assert (found[order_id].session_id, found[order_id].user_id) == expected


def test_orders_placed_on_or_after_the_day_start_do_not_wait_yet(shop):
    cut = START - 2 * DAY
    found = {o.order_id for o in arrivals.waiting_orders(shop, cut)}
    assert found == {order_id for order_id, _, created, *_ in ORDERS if created < cut} & WAITING
    assert "o-recent" not in found and "o-old" in found


# ---------------------------------------------------------------------------- deliver


@pytest.mark.parametrize(
    "age",
    [timedelta(minutes=1), 5 * HOUR, DAY - timedelta(seconds=1), DAY, 2.5 * DAY, 7 * DAY + HOUR],
)
def test_a_delivery_lands_within_the_day_a_whole_number_of_days_after_the_order(age):
    order = waiting("o-1", START - age)
    move = arrivals.deliver(order, START)
    assert move.status == "delivered" and move.order_id == "o-1"
    assert START <= move.delivered_at < END
    elapsed = move.delivered_at - order.created_at
    assert elapsed >= DAY and elapsed % DAY == timedelta(0)


def test_a_delivery_keeps_the_shipment_it_was_sent_with():
    order = waiting("o-1", START - 3 * DAY)
    move = arrivals.deliver(order, START)
    assert (move.tracking_id, move.shipping_service, move.estimated_delivery_at) == (
        order.tracking_id,
        order.shipping_service,
        order.estimated_delivery_at,
    )


# ---------------------------------------------------------------------------- ship


@pytest.mark.parametrize("seed", range(30))
def test_shipping_fills_the_shipment_and_logs_it_in_the_checkout_session(shop, seed):
    order = waiting("o-1", START - 10 * HOUR, status="preparing")._replace(
        tracking_id=None, shipping_service=None, estimated_delivery_at=None
    )
    move, event = arrivals.ship(sim_for(shop, seed), order, START)
    assert move.order_id == "o-1" and move.status == "shipped"
    assert move.tracking_id and move.shipping_service in SHIPPING_SERVICES
    assert move.delivered_at is None
    assert event is not None
    assert event.event_type == "package_shipped"
    assert (event.session_id, event.user_id, event.order_id) == ("s-1", "u-1", "o-1")
    assert event.product_id is None and "o-1" in event.page_url
    first, last = (START + h * HOUR for h in (arrivals.FIRST_SHIP_HOUR, arrivals.LAST_SHIP_HOUR))
    assert first <= event.created_at < last  # in the warehouse team's shipping hours
    if move.estimated_delivery_at is not None:  # estimated for noon, days after shipping
        ship_day = datetime.combine(event.created_at.date(), datetime.min.time())
        assert move.estimated_delivery_at.time() == (ship_day + 12 * HOUR).time()
        assert move.estimated_delivery_at >= ship_day + DAY + 12 * HOUR


def test_some_shipments_have_no_delivery_estimate_but_most_do(shop):
    order = waiting("o-1", START - 10 * HOUR, status="preparing")
    sim = sim_for(shop, 1)
    estimates = [arrivals.ship(sim, order, START)[0].estimated_delivery_at for _ in range(400)]
    missing = sum(e is None for e in estimates)
    assert 0 < missing < len(estimates) / 4


def test_an_order_without_a_checkout_session_ships_without_an_event(shop):
    order = waiting("o-1", START - DAY, status="preparing")._replace(session_id=None, user_id=None)
    move, event = arrivals.ship(sim_for(shop, 3), order, START)
    assert move.status == "shipped" and move.tracking_id
    assert event is None


def test_shipping_ids_come_from_the_seed(shop):
    order = waiting("o-1", START - DAY, status="preparing")
    assert arrivals.ship(sim_for(shop, 5), order, START) == arrivals.ship(
        sim_for(shop, 5), order, START
    )
    assert arrivals.ship(sim_for(shop, 5), order, START) != arrivals.ship(
        sim_for(shop, 6), order, START
    )


# ---------------------------------------------------------------------------- fulfil

SEEDS = range(40)
Fulfilment = tuple[list[arrivals.OrderMove], list[EventRow]]


@pytest.fixture(scope="module")
def fulfilments(shop) -> list[Fulfilment]:
    """The shop's waiting orders fulfilled on START, once for each seed."""
    return [arrivals.fulfil(shop, sim_for(shop, seed), START) for seed in SEEDS]


def test_fulfil_moves_only_waiting_orders_one_step_and_each_at_most_once(fulfilments):
    status = {order_id: s for order_id, _, _, s, *_ in ORDERS}
    for moves, _ in fulfilments:
        moved = [m.order_id for m in moves]
        assert len(moved) == len(set(moved))
        assert set(moved) <= WAITING
        for move in moves:
            assert (status[move.order_id], move.status) in {
                ("preparing", "shipped"),
                ("shipped", "delivered"),
            }


def test_fulfil_logs_one_shipment_event_per_shipped_order_with_a_session(fulfilments):
    sessions = {order_id: (session, user) for order_id, user, _, _, session, _, _ in ORDERS}
    for moves, events in fulfilments:
        shipped = {m.order_id for m in moves if m.status == "shipped"}
        assert {e.order_id for e in events} == shipped - {"o-lost"}
        assert len(events) == len({e.order_id for e in events})
        for event in events:
            assert event.event_type == "package_shipped"
            assert (event.session_id, event.user_id) == sessions[event.order_id]
            assert START <= event.created_at < END


def test_fulfil_delivers_within_the_day_and_after_the_order_shipped(shop, fulfilments):
    shipped_at = shipped_times(shop)
    delivered = 0
    for moves, _ in fulfilments:
        for move in moves:
            if move.status == "delivered":
                delivered += 1
                assert shipped_at[move.order_id] < move.delivered_at
                assert START <= move.delivered_at < END
    assert delivered


def test_orders_due_are_delivered_far_more_often_than_orders_not_due_yet(fulfilments):
    delivered = {"o-due": 0, "o-later": 0}
    for moves, _ in fulfilments:
        for move in moves:
            if move.status == "delivered":
                delivered[move.order_id] += 1
    assert delivered["o-due"] > len(SEEDS) / 2
    assert delivered["o-later"] < delivered["o-due"] / 3


def test_old_preparing_orders_ship_more_often_than_fresh_ones(fulfilments):
    shipped = {"o-recent": 0, "o-old": 0, "o-lost": 0}
    for moves, _ in fulfilments:
        for move in moves:
            if move.status == "shipped":
                shipped[move.order_id] += 1
    assert shipped["o-old"] > shipped["o-recent"] > 0
    assert shipped["o-lost"] > 0  # an order without a checkout event still ships


# ---------------------------------------------------------------------------- restock


def restock_sim(stock: dict[str, int], seed: int) -> Simulator:
    return Simulator(random.Random(seed), [], [], [], [], stock=dict(stock))


STOCK = {"p-empty": 0, "p-low": 4, "p-plenty": 500, "p-unsold": 1}
SOLD_PER_DAY = {"p-empty": 3.0, "p-low": 2.5, "p-plenty": 2.0}  # p-unsold: no sales lately


@pytest.mark.parametrize("seed", range(30))
def test_restock_only_adds_stock_and_counts_the_products_it_restocked(seed):
    sim = restock_sim(STOCK, seed)
    restocked = arrivals.restock(sim, SOLD_PER_DAY)
    assert sim.stock is not None and set(sim.stock) == set(STOCK)
    assert all(sim.stock[p] >= STOCK[p] >= 0 for p in STOCK)
    assert restocked == sum(sim.stock[p] != STOCK[p] for p in STOCK)
    for product_id, units in sim.stock.items():
        if units != STOCK[product_id]:  # at least a week of demand arrives
            demand = max(1.0, SOLD_PER_DAY.get(product_id, 0.0))
            assert units - STOCK[product_id] >= 7 * demand


def test_restock_never_touches_well_stocked_products_and_reaches_every_low_one():
    ever = set()
    for seed in range(60):
        sim = restock_sim(STOCK, seed)
        arrivals.restock(sim, SOLD_PER_DAY)
        assert sim.stock is not None
        ever |= {p for p in STOCK if sim.stock[p] != STOCK[p]}
    assert ever == {"p-empty", "p-low", "p-unsold"}  # p-unsold: low even without recent sales


def test_restock_is_not_certain_on_any_one_day():
    outcomes = set()
    for seed in range(30):
        sim = restock_sim({"p-empty": 0}, seed)
        outcomes.add(arrivals.restock(sim, {}))
    assert outcomes == {0, 1}


# ---------------------------------------------------------------------------- late events


def test_late_events_are_page_views_inside_recent_sessions_before_the_day(shop):
    spans = {
        s: (user, first, last)
        for s, user, first, last in shop.execute(
            "select session_id, min(user_id), min(created_at), max(created_at) from raw.events "
            "where event_type <> 'package_shipped' group by 1"
        ).fetchall()
    }
    products = {p.product_id for p in PRODUCTS}
    late = arrivals.late_events(shop, sim_for(shop, 11), START, 60)
    assert len(late) == 60
    assert len({e.event_id for e in late}) == 60
    assert {e.session_id for e in late} <= RECENT_SESSIONS
    assert len({e.session_id for e in late}) > 1
    for event in late:
        user, first, last = spans[event.session_id]
        assert event.event_type == "page_view" and event.product_id in products
        assert event.user_id == user
        assert first <= event.created_at <= last
        assert START - arrivals.LATE_HOURS * HOUR <= event.created_at < START


def test_no_late_events_when_none_are_asked_for_or_no_session_is_recent(shop):
    assert arrivals.late_events(shop, sim_for(shop, 1), START, 0) == []
    assert arrivals.late_events(shop, sim_for(shop, 1), START + 10 * DAY, 5) == []


# ---------------------------------------------------------------------------- one planned day


def test_planning_writes_nothing(shop):
    before = raw_state(shop)
    arrivals.plan_day(shop, 42)
    assert raw_state(shop) == before


def test_the_same_seed_and_day_plan_the_same_day(shop):
    with duckdb.connect() as other:
        assert arrivals.plan_day(shop, 42) == arrivals.plan_day(load(other), 42)
    assert arrivals.plan_day(shop, 42) == arrivals.plan_day(shop, 42)


def test_another_seed_plans_another_day(shop):
    a, b = arrivals.plan_day(shop, 42), arrivals.plan_day(shop, 7)
    assert a.start == b.start == START
    assert a.activity.events != b.activity.events


def test_another_day_plans_another_day_with_the_same_seed(own_shop):
    a = arrivals.plan_day(own_shop, 42)
    clock.write(own_shop, START + DAY, "test")
    b = arrivals.plan_day(own_shop, 42)
    assert b.start == START + DAY
    assert {e.event_id for e in a.activity.events}.isdisjoint(e.event_id for e in b.activity.events)


def test_nothing_is_planned_before_the_day_except_late_events(shop):
    day = arrivals.plan_day(shop, 42)
    assert day.start == START
    assert len(day.activity.events) >= arrivals.MIN_DAILY_SESSIONS and day.activity.orders
    assert all(START <= e.created_at < END for e in day.activity.events)
    assert all(START <= o.created_at < END for o in day.activity.orders)
    assert all(m.delivered_at is None or START <= m.delivered_at < END for m in day.moves)
    assert all(e.created_at < START for e in day.late)


def test_a_planned_days_orders_have_their_items_and_checkouts(shop):
    day = arrivals.plan_day(shop, 42)
    order_ids = {o.order_id for o in day.activity.orders}
    assert {i.order_id for i in day.activity.order_items} == order_ids
    checkouts = {e.order_id for e in day.activity.events if e.event_type == "checkout"}
    assert checkouts == order_ids


@pytest.mark.parametrize("seed", [1, 42, 2021])
def test_a_planned_day_sells_only_what_is_in_stock_and_restocks_only_upwards(shop, seed):
    day = arrivals.plan_day(shop, seed)
    before = {p.product_id: p.inventory for p in PRODUCTS}
    sold = dict.fromkeys(before, 0)
    for item in day.activity.order_items:
        sold[item.product_id] += item.quantity
    assert sold["plant-basil"] == 0  # sold out before the day: nobody can buy it
    assert sold["plant-cactus"] <= 2
    assert set(day.inventory) == set(before)
    assert all(units >= 0 for units in day.inventory.values())
    left = {p: before[p] - sold[p] for p in before}
    assert all(day.inventory[p] >= left[p] for p in before)
    assert day.restocked == sum(day.inventory[p] > left[p] for p in before)


def test_planned_moves_and_shipments_agree(shop):
    day = arrivals.plan_day(shop, 42)
    shipped = {m.order_id for m in day.moves if m.status == "shipped"}
    logged = {
        e.order_id
        for e in day.activity.events
        if e.event_type == "package_shipped" and e.order_id in WAITING
    }
    assert logged == shipped - {"o-lost"}
    assert {m.order_id for m in day.moves} <= WAITING
