"""The marts, built by the main job on the sample warehouse, equal the published facts."""

from __future__ import annotations

import pytest
from dbt_helpers import MARTS, PROJECT, scalar
from greenery.warehouse import database


def rows_of(con, sql: str) -> list[dict]:
    """The rows of a query as dicts by column name."""
    rows = con.execute(sql).fetchall()
    columns = [d[0] for d in con.description]
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_weekly_funnel_row(built, facts):
    f = facts["funnel_week_2021_02_08"]
    with database.connect(built) as con:
        rows = rows_of(con, f"select * from {MARTS}.f_weekly_sales_funnel")
    assert len(rows) == 1
    week = rows[0]
    assert str(week["wk"]) == "2021-02-08"
    for step in ("", "page_view_", "add_to_cart_", "checkout_", "package_shipped_"):
        assert week[f"n_{step}sessions"] == f[f"{step}sessions"], step
    assert round(week["add_to_cart_rate"], 6) == f["add_to_cart_rate"]
    assert round(week["cart_to_checkout_rate"], 6) == f["cart_to_checkout_rate"]
    assert round(week["overall_conversion_rate"], 6) == f["overall_conversion_rate"]
    assert round(week["add_to_cart_dropoff"], 7) == round(f["add_to_cart_dropoff"], 7) == 0.1920415
    assert round(week["checkout_dropoff"], 7) == round(f["checkout_dropoff"], 7) == 0.2269807
    assert week["checkout_to_shipped_rate"] == pytest.approx(335 / 361)
    assert week["package_shipped_dropoff"] == pytest.approx(1 - 335 / 361)


# ------------------------------------------------------------------------- suspected bots
def test_the_bot_rule_flags_exactly_the_one_bot_user(built):
    with database.connect(built) as con:
        flagged_users = con.execute(
            f"select user_id from {MARTS}.dim_users where is_suspected_bot"
        ).fetchall()
        # the facts' bot: the one user with 219 sessions, 217 of them in five minutes
        (busiest,) = con.execute(
            "select user_id from raw.events group by user_id "
            "order by count(distinct session_id) desc limit 1"
        ).fetchone()
        flagged = rows_of(
            con,
            f"""select count(*) as sessions, count(distinct user_id) as users,
                max(session_started_at) - min(session_started_at) as span,
                count(*) filter (where has_checkout) as converted
            from {MARTS}.fct_funnel_sessions where is_suspected_bot""",
        )[0]
        busiest_sessions = scalar(
            con,
            f"select count(*) from {MARTS}.fct_funnel_sessions where user_id = ?",
            [busiest],
        )
    assert flagged_users == [(busiest,)]
    assert busiest_sessions == 219
    assert flagged["sessions"] == 217 and flagged["users"] == 1 and flagged["converted"] == 0
    assert flagged["span"].total_seconds() <= 5 * 60


def test_the_human_only_funnel_of_the_published_week(built):
    """Without the bot, every session of the published week carted and checked out: the
    published drop-offs (19.2 %, 22.7 %) are the bot's, not the shoppers'."""
    with database.connect(built) as con:
        week = rows_of(con, f"select * from {MARTS}.f_weekly_sales_funnel")[0]
    human = {
        step: week[f"n_human_{step}sessions"]
        for step in ("", "page_view_", "add_to_cart_", "checkout_", "package_shipped_")
    }
    assert human == {
        "": 361,
        "page_view_": 361,
        "add_to_cart_": 361,
        "checkout_": 361,
        "package_shipped_": 335,
    }
    assert week["n_suspected_bot_sessions"] == 217
    assert week["n_human_sessions"] + week["n_suspected_bot_sessions"] == week["n_sessions"]
    assert week["suspected_bot_session_share"] == pytest.approx(217 / 578)
    assert week["human_add_to_cart_rate"] == week["human_cart_to_checkout_rate"] == 1.0
    assert week["human_overall_conversion_rate"] == 1.0
    assert week["human_add_to_cart_dropoff"] == week["human_checkout_dropoff"] == 0.0
    assert week["human_checkout_to_shipped_rate"] == pytest.approx(335 / 361)


def test_the_product_funnel_without_bots(built, facts):
    """The bot viewed and carted but never bought: without it, purchases are unchanged and
    every product's views and adds shrink to the buyers' own."""
    with database.connect(built) as con:
        rows = rows_of(con, f"select * from {MARTS}.f_weekly_product_sales_funnel")
    purchases = {p["product_id"]: p["purchase_sessions"] for p in facts["products"]}
    for row in rows:
        assert row["n_human_checkout_sessions"] == purchases[row["product_id"]]
        assert row["n_human_page_view_sessions"] <= row["n_page_view_sessions"]
    assert sum(r["n_human_page_view_sessions"] for r in rows) < sum(
        r["n_page_view_sessions"] for r in rows
    )
    # humans bought everything they carted, so their checkout rate is 1 for every product
    assert {r["human_checkout_rate"] for r in rows} == {1.0}


