"""The skeleton every job shares: prepare, lock, run, classify, record.

A job (`build`, `ci`, `run-job`, `retry`) is a body that appends dbt steps to a run summary.
`running` wraps every body the same way: a summary and a run id, the warehouse lock, the exit
code (a configuration error is exit 5, a held lock exit 4), and a row in the run history, so
the jobs differ only in their steps. `prepare` is what any dbt command needs first: a warehouse
with data and the dbt packages.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from greenery.dbt import packages
from greenery.dbt.project import ConfigError
from greenery.dbt.runner import Dbt
from greenery.ops import lock, runlog
from greenery.ops.outcome import ExitCode, RunSummary, new_run_id, now_iso
from greenery.warehouse import clock, database, datasets, wap

logger = logging.getLogger(__name__)

SNAPSHOT_AT_ENV = "GREENERY_SNAPSHOT_AT"
#: Where the jobs archive each run's artifacts and summary: runs/<run id>/ in the project.
RUNS_DIR = "runs"
FUNNEL_MART = "f_weekly_sales_funnel"
FUNNEL_QUERY_OF = "select * from {} order by wk desc"
FUNNEL_QUERY = FUNNEL_QUERY_OF.format(f"{{{{ ref('{FUNNEL_MART}') }}}}")


def ensure_sample(path: Path) -> None:
    """A fresh clone has no warehouse: create it and load the sample data."""
    if database.has_raw_data(path):
        return
    logger.info(
        f"no raw tables in {path}: loading the sample dataset "
        f"({datasets.DEFAULT_WEEKS} weeks, scale 1)"
    )
    counts = datasets.load_sample(path, n_weeks=datasets.DEFAULT_WEEKS)
    logger.info("loaded " + ", ".join(f"raw.{t} {n}" for t, n in counts.items()))


def prepare(dbt: Dbt) -> None:
    """Warehouse and packages: everything a dbt command needs before it can run."""
    if dbt.duckdb_path is not None:
        logger.info(f"warehouse: {dbt.duckdb_path}")
        ensure_sample(dbt.duckdb_path)
    packages.install(dbt)


def with_data_clock(dbt: Dbt) -> Dbt:
    """Snapshots of an embedded warehouse record its data clock, not the wall clock.

    The clock (`clock.py`) is the simulated day the raw data has reached; passing it as
    $GREENERY_SNAPSHOT_AT (macros/snapshot_get_time.sql) makes a night's snapshot rows valid
    from that day, without a var that would make dbt parse the project again. A `snapshot_at`
    var given by the caller wins. Other warehouses (Snowflake) have no clock and snapshot on
    their own clock.
    """
    if dbt.duckdb_path is None or not dbt.duckdb_path.exists():
        return dbt
    with database.connect(dbt.duckdb_path) as con:
        now = clock.read(con)
    if now is None:
        return dbt
    logger.info(
        f"data clock: snapshots record {now.isoformat(sep=' ')} unless --vars says otherwise"
    )
    return dbt.with_env(SNAPSHOT_AT_ENV, now.isoformat(sep=" "))


def headline_funnel(dbt: Dbt) -> dict[str, Any] | None:
    """The latest week of the overall funnel, if the mart exists.

    An embedded warehouse is read directly, from the relation the build's manifest names; any
    other through `dbt show`, a second dbt invocation that loads the project again (1.95 s of
    a scale-1 `greenery build` under cProfile).
    """
    row = embedded_funnel_row(dbt) if dbt.duckdb_path is not None else shown_funnel_row(dbt)
    if row is None:
        return None
    # Snowflake names result columns in upper case, DuckDB as written; dbt_loaded_at is the
    # row's bookkeeping, not a figure of the funnel
    return {
        k.lower(): funnel_value(k.lower(), v)
        for k, v in row.items()
        if not k.lower().startswith("dbt_")
    }


def funnel_value(column: str, value: Any) -> Any:
    if column == "wk":
        return str(value)
    if value is None:
        return None
    return float(value) if "rate" in column or "dropoff" in column else int(value)


def shown_funnel_row(dbt: Dbt) -> dict[str, Any] | None:
    result = dbt.invoke(
        ["show", "--inline", FUNNEL_QUERY, "--limit", "1", "--log-level", "none", "--no-write-json"]
    )
    if not result.success or not result.result or not result.result.results:
        return None
    table = result.result.results[0].agate_table
    if table is None or len(table.rows) == 0:
        return None
    return dict(zip(table.column_names, table.rows[0], strict=True))


def embedded_funnel_row(dbt: Dbt) -> dict[str, Any] | None:
    """The funnel's latest row, read from the DuckDB file the build has just written."""
    relation = funnel_relation(dbt.artifacts / "manifest.json")
    if relation is None or dbt.duckdb_path is None:
        return None
    return database.first_row(dbt.duckdb_path, f"{FUNNEL_QUERY_OF.format(relation)} limit 1")


def funnel_relation(manifest_path: Path) -> str | None:
    """The quoted relation name of the overall weekly funnel, as dbt built it."""
    if not manifest_path.exists():
        return None
    nodes = json.loads(manifest_path.read_text())["nodes"]
    node = nodes.get(f"model.greenery.{FUNNEL_MART}")
    return node.get("relation_name") if node else None


def runs_dir(project: Path) -> Path:
    return project / RUNS_DIR


def start(command: str, dbt: Dbt) -> tuple[RunSummary, float]:
    summary = RunSummary(new_run_id(), command, dbt.target_name, now_iso())
    summary.warehouse = str(dbt.duckdb_path) if dbt.duckdb_path else None
    return summary, time.perf_counter()


def record(dbt: Dbt, summary: RunSummary) -> None:
    """Append the run to the run history; a history failure never hides the run's result."""
    try:
        runlog.record(runlog.history_path(dbt.project, dbt.duckdb_path), summary)
    except Exception as exc:  # noqa: BLE001 - the job's own outcome matters more
        logger.warning(f"warning: run history not recorded: {exc}")


def warehouse_lock(dbt: Dbt) -> Path:
    return lock.path_for(dbt.duckdb_path, dbt.project, dbt.target_name)


def refusal(exc: Exception) -> str:
    """Why a job stopped before its steps were done, as its summary says it (exit 5)."""
    prefix = "not published" if isinstance(exc, wap.WarehouseChanged) else "configuration error"
    return f"{prefix}: {exc}"


def running(
    command: str,
    dbt: Dbt,
    body: Callable[[RunSummary], None],
    locked: bool = True,
) -> RunSummary:
    """The skeleton every job shares: a summary, the warehouse lock, the exit code, the history.

    `body` fills the summary's steps. A configuration error ends the run with exit 5; a lock
    held by another command ends it at once with exit 4, unrecorded (the holder records its
    own run). The run is recorded in the run history before the lock is released.
    """
    summary, started = start(command, dbt)
    held = (
        lock.exclusive(warehouse_lock(dbt), f"{command} {summary.run_id}")
        if locked
        else nullcontext()
    )
    try:
        with held:
            try:
                body(summary)
            except (ConfigError, wap.WarehouseChanged) as exc:
                summary.message = refusal(exc)
                summary.finish(started, ExitCode.CONFIG_ERROR)
            else:
                summary.finish(started)
            record(dbt, summary)
    except lock.LockHeld as exc:
        summary.message = f"not started: {exc}"
        summary.finish(started, ExitCode.LOCK_HELD)
    return summary
