"""Every figure of the published facts, measured by SQL on the loaded scale-1 warehouse."""

from __future__ import annotations

from datetime import datetime

import pytest
from dbt_helpers import scalar
from greenery.warehouse.facts import RAW_TABLES, raw_columns

TYPE_NAMES = {
    "text": "VARCHAR",
    "number": "INTEGER",
    "float": "DOUBLE",
    "timestamp_ntz": "TIMESTAMP",
}


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("table", RAW_TABLES)
def test_columns_types_and_row_counts(raw, facts, table):
    spec = facts["source_schema"][table]
    columns = raw.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    assert columns == [(name, TYPE_NAMES[t]) for name, t in spec["columns"].items()]
    assert [c.name for c in raw_columns(table)] == list(spec["columns"])
    assert scalar(raw, f"select count(*) from raw.{table}") == spec["rows"]


def test_events_by_type_and_sessions_by_type(raw, facts):
    rows = raw.execute(
        "select event_type, count(*), count(distinct session_id) from raw.events group by 1"
    ).fetchall()
    assert {t: n for t, n, _ in rows} == facts["events"]["by_type"]
    assert {t: s for t, _, s in rows} == facts["events"]["sessions_by_type"]
    lo, hi = raw.execute("select min(created_at), max(created_at) from raw.events").fetchone()
    assert [lo, hi] == [ts(t) for t in facts["events"]["created_at_range"]]


def test_hour_buckets(raw, facts):
    hours, total = raw.execute(
        "select count(*), sum(n) from (select date_trunc('hour', created_at) h, "
        "count(distinct session_id) n from raw.events group by 1)"
    ).fetchone()
    assert hours == facts["events"]["hour_buckets_with_sessions"]
    assert total == facts["events"]["sum_of_distinct_sessions_per_hour"]
    span = scalar(
        raw, "select datediff('hour', min(created_at), max(created_at)) + 1 from raw.events"
    )
    assert span == hours  # every hour in the range has a session


def test_funnel_week(raw, facts):
    f = facts["funnel_week_2021_02_08"]
    week = scalar(raw, "select distinct date_trunc('week', created_at)::date from raw.events")
    assert str(week) == "2021-02-08"
    row = raw.execute("""
        with s as (
            select session_id,
                   max((event_type = 'page_view')::int) pv,
                   max((event_type = 'add_to_cart')::int) ac,
                   max((event_type = 'checkout')::int) co,
                   max((event_type = 'package_shipped')::int) ps
            from raw.events group by 1)
        select count(*), sum(pv), sum(ac), sum(co), sum(ps) from s""").fetchone()
    assert row == (
        f["sessions"],
        f["page_view_sessions"],
        f["add_to_cart_sessions"],
        f["checkout_sessions"],
        f["package_shipped_sessions"],
    )
    assert round(row[2] / row[1], 6) == f["add_to_cart_rate"]
    assert round(row[3] / row[2], 6) == f["cart_to_checkout_rate"]
    assert round(row[3] / row[0], 6) == f["overall_conversion_rate"]
    assert round(1 - row[2] / row[1], 10) == f["add_to_cart_dropoff"]
    assert round(1 - row[3] / row[2], 10) == f["checkout_dropoff"]


def test_orders(raw, facts):
    o = facts["orders"]
    assert scalar(raw, "select count(*) from raw.orders") == o["count"]
    lo, hi = raw.execute("select min(created_at), max(created_at) from raw.orders").fetchone()
    assert [lo, hi] == [ts(t) for t in o["created_at_range"]]
    hours = scalar(raw, "select count(distinct date_trunc('hour', created_at)) from raw.orders")
    assert hours == 48
    assert round(o["count"] / hours, 6) == o["avg_orders_per_hour"]
    by_status = dict(raw.execute("select status, count(*) from raw.orders group by 1").fetchall())
    assert by_status == o["by_status"]
    by_service = dict(
        raw.execute("select shipping_service, count(*) from raw.orders group by 1").fetchall()
    )
    assert by_service == o["by_shipping_service"]
    assert (
        scalar(
            raw,
            "select count(*) from raw.orders where (shipping_service is null) "
            "<> (status = 'preparing')",
        )
        == 0
    )
    hours = scalar(
        raw,
        "select avg(datediff('second', created_at, delivered_at) / 3600) "
        "from raw.orders where status = 'delivered'",
    )
    assert round(hours, 6) == o["avg_delivery_hours"]
    days = raw.execute(
        "select distinct datediff('second', created_at, delivered_at) / 86400.0 "
        "from raw.orders where delivered_at is not null"
    ).fetchall()
    assert {d for (d,) in days} <= set(range(1, 8))
    assert (
        scalar(
            raw,
            "select count(*) from raw.orders where (delivered_at is null) "
            "<> (status <> 'delivered')",
        )
        == 0
    )


