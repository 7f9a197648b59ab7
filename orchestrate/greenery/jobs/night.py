"""A night of `greenery run-job`: what it tests and what it skips, from the last published run.

A night costs what arrived, not what the warehouse holds (docs/operations.md, "A night"):

- **Tests follow the change.** A row-by-row data test on a growing table reads only what the
  night wrote: an incremental model's rows stamped since the night began, and the events that
  arrived since the last published run's data clock, less the late-data window
  (macros/night_window.sql reads the window from GREENERY_TESTS_LOADED_SINCE and
  GREENERY_TESTS_DATA_SINCE). Every table is tested whole on a full-test night: the first
  night, `--full-tests`, and whenever the last full-test night is `full_tests_every` days of
  data (or of wall clock, without a data clock) behind; `greenery build` and CI always are.
- **What did not change is skipped.** The night compares every raw table's fingerprint with
  the last published run's (`warehouse/fingerprint.py`) and builds only what reads a changed
  source, plus what changed in the project since that run (dbt's `state:modified+`, against the
  manifest it archived): neither rebuilt nor retested otherwise. The run summary says what was
  skipped and why.

- **A load starts over.** `greenery load` replaces the raw tables and gives them a new identity
  (greenery_meta.load): the incremental models hold rows of the tables it replaced, so the next
  run (night or `greenery build`) rebuilds them whole (`--full-refresh`) and tests everything.

What a published run recorded for the next night is its `night` record in the run history
(`ops/runlog.py`): its data clock, the raw tables' fingerprints and identity, whether it tested
everything.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from greenery.dbt.runner import Dbt
from greenery.jobs.options import FULL_TESTS_EVERY_DAYS, DbtOptions
from greenery.ops import runlog
from greenery.warehouse import clock, database, fingerprint, loader

logger = logging.getLogger(__name__)

LOADED_SINCE_ENV = "GREENERY_TESTS_LOADED_SINCE"
DATA_SINCE_ENV = "GREENERY_TESTS_DATA_SINCE"
#: The night's rows are stamped by the warehouse's clock, its window start by this machine's:
#: the window opens this much earlier, so a clock a little behind loses no row.
CLOCK_SKEW = timedelta(minutes=5)
#: Published runs whose night record can stand for the warehouse's state.
PUBLISHING = ("build", "run-job", "retry", "backfill")
MANIFEST = "manifest.json"
TIMESTAMP = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Baseline:
    """The last published run: what the warehouse held and how it was tested."""

    run_id: str
    started_at: datetime
    data_clock: datetime | None
    sources: dict[str, str]
    full_tests_at: datetime | None
    manifest: Path | None
    load_id: str | None = None
    event_days: dict[str, int] | None = None


@dataclass(frozen=True)
class WarehouseState:
    """An embedded warehouse's raw data: its data clock, its tables' fingerprints, the
    identity of the load that put them in place and its events per day (all empty for a remote
    warehouse)."""

    data_clock: datetime | None
    sources: dict[str, str]
    load_id: str | None
    event_days: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    """What tonight runs: its tests' window (none: full tests), its selection, and why."""

    data_clock: datetime | None
    sources: dict[str, str]
    full_tests: bool
    full_tests_at: datetime | None
    reason: str
    env: dict[str, str] = field(default_factory=dict)
    select: list[str] = field(default_factory=list)
    changed_sources: list[str] | None = None
    baseline: str | None = None
    skipped: dict[str, Any] | None = None
    load_id: str | None = None
    #: the incremental models are rebuilt whole (the raw tables were replaced since the baseline)
    full_refresh: bool = False
    #: events per day of the last weeks, for the next night's late_beyond_window
    event_days: dict[str, int] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The run summary's `night`: what the next night compares against."""
        return {
            "data_clock": stamp(self.data_clock),
            "sources": self.sources,
            "tests": "full" if self.full_tests else "window",
            "full_tests_at": stamp(self.full_tests_at),
            "window": {
                "loaded_since": self.env.get(LOADED_SINCE_ENV),
                "data_since": self.env.get(DATA_SINCE_ENV),
            },
            "reason": self.reason,
            "baseline": self.baseline,
            "changed_sources": self.changed_sources,
            "skipped": self.skipped,
            "load_id": self.load_id,
            "full_refresh": self.full_refresh,
            "event_days": self.event_days,
        }


def stamp(at: datetime | None) -> str | None:
    return None if at is None else at.strftime(TIMESTAMP)


def parse(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text).replace(tzinfo=None)


def baseline(history: Path, target: str, runs_dir: Path) -> Baseline | None:
    """The last published run of `target` that recorded a night, if any."""
    for summary in runlog.published_summaries(history, target, PUBLISHING):
        night = summary.get("night")
        if not night or not night.get("sources"):
            continue
        manifest = runs_dir / summary["run_id"] / MANIFEST
        return Baseline(
            run_id=summary["run_id"],
            started_at=parse(summary["started_at"]) or datetime.min,
            data_clock=parse(night.get("data_clock")),
            sources=dict(night["sources"]),
            full_tests_at=parse(night.get("full_tests_at")),
            manifest=manifest if manifest.exists() else None,
            load_id=night.get("load_id"),
            event_days=night.get("event_days"),
        )
    return None


def lookback(project: Path) -> timedelta:
    """The late-data window: the project's var `event_lookback_hours`."""
    spec = yaml.safe_load((project / "dbt_project.yml").read_text())
    return timedelta(hours=float(spec["vars"]["event_lookback_hours"]))


