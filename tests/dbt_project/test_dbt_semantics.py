"""dbt semantics the project relies on: environment-free configs for slim CI, Monday weeks on
Snowflake whatever the session says, event types quoted as literals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from dbt_helpers import PROJECT
from greenery.dbt.runner import Dbt

HEAVY_MODELS = {"fct_page_views", "fct_sessions", "fct_session_products"}

# ---------------------------------------------------------------- slim CI: configs and the env


def project_at(target_path: Path, env: dict[str, str], target: str) -> Dbt:
    """The project with its artifacts in `target_path`; parsing and listing open no connection,
    so the Snowflake-type target `emulated` parses here without an account or an emulator."""
    return Dbt(
        target=target,
        target_path=target_path,
        duckdb_path=target_path.parent / "unused.duckdb",
        extra_env=env,
    )


PRODUCTION = {"SNOWFLAKE_HEAVY_WAREHOUSE": "HEAVY_PROD", "SNOWFLAKE_REPORTING_ROLE": "REPORTER"}
CI_ENVIRONMENTS = {
    "different": {"SNOWFLAKE_HEAVY_WAREHOUSE": "HEAVY_CI", "SNOWFLAKE_REPORTING_ROLE": "CI_READER"},
    "unset-in-ci": {"SNOWFLAKE_HEAVY_WAREHOUSE": "", "SNOWFLAKE_REPORTING_ROLE": ""},
}


@pytest.fixture(scope="module")
def production_state(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Production's manifest on a target, parsed once for every CI environment compared to it."""
    states: dict[str, Path] = {}

    def parsed(target: str) -> Path:
        if target not in states:
            state = tmp_path_factory.mktemp(f"production-{target}")
            result = project_at(state, PRODUCTION, target).invoke(
                ["parse", "--no-partial-parse", "--log-level", "none"]
            )
            assert result.success, result.exception
            states[target] = state
        return states[target]

    return parsed


@pytest.mark.parametrize("target", ["dev", "emulated"])
@pytest.mark.parametrize("ci", list(CI_ENVIRONMENTS))
def test_environment_does_not_make_models_modified(production_state, tmp_path, target, ci):
    """Production and CI may run on different Snowflake warehouses and grant different roles:
    with no code change, slim CI must select nothing (the warehouse is chosen when the model
    runs, not at parse time). Before the hooks, 24 nodes were listed here: the three heavy
    models and their tests."""
    state = production_state(target)
    manifest = json.loads((state / "manifest.json").read_text())
    hooks = {
        node["name"]: [h["sql"] for h in node["config"]["pre-hook"] + node["config"]["post-hook"]]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["pre-hook"]
    }
    # stored unrendered: the warehouse is named only when the model runs
    assert hooks == {
        name: ["{{ use_heavy_warehouse() }}", "{{ use_target_warehouse() }}"]
        for name in HEAVY_MODELS
    }
    ci_project = project_at(tmp_path / "ci", CI_ENVIRONMENTS[ci], target)
    result = ci_project.invoke(
        [
            "ls",
            "--select",
            "state:modified",
            "--state",
            str(state),
            "--output",
            "name",
            "--no-partial-parse",
            "--log-level",
            "none",
        ]
    )
    assert result.success, result.exception
    modified = sorted(result.result)
    assert modified == [], f"{len(modified)} nodes modified: {modified}"


# ---------------------------------------------------------------- weeks and literals, per adapter

#: A timestamp, and the Monday of its ISO week: Sundays close a week, Mondays open one, and the
#: first days of 2021 belong to a week that began in 2020.
WEEKS = {
    "2021-02-07 23:59:59": "2021-02-01",
    "2021-02-08 00:00:00": "2021-02-08",
    "2021-02-10 08:30:00": "2021-02-08",
    "2021-02-14 12:00:00": "2021-02-08",
    "2021-01-03 10:00:00": "2020-12-28",
    "2021-01-04 00:00:01": "2021-01-04",
}
#: Values that a careless literal turns into broken or injected SQL.
AWKWARD = ["it's", "it's'); drop table x; --", "a\\", "x\\' or 1=1 --", "''", "plain"]
PROBE = """
select
{%- for ts in var('timestamps') %}
    {{ week_of("cast('" ~ ts ~ "' as " ~ dbt.type_timestamp() ~ ")") }} as week_{{ loop.index }},
{%- endfor %}
{%- for value in var('awkward') %}
    {{ string_literal(value) }} as literal_{{ loop.index }},
{%- endfor %}
    '{{ use_heavy_warehouse() }}' as heavy_hook,
    '{{ use_target_warehouse() }}' as target_hook
"""


