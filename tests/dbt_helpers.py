"""Helpers for tests that run the real dbt project on a scratch DuckDB warehouse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from greenery import packages, warehouse
from greenery.build import run_build
from greenery.dbt import Dbt

MARTS = "dev_marts"


def quiet(_: str) -> None:
    return None


def copy_warehouse(source: Path, target: Path) -> Path:
    return warehouse.copy(source, target)


def build(path: Path, *args: str) -> tuple[bool, dict[str, str]]:
    """Run the main job on a warehouse; return success and every node's status."""
    dbt = Dbt(duckdb_path=path)
    packages.install(dbt, quiet)
    outcome = run_build(dbt, quiet, list(args))
    return outcome.success, statuses(dbt.project)


def statuses(project: Path) -> dict[str, str]:
    results: dict[str, Any] = json.loads((project / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in results["results"]}
