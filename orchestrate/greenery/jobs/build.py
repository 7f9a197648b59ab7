"""The main job, `greenery build`.

`greenery build` makes sure the warehouse has data, then runs `dbt build` on a staged copy of it
(write-audit-publish, `audit.py`): snapshots, models, seeds and tests in DAG order, the source
tests first, so a failing source test skips the snapshots and models that read the source. The
copy is published only when everything passed, so analysts never see a model that failed a test
and snapshot history never records a load that failed one.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace

from greenery.dbt.runner import Dbt
from greenery.jobs import night
from greenery.jobs.audit import audited, publishable
from greenery.jobs.options import DbtOptions
from greenery.jobs.skeleton import headline_funnel, prepare, running, runs_dir, with_data_clock
from greenery.ops import runlog
from greenery.ops.outcome import RunSummary, run_step

logger = logging.getLogger(__name__)


def run(dbt: Dbt, options: DbtOptions) -> RunSummary:
    def body(summary: RunSummary) -> None:
        prepare(dbt, create=True)  # a new warehouse is created and loaded, and it says so
        history = runlog.history_path(dbt.project, dbt.duckdb_path)
        before = night.baseline(history, dbt.target_name, runs_dir(dbt.project))
        with audited(dbt, summary) as staged:
            state = night.warehouse_state(staged)
            rebuilt = night.rebuild_reason(before, state) if whole(options) else None
            if rebuilt is not None and not options.full_refresh:
                logger.info(f"incremental models {rebuilt}")
            chosen = replace(options, full_refresh=options.full_refresh or rebuilt is not None)
            clocked = with_data_clock(staged)
            build_args = ["build", *chosen.args("build")]
            summary.steps.append(run_step("build", lambda: clocked.invoke(build_args)))
            if publishable(summary):
                summary.funnel = headline_funnel(staged)
                if whole(options):
                    summary.night = everything_tested(staged, summary, state, chosen)

    return running("build", dbt, body, creates=True)


def whole(options: DbtOptions) -> bool:
    """A build of the whole project, which the next night of run-job can start from."""
    return not (options.select or options.exclude or options.vars)


def everything_tested(
    staged: Dbt, summary: RunSummary, state: night.WarehouseState, options: DbtOptions
) -> dict[str, object]:
    """The night record of a whole build (every table tested), with its manifest archived
    under runs/<run id>/ for the next night's `state:modified` (jobs/night.py)."""
    archive = runs_dir(staged.project) / summary.run_id
    archive.mkdir(parents=True, exist_ok=True)
    manifest = staged.artifacts / night.MANIFEST
    if manifest.exists():
        shutil.copy2(manifest, archive / night.MANIFEST)
    recorded = night.Plan(
        data_clock=state.data_clock,
        sources=state.sources,
        full_tests=True,
        full_tests_at=state.data_clock or night.parse(summary.started_at),
        reason="full tests: greenery build tests every table",
        load_id=state.load_id,
        full_refresh=options.full_refresh,
        event_days=state.event_days,
    )
    return recorded.record()
