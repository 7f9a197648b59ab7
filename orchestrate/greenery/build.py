"""The main job: make sure the warehouse has data, then snapshot and build the dbt project."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dbt.cli.main import dbtRunnerResult

from greenery import packages, warehouse
from greenery.dbt import Dbt


@dataclass
class BuildResult:
    snapshot: dbtRunnerResult
    build: dbtRunnerResult | None

    @property
    def success(self) -> bool:
        return self.snapshot.success and self.build is not None and self.build.success


def ensure_sample(path: Path, say: Callable[[str], None]) -> None:
    """A fresh clone has no warehouse: create it and load the sample data."""
    if warehouse.has_raw_data(path):
        return
    say(f"no raw tables in {path}: loading the sample dataset (scale 1)")
    counts = warehouse.load_sample(path)
    say("loaded " + ", ".join(f"raw.{t} {n}" for t, n in counts.items()))


def run_build(dbt: Dbt, say: Callable[[str], None], dbt_args: list[str]) -> BuildResult:
    """Snapshots first (they read the raw tables as they are now), then `dbt build`."""
    if dbt.duckdb_path is not None:
        say(f"warehouse: {dbt.duckdb_path}")
        ensure_sample(dbt.duckdb_path, say)
    packages.install(dbt, say)
    snapshot = dbt.invoke(["snapshot", *dbt_args])
    if not snapshot.success:
        return BuildResult(snapshot, None)
    return BuildResult(snapshot, dbt.invoke(["build", *dbt_args]))
