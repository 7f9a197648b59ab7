"""dbt semantics the project relies on: environment-free configs for slim CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from greenery.dbt import Dbt

PROJECT = Path(__file__).resolve().parents[1]
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


@pytest.mark.parametrize("target", ["dev", "emulated"])
@pytest.mark.parametrize("ci", list(CI_ENVIRONMENTS))
def test_environment_does_not_make_models_modified(tmp_path, target, ci):
    """Production and CI may run on different Snowflake warehouses and grant different roles:
    with no code change, slim CI must select nothing (the warehouse is chosen when the model
    runs, not at parse time). Before the hooks, 24 nodes were listed here: the three heavy
    models and their tests."""
    state = tmp_path / "production"
    parsed = project_at(state, PRODUCTION, target).invoke(
        ["parse", "--no-partial-parse", "--log-level", "none"]
    )
    assert parsed.success, parsed.exception
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
