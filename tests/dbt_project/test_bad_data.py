"""Broken input fails the build on the right test, stores the failing rows, and leaves marts be."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from dbt_helpers import MARTS
from greenery.dbt.runner import Dbt
from greenery.jobs import build as greenery_build
from greenery.jobs.options import DbtOptions
from greenery.warehouse import database

MARTS_TABLES = (
    "fct_orders",
    "f_weekly_sales_funnel",
    "f_weekly_product_sales_funnel",
    "f_weekly_product_sales_funnel_v2",
    "fct_order_items",
    "dim_products",
    "user_order_facts",
)

#: Each case: the corruption, the one test it must fail, the models that test must skip. The
#: build selects the corrupted source and everything that reads it, as a load of that table
#: would change.
CASES = {
    "duplicate_event_id": (
        "insert into raw.events select * from raw.events order by event_id limit 1",
        "source_unique_greenery_events_event_id",
        {
            "stg_greenery__events",
            "fct_page_views",
            "fct_sessions",
            "f_weekly_sales_funnel",
            "f_weekly_product_sales_funnel.v1",
            "f_weekly_product_sales_funnel.v2",
        },
    ),
    "order_item_for_unknown_order": (
        "insert into raw.order_items select 'no-such-order', product_id, 1 "
        "from raw.products order by product_id limit 1",
        "relationships_stg_greenery__order_items_order_id",
        {
            "int_order_items_enriched",
            "fct_orders",
            "fct_order_items",
            "dim_products",
            "f_weekly_product_sales_funnel.v1",
            "f_weekly_product_sales_funnel.v2",
            "user_order_facts",
        },
    ),
    "order_total_breaks_money_rule": (
        "update raw.orders set order_total = order_total + 5 where order_id = "
        "(select min(order_id) from raw.orders)",
        "order_total_follows_money_rule",
        {"fct_orders", "user_order_facts"},
    ),
}


def digest(path: Path) -> dict[str, str]:
    with database.connect(path) as con:
        return {
            t: hashlib.sha256(
                repr(con.execute(f"select * from {MARTS}.{t} order by all").fetchall()).encode()
            ).hexdigest()
            for t in MARTS_TABLES
        }


@pytest.mark.parametrize("case", list(CASES))
def test_broken_input_fails_the_right_test(case, built, slot):
    corrupt, failing_test, skipped_models = CASES[case]
    path = slot(built)
    before = digest(path)
    with database.connect(path) as con:
        con.execute(corrupt)

    table = corrupt.split("raw.")[1].split()[0]
    select = (f"source:greenery.{table}+",)
    summary = greenery_build.run(Dbt(duckdb_path=path), DbtOptions(select=select))
    status = {n.unique_id: n.status for n in summary.nodes}

    assert summary.exit_code != 0
    failed = {uid for uid, s in status.items() if s in ("fail", "error")}
    assert len(failed) == 1, failed
    (failed_id,) = failed
    assert failed_id.startswith(f"test.greenery.{failing_test}")
    for model in skipped_models:
        assert status[f"model.greenery.{model}"] == "skipped", model
    # nothing was published: the marts analysts read are as they were
    assert digest(path) == before
    # the failing build is kept, with the failing rows, for inspection
    results = json.loads((Dbt().artifacts / "run_results.json").read_text())
    relation = next(r["relation_name"] for r in results["results"] if r["unique_id"] == failed_id)
    with database.connect(Path(summary.failed_copy)) as con:
        stored = con.execute(f"select count(*) from {relation}").fetchone()[0]
    assert stored >= 1
