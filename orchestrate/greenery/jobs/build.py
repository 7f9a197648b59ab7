"""The main job, `greenery build`.

`greenery build` makes sure the warehouse has data, then runs `dbt build` on a staged copy of it
(write-audit-publish, `audit.py`): snapshots, models, seeds and tests in DAG order, the source
tests first, so a failing source test skips the snapshots and models that read the source. The
copy is published only when everything passed, so analysts never see a model that failed a test
and snapshot history never records a load that failed one.
"""

from __future__ import annotations

from greenery.dbt.runner import Dbt
from greenery.jobs.audit import audited, publishable
from greenery.jobs.options import DbtOptions
from greenery.jobs.skeleton import headline_funnel, prepare, running, with_data_clock
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

    return running("build", dbt, body)