def test_the_funnel_in_long_form_is_ordered_and_named_by_the_seed(built):
    with database.connect(built) as con:
        rows = con.execute(
            f"select step_order, event_type, step_label, n_sessions, n_human_sessions, "
            f"step_conversion_rate from {MARTS}.f_weekly_funnel_steps order by step_order"
        ).fetchall()
    assert [r[:5] for r in rows] == [
        (1, "page_view", "Viewed a product", 578, 361),
        (2, "add_to_cart", "Added to cart", 467, 361),
        (3, "checkout", "Checked out", 361, 361),
        (4, "package_shipped", "Package shipped", 335, 335),
    ]
    assert rows[0][5] is None
    assert [round(r[5], 6) for r in rows[1:]] == [0.807958, 0.773019, round(335 / 361, 6)]


def test_event_types_declared_for_offline_compiles_equal_the_funnel_steps_seed():
    import csv

    import yaml

    root = PROJECT
    with (root / "seeds" / "funnel_steps.csv").open() as f:
        steps = sorted(csv.DictReader(f), key=lambda r: int(r["step_order"]))
    declared = yaml.safe_load((root / "dbt_project.yml").read_text())["vars"]["event_types"]
    assert [s["event_type"] for s in steps] == declared


def test_the_session_columns_follow_the_funnel_steps_order(built):
    with database.connect(built) as con:
        con.execute(f"select * from {MARTS}.fct_sessions limit 0")
        columns = [d[0] for d in con.description]
    counts = [c for c in columns if c.startswith("n_") and c not in ("n_users", "n_events")]
    assert counts == ["n_page_view", "n_add_to_cart", "n_checkout", "n_package_shipped"]


def test_product_funnel_per_product(built, facts):
    with database.connect(built) as con:
        rows = con.execute(f"""select product_id, product_name, n_page_view_sessions,
            n_add_to_cart_sessions, n_checkout_sessions, add_to_cart_rate, checkout_rate,
            conversion_rate, add_to_cart_dropoff, checkout_dropoff
            from {MARTS}.f_weekly_product_sales_funnel""").fetchall()
    measured = {r[0]: r[1:] for r in rows}
    assert len(measured) == 30
    for p in facts["products"]:
        name, pv, ac, co, atc_rate, c_rate, conv, atc_drop, co_drop = measured[p["product_id"]]
        assert (name, pv, ac, co) == (
            p["name"],
            p["page_view_sessions"],
            p["add_to_cart_sessions"],
            p["purchase_sessions"],
        )
        assert atc_rate == pytest.approx(p["add_to_cart_sessions"] / p["page_view_sessions"])
        assert c_rate == pytest.approx(p["purchase_sessions"] / p["add_to_cart_sessions"])
        assert conv == pytest.approx(p["purchase_sessions"] / p["page_view_sessions"])
        assert atc_drop == pytest.approx(1 - atc_rate) and co_drop == pytest.approx(1 - c_rate)
    conversions = sorted(r[7] for r in rows)
    assert round(conversions[0], 4) == 0.3443 and round(conversions[-1], 4) == 0.6094


# ------------------------------------------------------------------ the product funnels' versions
#: Version 2's name for each rate version 1 names differently, with the human_ variants.
V2_NAMES = {
    f"{human}{v2}": f"{human}{v1}"
    for human in ("", "human_")
    for v2, v1 in (
        ("cart_to_checkout_rate", "checkout_rate"),
        ("view_to_checkout_rate", "conversion_rate"),
    )
}


