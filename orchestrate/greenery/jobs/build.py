"""The main job, `greenery build`.

`greenery build` makes sure the warehouse has data, then runs `dbt build` on a staged copy of it
(write-audit-publish, `audit.py`): snapshots, models, seeds and tests in DAG order, the source
tests first, so a failing source test skips the snapshots and models that read the source. The
copy is published only when everything passed, so analysts never see a model that failed a test
and snapshot history never records a load that failed one.
"""

from __future__ import annotations

import shutil

from greenery.dbt.runner import Dbt
from greenery.jobs import night
from greenery.jobs.audit import audited, publishable
from greenery.jobs.options import DbtOptions
from greenery.jobs.skeleton import headline_funnel, prepare, running, runs_dir, with_data_clock
from greenery.ops.outcome import RunSummary, run_step


def run(dbt: Dbt, options: DbtOptions) -> RunSummary:
    def body(summary: RunSummary) -> None:
        prepare(dbt)
        with audited(dbt, summary) as staged:
            clocked = with_data_clock(staged)
            build_args = ["build", *options.args("build")]
            summary.steps.append(run_step("build", lambda: clocked.invoke(build_args)))
            if publishable(summary):
                summary.funnel = headline_funnel(staged)
                if whole(options):
                    summary.night = everything_tested(staged, summary)

    return running("build", dbt, body)


def whole(options: DbtOptions) -> bool:
    """A build of the whole project, which the next night of run-job can start from."""
    return not (options.select or options.exclude or options.vars)


def everything_tested(staged: Dbt, summary: RunSummary) -> dict[str, object]:
    """The night record of a whole build (every table tested), with its manifest archived
    under runs/<run id>/ for the next night's `state:modified` (jobs/night.py)."""
    archive = runs_dir(staged.project) / summary.run_id
    archive.mkdir(parents=True, exist_ok=True)
    manifest = staged.artifacts / night.MANIFEST
    if manifest.exists():
        shutil.copy2(manifest, archive / night.MANIFEST)
    data_clock, sources = night.warehouse_state(staged)
    recorded = night.Plan(
        data_clock=data_clock,
        sources=sources,
        full_tests=True,
        full_tests_at=data_clock or night.parse(summary.started_at),
        reason="full tests: greenery build tests every table",
    )
    return recorded.record()
