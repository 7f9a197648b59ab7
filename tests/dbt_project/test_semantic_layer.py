"""The semantic layer: MetricFlow's own CLI validates it and answers from it, and every metric it
serves equals the marts (and so the published facts) on the built sample warehouse."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_helpers import MARTS, PROJECT, copy_warehouse, scratch_project
from metricflow.data_table.mf_table import MetricFlowDataTable
from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
from metricflow.protocols.sql_client import SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow_semantics.model.dbt_manifest_parser import (
    parse_manifest_from_dbt_generated_manifest,
)
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

BIN = Path(sys.executable).parent
HUMANS = "{{ Dimension('session__is_suspected_bot') }} = false"


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def parsed(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of the project parsed against a copy of the built warehouse: MetricFlow's CLI reads
    <project>/target/semantic_manifest.json, so the copy keeps the test's manifest its own."""
    root = tmp_path_factory.mktemp("semantic")
    project = scratch_project(root / "project")
    shutil.copytree(PROJECT / "dbt_packages", project / "dbt_packages")
    path = copy_warehouse(built, root / "warehouse" / "greenery.duckdb")  # same file name: the
    # manifest names tables "greenery"."dev_marts"...
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env |= {
        "GREENERY_DUCKDB_PATH": str(path),
        "DBT_PROFILES_DIR": str(project),
        "DBT_PROJECT_DIR": str(project),
    }
    run([BIN / "dbt", "parse", "--profiles-dir", str(project)], project, env)
    return {"project": project, "warehouse": path, "env": env}


def run(command: list[Any], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])
    return result