def test_order_lines_and_quantities(raw, facts):
    o = facts["orders"]
    assert scalar(raw, "select count(*) from raw.order_items") == o["order_lines"]
    lines = dict(
        raw.execute(
            "select n, count(*) from (select order_id, count(*) n "
            "from raw.order_items group by 1) group by 1"
        ).fetchall()
    )
    assert lines == {int(k): v for k, v in o["lines_per_order"].items()}
    q = raw.execute("select min(quantity), max(quantity) from raw.order_items").fetchone()
    assert list(q) == o["quantity_range"]


def test_money_rules(raw, facts):
    o = facts["orders"]
    broken_cost = scalar(
        raw,
        """
        select count(*) from raw.orders o join (
            select i.order_id, sum(p.price * i.quantity) cost from raw.order_items i
            join raw.products p using (product_id) group by 1) c using (order_id)
        where round(c.cost, 2) <> round(o.order_cost, 2)""",
    )
    assert broken_cost == 0
    broken_total = scalar(
        raw,
        """
        select count(*) from raw.orders o left join raw.promos p using (promo_id)
        where round(o.order_cost + o.shipping_cost - coalesce(p.discount, 0), 2)
              <> round(o.order_total, 2)""",
    )
    assert broken_total == 0
    lo, hi = raw.execute("select min(shipping_cost), max(shipping_cost) from raw.orders").fetchone()
    assert [lo, hi] == o["shipping_cost_range"]
    assert (
        scalar(raw, "select count(*) from raw.orders where promo_id is not null")
        == o["orders_with_promo"]
    )
    nulls = dict(
        raw.execute(
            "select status, count(*) from raw.orders where estimated_delivery_at is null group by 1"
        ).fetchall()
    )
    assert nulls == o["null_estimated_delivery_at"]
    assert scalar(raw, "select count(*) from raw.orders where order_total <= 0") == 0


def test_users(raw, facts):
    u = facts["users"]
    assert scalar(raw, "select count(*) from raw.users") == u["count"]
    assert scalar(raw, "select count(distinct user_id) from raw.orders") == u["users_with_orders"]
    idle = scalar(
        raw,
        "select count(*) from raw.users u where not exists (select 1 from "
        "raw.orders o where o.user_id = u.user_id) and not exists (select 1 from "
        "raw.events e where e.user_id = u.user_id)",
    )
    assert idle == u["users_with_no_orders_and_no_events"]
    per_user = dict(
        raw.execute(
            "select n, count(*) from (select user_id, count(*) n "
            "from raw.orders group by 1) group by 1"
        ).fetchall()
    )
    assert per_user == {int(k): v for k, v in u["orders_per_user"].items()}
    buckets = raw.execute("""select count(*) filter (where n = 1), count(*) filter (where n = 2),
        count(*) filter (where n >= 3), count(*) filter (where n >= 2) / count(*)
        from (select user_id, count(*) n from raw.orders group by 1)""").fetchone()
    assert list(buckets[:3]) == u["users_with_1_2_3plus_orders"]
    assert round(buckets[3], 6) == u["repeat_rate"]
    lo, hi = raw.execute(
        "select min(created_at)::date, max(created_at)::date from raw.users"
    ).fetchone()
    assert [str(lo), str(hi)] == u["created_at_range"]
    homes, most = raw.execute(
        "select count(distinct address_id), (select max(n) from (select "
        "count(*) n from raw.users group by address_id)) "
        "from raw.users"
    ).fetchone()
    assert homes == u["distinct_home_addresses"]
    assert most == 4


def test_promos(raw, facts):
    rows = raw.execute("""select p.promo_id, p.discount, p.status, count(o.order_id)
        from raw.promos p left join raw.orders o using (promo_id) group by all""").fetchall()
    expected = {(p["promo_id"], p["discount"], p["status"], p["orders"]) for p in facts["promos"]}
    assert set(rows) == expected


def test_addresses(raw, facts):
    a = facts["addresses"]
    assert scalar(raw, "select count(*) from raw.addresses where country <> ?", [a["country"]]) == 0
    assert scalar(raw, "select count(distinct state) from raw.addresses") == a["distinct_states"]
    short = raw.execute("select zipcode, state from raw.addresses where zipcode < 10000").fetchall()
    assert len(short) == 6
    assert {s for _, s in short} == {
        "Massachusetts",
        "Connecticut",
        "Rhode Island",
        "New Hampshire",
        "Vermont",
        "Maine",
    }
    assert 2203 in {z for z, _ in short}


def test_products(raw, facts):
    measured = {
        r[0]: r[1:]
        for r in raw.execute("""
        with views as (
            select product_id, count(distinct session_id) pv_sessions, count(*) pv_events
            from raw.events where event_type = 'page_view' group by 1),
        adds as (
            select product_id, count(distinct session_id) ac_sessions
            from raw.events where event_type = 'add_to_cart' group by 1),
        purchases as (
            select i.product_id, count(distinct e.session_id) sessions, sum(i.quantity) units
            from raw.events e join raw.order_items i using (order_id)
            where e.event_type = 'checkout' group by 1)
        select p.product_id, p.name, p.price, p.inventory, v.pv_sessions, v.pv_events,
               a.ac_sessions, pu.sessions, pu.units
        from raw.products p join views v using (product_id) join adds a using (product_id)
        join purchases pu using (product_id)""").fetchall()
    }
    assert len(measured) == 30
    for p in facts["products"]:
        assert measured[p["product_id"]] == (
            p["name"],
            p["price"],
            p["base_inventory"],
            p["page_view_sessions"],
            p["page_view_events"],
            p["add_to_cart_sessions"],
            p["purchase_sessions"],
            p["units_sold"],
        ), p["name"]
    rates = [measured[p["product_id"]][6] / measured[p["product_id"]][3] for p in facts["products"]]
    assert round(min(rates), 4) == 0.3443 and round(max(rates), 4) == 0.6094


