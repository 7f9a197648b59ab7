"""Scale N: every entity multiplied, every rate and distribution kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbt_helpers import scalar
from greenery.warehouse import database, datasets

SCALE = 4

PRODUCT_RATES = """
    with views as (select product_id, count(distinct session_id) v from raw.events
                   where event_type = 'page_view' group by 1),
    adds as (select product_id, count(distinct session_id) a from raw.events
             where event_type = 'add_to_cart' group by 1),
    buys as (select i.product_id, count(distinct e.session_id) b from raw.events e
             join raw.order_items i using (order_id) where e.event_type = 'checkout' group by 1)
    select product_id, a / v, b / a, b / v from views join adds using (product_id)
    join buys using (product_id) order by 1
"""


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scaled") / "greenery.duckdb"
    datasets.load_sample(path, scale_factor=SCALE)
    return path


def test_counts_multiply(scaled, raw, facts):
    with database.connect(scaled) as con:
        for table, spec in facts["source_schema"].items():
            factor = 1 if table in ("products", "promos") else SCALE
            assert scalar(con, f"select count(*) from raw.{table}") == spec["rows"] * factor
        sessions = scalar(con, "select count(distinct session_id) from raw.events")
        assert sessions == 578 * SCALE


def test_keys_unique_and_references_hold(scaled):
    with database.connect(scaled) as con:
        for table, key in (
            ("users", "user_id"),
            ("orders", "order_id"),
            ("events", "event_id"),
            ("addresses", "address_id"),
        ):
            assert scalar(con, f"select count(*) - count(distinct {key}) from raw.{table}") == 0
        orphans = scalar(
            con,
            """select count(*) from raw.events e where order_id is not null
            and not exists (select 1 from raw.orders o where o.order_id = e.order_id)""",
        )
        assert orphans == 0
        assert (
            scalar(
                con,
                "select count(*) from raw.events where order_id is not null and "
                "page_url not like '%' || order_id",
            )
            == 0
        )
        assert (
            scalar(
                con,
                "select count(*) from (select session_id from raw.events group by 1 "
                "having count(distinct user_id) > 1)",
            )
            == 0
        )


def test_product_rates_within_one_percent(scaled, raw):
    base = raw.execute(PRODUCT_RATES).fetchall()
    with database.connect(scaled) as con:
        big = con.execute(PRODUCT_RATES).fetchall()
    assert [r[0] for r in big] == [r[0] for r in base]
    for b, s in zip(base, big, strict=True):
        for x, y in zip(b[1:], s[1:], strict=True):
            assert abs(y - x) <= 0.01 * x


def test_distributions_kept(scaled, facts):
    with database.connect(scaled) as con:
        status = dict(con.execute("select status, count(*) from raw.orders group by 1").fetchall())
        assert status == {k: v * SCALE for k, v in facts["orders"]["by_status"].items()}
        per_user = dict(
            con.execute(
                "select n, count(*) from (select user_id, count(*) n "
                "from raw.orders group by 1) group by 1"
            ).fetchall()
        )
        assert per_user == {int(k): v * SCALE for k, v in facts["users"]["orders_per_user"].items()}
        week = con.execute(
            "select distinct date_trunc('week', created_at)::date::varchar from raw.events"
        ).fetchall()
        assert week == [("2021-02-08",)]
