"""The sample's past in its snapshots: what the products and orders were at each week boundary.

A sample of N weeks (`greenery load --weeks N`) comes with the versions its two dbt snapshots
would have recorded had the nightly job run at the start of every week: `product_inventory_
snapshot` (inventory and price) and `orders_snapshot` (status, tracking, carrier, estimate,
delivery). They are written here as plain rows, one per version, with the week boundary each
version starts at (`valid_at`), in `greenery_meta.<table>_history`; the first dbt run on the
warehouse turns them into the snapshot tables with dbt's own columns and hash
(macros/build_snapshot_history.sql), and every later snapshot run continues from them.

- **Orders** are read back from the loaded rows themselves: an order exists from the first
  boundary after it was placed, is preparing until its package_shipped event (or, without one,
  its placing), shipped until its delivery, then delivered, with its tracking, carrier and
  estimate from the moment it shipped.
- **Inventory** is walked back from the extract's: each week's units sold (the orders placed
  that week) are added back, and restocks, which the data does not record, are drawn so that
  stock stays between nothing and a few weeks' sales; some products sell out for a week or more
  (nothing left at one or more boundaries, a restock then covering the week's orders exactly).
  The restocks drawn are kept in `greenery_meta.restocks`, so inventory at one boundary is the
  one before, less the week's units ordered, plus the week's restocks, exactly.
- **Prices** change rarely: two products were dearer for the first weeks of the history.

Same seed and weeks, same history. A team's own export has no history beyond what it holds:
loading one removes these tables, and its snapshots start with the first run, as before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

META = "greenery_meta"
PRODUCTS = f"{META}.products_history"
ORDERS = f"{META}.orders_history"
RESTOCKS = f"{META}.restocks"
#: Which load the history belongs to: the snapshots are rebuilt when it changes.
LOADS = f"{META}.history_loads"
#: A product holds at most this many weeks of its sales before a restock brings it down.
MAX_WEEKS_OF_STOCK = 3.0
#: After a restock it holds between these many weeks of sales.
AFTER_RESTOCK = (0.4, 1.5)
#: The share of products that sell out at some point of the history, and for how many weeks.
SELL_OUT_SHARE = 0.3
SELL_OUT_WEEKS = (1, 3)
#: Products whose price came down during the history: (rank by product id, dollars more).
PRICE_CUTS = ((3, 2.0), (11, 5.0))


@dataclass(frozen=True)
class ProductWeek:
    """One product at one week boundary, and the units restocked in the week that follows."""

    product_id: str
    name: str
    price: float
    inventory: int
    valid_at: datetime
    restocked: int


def boundaries(first_week: datetime, n_weeks: int) -> list[datetime]:
    """The Monday 00:00 starting each of the history's weeks, oldest first."""
    return [first_week + timedelta(weeks=k) for k in range(n_weeks)]


def record(con: duckdb.DuckDBPyConnection, first_week: datetime, n_weeks: int, seed: int) -> None:
    """Write the history of a freshly loaded sample of `n_weeks` weeks (inside the caller's
    transaction); with one week there is no past to record, and any earlier history goes."""
    forget(con)
    if n_weeks < 2:
        return
    at = boundaries(first_week, n_weeks)
    con.execute(f"create schema if not exists {META}")
    write_orders(con, at)
    weeks = product_weeks(con, at, seed)
    write_products(con, weeks)
    con.execute(
        f"create table {LOADS} as select ?::varchar as load_id, ?::integer as weeks, "
        f"?::timestamp as first_boundary",
        [f"sample:{seed}:{n_weeks}:{datetime.now().isoformat()}", n_weeks, first_week],
    )


def forget(con: duckdb.DuckDBPyConnection) -> None:
    for table in (PRODUCTS, ORDERS, RESTOCKS, LOADS):
        con.execute(f"drop table if exists {table}")


def write_orders(con: duckdb.DuckDBPyConnection, at: list[datetime]) -> None:
    """Each order's versions at the boundaries after it was placed, from its own rows."""
    con.execute("create temp table history_boundaries (valid_at timestamp)")
    con.executemany("insert into history_boundaries values (?)", [[b] for b in at])
    con.execute(
        f"""
        create table {ORDERS} as
        with shipped as (
            select order_id, min(created_at) as shipped_at
            from raw.events where event_type = 'package_shipped' and order_id is not null
            group by order_id
        ),
        timeline as (
            select
                orders.*,
                coalesce(
                    shipped.shipped_at,
                    case when orders.tracking_id is not null then orders.created_at end
                ) as shipped_at
            from raw.orders as orders
            left join shipped on orders.order_id = shipped.order_id
        ),
        states as (
            select
                timeline.order_id, timeline.user_id, timeline.promo_id, timeline.address_id,
                timeline.created_at, timeline.order_cost, timeline.shipping_cost,
                timeline.order_total,
                case when timeline.shipped_at <= b.valid_at then timeline.tracking_id end
                    as tracking_id,
                case when timeline.shipped_at <= b.valid_at then timeline.shipping_service end
                    as shipping_service,
                case when timeline.shipped_at <= b.valid_at
                    then timeline.estimated_delivery_at end as estimated_delivery_at,
                case when timeline.delivered_at <= b.valid_at then timeline.delivered_at end
                    as delivered_at,
                case
                    when timeline.delivered_at <= b.valid_at then 'delivered'
                    when timeline.shipped_at <= b.valid_at then 'shipped'
                    else 'preparing'
                end as status,
                b.valid_at
            from timeline
            inner join history_boundaries as b on timeline.created_at < b.valid_at
        ),
        changes as (
            select
                *,
                lag(status || '|' || coalesce(tracking_id, '') || '|'
                    || coalesce(shipping_service, '') || '|'
                    || coalesce(cast(estimated_delivery_at as varchar), '') || '|'
                    || coalesce(cast(delivered_at as varchar), ''))
                    over (partition by order_id order by valid_at) as was,
                status || '|' || coalesce(tracking_id, '') || '|'
                    || coalesce(shipping_service, '') || '|'
                    || coalesce(cast(estimated_delivery_at as varchar), '') || '|'
                    || coalesce(cast(delivered_at as varchar), '') as now_is
            from states
        )
        select * exclude (was, now_is) from changes
        where was is null or was != now_is
        order by valid_at, order_id
        """
    )
    con.execute("drop table history_boundaries")


