"""Run history: every build, ci and job run, with per-node status, timing and rows affected.

Kept in a DuckDB file (schema greenery_ops) beside the embedded warehouse
(`<warehouse>.history.duckdb`), and in runs/history.duckdb for remote targets, so on-call can
ask what ran, what failed, which models are slowest and which are getting slower.

Runs are ordered as they were recorded (`seq`), not by their start time: a machine whose clock
jumped backwards, or ran ahead and was set right, still finds its latest run as the latest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from greenery.ops.outcome import RunSummary
from greenery.warehouse import database

SCHEMA = "greenery_ops"
#: Newest recorded first; runs recorded before `seq` existed come after, newest started first.
LATEST_FIRST = "seq desc nulls last, started_at desc, run_id desc"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.runs (
    run_id varchar primary key,
    command varchar not null,
    target varchar not null,
    started_at timestamp not null,
    ended_at timestamp,
    duration_seconds double,
    status varchar not null,
    exit_code integer not null,
    n_pass integer,
    n_warn integer,
    n_fail integer,
    n_skip integer,
    summary_json varchar
);
-- the order runs were recorded in, whatever the machine's clock said (docs/faults.md)
alter table {SCHEMA}.runs add column if not exists seq bigint;
create table if not exists {SCHEMA}.node_runs (
    run_id varchar not null,
    step varchar not null,
    unique_id varchar not null,
    resource_type varchar,
    name varchar,
    status varchar,
    execution_time double,
    rows_affected bigint,
    failures integer,
    message varchar
);
"""


def history_path(project: Path, duckdb_path: Path | None) -> Path:
    """A DuckDB file beside an embedded warehouse (`<warehouse>.history.duckdb`), else a local
    history file in the project (`runs/history.duckdb`, for Snowflake targets).

    Kept apart from the warehouse itself: recording a run never writes the published file, so a
    reader holding that file open does not keep a run from being recorded, and a failed run's
    kept copy stays comparable with the published file."""
    if duckdb_path is None:
        return project / "runs" / "history.duckdb"
    return database.history_beside(duckdb_path)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    con = database.connect(path)
    con.execute(DDL)
    return con


def record(path: Path, summary: RunSummary) -> None:
    c = summary.counts()
    with connect(path) as con:
        con.execute("begin transaction")
        (seq,) = con.execute(
            f"select coalesce((select seq from {SCHEMA}.runs where run_id = ?), "
            f"(select coalesce(max(seq), 0) + 1 from {SCHEMA}.runs))",
            [summary.run_id],
        ).fetchone()
        con.execute(
            f"insert or replace into {SCHEMA}.runs values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                summary.run_id,
                summary.command,
                summary.target,
                summary.started_at,
                summary.ended_at or None,
                summary.duration_seconds,
                summary.status,
                summary.exit_code,
                c["pass"],
                c["warn"],
                c["fail"],
                c["skip"],
                json.dumps(summary.to_dict()),
                seq,
            ],
        )
        con.execute(f"delete from {SCHEMA}.node_runs where run_id = ?", [summary.run_id])
        rows = [
            [
                summary.run_id,
                step.command,
                n.unique_id,
                n.resource_type,
                n.name,
                n.status,
                n.execution_time,
                n.rows_affected,
                n.failures,
                n.message,
            ]
            for step in summary.steps
            for n in step.nodes
        ]
        if rows:
            con.executemany(
                f"insert into {SCHEMA}.node_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        con.execute("commit")


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    if not path.exists():
        return []
    with connect(path) as con:
        return con.execute(sql, params or []).fetchall()


@dataclass(frozen=True)
class RecentRun:
    """One recorded run, as `greenery history` lists it."""

    run_id: str
    command: str
    target: str
    started_at: datetime
    seconds: float
    status: str
    exit_code: int
    n_pass: int
    n_warn: int
    n_fail: int
    n_skip: int
    anomalies: list[dict[str, Any]]

    def line(self) -> str:
        return (
            f"{self.started_at}  {self.run_id}  {self.command:<8} {self.target:<9} "
            f"{self.status:<16} exit {self.exit_code}  {self.seconds or 0:7.1f}s  "
            f"pass {self.n_pass} warn {self.n_warn} fail {self.n_fail} skip {self.n_skip}"
        )


def recent_runs(path: Path, limit: int = 10) -> list[RecentRun]:
    """The latest recorded runs, newest first."""
    rows = query(
        path,
        f"""
        select run_id, command, target, started_at, duration_seconds, status, exit_code,
               n_pass, n_warn, n_fail, n_skip,
               coalesce(json_extract(summary_json, '$.anomalies'), '[]')
        from {SCHEMA}.runs order by {LATEST_FIRST} limit ?""",
        [limit],
    )
    return [RecentRun(*row[:-1], anomalies=json.loads(row[-1])) for row in rows]


def slowest_models(path: Path, limit: int = 5, runs: int = 10) -> list[tuple[Any, ...]]:
    """Models by average build time over the last `runs` runs that built them."""
    return query(
        path,
        f"""
        with recent as (
            select n.name, n.execution_time,
                   row_number() over (
                       partition by n.unique_id order by r.seq desc nulls last, r.started_at desc
                   ) as k
            from {SCHEMA}.node_runs n join {SCHEMA}.runs r using (run_id)
            where n.resource_type in ('model', 'snapshot') and n.status = 'success')
        select name, round(avg(execution_time), 3) as avg_seconds, count(*) as n_runs
        from recent where k <= ? group by name order by avg_seconds desc, name limit ?""",
        [runs, limit],
    )


def models_getting_slower(
    path: Path, ratio: float = 1.5, min_seconds: float = 0.5, runs: int = 10
) -> list[tuple[Any, ...]]:
    """Models whose latest build took `ratio` times their median over the runs before it."""
    return query(
        path,
        f"""
        with timed as (
            select n.unique_id, n.name, n.execution_time,
                   row_number() over (
                       partition by n.unique_id order by r.seq desc nulls last, r.started_at desc
                   ) as k
            from {SCHEMA}.node_runs n join {SCHEMA}.runs r using (run_id)
            where n.resource_type in ('model', 'snapshot') and n.status = 'success'),
        compared as (
            select name,
                   max(case when k = 1 then execution_time end) as latest,
                   median(case when k > 1 then execution_time end) as typical,
                   count(*) filter (where k > 1) as n_before
            from timed where k <= ? + 1 group by unique_id, name)
        select name, latest, typical, round(latest / typical, 2) as ratio
        from compared
        where n_before >= 2 and latest >= ? and typical > 0 and latest >= ? * typical
        order by ratio desc, name""",
        [runs, min_seconds, ratio],
    )


def published_summaries(
    path: Path, target: str, commands: tuple[str, ...], limit: int = 20
) -> list[dict[str, Any]]:
    """The JSON summaries of the target's latest successful runs of `commands`, newest first."""
    rows = query(
        path,
        f"""
        select summary_json from {SCHEMA}.runs
        where target = ? and exit_code = 0 and command in (select unnest(?))
        order by {LATEST_FIRST} limit ?""",
        [target, list(commands), limit],
    )
    return [json.loads(text) for (text,) in rows if text]


def latest_start(path: Path) -> datetime | None:
    """When the latest recorded run started, by the clock of the machine that ran it."""
    rows = query(path, f"select started_at from {SCHEMA}.runs order by {LATEST_FIRST} limit 1")
    return rows[0][0] if rows else None
