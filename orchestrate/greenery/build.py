"""The main job, `greenery build`, and the skeleton the jobs share.

`greenery build` makes sure the warehouse has data, then runs `dbt build` on a staged copy of it
(write-audit-publish, `wap.py`): snapshots, models, seeds and tests in DAG order, the source
tests first, so a failing source test skips the snapshots and models that read the source. The
copy is published only when everything passed, so analysts never see a model that failed a test
and snapshot history never records a load that failed one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from greenery import clock, lock, packages, runlog, wap, warehouse
from greenery.dbt import ConfigError, Dbt
from greenery.outcome import ExitCode, RunSummary, new_run_id, now_iso, run_step

Say = Callable[[str], None]

SNAPSHOT_AT_ENV = "GREENERY_SNAPSHOT_AT"
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


def with_data_clock(dbt: Dbt, say: Say) -> Dbt:
    """Snapshots of an embedded warehouse record its data clock, not the wall clock.

    The clock (`clock.py`) is the simulated day the raw data has reached; passing it as
    $GREENERY_SNAPSHOT_AT (macros/snapshot_get_time.sql) makes a night's snapshot rows valid
    from that day, without a var that would make dbt parse the project again. A `snapshot_at`
    var given by the caller wins. Other warehouses (Snowflake) have no clock and snapshot on
    their own clock.
    """
    if dbt.duckdb_path is None or not dbt.duckdb_path.exists():
        return dbt
    with warehouse.connect(dbt.duckdb_path) as con:
        now = clock.read(con)
    if now is None:
        return dbt
    say(f"data clock: snapshots record {now.isoformat(sep=' ')} unless --vars says otherwise")
    return dbt.with_env(SNAPSHOT_AT_ENV, now.isoformat(sep=" "))


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


def warehouse_lock(dbt: Dbt) -> Path:
    return lock.path_for(dbt.duckdb_path, dbt.project, dbt.target_name)


def running(
    command: str,
    dbt: Dbt,
    say: Say,
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
            except ConfigError as exc:
                summary.message = f"configuration error: {exc}"
                summary.finish(started, ExitCode.CONFIG_ERROR)
            except wap.WarehouseChanged as exc:
                summary.message = f"not published: {exc}"
                summary.finish(started, ExitCode.CONFIG_ERROR)
            else:
                summary.finish(started)
            record(dbt, summary, say)
            if summary.failed_copy and dbt.duckdb_path is not None:
                wap.restamp(Path(summary.failed_copy), dbt.duckdb_path)
    except lock.LockHeld as exc:
        summary.message = f"not started: {exc}"
        summary.finish(started, ExitCode.LOCK_HELD)
    return summary


def publishable(summary: RunSummary) -> bool:
    """Every step's nodes passed (after a retry, its results stand for the nodes it reran).

    Docs are not a condition: a catalog that could not be written never holds back the data.
    """
    steps = [s for s in summary.steps if s.command != "docs generate"]
    return bool(steps) and steps[-1].success and not summary.failed_nodes()


@contextmanager
def audited(
    dbt: Dbt,
    summary: RunSummary,
    say: Say,
    staged: wap.Stage | None = None,
    resume: bool = False,
) -> Iterator[Dbt]:
    """Write-audit-publish (`wap.py`): the body builds and tests a staged copy of the warehouse.

    Yields the Dbt to build with; `staged` (embedded) or `resume` (remote) continues the
    kept build of a failed run instead of staging afresh (`greenery retry`). When the body's
    steps all passed the copy is published; otherwise it is kept for inspection (or dropped
    when nothing was built) and the published
    warehouse, snapshot history included, is untouched. A remote warehouse (Snowflake) is
    audited in schemas of its own instead, see `audited_remote`.
    """
    if dbt.duckdb_path is None:
        with audited_remote(dbt, summary, say, resume) as audit:
            yield audit
        return
    staged = staged or wap.stage(dbt.duckdb_path, summary.run_id)
    try:
        yield replace(dbt, duckdb_path=staged.path)
    except BaseException:
        wap.keep_failed(staged)
        raise
    if publishable(summary):
        wap.publish(staged)
        say(f"published: {staged.published}")
    elif any(s.command != "source freshness" for s in summary.steps):
        kept = wap.keep_failed(staged)
        summary.failed_copy = str(kept)
        note = f"nothing published; the failing build is kept in {kept}"
        summary.message = f"{summary.message}; {note}" if summary.message else note
    else:
        wap.discard(staged)


@contextmanager
def audited_remote(dbt: Dbt, summary: RunSummary, say: Say, resume: bool) -> Iterator[Dbt]:
    """Write-audit-publish on Snowflake: audit schemas, then table by table publication.

    Every schema of the build gets the suffix `__audit` ($GREENERY_AUDIT_SUFFIX, read by
    generate_schema_name). Before the build, snapshot history and incremental models are cloned
    from the published schemas into their audit twins (zero-copy, macro wap_stage); the build
    writes and tests there. When everything passed, each table is cloned back over its
    published twin (wap_publish) and the views are rebuilt in the published schemas; otherwise
    the audit schemas keep the failing build for inspection and `greenery retry`.
    """
    audit = replace(dbt, extra_env={**dbt.extra_env, wap.AUDIT_ENV: wap.AUDIT_SUFFIX})
    operation_args = ["--args", json.dumps({"suffix": wap.AUDIT_SUFFIX}), "--no-write-json"]
    if not resume:
        stage = ["run-operation", "wap_stage", *operation_args]
        summary.steps.append(run_step("stage", lambda: audit.invoke(stage)))
        if not summary.steps[-1].success:
            raise ConfigError(f"could not stage the audit schemas: {summary.steps[-1].error}")
    yield audit
    if not publishable(summary):
        if any(s.command not in ("source freshness", "stage") for s in summary.steps):
            note = f"nothing published; the failing build is in the {wap.AUDIT_SUFFIX} schemas"
            summary.message = f"{summary.message}; {note}" if summary.message else note
        return
    publish = ["run-operation", "wap_publish", *operation_args]
    summary.steps.append(run_step("publish", lambda: audit.invoke(publish)))
    if summary.steps[-1].success:
        views = ["run", "--select", "config.materialized:view"]
        summary.steps.append(run_step("publish views", lambda: dbt.invoke(views)))
        say("published the audited build")


def run(dbt: Dbt, options: DbtOptions, say: Say) -> RunSummary:
    def body(summary: RunSummary) -> None:
        prepare(dbt, say)
        with audited(dbt, summary, say) as staged:
            clocked = with_data_clock(staged, say)
            build_args = ["build", *options.args("build")]
            summary.steps.append(run_step("build", lambda: clocked.invoke(build_args)))
            if publishable(summary):
                summary.funnel = headline_funnel(staged)

    return running("build", dbt, say, body)
