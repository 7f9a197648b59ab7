"""`greenery backfill --from DATE --to DATE`: rebuild the days a night could not reach.

A night recomputes what changed inside the late-data window (var event_lookback_hours). Events
that arrive for older days (an extract that missed two days and delivers them later) are
beyond it: the night's anomaly warnings name those days (ops/anomalies.py), and a backfill
rebuilds them. It runs the incremental event models, and what reads them, with the days added
to their window (vars backfill_from and backfill_to, macros/in_backfill.sql), on a staged copy
published only when everything passed, and tests what it wrote, like a night.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, date, datetime

from greenery.dbt.runner import Dbt
from greenery.jobs import night
from greenery.jobs.audit import audited, publishable
from greenery.jobs.skeleton import prepare, running, runs_dir, with_data_clock
from greenery.ops import runlog
from greenery.ops.outcome import RunSummary, run_step

logger = logging.getLogger(__name__)

#: What a backfill rebuilds: every model downstream of the events, and their tests.
SELECT = ("--select", "source:greenery.events+")
EXCLUDES = ("--exclude-resource-type", "unit_test")


def run(dbt: Dbt, first: date, last: date, timeout: float | None = None) -> RunSummary:
    def body(summary: RunSummary) -> None:
        prepare(dbt)
        history = runlog.history_path(dbt.project, dbt.duckdb_path)
        before = night.baseline(history, dbt.target_name, runs_dir(dbt.project))
        started = datetime.now(UTC).replace(tzinfo=None)
        window = {
            night.LOADED_SINCE_ENV: night.stamp(started - night.CLOCK_SKEW) or "",
            night.DATA_SINCE_ENV: f"{first.isoformat()} 00:00:00",
        }
        days = {"backfill_from": first.isoformat(), "backfill_to": last.isoformat()}
        logger.info(f"backfill: rebuilding {first} to {last} in the incremental event models")
        with audited(dbt, summary) as staged:
            windowed = replace(with_data_clock(staged), extra_env={**staged.extra_env, **window})
            args = ["build", *SELECT, *EXCLUDES, "--vars", json.dumps(days)]
            summary.steps.append(run_step("build", lambda: windowed.invoke(args)))
            if publishable(summary) and before is not None:
                summary.night = recorded(staged, before, first, last)

    return running("backfill", dbt, body, timeout=timeout)


def recorded(staged: Dbt, before: night.Baseline, first: date, last: date) -> dict[str, object]:
    """The night record the next night compares with: the last published night's, with the
    raw data the backfill built from."""
    state = night.warehouse_state(staged)
    return night.Plan(
        data_clock=state.data_clock,
        sources=state.sources,
        full_tests=False,
        full_tests_at=before.full_tests_at,
        reason=f"backfill of {first} to {last}: tests of what it wrote",
        baseline=before.run_id,
        load_id=state.load_id,
        event_days=state.event_days,
    ).record()
