"""Snowflake without an account: the real dbt-snowflake adapter against fakesnow.

The compatibility layer's rewrites, each proven on the statements dbt-snowflake sends; the CI
pipeline (replay 1-2, build the incremental models, replay 3-4, build) on the emulator with its
marts compared to DuckDB's; and a Snowflake-incompatible expression that the emulated build must
reject.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from dbt_helpers import MARTS, PROJECT, copy_warehouse, rows_of_schemas, scratch_project
from greenery import emulator
from greenery.dbt.runner import Dbt
from greenery.ops.outcome import ExitCode
from greenery.warehouse import database
from job_helpers import COMPARED_MARTS, comment_dim_promos, halve_the_bot_share

# -------------------------------------------------------------------------- the rewrites


def test_temporary_tables_and_views_become_ordinary():
    sql = 'create or replace temporary table "GREENERY"."DEV"."X__dbt_tmp" as (select 1)'
    assert (
        emulator.rewrite(sql)
        == 'create or replace table "GREENERY"."DEV"."X__dbt_tmp" as (select 1)'
    )
    assert (
        emulator.rewrite("create temporary view a.b.c as select 1")
        == "create view a.b.c as select 1"
    )


def test_transient_tables_become_ordinary():
    assert (
        emulator.rewrite("create or replace transient table a.b.c as (select 1)")
        == "create or replace table a.b.c as (select 1)"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "BEGIN",
        "begin;",
        '-- back compat for old kwarg name\n  \n  begin; /* {"app": "dbt"} */',
        'commit\n/* {"node_id": "model.greenery.x"} */;',
        "ROLLBACK",
        "comment on table a.b.c is 'the table'",
        "alter table a.b.c alter column x set comment 'x'",
    ],
)
def test_transactions_and_comments_are_skipped(sql):
    assert emulator.rewrite(sql) == emulator.SKIP_STATEMENT


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "select '--begin' as x",
        "select * from t where note = 'begin'",
        "update t set status = 'commit'",
        "create or replace table a.b.c as (select 1)",
    ],
)
def test_other_statements_pass_unchanged(sql):
    assert emulator.rewrite(sql) == sql


def test_merge_insert_values_are_qualified_with_the_source_alias():
    sql = (
        "merge into t as DBT_INTERNAL_DEST using s as DBT_INTERNAL_SOURCE on (a = b) "
        'when matched then update set "X" = DBT_INTERNAL_SOURCE."X" '
        'when not matched then insert ("ID", "X") values ("ID", "X")'
    )
    assert emulator.rewrite(sql).endswith(
        'insert ("ID", "X") values (DBT_INTERNAL_SOURCE."ID", DBT_INTERNAL_SOURCE."X")'
    )
    plain_insert = 'insert into t ("ID") values (1)'
    assert emulator.rewrite(plain_insert) == plain_insert


def test_query_tag_and_grants_are_emulated_per_connection():
    class Connection:
        pass

    first, second = Connection(), Connection()
    tag = '{"app": "greenery", "node": "model.greenery.dim_users"}'
    assert (
        emulator.session_rewrite(first, f"alter session set query_tag = '{tag}'")
        == emulator.SKIP_STATEMENT
    )
    answer = emulator.session_rewrite(first, "show parameters like 'query_tag' in session")
    assert f"'{tag}' as \"value\"" in answer
    assert "'' as \"value\"" in emulator.session_rewrite(
        second, "show parameters like 'query_tag' in session"
    )
    assert emulator.session_rewrite(first, "show grants on a.b.c") == emulator.NO_GRANTS
    assert (
        emulator.session_rewrite(first, "grant select on table a.b.c to role REPORTER")
        == emulator.SKIP_STATEMENT
    )
    assert emulator.grants_seen[-1] == "grant select on table a.b.c to role REPORTER"


def test_strict_check_rejects_functions_snowflake_lacks():
    from snowflake.connector.errors import ProgrammingError

    assert emulator.unknown_functions("select list_value(1), strftime(a, '%Y') from t") == [
        "list_value",
        "strftime",
    ]
    assert (
        emulator.unknown_functions(
            "select datediff(hour, a, b), date_trunc('week', a), split_part(a, '/', 4), "
            "lpad(a, 5, '0'), to_timestamp_ntz(current_timestamp()) from t"
        )
        == []
    )
    with pytest.raises(ProgrammingError, match="Unknown function REGEXP_MATCHES"):
        emulator.check_functions("select regexp_matches(a, 'x') from t")


def test_layer_is_pinned_to_the_fakesnow_it_was_written_for(monkeypatch):
    assert importlib.metadata.version("fakesnow") == emulator.FAKESNOW_VERSION
    emulator.check_version()
    monkeypatch.setattr(importlib.metadata, "version", lambda _: "0.13.0")
    with pytest.raises(emulator.EmulatorError, match="written for fakesnow 0.12.1, found 0.13.0"):
        emulator.check_version()


def test_every_defect_is_documented():
    readme = (PROJECT / "docs" / "snowflake.md").read_text()
    for defect in emulator.EMULATOR_DEFECTS:
        assert defect.symptom and defect.workaround
        assert f"**{defect.name}**" in readme, defect.name


# -------------------------------------------------------------------------- in-process


def test_grants_and_query_tags_reach_snowflake(built, tmp_path):
    db = tmp_path / "emulator"
    emulator.load_raw(db, copy_warehouse(built, tmp_path / "source.duckdb"))
    emulator.grants_seen.clear()
    emulator.query_tags_seen.clear()
    dbt = Dbt(target=emulator.TARGET, extra_env={"GREENERY_RUN_ID": "run-42"})
    with emulator.emulated_snowflake(db):
        result = dbt.invoke(["run", "--select", "+dim_promos"])
    assert result.success
    assert any(
        "grant select on" in g.lower()
        and "dim_promos" in g.lower()
        and g.lower().split(" to ")[-1].strip(" ;\n") == "reporter"
        for g in emulator.grants_seen
    )
    tags = [json.loads(t) for t in emulator.query_tags_seen]
    assert {
        "app": "greenery",
        "node": "model.greenery.dim_promos",
        "target": "emulated",
        "run_id": "run-42",
    } in tags


# -------------------------------------------------------------------------- end to end


def greenery(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "greenery.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


COMPARED = {
    # dbt_loaded_at: when each engine wrote the row
    "f_weekly_sales_funnel": "select * exclude (dbt_loaded_at) from {s}.f_weekly_sales_funnel",
    "f_weekly_product_sales_funnel": "select * exclude (dbt_loaded_at) "
    "from {s}.f_weekly_product_sales_funnel",
    "fct_product_inventory_weekly": "select week_number, product_id, inventory, "
    "previous_inventory, inventory_change, is_out_of_stock "
    "from {s}.fct_product_inventory_weekly",
    "fct_order_status_changes": "select order_id, changed_at, previous_status, status, "
    "tracking_id, shipping_service from {s}.fct_order_status_changes",
    "user_order_facts": "select user_id, n_orders, lifetime_value, is_repeat_buyer "
    "from {s}.user_order_facts",
    "fct_orders": "select order_id, order_total, promo_discount, delivery_hours, "
    "is_delivered_late from {s}.fct_orders",
}


def normalized(rows: list[tuple]) -> list[tuple]:
    """Rows comparable across engines: decimals and floats rounded, sorted."""

    def value(v: object) -> object:
        if isinstance(v, datetime):  # a week: a timestamp on one engine, a date on the other
            return v.date()
        if isinstance(v, float):
            return round(v, 9)
        if hasattr(v, "as_tuple"):  # Decimal
            return round(float(v), 9)
        return v

    return sorted(tuple(value(v) for v in row) for row in rows)


def published_on_emulator(emulated: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(emulator.database_file(emulated)), read_only=True) as snow:
        return rows_of_schemas(snow, ("DEV_MARTS", "DEV_SNAPSHOTS"))


def test_snowflake_adapter_answers_equal_duckdb(replayed_and_built, sample_path, tmp_path):
    emulated = tmp_path / "emulator"
    env = {
        **os.environ,
        "GREENERY_DUCKDB_PATH": str(copy_warehouse(sample_path, tmp_path / "s.duckdb")),
        "GREENERY_PACKAGES": "offline",
    }
    # the first build makes the incremental models and what they read (their tests run in the
    # last build), which the last one merges into after two more weeks arrive
    incremental = (
        "--select",
        "+config.materialized:incremental",
        "--exclude",
        "resource_type:test",
    )
    steps = [
        ("replay", "--weeks", "1-2"),
        ("build", *incremental),
        ("replay", "--weeks", "3-4"),
        ("build", "--json"),
    ]
    for step in steps:
        result = greenery(env, "--snowflake-emulator", str(emulated), *step)
        assert result.returncode == 0, (step, result.stderr[-3000:])
        if step[0] == "build" and step[1:] == incremental:
            # a selected build publishes the tables it made, and only those
            published = {name.upper() for name in published_on_emulator(emulated)}
            assert "DEV_MARTS.FCT_SESSIONS" in published, sorted(published)
            assert "DEV_MARTS.DIM_PRODUCTS" not in published  # a table it did not select
    summary = json.loads(result.stdout)
    assert summary["target"] == "emulated" and summary["counts"]["fail"] == 0
    assert summary["counts"]["pass"] == summary["counts"]["total"] > 200
    # the headline funnel of a Snowflake build comes through `dbt show`, DuckDB's from the file
    with database.connect(replayed_and_built) as duck:
        latest = duck.execute(f"select wk, n_sessions from {MARTS}.f_weekly_sales_funnel")
        wk, n_sessions = max(latest.fetchall())
    assert (summary["funnel"]["wk"], summary["funnel"]["n_sessions"]) == (str(wk), n_sessions)

    with (
        duckdb.connect(str(emulator.database_file(emulated)), read_only=True) as snow,
        database.connect(replayed_and_built) as duck,
    ):
        for name, sql in COMPARED.items():
            on_snowflake = normalized(snow.execute(sql.format(s="DEV_MARTS")).fetchall())
            on_duckdb = normalized(duck.execute(sql.format(s=MARTS)).fetchall())
            assert on_snowflake == on_duckdb, name
            assert on_snowflake, name

    # the saved queries' exports, published with the marts: what MetricFlow answers on DuckDB
    assert [s["success"] for s in summary["steps"] if s["command"] == "export saved queries"] == [
        True
    ]
    for name, on_snowflake, on_duckdb in exported_on_both(emulated, replayed_and_built, tmp_path):
        assert on_snowflake == on_duckdb and len(on_snowflake) > 1, name

    # CI on Snowflake compares the marts a change builds with production's, as on DuckDB: one
    # change alters a rate, the other nothing
    changes = {c["name"]: c for c in emulated_ci_changes(env, emulated, tmp_path)}
    assert sorted(changes) == COMPARED_MARTS
    with database.connect(replayed_and_built) as duck:
        with_bots = duck.execute(
            f"select count_if(suspected_bot_session_share > 0) from {MARTS}.f_weekly_sales_funnel"
        ).fetchone()[0]
    assert changes["f_weekly_sales_funnel"]["columns_changed"] == {
        "suspected_bot_session_share": with_bots
    }
    assert changes["f_weekly_funnel_steps"]["unchanged"] and changes["dim_promos"]["unchanged"]

    # write-audit-publish holds on Snowflake too: a load that fails a source test is built and
    # tested in the audit schemas only; the published marts and snapshots stay row for row
    before = published_on_emulator(emulated)
    assert len(before) > 10
    with duckdb.connect(str(emulator.database_file(emulated))) as snow:
        snow.execute("insert into RAW.PRODUCTS select * from RAW.PRODUCTS limit 1")
    products = ("-s", "source:greenery.products", "-s", "product_inventory_snapshot")
    failed = greenery(env, "--snowflake-emulator", str(emulated), "build", *products, "--json")
    assert failed.returncode == ExitCode.TESTS_FAILED, failed.stderr[-3000:]
    summary = json.loads(failed.stdout)
    assert [s["command"] for s in summary["steps"]] == ["stage", "build"]
    assert any("source_unique_greenery_products" in n["unique_id"] for n in summary["failed_nodes"])
    assert "__audit schemas" in summary["message"]
    statuses = {n["unique_id"]: n["status"] for n in summary["failed_nodes"]}
    assert statuses and set(statuses.values()) == {"fail"} and summary["counts"]["skip"] >= 1
    assert published_on_emulator(emulated) == before


def emulated_ci_changes(env: dict[str, str], emulated: Path, tmp_path: Path) -> list[dict]:
    """`greenery ci --state` on the emulator (target emulated_ci) of a change that halves one
    rate and one that changes nothing, against the emulated production's manifest."""
    state = tmp_path / "production_state"
    assert Dbt(target=emulator.TARGET, target_path=state).invoke(["parse"]).success
    project = scratch_project(tmp_path / "ci_project")
    halve_the_bot_share(project)
    comment_dim_promos(project)
    # the marts and their compare only: the tests of a CI build are the DuckDB test's to run
    result = greenery(
        {**env, "GREENERY_PROJECT_DIR": str(project)},
        *("--snowflake-emulator", str(emulated), "ci", "--target", "emulated_ci"),
        *("--state", str(state), "--exclude", "resource_type:unit_test"),
        *("--exclude", "resource_type:test", "--json"),
    )
    assert result.returncode == ExitCode.OK, result.stderr[-3000:]
    return json.loads(result.stdout)["changes"]


