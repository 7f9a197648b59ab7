"""`greenery run-job`: the scheduled production job.

source freshness -> dbt build (source tests, snapshots, models, data tests; the unit tests are
for `greenery build` and CI) -> (dbt retry once, if
asked), all on a staged copy that is published only when everything passed (`wap.py`) -> docs
generate -> the run's artifacts and summary archived under runs/<run id>/; under the warehouse
lock so two runs never overlap, with a notification on failure (and on success, if asked) and a
row in the run history.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from greenery.dbt.project import ConfigError, target_schema
from greenery.dbt.runner import Dbt
from greenery.jobs import night
from greenery.jobs.audit import audited, publishable
from greenery.jobs.options import FULL_TESTS_EVERY_DAYS, DbtOptions
from greenery.jobs.skeleton import headline_funnel, prepare, running, runs_dir, with_data_clock
from greenery.ops import anomalies, notify, runlog
from greenery.ops.outcome import GAPS_STEP, ExitCode, RunSummary, Step, run_step
from greenery.warehouse import wap

logger = logging.getLogger(__name__)

ARTIFACTS = ("run_results.json", "manifest.json", "sources.json", "catalog.json")
SUMMARY = "summary.json"
REPORT = "report.html"
#: Unit tests check the models' logic on fixed inputs, so a night's new data cannot change their
#: outcome: `greenery build` and CI run them, production does not (as dbt recommends).
PRODUCTION_EXCLUDES = ("--exclude-resource-type", "unit_test")


@dataclass
class JobOptions:
    freshness: bool = True
    retry: bool = False
    notify_success: bool = False
    #: test every table whole tonight, not only what the night wrote (jobs/night.py)
    full_tests: bool = False
    #: a full-test night at least this often, in days of data
    full_tests_every: int = FULL_TESTS_EVERY_DAYS
    #: stop the run after this many seconds (exit 9, nothing published); None: no limit
    timeout: float | None = None
    #: a day without events or orders in the night's days fails the night (exit 3)
    fail_on_gaps: bool = False


def archive(source: Path, archive_dir: Path, names: tuple[str, ...] = ARTIFACTS) -> None:
    archive_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (source / name).exists():
            shutil.copy2(source / name, archive_dir / name)


def run(dbt: Dbt, options: DbtOptions, job: JobOptions) -> RunSummary:
    summary = running(
        "run-job", dbt, lambda summary: steps(dbt, options, job, summary), timeout=job.timeout
    )
    if summary.exit_code != ExitCode.LOCK_HELD:
        # the run that holds the lock notifies its own outcome
        write_summary(runs_dir(dbt.project) / summary.run_id, summary)
        notify.send(summary, job.notify_success)
    return summary


def steps(dbt: Dbt, options: DbtOptions, job: JobOptions, summary: RunSummary) -> None:
    prepare(dbt)
    archive_dir = runs_dir(dbt.project) / summary.run_id
    summary.message = f"artifacts: {archive_dir}"
    history = runlog.history_path(dbt.project, dbt.duckdb_path)
    before = night.baseline(history, dbt.target_name, runs_dir(dbt.project))
    with audited(dbt, summary) as staged:
        tonight = night.plan(staged, options, before, job.full_tests, job.full_tests_every)
        windowed = replace(staged, extra_env={**staged.extra_env, **tonight.env})
        chosen = replace(options, full_refresh=tonight.full_refresh)
        audit(windowed, chosen, job, summary, archive_dir, tonight.select)
        if any(step.command == "build" for step in summary.steps):
            judge(staged, before, tonight, job, summary)
        ran = {n.unique_id for n in summary.nodes}
        tonight.skipped = night.skipped(tonight, staged.artifacts / night.MANIFEST, ran)
        summary.night = tonight.record()
        if dbt.duckdb_path is not None and publishable(summary):
            # the staged copy is what is about to be published, relation for relation
            document(staged, summary, archive_dir)
    if dbt.duckdb_path is None and publishable(summary):
        # Snowflake: after publication, so the catalog and manifest name the published schemas
        document(dbt, summary, archive_dir)


def judge(
    staged: Dbt,
    before: night.Baseline | None,
    tonight: night.Plan,
    job: JobOptions,
    summary: RunSummary,
) -> None:
    """The night's anomaly warnings (ops/anomalies.py), into its summary; with
    `fail_on_gaps`, a missing day fails the night before anything is published."""
    now = tonight.data_clock or datetime.now(UTC).replace(tzinfo=None)
    since = anomalies.judged_since(now, before.data_clock if before else None)
    found = anomalies.of_days(staged, since) if since else []
    # the incremental models read back from the newest rows they held: the last night's clock
    reached = before.data_clock if before and before.data_clock else now
    window_start = (reached - night.lookback(staged.project)).date()
    before_days = before.event_days if before else None
    found += anomalies.late_beyond_window(before_days, tonight.event_days, window_start)
    summary.anomalies = [a.to_dict() for a in found]
    for anomaly in found:
        logger.warning(f"anomaly: {anomaly.message()}")
    gaps = [a for a in found if a.kind == "gap"]
    if gaps and job.fail_on_gaps:
        days = ", ".join(sorted({a.day for a in gaps}))
        error = f"days without events or orders: {days} (--fail-on-gaps)"
        summary.steps.append(Step(GAPS_STEP, False, 0.0, [], error))
        summary.message = f"{summary.message}; {error}" if summary.message else error


def document(dbt: Dbt, summary: RunSummary, archive_dir: Path) -> None:
    """The docs (catalog and manifest), the headline funnel and the funnel report of a build
    that passed."""
    summary.funnel = headline_funnel(dbt)
    earlier = night.unchanged_catalog(summary.night, runs_dir(dbt.project), dbt.artifacts)
    if earlier is not None:
        # a window night of an unchanged project: its catalog is the last one's
        shutil.copy2(earlier, archive_dir / "catalog.json")
        logger.info(f"docs: the project is unchanged since {earlier.parent.name}: catalog kept")
    else:
        # the build has just compiled every node: the catalog needs no second compilation
        generate = ["docs", "generate", "--no-compile"]
        summary.steps.append(run_step("docs generate", lambda: dbt.invoke(generate)))
        archive(dbt.artifacts, archive_dir, ("catalog.json",))
    archive(dbt.artifacts, archive_dir, ("manifest.json",))
    write_report(dbt, summary, archive_dir)


def write_report(dbt: Dbt, summary: RunSummary, archive_dir: Path) -> None:
    """The funnel report into the run's artifacts (`runs/<run id>/report.html`).

    Like the docs, the report never holds back the data: if it cannot be written, the run says
    why and publishes anyway. It reads DuckDB marts; a Snowflake run has no report yet.
    """
    if dbt.duckdb_path is None:
        logger.info("report: skipped, the report reads the embedded DuckDB warehouse only")
        return
    from greenery import report  # altair loads only when a report is written

    try:
        schema = report.marts_schema(dbt.target_name, target_schema(dbt.project, dbt.target_name))
        out = report.write(dbt.duckdb_path, schema, archive_dir / REPORT)
    except Exception as exc:  # a report is never worth losing the data for
        logger.warning(f"report: not written ({type(exc).__name__}: {exc})")
        return
    summary.report = str(out)


def audit(
    staged: Dbt,
    options: DbtOptions,
    job: JobOptions,
    summary: RunSummary,
    archive_dir: Path,
    select: list[str] | None = None,
) -> None:
    """Freshness, then one `dbt build` (source tests gate the snapshots), on the staged copy."""
    staged = with_data_clock(staged)
    if job.freshness:
        sources = options.args("freshness")
        freshness = run_step(
            "source freshness", lambda: staged.invoke(["source", "freshness", *sources])
        )
        summary.steps.append(freshness)
        archive(staged.artifacts, archive_dir, ("sources.json",))
        if not freshness.success:
            summary.message = f"stale sources: nothing was built; artifacts: {archive_dir}"
            return
    build = ["build", *options.args("build"), *PRODUCTION_EXCLUDES, *(select or [])]
    built = run_step("build", lambda: staged.invoke(build))
    summary.steps.append(built)
    archive(staged.artifacts, archive_dir)
    if not built.success and job.retry:
        logger.info("retrying the failed and skipped nodes once (dbt retry)")
        retried = run_step("retry", lambda: staged.invoke(["retry", "--state", str(archive_dir)]))
        summary.steps.append(retried)
        archive(staged.artifacts, archive_dir)


def write_summary(archive_dir: Path, summary: RunSummary) -> None:
    """The run's target and outcome beside its artifacts: `greenery retry` finds runs by it."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    (archive_dir / SUMMARY).write_text(json.dumps(summary.to_dict(), default=str))