def test_structure_urls_and_ids(raw):
    assert (
        scalar(
            raw,
            """select count(*) from raw.events where not (
        (event_type in ('page_view', 'add_to_cart') and order_id is null
            and page_url = 'https://greenary.com/product/' || product_id)
        or (event_type = 'checkout' and product_id is null
            and page_url = 'https://greenary.com/checkout/' || order_id)
        or (event_type = 'package_shipped' and product_id is null
            and page_url = 'https://greenary.com/shipping/' || order_id))""",
        )
        == 0
    )
    assert (
        scalar(
            raw,
            "select count(*) from raw.events where user_id is null "
            "or session_id is null or created_at is null",
        )
        == 0
    )
    assert (
        scalar(
            raw,
            "select count(*) from (select session_id from raw.events group by 1 "
            "having count(distinct user_id) > 1)",
        )
        == 0
    )


def test_structure_timings(raw):
    shipped = raw.execute("""
        select min(datediff('second', o.created_at, s.created_at)),
               max(datediff('second', o.created_at, s.created_at)),
               count(*) filter (where s.session_id <> c.session_id)
        from raw.events s join raw.orders o using (order_id)
        join raw.events c on c.order_id = s.order_id and c.event_type = 'checkout'
        where s.event_type = 'package_shipped'""").fetchone()
    assert shipped[0] >= 2 * 3600 and shipped[1] <= 9 * 3600 and shipped[2] == 0
    lead = raw.execute("""select min(datediff('second', e.created_at, o.created_at)),
        max(datediff('second', e.created_at, o.created_at))
        from raw.events e join raw.orders o using (order_id)
        where e.event_type = 'checkout'""").fetchone()
    assert lead[0] >= 1 and lead[1] <= 5


def test_structure_repeated_views_and_purchases_in_cart(raw):
    pairs = scalar(
        raw,
        "select count(*) from (select distinct session_id, product_id "
        "from raw.events where event_type = 'page_view')",
    )
    assert pairs == 1845
    missing = scalar(
        raw,
        """
        select count(*) from raw.events c join raw.order_items i using (order_id)
        where c.event_type = 'checkout' and (
            not exists (select 1 from raw.events v where v.session_id = c.session_id
                        and v.event_type = 'page_view' and v.product_id = i.product_id)
            or not exists (select 1 from raw.events a where a.session_id = c.session_id
                           and a.event_type = 'add_to_cart' and a.product_id = i.product_id))""",
    )
    assert missing == 0


def test_structure_bot_user(raw):
    bot = raw.execute("""select user_id, count(distinct session_id) from raw.events
        group by 1 order by 2 desc limit 2""").fetchall()
    assert bot[0][1] == 219 and bot[1][1] < 10
    user = bot[0][0]
    converting = scalar(
        raw,
        "select count(distinct session_id) from raw.events where user_id = ? "
        "and event_type = 'checkout'",
        [user],
    )
    assert converting == 2
    window = raw.execute(
        """select min(created_at), max(created_at), count(distinct session_id)
        from raw.events e where user_id = ? and not exists (select 1 from raw.events c
            where c.session_id = e.session_id and c.event_type = 'checkout')""",
        [user],
    ).fetchone()
    assert window[2] == 217
    assert window[0] >= datetime(2021, 2, 11, 14, 20) and window[1] < datetime(2021, 2, 11, 14, 25)
    others = scalar(
        raw,
        """select count(*) from (select user_id from raw.events where user_id <> ?
        group by 1 having count(distinct session_id) <> count(distinct order_id))""",
        [user],
    )
    assert others == 0


def test_structure_addresses_and_updates(raw):
    away = scalar(
        raw,
        "select count(*) from raw.orders o join raw.users u using (user_id) "
        "where o.address_id <> u.address_id",
    )
    assert away == 359
    late = scalar(
        raw,
        "select count(*) from raw.users where updated_at > "
        "(select max(created_at) from raw.events)",
    )
    assert late > 0
    assert (
        scalar(
            raw,
            "select count(*) from raw.order_items i where not exists "
            "(select 1 from raw.orders o where o.order_id = i.order_id)",
        )
        == 0
    )


def test_weekly_history_orders_start_preparing(raw, facts):
    named = [o for week in facts["weekly_history"]["orders_shipped"].values() for o in week]
    statuses = raw.execute(
        "select distinct status from raw.orders where order_id in ("
        + ",".join("?" * len(named))
        + ")",
        named,
    ).fetchall()
    assert statuses == [("preparing",)]