def warehouse_state(dbt: Dbt) -> WarehouseState:
    """The data clock, the raw tables' fingerprints and load of an embedded warehouse."""
    if dbt.duckdb_path is None:
        return WarehouseState(None, {}, None)
    with database.connect(dbt.duckdb_path) as con:
        now, load = clock.read(con), loader.load_id(con)
    path = dbt.duckdb_path
    return WarehouseState(now, fingerprint.of_raw(path), load, fingerprint.event_days(path))


def rebuild_reason(before: Baseline | None, state: WarehouseState) -> str | None:
    """Why the incremental models are rebuilt whole tonight, or None: the raw tables were
    replaced by a load since the last published run (or no run says what they were built
    from)."""
    if state.load_id is None:  # a remote warehouse, or one loaded before loads had identities
        return None
    if before is None:
        return "rebuilt whole: no published run says which load the marts hold"
    if before.load_id != state.load_id:
        return f"rebuilt whole: a load replaced the raw tables since run {before.run_id}"
    return None


def plan(
    dbt: Dbt,
    options: DbtOptions,
    before: Baseline | None,
    full_tests: bool = False,
    every_days: int = FULL_TESTS_EVERY_DAYS,
    started: datetime | None = None,
) -> Plan:
    """Tonight's tests and selection, against the last published run (`before`)."""
    started = started or datetime.now(UTC).replace(tzinfo=None)
    state = warehouse_state(dbt)
    now = state.data_clock or started
    why_rebuilt = None if options.full_refresh else rebuild_reason(before, state)
    why_full = full_tests_reason(before, full_tests, every_days, now)
    if why_rebuilt is not None:  # rebuilt whole, tested whole
        why_full = f"full tests: {why_rebuilt}"
    night = Plan(
        data_clock=state.data_clock,
        sources=state.sources,
        full_tests=why_full is not None,
        full_tests_at=now if why_full is not None else (before.full_tests_at if before else None),
        reason=why_full or "window tests: only what changed since the last published run",
        baseline=before.run_id if before else None,
        load_id=state.load_id,
        full_refresh=why_rebuilt is not None or options.full_refresh,
        event_days=state.event_days,
    )
    if before is not None and why_full is None:
        data_since = (before.data_clock or before.started_at) - lookback(dbt.project)
        night.env = {
            LOADED_SINCE_ENV: stamp(started - CLOCK_SKEW) or "",
            DATA_SINCE_ENV: stamp(data_since) or "",
        }
    if why_full is None:  # a full-test night runs and tests everything, changed or not
        night.select, night.changed_sources = selection(options, before, state.sources)
    logger.info(f"night: {night.reason}" + (f"; {describe(night)}" if night.select else ""))
    return night


def full_tests_reason(
    before: Baseline | None, asked: bool, every_days: int, now: datetime
) -> str | None:
    """Why tonight tests every table whole, or None for a window night."""
    if asked:
        return "full tests: asked for (--full-tests)"
    if before is None:
        return "full tests: no published run to compare with"
    if before.full_tests_at is None:
        return "full tests: no full-test night recorded"
    due = before.full_tests_at + timedelta(days=every_days)
    if now >= due:
        last = stamp(before.full_tests_at)
        return f"full tests: the last full-test night ({last}) is {every_days} days old or more"
    return None


def selection(
    options: DbtOptions, before: Baseline | None, sources: dict[str, str]
) -> tuple[list[str], list[str] | None]:
    """dbt's selection for tonight: what reads a changed source, and what changed since."""
    if options.select or options.exclude or options.vars or options.full_refresh:
        return [], None  # the operator chose what to run
    if before is None or before.manifest is None or not sources or not before.sources:
        return [], None
    changed = fingerprint.changed(sources, before.sources)
    select = [f"source:greenery.{table}+" for table in changed] + ["state:modified+"]
    return ["--select", *select, "--state", str(before.manifest.parent)], changed


def describe(night: Plan) -> str:
    changed = ", ".join(night.changed_sources or []) or "none"
    return f"sources changed since run {night.baseline}: {changed}"


def skipped(night: Plan, manifest_path: Path, ran: set[str]) -> dict[str, Any] | None:
    """What the night's selection left out, and why (None when it selected everything)."""
    if not night.select or not manifest_path.exists():
        return None
    nodes = json.loads(manifest_path.read_text())["nodes"]
    buildable = {"model", "snapshot", "seed", "test"}
    left_out = sorted(
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] in buildable and unique_id not in ran
    )
    by_type: dict[str, int] = {}
    for unique_id in left_out:
        kind = unique_id.split(".")[0]
        by_type[kind] = by_type.get(kind, 0) + 1
    unchanged = sorted(set(night.sources) - set(night.changed_sources or []))
    return {
        "reason": (
            f"their inputs did not change since run {night.baseline}: sources unchanged "
            f"({', '.join(unchanged) or 'none'}), project unchanged (state:modified)"
        ),
        "counts": by_type,
        "nodes": left_out,
    }


def unchanged_catalog(record: dict[str, Any] | None, runs: Path, artifacts: Path) -> Path | None:
    """On a window night of an unchanged project, the baseline run's archived catalog.json,
    which the night need not generate again (a dbt invocation that reads every relation).

    The project is unchanged when every node of tonight's manifest has the checksum it had in
    the baseline run's.
    """
    if not record or record.get("tests") != "window" or not record.get("baseline"):
        return None
    before = runs / record["baseline"]
    catalog = before / "catalog.json"
    if not catalog.exists() or not (before / MANIFEST).exists():
        return None
    if checksums(artifacts / MANIFEST) != checksums(before / MANIFEST):
        return None
    return catalog


def checksums(manifest: Path) -> dict[str, str]:
    if not manifest.exists():
        return {}
    nodes = json.loads(manifest.read_text())["nodes"]
    return {uid: node["checksum"]["checksum"] for uid, node in nodes.items()}