def probe(dbt: Dbt) -> tuple[str, dict[str, object]]:
    """The probe's compiled SQL and its one row, on the dbt target given."""
    variables = json.dumps({"timestamps": list(WEEKS), "awkward": AWKWARD})
    result = dbt.invoke(
        ["show", "--inline", PROBE, "--vars", variables, "--log-level", "none", "--no-write-json"]
    )
    assert result.success, result.exception
    (shown,) = result.result.results
    table = shown.agate_table
    row = {k.lower(): v for k, v in zip(table.column_names, table.rows[0], strict=True)}
    return shown.node.compiled_code, row


def check_probe(row: dict[str, object]) -> None:
    weeks = [str(row[f"week_{i}"])[:10] for i in range(1, len(WEEKS) + 1)]
    assert weeks == list(WEEKS.values())
    assert [row[f"literal_{i}"] for i in range(1, len(AWKWARD) + 1)] == AWKWARD


HEAVY = {"SNOWFLAKE_HEAVY_WAREHOUSE": "HEAVY"}


def test_weeks_literals_and_hooks_on_duckdb(tmp_path):
    dbt = Dbt(duckdb_path=tmp_path / "probe.duckdb", target_path=tmp_path / "t", extra_env=HEAVY)
    compiled, row = probe(dbt)
    check_probe(row)
    assert "date_trunc('week'" in compiled  # the default implementation, as before
    assert (row["heavy_hook"], row["target_hook"]) == ("", "")  # no warehouses on DuckDB


def test_weeks_literals_and_hooks_on_emulated_snowflake(tmp_path):
    """The Snowflake implementations run on the real dbt-snowflake adapter (fakesnow cannot set
    WEEK_START, so what proves independence from it is that date_trunc is not used at all)."""
    from greenery import emulator

    dbt = Dbt(target=emulator.TARGET, target_path=tmp_path / "t", extra_env=HEAVY)
    with emulator.emulated_snowflake(tmp_path / "emulator"):
        compiled, row = probe(dbt)
    check_probe(row)
    assert (row["heavy_hook"], row["target_hook"]) == (
        "use warehouse HEAVY",
        "use warehouse EMULATED",  # the emulated target's own warehouse
    )
    assert "dayofweekiso(" in compiled.lower()
    assert "date_trunc" not in compiled.lower()
    assert "\\'" in compiled  # Snowflake's own escape, from dbt-snowflake's escape_single_quotes


# ---------------------------------------------------------------- event types from the data

INJECTION = "it's'); drop table raw.canary; --"