@pytest.mark.parametrize(
    ("mart", "grain"),
    [
        ("f_weekly_product_sales_funnel", "wk, product_id"),
        ("f_daily_product_sales_funnel", "session_date, product_id"),
    ],
)
def test_product_funnel_v2_renames_two_rates_and_changes_nothing_else(built, mart, grain):
    """Version 1 keeps the relation name BI reads; version 2 (`<mart>_v2`) has every row and
    value of it, with checkout_rate and conversion_rate (and their human_ variants) renamed."""
    with database.connect(built) as con:
        # dbt_loaded_at: when each version wrote the row, a moment apart
        v1 = rows_of(con, f"select * exclude (dbt_loaded_at) from {MARTS}.{mart} order by {grain}")
        v2 = rows_of(
            con, f"select * exclude (dbt_loaded_at) from {MARTS}.{mart}_v2 order by {grain}"
        )
    assert len(v1) == len(v2) > 0
    assert set(V2_NAMES) <= set(v2[0]) and not set(V2_NAMES.values()) & set(v2[0])
    assert set(V2_NAMES.values()) <= set(v1[0]) and not set(V2_NAMES) & set(v1[0])
    assert sorted(V2_NAMES.get(c, c) for c in v2[0]) == sorted(v1[0])
    for old, new in zip(v1, v2, strict=True):
        assert {V2_NAMES.get(c, c): value for c, value in new.items()} == old
        assert new["cart_to_checkout_rate"] == old["checkout_rate"]
        assert new["view_to_checkout_rate"] == old["conversion_rate"]
        assert new["human_cart_to_checkout_rate"] == old["human_checkout_rate"]
        assert new["human_view_to_checkout_rate"] == old["human_conversion_rate"]
    # not vacuous: the rates compared are real shares, not all null or all one
    assert any(0 < (r["cart_to_checkout_rate"] or 0) < 1 for r in v2)
    assert any(0 < (r["view_to_checkout_rate"] or 0) < 1 for r in v2)


def test_users_by_order_count_and_repeat_rate(built, facts):
    with database.connect(built) as con:
        buckets = dict(
            con.execute(
                f"select order_count_bucket, count(*) from {MARTS}.user_order_facts group by 1"
            ).fetchall()
        )
        rate = scalar(
            con,
            f"select avg(case when is_repeat_buyer then 1.0 else 0 end) "
            f"from {MARTS}.user_order_facts where n_orders > 0",
        )
    assert [buckets["1"], buckets["2"], buckets["3+"]] == facts["users"][
        "users_with_1_2_3plus_orders"
    ]
    assert buckets["0"] == facts["users"]["users_with_no_orders_and_no_events"]
    assert round(rate, 6) == facts["users"]["repeat_rate"]


def test_orders_delivery_and_orders_per_hour(built, facts):
    with database.connect(built) as con:
        hours = scalar(
            con,
            f"select avg(delivery_hours) from {MARTS}.fct_orders where order_status = 'delivered'",
        )
        per_hour = scalar(
            con,
            f"""select avg(n) from (select date_trunc('hour', created_at),
            count(*) n from {MARTS}.fct_orders group by 1)""",
        )
        promo = dict(con.execute(f"select promo_id, n_orders from {MARTS}.dim_promos").fetchall())
        units = dict(
            con.execute(f"select product_id, units_sold from {MARTS}.dim_products").fetchall()
        )
        zips = scalar(con, f"select count(*) from {MARTS}.dim_addresses where zipcode like '0%'")
    assert round(hours, 6) == facts["orders"]["avg_delivery_hours"]
    assert round(per_hour, 6) == facts["orders"]["avg_orders_per_hour"]
    assert promo == {p["promo_id"]: p["orders"] for p in facts["promos"]}
    assert units == {p["product_id"]: p["units_sold"] for p in facts["products"]}
    assert zips == 6


def test_inventory_history_answers(replayed_and_built, facts):
    answers = facts["weekly_history"]["answers"]
    with database.connect(replayed_and_built) as con:
        changed = con.execute(f"""select product_name from {MARTS}.fct_product_inventory_weekly
            where week_number = 4 and inventory_change != 0 order by 1""").fetchall()
        fluctuation = con.execute(f"""select product_name, sum(abs(inventory_change))
            from {MARTS}.fct_product_inventory_weekly group by 1
            having sum(abs(inventory_change)) > 0 order by 2 desc, 1""").fetchall()
        out = con.execute(f"""select product_name, week_number, previous_inventory,
                lead(inventory) over (partition by product_id order by week_number)
            from {MARTS}.fct_product_inventory_weekly
            qualify is_out_of_stock order by 1""").fetchall()
        weeks = scalar(
            con, f"select count(distinct week_number) from {MARTS}.fct_product_inventory_weekly"
        )
    assert weeks == 4
    assert [n for (n,) in changed] == answers["changed_week_3_to_4"]
    assert dict(fluctuation) == answers["total_absolute_fluctuation"]
    assert {n: f"week {w} ({b} -> 0 -> {a})" for n, w, b, a in out} == answers["out_of_stock"]


def test_orders_shipped_per_week(replayed_and_built, facts):
    with database.connect(replayed_and_built) as con:
        rows = con.execute(f"""select changed_at::date::varchar, list(order_id order by order_id)
            from {MARTS}.fct_order_status_changes
            where previous_status = 'preparing' and status = 'shipped' group by 1 order by 1
            """).fetchall()
    expected = facts["weekly_history"]["orders_shipped"]
    assert [ids for _, ids in rows] == [sorted(v) for v in expected.values()]
    assert [d for d, _ in rows] == ["2021-02-22", "2021-03-01", "2021-03-08"]