class DuckDbClient:
    """MetricFlow's SqlClient protocol over one read-only DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    @property
    def sql_engine_type(self) -> SqlEngine:
        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self) -> DuckDbSqlPlanRenderer:
        return DuckDbSqlPlanRenderer()

    def query(self, stmt: str, sql_bind_parameter_set: Any = None) -> MetricFlowDataTable:
        cursor = self._con.execute(stmt)
        columns = [d[0] for d in cursor.description]
        return MetricFlowDataTable.create_from_rows(column_names=columns, rows=cursor.fetchall())

    def execute(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        self._con.execute(stmt)

    def dry_run(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        self._con.execute("explain " + stmt)

    def close(self) -> None:
        self._con.close()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"


@pytest.fixture(scope="module")
def engine(parsed):
    manifest_json = (parsed["project"] / "target" / "semantic_manifest.json").read_text()
    manifest = parse_manifest_from_dbt_generated_manifest(manifest_json)
    con = duckdb.connect(str(parsed["warehouse"]), read_only=True)
    yield (
        MetricFlowEngine(
            semantic_manifest_lookup=SemanticManifestLookup(manifest),
            sql_client=DuckDbClient(con),
        ),
        con,
        manifest,
    )
    con.close()


@pytest.fixture(scope="module")
def history_engine(engine, quarter_built, tmp_path_factory):
    """The same semantic layer over a quarter with its snapshot history (inventory by week,
    orders changing status), where every metric has rows."""
    _, _, manifest = engine
    path = copy_warehouse(quarter_built, tmp_path_factory.mktemp("quarter") / "greenery.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield (
        MetricFlowEngine(
            semantic_manifest_lookup=SemanticManifestLookup(manifest),
            sql_client=DuckDbClient(con),
        ),
        con,
        manifest,
    )
    con.close()


def mf_rows(engine, **request: Any) -> list[dict[str, Any]]:
    mf, _, _ = engine
    table = mf.query(MetricFlowQueryRequest.create(**request)).result_df
    return [dict(zip(table.column_names, row, strict=True)) for row in table.rows]


def mart_rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b == pytest.approx(a, abs=1e-9))


# ------------------------------------------------------------------- MetricFlow's own CLI
@pytest.mark.slow
def test_mf_validate_configs_passes_against_the_warehouse(parsed):
    result = run([BIN / "mf", "validate-configs"], parsed["project"], parsed["env"])
    assert "Successfully validated metrics against data warehouse" in result.stdout + result.stderr
    assert "ERRORS: 0" in result.stdout + result.stderr


@pytest.mark.slow
def test_mf_query_answers_the_weekly_funnel_as_the_mart_does(parsed, facts, tmp_path):
    out = tmp_path / "funnel.csv"
    run(
        [
            BIN / "mf",
            "query",
            "--saved-query",
            "weekly_funnel",
            "--csv",
            out,
            "--quiet",
        ],
        parsed["project"],
        parsed["env"],
    )
    with out.open() as f:
        rows = {r["session__is_suspected_bot"]: r for r in csv.DictReader(f)}
    humans, bots = rows["False"], rows["True"]
    week = facts["funnel_week_2021_02_08"]
    assert int(humans["sessions"]) + int(bots["sessions"]) == week["sessions"]
    assert int(humans["checkout_sessions"]) + int(bots["checkout_sessions"]) == 361
    with duckdb.connect(str(parsed["warehouse"]), read_only=True) as con:
        mart = mart_rows(con, f"select * from {MARTS}.f_weekly_sales_funnel")[0]
    assert int(humans["sessions"]) == mart["n_human_sessions"]
    assert int(bots["sessions"]) == mart["n_suspected_bot_sessions"]
    assert float(humans["add_to_cart_dropoff"]) == pytest.approx(mart["human_add_to_cart_dropoff"])
    assert float(humans["checkout_dropoff"]) == pytest.approx(mart["human_checkout_dropoff"])


# ------------------------------------------------------------ the answers equal the marts
FUNNEL = [
    ("sessions", "n_sessions"),
    ("page_view_sessions", "n_page_view_sessions"),
    ("add_to_cart_sessions", "n_add_to_cart_sessions"),
    ("checkout_sessions", "n_checkout_sessions"),
    ("package_shipped_sessions", "n_package_shipped_sessions"),
    ("add_to_cart_rate", "add_to_cart_rate"),
    ("cart_to_checkout_rate", "cart_to_checkout_rate"),
    ("checkout_to_shipped_rate", "checkout_to_shipped_rate"),
    ("overall_conversion_rate", "overall_conversion_rate"),
    ("add_to_cart_dropoff", "add_to_cart_dropoff"),
    ("checkout_dropoff", "checkout_dropoff"),
    ("package_shipped_dropoff", "package_shipped_dropoff"),
    ("suspected_bot_sessions", "n_suspected_bot_sessions"),
    ("suspected_bot_session_share", "suspected_bot_session_share"),
]


GRAINS = [("week", "f_weekly_sales_funnel", "wk"), ("day", "f_daily_sales_funnel", "session_date")]


@pytest.mark.parametrize("grain,mart,key", GRAINS)
def test_funnel_metrics_by_time_equal_the_funnel_marts(engine, grain, mart, key):
    _, con, _ = engine
    metrics = [m for m, _ in FUNNEL]
    served = mf_rows(engine, metric_names=metrics, group_by_names=[f"metric_time__{grain}"])
    marts = {r[key]: r for r in mart_rows(con, f"select * from {MARTS}.{mart}")}
    assert len(served) == len(marts) >= 1
    for row in served:
        expected = marts[row[f"metric_time__{grain}"].date()]
        for metric, column in FUNNEL:
            assert close(expected[column], row[metric]), (row, metric)


def test_the_human_only_funnel_equals_the_marts_human_columns(engine):
    _, con, _ = engine
    metrics = [m for m, _ in FUNNEL if "bot" not in m]
    served = mf_rows(
        engine,
        metric_names=metrics,
        group_by_names=["metric_time__week"],
        where_constraints=[HUMANS],
    )
    marts = {r["wk"]: r for r in mart_rows(con, f"select * from {MARTS}.f_weekly_sales_funnel")}
    for row in served:
        expected = marts[row["metric_time__week"].date()]
        for metric, column in FUNNEL:
            if "bot" in metric:
                continue
            human = f"n_human_{column[2:]}" if column.startswith("n_") else f"human_{column}"
            assert close(expected[human], row[metric]), (metric, human)


def test_funnel_by_state_and_region_equals_the_state_mart(engine):
    _, con, _ = engine
    served = mf_rows(
        engine,
        metric_names=["sessions", "checkout_sessions", "overall_conversion_rate"],
        group_by_names=["metric_time__day", "user__state", "user__region"],
    )
    marts = {
        (r["session_date"], r["state"]): r
        for r in mart_rows(con, f"select * from {MARTS}.f_daily_state_sales_funnel")
    }
    assert len(served) == len(marts) > 30
    for row in served:
        expected = marts[(row["metric_time__day"].date(), row["user__state"])]
        assert row["user__region"] == expected["region"]
        assert row["sessions"] == expected["n_sessions"]
        assert row["checkout_sessions"] == expected["n_checkout_sessions"]
        assert close(expected["overall_conversion_rate"], row["overall_conversion_rate"])


PRODUCT = [
    ("product_page_view_sessions", "n_page_view_sessions"),
    ("product_add_to_cart_sessions", "n_add_to_cart_sessions"),
    ("product_checkout_sessions", "n_checkout_sessions"),
    ("product_package_shipped_sessions", "n_package_shipped_sessions"),
    ("product_add_to_cart_rate", "add_to_cart_rate"),
    ("product_checkout_rate", "checkout_rate"),
    ("product_conversion_rate", "conversion_rate"),
    ("product_add_to_cart_dropoff", "add_to_cart_dropoff"),
    ("product_checkout_dropoff", "checkout_dropoff"),
]


def test_product_metrics_equal_the_product_funnel_and_the_facts(engine, facts):
    _, con, _ = engine
    served = mf_rows(
        engine,
        metric_names=[m for m, _ in PRODUCT],
        group_by_names=["metric_time__week", "product__product_name"],
    )
    marts = {
        r["product_name"]: r
        for r in mart_rows(con, f"select * from {MARTS}.f_weekly_product_sales_funnel")
    }
    purchases = {p["name"]: p["purchase_sessions"] for p in facts["products"]}
    assert len(served) == len(marts) == 30
    for row in served:
        expected = marts[row["product__product_name"]]
        for metric, column in PRODUCT:
            assert close(expected[column], row[metric]), (row["product__product_name"], metric)
        assert row["product_checkout_sessions"] == purchases[row["product__product_name"]]


def test_orders_revenue_and_repeat_buyers_equal_the_marts_and_the_facts(engine, facts):
    _, con, _ = engine
    (served,) = mf_rows(
        engine,
        metric_names=["orders", "revenue", "average_order_value", "buyers", "repeat_buyers"]
        + ["repeat_buyer_rate"],
    )
    (orders, revenue) = con.execute(
        f"select count(*), sum(order_total) from {MARTS}.fct_orders"
    ).fetchone()
    assert served["orders"] == orders == facts["orders"]["count"]
    assert float(served["revenue"]) == pytest.approx(float(revenue))
    assert float(served["average_order_value"]) == pytest.approx(float(revenue) / orders)
    assert served["buyers"] == facts["users"]["users_with_orders"]
    assert round(served["repeat_buyer_rate"], 6) == facts["users"]["repeat_rate"]


def test_inventory_and_order_status_metrics_equal_the_marts_over_the_history(history_engine):
    _, con, _ = history_engine
    served = mf_rows(
        history_engine,
        metric_names=["inventory_units", "out_of_stock_products", "inventory_units_moved"],
        group_by_names=["metric_time__week"],
    )
    weekly = {
        str(wk): (units, out, moved)
        for wk, units, out, moved in con.execute(
            "select snapshot_week, sum(inventory), count(*) filter (where is_out_of_stock), "
            f"sum(abs(coalesce(inventory_change, 0))) from {MARTS}.fct_product_inventory_weekly "
            "group by 1"
        ).fetchall()
    }
    assert len(served) == len(weekly) >= 13
    for row in served:
        week = str(row["metric_time__week"].date())
        assert (row["inventory_units"], row["out_of_stock_products"],
                row["inventory_units_moved"]) == weekly[week], week  # fmt: skip
    # over the whole history: the latest week's stock, not the sum of every week's
    (latest,) = mf_rows(history_engine, metric_names=["inventory_units"])
    assert latest["inventory_units"] == weekly[max(weekly)][0]
    flow = mf_rows(
        history_engine,
        metric_names=["order_status_changes"],
        group_by_names=["metric_time__week", "order_status_transition__transition"],
    )
    marts = con.execute(
        f"select wk, transition, n_orders from {MARTS}.fct_order_status_transitions_weekly"
    ).fetchall()
    assert sorted(
        (r["metric_time__week"].date(), r["order_status_transition__transition"],
         r["order_status_changes"]) for r in flow
    ) == sorted(marts) and len(marts) > 13  # fmt: skip


def test_every_metric_and_saved_query_resolves(history_engine):
    """dbt parse misses a filter or expression naming something that does not exist; asking
    MetricFlow for each metric and saved query, and running it, does not."""
    mf, _, manifest = history_engine
    requests = [
        MetricFlowQueryRequest.create(metric_names=[m.name], group_by_names=["metric_time__week"])
        for m in manifest.metrics
    ] + [MetricFlowQueryRequest.create(saved_query_name=q.name) for q in manifest.saved_queries]
    assert len(manifest.saved_queries) == 3 and len(manifest.metrics) >= 25
    for request in requests:
        assert mf.query(request).result_df.rows, request


# ------------------------------------------------------------ exports of the saved queries
def test_each_export_equals_mf_query_of_its_saved_query(parsed, tmp_path):
    """The tables a publish writes (warehouse/exports.py) hold what `mf query --saved-query`
    answers, row for row, for every saved query."""
    from greenery.warehouse import exports

    # a copy of its own (the module's engines hold the parsed warehouse open read-only), under
    # the same file name: the manifest names the relations of "greenery"
    warehouse = tmp_path / "exported" / "greenery.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(parsed["warehouse"], warehouse)
    env = parsed["env"] | {"GREENERY_DUCKDB_PATH": str(warehouse)}
    written = exports.write_embedded(warehouse, parsed["project"] / "target")
    assert sorted(written) == ["funnel_by_region", "product_dropoff", "weekly_funnel"]
    for name in written:
        out = tmp_path / f"{name}.csv"
        command = [BIN / "mf", "query", "--saved-query", name, "--csv", out, "--quiet"]
        run(command, parsed["project"], env)
        with out.open() as f:
            answered = [tuple(r.values()) for r in csv.DictReader(f)]
        with duckdb.connect(str(warehouse), read_only=True) as con:
            exported = con.execute(f"select * from {MARTS}.{name}").fetchall()
            columns = [d[0] for d in con.execute(f"select * from {MARTS}.{name}").description]
        assert columns == list(csv.DictReader(out.open()).fieldnames), name
        assert len(exported) == len(answered) > 0, name
        assert sorted(as_text(r) for r in exported) == sorted(as_text(r) for r in answered), name


def as_text(row: tuple) -> tuple:
    """A row as the CSV has it: text, numbers rounded (the CSV writes floats in full)."""

    def value(v: object) -> str:
        if v is None or v == "":
            return ""
        try:
            return f"{float(v):.9g}" if not isinstance(v, bool) else str(v)
        except (TypeError, ValueError):
            return str(v)

    return tuple(value(v) for v in row)