def exported_on_both(emulated: Path, built: Path, tmp_path: Path):
    """Each export's rows on the emulator, and on a copy of the DuckDB warehouse exported the
    way a DuckDB publish does (its own parse: the manifest names that file's relations)."""
    from greenery.warehouse import exports

    duck = copy_warehouse(built, tmp_path / "duck" / "greenery.duckdb")
    artifacts = tmp_path / "duck_artifacts"
    assert Dbt(duckdb_path=duck, target_path=artifacts).invoke(["parse"]).success
    names = exports.write_embedded(duck, artifacts)
    assert sorted(names) == ["funnel_by_region", "product_dropoff", "weekly_funnel"]
    with (
        duckdb.connect(str(emulator.database_file(emulated)), read_only=True) as snow,
        duckdb.connect(str(duck), read_only=True) as con,
    ):
        for name in names:
            yield (
                name,
                normalized(snow.execute(f"select * from DEV_MARTS.{name}").fetchall()),
                normalized(con.execute(f"select * from {MARTS}.{name}").fetchall()),
            )


def test_snowflake_incompatible_expression_fails_the_emulated_build(built, tmp_path):
    project = scratch_project(tmp_path / "project")
    model = project / "models" / "staging" / "greenery" / "stg_greenery__products.sql"
    model.write_text(
        model.read_text().replace(
            "        product_id,",
            "        product_id,\n        strftime(current_timestamp, '%Y') as loaded_year,",
        )
    )
    env = {
        **os.environ,
        "GREENERY_PROJECT_DIR": str(project),
        "GREENERY_PACKAGES": "offline",
        "GREENERY_DUCKDB_PATH": str(copy_warehouse(built, tmp_path / "w.duckdb")),
    }
    select = ("--select", "stg_greenery__products")

    on_duckdb = greenery(env, "build", *select, "--json")
    on_snowflake = greenery(
        env, "--snowflake-emulator", str(tmp_path / "emu"), "build", *select, "--json"
    )

    assert on_duckdb.returncode == ExitCode.OK, on_duckdb.stderr[-2000:]
    assert on_snowflake.returncode == ExitCode.MODELS_ERRORED
    failed = json.loads(on_snowflake.stdout)["failed_nodes"]
    assert [n["unique_id"] for n in failed] == ["model.greenery.stg_greenery__products"]
    assert "Unknown function STRFTIME" in failed[0]["message"]
