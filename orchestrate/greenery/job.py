"""`greenery run-job`: the scheduled production job.

source freshness -> snapshots -> dbt build -> (dbt retry once, if asked) -> docs generate ->
archive the run's artifacts under runs/<run id>/, under a lock so two runs never overlap, with a
notification on failure (and on success, if asked) and a row in the run history.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from greenery import build, lock, notify
from greenery.build import DbtOptions, Say
from greenery.dbt import ConfigError, Dbt
from greenery.outcome import ExitCode, RunSummary, run_step

ARTIFACTS = ("run_results.json", "manifest.json", "sources.json", "catalog.json")
RUNS_DIR = "runs"


@dataclass
class JobOptions:
    freshness: bool = True
    retry: bool = False
    notify_success: bool = False


def runs_dir(project: Path) -> Path:
    return project / RUNS_DIR


def archive(source: Path, archive_dir: Path, names: tuple[str, ...] = ARTIFACTS) -> None:
    archive_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (source / name).exists():
            shutil.copy2(source / name, archive_dir / name)


def run(dbt: Dbt, options: DbtOptions, job: JobOptions, say: Say) -> RunSummary:
    summary, started = build.start("run-job", dbt)
    lock_path = runs_dir(dbt.project) / f"{summary.target}.lock"
    try:
        with lock.exclusive(lock_path, f"run {summary.run_id}"):
            steps(dbt, options, job, summary, say)
            summary.finish(started)
    except lock.LockHeld as exc:
        summary.message = f"not started: {exc}"
        summary.finish(started, ExitCode.LOCK_HELD)
        return summary  # the run that holds the lock records and notifies its own outcome
    except ConfigError as exc:
        summary.message = f"configuration error: {exc}"
        summary.finish(started, ExitCode.CONFIG_ERROR)
    notify.send(summary, job.notify_success, say)
    build.record(dbt, summary, say)
    return summary


def steps(dbt: Dbt, options: DbtOptions, job: JobOptions, summary: RunSummary, say: Say) -> None:
    build.prepare(dbt, say)
    options = build.with_data_clock(dbt, options, say)
    archive_dir = runs_dir(dbt.project) / summary.run_id
    summary.message = f"artifacts: {archive_dir}"
    select = options.args("freshness")
    if job.freshness:
        freshness = run_step(
            "source freshness", lambda: dbt.invoke(["source", "freshness", *select])
        )
        summary.steps.append(freshness)
        archive(dbt.artifacts, archive_dir, ("sources.json",))
        if not freshness.success:
            summary.message = f"stale sources: nothing was built; artifacts: {archive_dir}"
            return
    snapshot = run_step("snapshot", lambda: dbt.invoke(["snapshot", *options.args("snapshot")]))
    summary.steps.append(snapshot)
    if not snapshot.success:
        archive(dbt.artifacts, archive_dir)
        return
    build_args = ["build", "--exclude", "resource_type:snapshot", *options.args("build")]
    built = run_step("build", lambda: dbt.invoke(build_args))
    summary.steps.append(built)
    archive(dbt.artifacts, archive_dir)
    if not built.success and job.retry:
        say("retrying the failed and skipped nodes once (dbt retry)")
        retried = run_step("retry", lambda: dbt.invoke(["retry", "--state", str(archive_dir)]))
        summary.steps.append(retried)
        archive(dbt.artifacts, archive_dir)
    if all(s.success for s in summary.steps):
        docs = run_step("docs generate", lambda: dbt.invoke(["docs", "generate"]))
        summary.steps.append(docs)
        archive(dbt.artifacts, archive_dir, ("catalog.json",))
    summary.funnel = build.headline_funnel(dbt)


def retry(dbt: Dbt, state: Path, say: Say) -> RunSummary:
    """`greenery retry`: rerun only what failed or was skipped in an archived run."""
    summary, started = build.start("retry", dbt)
    if not (state / "run_results.json").exists():
        summary.message = f"configuration error: {state} has no run_results.json to retry"
        return summary.finish(started, ExitCode.CONFIG_ERROR)
    say(f"retrying the failed and skipped nodes of {state}")
    summary.steps.append(run_step("retry", lambda: dbt.invoke(["retry", "--state", str(state)])))
    summary.finish(started)
    build.record(dbt, summary, say)
    return summary
