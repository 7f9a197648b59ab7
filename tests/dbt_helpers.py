"""Helpers for tests that run the real dbt project on a scratch DuckDB warehouse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
from greenery.dbt.runner import Dbt
from greenery.jobs import build as greenery_build
from greenery.jobs.options import DbtOptions
from greenery.ops.outcome import NodeResult
from greenery.warehouse import database

MARTS = "dev_marts"
#: The repository: the dbt project and the Python package.
PROJECT = Path(__file__).resolve().parents[1]


def copy_warehouse(source: Path, target: Path) -> Path:
    return database.copy(source, target)


def build(path: Path, *args: str) -> tuple[bool, dict[str, str]]:
    """Run the main job on a warehouse; return success and every node's status."""
    summary = greenery_build.run(Dbt(duckdb_path=path), DbtOptions(extra=list(args)))
    return summary.exit_code == 0, {n.unique_id: n.status for n in summary.nodes}


def published_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every mart and snapshot analysts read, in a stable order."""
    with database.connect(path) as con:
        return rows_of_schemas(con, ("dev_marts", "dev_snapshots"))


def rows_of_schemas(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> dict[str, list]:
    """Every row of every table in the schemas (named in any case), by `schema.table`."""
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where lower(table_schema) in (select unnest(?)) order by all",
        [[schema.lower() for schema in schemas]],
    ).fetchall()
    return {
        f"{schema}.{name}": con.execute(f'from "{schema}"."{name}" order by all').fetchall()
        for schema, name in tables
    }


def statuses(project: Path) -> dict[str, str]:
    results: dict[str, Any] = json.loads(
        (Dbt(project=project).artifacts / "run_results.json").read_text()
    )
    return {r["unique_id"]: r["status"] for r in results["results"]}


PROJECT_FILES = ("dbt_project.yml", "packages.yml", "profiles.yml")
PROJECT_DIRS = (
    "models",
    "macros",
    "seeds",
    "snapshots",
    "analyses",
    "data_tests",
    "offline_packages",
)


def scratch_project(root: Path) -> Path:
    """A copy of the dbt project that a test may change (models, data) without touching ours."""
    import shutil

    project = PROJECT
    root.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(project / name, root / name)
    for name in PROJECT_DIRS:
        shutil.copytree(project / name, root / name)
    return root


def node_result(unique_id: str, status: str, seconds: float = 0.1) -> NodeResult:
    """One node's result as a job records it, for hand-made run summaries."""
    resource_type, *_, name = unique_id.split(".")
    return NodeResult(
        unique_id=unique_id,
        resource_type=resource_type,
        name=name,
        status=status,
        execution_time=seconds,
        rows_affected=None,
        message=None,
        failures=None,
    )


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]
