"""`greenery build`, `ci`, `run-job`, `retry`, `backfill`: the jobs that build the project."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from greenery.jobs.options import CI_TARGET, FULL_TESTS_EVERY_DAYS
from greenery.ops.outcome import ExitCode

if TYPE_CHECKING:
    pass


from greenery.cli import (
    dbt_options,
    finish,
    json_option,
    main,
    make_dbt,
    make_options,
    target_option,
    warehouse_option,
)

#: The nightly job's time limit, when --timeout is not given.
TIMEOUT_ENV = "GREENERY_RUN_TIMEOUT"


@main.command("build")
@warehouse_option
@target_option
@dbt_options
@json_option
def build_command(
    warehouse_path: Path | None, target: str | None, as_json: bool, **options: Any
) -> None:
    """The main job: load the sample if the warehouse is empty, then dbt build everything."""
    from greenery.jobs import build

    dbt = make_dbt(target, warehouse_path)
    finish(build.run(dbt, make_options(**options)), as_json)


@main.command("ci")
@warehouse_option
@click.option(
    "--target",
    default=CI_TARGET,
    show_default=True,
    help="The CI target: ci_local (embedded DuckDB) or ci (Snowflake).",
)
@click.option(
    "--state",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Production artifacts (manifest.json): build only state:modified+ and defer, then "
    "compare every mart built with production's (the summary's changes).",
)
@click.option(
    "--changes",
    "changes_markdown",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --state: also write the comparison as Markdown here, for the pull request.",
)
@click.option("--keep", is_flag=True, help="Keep the run's schemas (for debugging).")
@dbt_options
@json_option
def ci_command(
    warehouse_path: Path | None,
    target: str,
    state: Path | None,
    changes_markdown: Path | None,
    keep: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """A CI build in an isolated per-run schema, dropped afterwards (slim with --state, which
    compares the marts it builds with production's)."""
    from greenery.jobs import ci

    dbt = make_dbt(target, warehouse_path)
    summary = ci.run(
        dbt.project,
        target,
        dbt.duckdb_path,
        state,
        make_options(**options),
        keep=keep,
        changes_markdown=changes_markdown,
    )
    finish(summary, as_json)


@main.command("run-job")
@warehouse_option
@target_option
@click.option(
    "--freshness/--no-freshness",
    default=True,
    show_default=True,
    help="Check source freshness first; stale sources stop the job (exit 3).",
)
@click.option("--retry", is_flag=True, help="Retry the failed and skipped nodes once.")
@click.option(
    "--notify-success", is_flag=True, help="Notify on success too (failures are always notified)."
)
@click.option(
    "--full-tests",
    is_flag=True,
    help="Test every table whole tonight, not only what the night wrote.",
)
@click.option(
    "--full-tests-every",
    type=click.IntRange(min=1, max=366),
    default=FULL_TESTS_EVERY_DAYS,
    show_default=True,
    help="Days of data between full-test nights (the nights between test what they wrote).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    envvar=TIMEOUT_ENV,
    help="Stop the run after this many seconds: nothing is published, the staged build is "
    f"kept, exit {int(ExitCode.TIMED_OUT)} [env {TIMEOUT_ENV}; default: no limit].",
)
@click.option(
    "--fail-on-gaps",
    is_flag=True,
    help="Fail the night (exit 3, nothing published) when its days miss a day of events or "
    "orders; without it, the missing days are anomaly warnings.",
)
@dbt_options
@json_option
def run_job_command(
    warehouse_path: Path | None,
    target: str | None,
    freshness: bool,
    retry: bool,
    notify_success: bool,
    full_tests: bool,
    full_tests_every: int,
    timeout: float | None,
    fail_on_gaps: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """The scheduled production job: freshness, snapshots, build, docs, archived artifacts.

    A night builds and tests what changed since the last published run, and tests every
    table whole on full-test nights (docs/operations.md).
    """
    from greenery.jobs import run_job

    dbt = make_dbt(target, warehouse_path)
    summary = run_job.run(
        dbt,
        make_options(**options),
        run_job.JobOptions(
            freshness=freshness,
            retry=retry,
            notify_success=notify_success,
            full_tests=full_tests,
            full_tests_every=full_tests_every,
            timeout=timeout,
            fail_on_gaps=fail_on_gaps,
        ),
    )
    finish(summary, as_json)


@main.command("retry")
@warehouse_option
@target_option
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path), required=False)
@json_option
def retry_command(
    warehouse_path: Path | None, target: str | None, run_dir: Path | None, as_json: bool
) -> None:
    """Rerun only the failed and skipped nodes of a job run (default: the target's latest).

    On the embedded warehouse the run's kept copy is resumed and published if it passes.
    """
    from greenery.jobs import run_job

    dbt = make_dbt(target, warehouse_path)
    finish(run_job.retry(dbt, run_dir.resolve() if run_dir else None), as_json)


@main.command("backfill")
@warehouse_option
@target_option
@click.option(
    "--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day."
)
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    envvar=TIMEOUT_ENV,
    help=f"Stop after this many seconds (exit {int(ExitCode.TIMED_OUT)}) [env {TIMEOUT_ENV}].",
)
@json_option
def backfill_command(
    warehouse_path: Path | None,
    target: str | None,
    first: datetime,
    last: datetime,
    timeout: float | None,
    as_json: bool,
) -> None:
    """Rebuild the incremental event models for the days FROM to TO (both included).

    For events that arrived after the late-data window had moved past their days (a night's
    anomaly warnings name them): write-audit-publish, and tests of what it wrote.
    """
    from greenery.jobs import backfill

    if last < first:
        raise click.BadParameter(f"{last:%Y-%m-%d} is before --from", param_hint="--to")
    dbt = make_dbt(target, warehouse_path)
    finish(backfill.run(dbt, first.date(), last.date(), timeout), as_json)


# ---------------------------------------------------------------------------- reports