def test_awkward_event_types_get_columns_of_their_own(built, tmp_path):
    """Event types are discovered in the data and pasted into SQL: a quote must stay inside its
    literal, and two types must never share a column (`PAGE_VIEW` is not `page_view`)."""
    from dbt_helpers import MARTS, build, copy_warehouse
    from greenery.warehouse import database

    path = copy_warehouse(built, tmp_path / "awkward.duckdb")
    with database.connect(path) as con:
        con.execute("create table raw.canary as select 1 as alive")
        (session_id,) = con.execute(
            "select session_id from raw.events where event_type = 'page_view' "
            "order by created_at desc, event_id limit 1"
        ).fetchone()
        for n, event_type in enumerate([INJECTION, "PAGE_VIEW"]):
            con.execute(
                "insert into raw.events select ? as event_id, session_id, user_id, page_url, "
                "created_at, ? as event_type, order_id, product_id from raw.events "
                "where session_id = ? and event_type = 'page_view' "
                "order by created_at desc, event_id limit 1",
                [f"awkward-{n}", event_type, session_id],
            )

    # the incremental session models and the event types they read (found once per run): the
    # staging accepted_values test rightly fails on types nobody declared, and would skip them
    # in a full `dbt build`
    ok, status = build(
        path, "--select", "int_event_types_aggregated", "fct_sessions", "fct_session_products"
    )
    assert ok, {k: v for k, v in status.items() if v not in ("pass", "success")}

    with database.connect(path) as con:
        assert con.execute("select alive from raw.canary").fetchone() == (1,)
        columns = {
            table: [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [MARTS, table],
                ).fetchall()
            ]
            for table in ("fct_sessions", "fct_session_products")
        }
        for table, names in columns.items():
            assert len(names) == len(set(names)), table
            injected = [c for c in names if c.startswith("n_it_s_drop_table_raw_canary__")]
            upper = [c for c in names if c.startswith("n_page_view__")]
            assert len(injected) == 1 and len(upper) == 1, names
            counts = con.execute(
                f'select sum("{injected[0]}"), sum("{upper[0]}"), '
                f'count(*) filter (where "{injected[0]}" = 1) from {MARTS}.{table} '
                "where session_id = ?",
                [session_id],
            ).fetchone()
            assert counts == (1, 1, 1), (table, counts)
        (page_views,) = con.execute(
            f"select n_page_view from {MARTS}.fct_sessions where session_id = ?", [session_id]
        ).fetchone()
        (raw_page_views,) = con.execute(
            "select count(*) from raw.events where session_id = ? and event_type = 'page_view'",
            [session_id],
        ).fetchone()
        assert page_views == raw_page_views


# ---------------------------------------------------------------- plain dbt in a fresh clone


@pytest.mark.slow
def test_plain_dbt_build_in_a_fresh_clone(tmp_path):
    """What an analyst does: clone, install, `dbt build` from the root, with no greenery command
    and no GREENERY_* or DBT_* variable. The committed profiles.yml is found in the current
    directory, the warehouse folder exists, and the profile's dbt-duckdb plugin loads the sample
    into the new warehouse. The hub is unreachable here, so the offline stand-ins play the part
    of `dbt deps`; PYTHONPATH plays `pip install -e .` of the clone."""
    import os
    import shutil
    import subprocess
    import sys

    import duckdb
    from greenery.warehouse import datasets

    head = subprocess.run(
        ["git", "-C", str(PROJECT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-checkout", str(PROJECT), str(clone)], check=True
    )
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", head], check=True)
    assert (clone / "warehouse").is_dir() and not (clone / "warehouse" / "greenery.duckdb").exists()
    for package in (clone / "offline_packages").iterdir():
        if (package / "dbt_project.yml").exists():
            shutil.copytree(package, clone / "dbt_packages" / package.name)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREENERY_", "DBT_"))}
    env["PYTHONPATH"] = str(clone / "orchestrate")
    env["HOME"] = str(tmp_path / "home")  # no ~/.dbt/profiles.yml to fall back on
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "build"], cwd=clone, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "loading the sample dataset" in result.stdout

    with duckdb.connect(str(clone / "warehouse" / "greenery.duckdb"), read_only=True) as con:
        (weeks,) = con.execute("select count(*) from dev_marts.f_weekly_sales_funnel").fetchone()
        assert weeks == datasets.DEFAULT_WEEKS
        (sessions,) = con.execute(
            "select n_sessions from dev_marts.f_weekly_sales_funnel order by wk desc limit 1"
        ).fetchone()
        assert sessions == 578  # the published week
    status = subprocess.run(
        ["git", "-C", str(clone), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert status == "", status  # nothing committed was changed or left untracked


def test_doctor_checks_the_profiles_plugin():
    from greenery.ops import doctor

    checks = {c.name: c for c in doctor.run(PROJECT, "dev")}
    assert checks["dbt-duckdb plugin greenery.warehouse.dbt_plugin"].ok
    (missing,) = doctor.plugin_checks({"plugins": [{"module": "no_such_package.plugin"}]})
    assert not missing.ok and "not importable" in missing.detail
