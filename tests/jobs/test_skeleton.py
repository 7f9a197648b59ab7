"""The headline funnel a job prints: read from the embedded warehouse the build just wrote."""

from __future__ import annotations

import json
from pathlib import Path

from greenery.dbt.runner import Dbt
from greenery.jobs import skeleton
from greenery.warehouse import database


def warehouse_with_funnel(tmp_path: Path, weeks: list[tuple[str, int, float]]) -> Dbt:
    """A DuckDB file holding a weekly funnel, and a manifest that names its relation."""
    path = tmp_path / "w.duckdb"
    with database.connect(path) as con:
        con.execute("create schema dev_marts")
        con.execute(
            "create table dev_marts.f_weekly_sales_funnel "
            "(wk date, n_sessions bigint, add_to_cart_rate double)"
        )
        for week in weeks:
            con.execute("insert into dev_marts.f_weekly_sales_funnel values (?, ?, ?)", week)
    target = tmp_path / "target"
    target.mkdir()
    node = {"relation_name": '"w"."dev_marts"."f_weekly_sales_funnel"'}
    manifest = {"nodes": {f"model.greenery.{skeleton.FUNNEL_MART}": node}}
    (target / "manifest.json").write_text(json.dumps(manifest))
    return Dbt(duckdb_path=path, target_path=target)


def test_the_headline_is_the_latest_week_typed_for_json(tmp_path):
    dbt = warehouse_with_funnel(
        tmp_path, [("2021-02-01", 500, 0.5), ("2021-02-08", 578, 0.8), ("2021-01-25", 1, 0.1)]
    )
    assert skeleton.headline_funnel(dbt) == {
        "wk": "2021-02-08",
        "n_sessions": 578,
        "add_to_cart_rate": 0.8,
    }


def test_no_headline_without_the_mart_or_its_rows(tmp_path):
    dbt = warehouse_with_funnel(tmp_path, [])
    assert skeleton.headline_funnel(dbt) is None  # the mart is empty
    with database.connect(dbt.duckdb_path) as con:
        con.execute("drop table dev_marts.f_weekly_sales_funnel")
    assert skeleton.headline_funnel(dbt) is None  # the build did not make it
    (dbt.artifacts / "manifest.json").unlink()
    assert skeleton.headline_funnel(dbt) is None  # nothing was built at all
