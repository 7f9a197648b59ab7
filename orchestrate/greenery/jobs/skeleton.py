"""The skeleton every job shares: prepare, lock, run, classify, record.

A job (`build`, `ci`, `run-job`, `retry`) is a body that appends dbt steps to a run summary.
`running` wraps every body the same way: a summary and a run id, the warehouse lock, the exit
code (a configuration error is exit 5, a held lock exit 4), and a row in the run history, so
the jobs differ only in their steps. `prepare` is what any dbt command needs first: a warehouse
with data and the dbt packages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

from greenery.dbt import packages
from greenery.dbt.project import ConfigError
from greenery.dbt.runner import Dbt
from greenery.ops import lock, runlog, signals
from greenery.ops.outcome import ExitCode, RunSummary, new_run_id, now_iso
from greenery.warehouse import clock, database, datasets, reader, storage, wap
from greenery.warehouse.storage import StorageError

logger = logging.getLogger(__name__)

SNAPSHOT_AT_ENV = "GREENERY_SNAPSHOT_AT"
#: Where the jobs archive each run's artifacts and summary: runs/<run id>/ in the project.
RUNS_DIR = "runs"
FUNNEL_MART = "f_weekly_sales_funnel"
FUNNEL_QUERY_OF = "select * from {} order by wk desc"


def ensure_sample(path: Path) -> None:
    """A fresh clone has no warehouse: create it and load the sample data."""
    if database.has_raw_data(path):
        return
    logger.info(
        f"no raw tables in {path}: creating the warehouse with the sample dataset "
        f"({datasets.DEFAULT_WEEKS} weeks, scale 1)"
    )
    counts = datasets.load_sample(path, n_weeks=datasets.DEFAULT_WEEKS)
    logger.info("loaded " + ", ".join(f"raw.{t} {n}" for t, n in counts.items()))


def check_warehouse(path: Path, creates: bool = False) -> None:
    """The embedded warehouse a command works on: a file that is there must be a DuckDB
    database (storage.check_database); one that is not is refused (ConfigError), a mistyped path
    above all, unless the command `creates` it (`greenery build` and `ci`, which say so)."""
    if path.exists():
        storage.check_database(path)
    elif not creates:
        raise ConfigError(database.missing(path))


def prepare(dbt: Dbt, create: bool = False) -> None:
    """Warehouse and packages: everything a dbt command needs before it can run."""
    if dbt.duckdb_path is not None:
        logger.info(f"warehouse: {dbt.duckdb_path}")
        check_warehouse(dbt.duckdb_path, creates=create)
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
    """The latest week of the overall funnel, if the mart exists (warehouse/reader.py)."""
    found = reader.rows(dbt, FUNNEL_MART, FUNNEL_QUERY_OF, limit=1)
    if not found:
        return None
    # dbt_loaded_at is the row's bookkeeping, not a figure of the funnel
    return {k: funnel_value(k, v) for k, v in found[0].items() if not k.startswith("dbt_")}


def funnel_value(column: str, value: Any) -> Any:
    if column == "wk":
        return str(value)
    if value is None:
        return None
    return float(value) if "rate" in column or "dropoff" in column else int(value)


def runs_dir(project: Path) -> Path:
    return project / RUNS_DIR


def start(command: str, dbt: Dbt) -> tuple[RunSummary, float]:
    summary = RunSummary(new_run_id(), command, dbt.target_name, now_iso())
    summary.warehouse = str(dbt.duckdb_path) if dbt.duckdb_path else None
    return summary, time.perf_counter()


def record(dbt: Dbt, summary: RunSummary) -> None:
    """Append the run to the run history; a history failure never hides the run's result."""
    path = runlog.history_path(dbt.project, dbt.duckdb_path)
    try:
        latest = runlog.latest_start(path)
        started = datetime.fromisoformat(summary.started_at).replace(tzinfo=None)
        if latest is not None and latest > started:
            logger.warning(
                f"warning: this machine's clock ({started:%Y-%m-%d %H:%M} UTC) is behind the "
                f"start of the latest recorded run ({latest:%Y-%m-%d %H:%M}): the run history "
                "keeps runs in the order they were recorded; check the clock (docs/faults.md)"
            )
        runlog.record(path, summary)
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
    creates: bool = False,
    timeout: float | None = None,
) -> RunSummary:
    """The skeleton every job shares: a summary, the warehouse lock, the exit code, the history.

    `body` fills the summary's steps, within `timeout` seconds if given. Every way a run can
    end has its exit code (docs/faults.md): a configuration error 5, a storage fault 8, the time
    limit 9, Ctrl-C 130, SIGTERM 143. A lock held by another command ends it at once with exit
    4, unrecorded (the holder records its own run), and so does a warehouse that is missing or
    is not a database, checked before the lock is taken (no history, lock or database file is
    left beside a mistyped path). The run
    is recorded in the run history before the lock is released.
    """
    summary, started = start(command, dbt)
    held = (
        lock.exclusive(warehouse_lock(dbt), f"{command} {summary.run_id}")
        if locked
        else nullcontext()
    )
    try:
        if dbt.duckdb_path is not None:
            check_warehouse(dbt.duckdb_path, creates)
        with held:
            try:
                with signals.stoppable(timeout):
                    body(summary)
            except (ConfigError, wap.WarehouseChanged, StorageError, KeyboardInterrupt) as exc:
                end(summary, started, exc)
            except Exception as exc:
                if not signals.is_stop(exc):  # the signal came during a query of greenery's
                    raise
                end(summary, started, exc)
            else:
                summary.finish(started)
            record(dbt, summary)
    except lock.LockHeld as exc:
        summary.message = f"not started: {exc}"
        summary.finish(started, ExitCode.LOCK_HELD)
    except (ConfigError, StorageError) as exc:  # the warehouse itself, before the lock
        end(summary, started, exc)
    return summary


def end(summary: RunSummary, started: float, exc: BaseException) -> None:
    """Finish a run that stopped before its steps were done: its message and exit code."""
    if isinstance(exc, StorageError):
        summary.message = f"storage error: {exc}; nothing published"
        summary.finish(started, ExitCode.STORAGE_ERROR)
    elif signals.is_stop(exc):  # Ctrl-C, SIGTERM or the time limit (ops/signals.py)
        stopped = f"{signals.stop_message(exc)}: nothing published"
        kept = f"; the staged build is kept in {summary.failed_copy}"
        summary.message = stopped + (kept if summary.failed_copy else "")
        summary.finish(started, signals.stop_code(exc))
    else:
        assert isinstance(exc, ConfigError | wap.WarehouseChanged)
        summary.message = refusal(exc)
        summary.finish(started, ExitCode.CONFIG_ERROR)