def product_weeks(
    con: duckdb.DuckDBPyConnection, at: list[datetime], seed: int
) -> list[ProductWeek]:
    """Every product at every boundary, walked back from the extract's inventory."""
    products = con.execute(
        "select product_id, name, price, inventory from raw.products order by product_id"
    ).fetchall()
    sold = units_sold(con, at)
    weeks: list[ProductWeek] = []
    for rank, (product_id, name, price, inventory) in enumerate(products):
        rng = random.Random(f"greenery-stock:{seed}:{product_id}")
        by_week = [sold.get((product_id, k), 0) for k in range(len(at))]
        levels, restocked = walk_back(int(inventory), by_week, rng)
        cut = dict(PRICE_CUTS).get(rank)
        cut_until = len(at) // 3
        for k, boundary in enumerate(at):
            dearer = cut is not None and k < cut_until
            weeks.append(
                ProductWeek(
                    product_id,
                    name,
                    round(float(price) + (cut if dearer else 0.0), 2),
                    levels[k],
                    boundary,
                    restocked[k],
                )
            )
    return weeks


def units_sold(con: duckdb.DuckDBPyConnection, at: list[datetime]) -> dict[tuple[str, int], int]:
    """Units of each product in the orders placed in week k (from boundary k to the next, the
    last week until the extract), by (product_id, k)."""
    rows = con.execute(
        """
        select items.product_id, orders.created_at, sum(items.quantity)
        from raw.order_items as items
        inner join raw.orders as orders on items.order_id = orders.order_id
        where orders.created_at >= ?
        group by all
        """,
        [at[0]],
    ).fetchall()
    sold: dict[tuple[str, int], int] = {}
    for product_id, created_at, units in rows:
        k = min(int((created_at - at[0]) / timedelta(weeks=1)), len(at) - 1)
        sold[(product_id, k)] = sold.get((product_id, k), 0) + int(units)
    return sold


def walk_back(final: int, sold: list[int], rng: random.Random) -> tuple[list[int], list[int]]:
    """Inventory at each boundary and the units restocked during each week, oldest first, given
    the extract's inventory and each week's sales (the last week runs to the extract).

    Going back a week adds its sales back and takes its restock off, so that
    level[k + 1] = level[k] - sold[k] + restocked[k] (level[n] being the extract's).
    """
    n = len(sold)
    typical = max(1.0, sum(sold) / max(1, n))
    levels, restocked = [0] * n, [0] * n
    sold_out: set[int] = set()
    if rng.random() < SELL_OUT_SHARE and n > 2:
        length = rng.randint(*SELL_OUT_WEEKS)
        start = rng.randint(1, max(1, n - length - 1))
        sold_out = set(range(start, min(n, start + length)))
    level = final
    for k in range(n - 1, -1, -1):
        before = level + sold[k]  # at boundary k, had nothing been restocked that week
        if k in sold_out:
            restock = before  # it had sold out: the week's restock covered its orders exactly
        elif before > MAX_WEEKS_OF_STOCK * typical:
            restock = max(0, before - round(rng.uniform(*AFTER_RESTOCK) * typical))
        else:
            restock = 0
        levels[k], restocked[k] = before - restock, restock
        level = levels[k]
    return levels, restocked


def write_products(con: duckdb.DuckDBPyConnection, weeks: list[ProductWeek]) -> None:
    """The products' versions (inventory or price changed since the boundary before) and the
    week's restocks, with which each boundary follows from the one before."""
    con.execute(
        f"create table {PRODUCTS} (product_id varchar, name varchar, price double, "
        f"inventory bigint, valid_at timestamp)"
    )
    versions, last = [], {}
    for week in weeks:
        state = (week.price, week.inventory)
        if last.get(week.product_id) != state:
            versions.append([week.product_id, week.name, week.price, week.inventory, week.valid_at])
            last[week.product_id] = state
    con.executemany(f"insert into {PRODUCTS} values (?, ?, ?, ?, ?)", versions)
    con.execute(f"create table {RESTOCKS} (product_id varchar, week_start timestamp, units bigint)")
    restocks = [[w.product_id, w.valid_at, w.restocked] for w in weeks if w.restocked > 0]
    if restocks:
        con.executemany(f"insert into {RESTOCKS} values (?, ?, ?)", restocks)
