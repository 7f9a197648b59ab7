"""The main job, `greenery build`: make sure the warehouse has data, then `dbt build` it all.

`dbt build` runs snapshots, models, seeds and tests in DAG order, so a failing test skips
everything downstream of it: marts are never rebuilt from data that failed its tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from greenery import clock, packages, runlog, warehouse
from greenery.dbt import ConfigError, Dbt
from greenery.outcome import ExitCode, RunSummary, new_run_id, now_iso, run_step

Say = Callable[[str], None]

FUNNEL_QUERY = "select * from {{ ref('f_weekly_sales_funnel') }} order by wk desc"


@dataclass
class DbtOptions:
    """The dbt options a job passes on: node selection, vars, threads, failure handling."""

    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    vars: str | None = None
    threads: int | None = None
    fail_fast: bool = False
    full_refresh: bool = False
    extra: list[str] = field(default_factory=list)

    def args(self, command: str) -> list[str]:
        args: list[str] = []
        if self.select:
            args += ["--select", *self.select]
        if self.exclude:
            args += ["--exclude", *self.exclude]
        if self.vars:
            args += ["--vars", self.vars]
        if self.threads:
            args += ["--threads", str(self.threads)]
        if self.fail_fast and command in ("build", "run", "test", "snapshot", "retry"):
            args.append("--fail-fast")
        if self.full_refresh and command in ("build", "run"):
            args.append("--full-refresh")
        return args + self.extra


def ensure_sample(path: Path, say: Say) -> None:
    """A fresh clone has no warehouse: create it and load the sample data."""
    if warehouse.has_raw_data(path):
        return
    say(
        f"no raw tables in {path}: loading the sample dataset "
        f"({warehouse.DEFAULT_WEEKS} weeks, scale 1)"
    )
    counts = warehouse.load_sample(path, n_weeks=warehouse.DEFAULT_WEEKS)
    say("loaded " + ", ".join(f"raw.{t} {n}" for t, n in counts.items()))


def prepare(dbt: Dbt, say: Say) -> None:
    """Warehouse and packages: everything a dbt command needs before it can run."""
    if dbt.duckdb_path is not None:
        say(f"warehouse: {dbt.duckdb_path}")
        ensure_sample(dbt.duckdb_path, say)
    packages.install(dbt, say)


def with_data_clock(dbt: Dbt, options: DbtOptions, say: Say) -> DbtOptions:
    """Snapshots of an embedded warehouse record its data clock, not the wall clock.

    The clock (`clock.py`) is the simulated day the raw data has reached; passing it as the var
    `snapshot_at` makes a night's snapshot rows valid from that day. Vars given by the caller
    win. Other warehouses (Snowflake) have no clock and snapshot on their own clock.
    """
    if dbt.duckdb_path is None or not dbt.duckdb_path.exists():
        return options
    with warehouse.connect(dbt.duckdb_path) as con:
        now = clock.read(con)
    if now is None:
        return options
    given = yaml.safe_load(options.vars) if options.vars else {}
    if not isinstance(given, dict):
        return options
    merged = {"snapshot_at": now.isoformat(sep=" "), **given}
    say(f"data clock: snapshots record {merged['snapshot_at']}")
    return replace(options, vars=json.dumps(merged, default=str))


def headline_funnel(dbt: Dbt) -> dict[str, Any] | None:
    """The latest week of the overall funnel, if the mart exists (any adapter, via dbt show)."""
    result = dbt.invoke(
        ["show", "--inline", FUNNEL_QUERY, "--limit", "1", "--log-level", "none", "--no-write-json"]
    )
    if not result.success or not result.result or not result.result.results:
        return None
    table = result.result.results[0].agate_table
    if table is None or len(table.rows) == 0:
        return None
    # Snowflake names result columns in upper case, DuckDB as written
    row = {k.lower(): v for k, v in zip(table.column_names, table.rows[0], strict=True)}
    return {
        k: (
            str(v)
            if k == "wk"
            else None
            if v is None
            else float(v)
            if "rate" in k or "dropoff" in k
            else int(v)
        )
        for k, v in row.items()
    }


def start(command: str, dbt: Dbt) -> tuple[RunSummary, float]:
    summary = RunSummary(new_run_id(), command, dbt.target_name, now_iso())
    summary.warehouse = str(dbt.duckdb_path) if dbt.duckdb_path else None
    return summary, time.perf_counter()


def record(dbt: Dbt, summary: RunSummary, say: Say) -> None:
    """Append the run to the run history; a history failure never hides the run's result."""
    try:
        runlog.record(runlog.history_path(dbt.project, dbt.duckdb_path), summary)
    except Exception as exc:  # noqa: BLE001 - the job's own outcome matters more
        say(f"warning: run history not recorded: {exc}")


def run(dbt: Dbt, options: DbtOptions, say: Say) -> RunSummary:
    summary, started = start("build", dbt)
    try:
        prepare(dbt, say)
    except ConfigError as exc:
        summary.message = f"configuration error: {exc}"
        summary.finish(started, ExitCode.CONFIG_ERROR)
        record(dbt, summary, say)
        return summary
    options = with_data_clock(dbt, options, say)
    summary.steps.append(run_step("build", lambda: dbt.invoke(["build", *options.args("build")])))
    summary.funnel = headline_funnel(dbt)
    summary.finish(started)
    record(dbt, summary, say)
    return summary