def latest_run(project: Path, target: str) -> Path | None:
    """The newest archived run of `target` that has results to retry."""
    for run_dir in sorted(runs_dir(project).glob("*"), reverse=True):
        summary_file = run_dir / SUMMARY
        if not (run_dir / "run_results.json").exists() or not summary_file.exists():
            continue
        if json.loads(summary_file.read_text()).get("target") == target:
            return run_dir
    return None


def retry(dbt: Dbt, state: Path | None) -> RunSummary:
    """`greenery retry`: rerun only what failed or was skipped in an archived run of the target.

    On an embedded warehouse the run's kept copy is resumed, and published if the retry passes;
    it is refused if the published warehouse changed since that run (new data or another run).
    """

    def body(summary: RunSummary) -> None:
        run_dir = state or latest_run(dbt.project, dbt.target_name)
        if run_dir is None:
            raise ConfigError(f"no archived run of target {dbt.target_name} under runs/ to retry")
        if not (run_dir / "run_results.json").exists():
            raise ConfigError(f"{run_dir} has no run_results.json to retry")
        resumed = None
        summary_file = run_dir / SUMMARY
        failed = json.loads(summary_file.read_text()) if summary_file.exists() else {}
        # a retry that passes completes the failed night: the next night compares with it
        summary.night = failed.get("night")
        if dbt.duckdb_path is not None:
            failed_copy = failed.get("failed_copy")
            if not failed_copy:
                raise ConfigError(f"run {run_dir.name} kept no failed copy: nothing to retry")
            resumed = wap.resume(dbt.duckdb_path, Path(failed_copy), summary.run_id)
        logger.info(f"retrying the failed and skipped nodes of {run_dir}")
        retry_args = ["retry", "--state", str(run_dir)]
        with audited(dbt, summary, staged=resumed, resumed_from=run_dir) as staged:
            summary.steps.append(run_step("retry", lambda: staged.invoke(retry_args)))

    summary = running("retry", dbt, body)
    if summary.exit_code != ExitCode.LOCK_HELD:
        write_summary(runs_dir(dbt.project) / summary.run_id, summary)
    return summary
