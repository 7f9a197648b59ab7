"""`greenery`: the command line that loads, builds and operates the greenery dbt project.

Results go to stdout (a short summary, or one JSON object with --json); progress, dbt's log
and diagnostics go to stderr. Exit codes are those of greenery.ops.outcome.ExitCode.

Every greenery module logs its progress and diagnostics to its own `logging` logger; while a
command runs, the CLI sends them all to stderr as plain lines (`logging_to_stderr`), and prints
only results itself.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import duckdb

from greenery.dbt.project import (
    DEBUG_ENV,
    PATH_ENV,
    TARGET_ENV,
    ConfigError,
    project_dir,
    target_schema,
    target_type,
)
from greenery.jobs.options import CI_TARGET, FULL_TESTS_EVERY_DAYS, DbtOptions
from greenery.ops import lock, signals
from greenery.ops.outcome import ExitCode, RunSummary
from greenery.warehouse import arrivals, database, datasets, storage, wap
from greenery.warehouse.loader import LoadError
from greenery.warehouse.storage import StorageError

if TYPE_CHECKING:
    from greenery.dbt.runner import Dbt

# dbt itself is imported only by the commands that run it, when they run (`dbt_modules`): it
# takes 1.7 s, which `arrive`, `load` or `--help` have no use for

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
EMULATOR_ENV = "GREENERY_SNOWFLAKE_EMULATOR"
PACKAGE = "greenery"

# by name, not __name__: run as `python -m greenery.cli`, this module is __main__
logger = logging.getLogger(f"{PACKAGE}.cli")


class Stderr(logging.Handler):
    """Each record as a plain line on stderr, so stdout stays for results.

    The stream is looked up for every record (click.echo), not fixed when the handler is made:
    click's test runner swaps stderr for each invocation.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # noqa: BLE001 - logging never breaks a command
            self.handleError(record)


@contextmanager
def logging_to_stderr() -> Iterator[None]:
    """While a command runs, the greenery loggers' progress and diagnostics (INFO and up) go to
    stderr as plain lines, and only there: dbt's usage tracker configures the root logger when
    it is imported, which would print every line a second time. Restored afterwards, so a
    command invoked in-process (tests, click's runner) leaves logging as it found it."""
    package = logging.getLogger(PACKAGE)
    level, propagate = package.level, package.propagate
    handler = Stderr()
    package.addHandler(handler)
    package.setLevel(logging.INFO)
    package.propagate = False
    try:
        yield
    finally:
        package.removeHandler(handler)
        package.setLevel(level)
        package.propagate = propagate


def fail(message: str, code: ExitCode) -> None:
    logger.error(f"error: {message}")
    sys.exit(int(code))


def compose(*decorators: Decorator) -> Decorator:
    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


warehouse_option = click.option(
    "--warehouse",
    "warehouse_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"DuckDB file of the embedded warehouse [env {PATH_ENV}; "
    "default warehouse/greenery.duckdb in the project].",
)
target_option = click.option(
    "--target", default=None, help="dbt target from the profile [env GREENERY_TARGET; default dev]."
)
json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON summary (ops/data/run_summary.schema.json) on stdout.",
)
dbt_options = compose(
    click.option("--select", "-s", multiple=True, help="dbt node selection (repeatable)."),
    click.option("--exclude", multiple=True, help="dbt nodes to exclude (repeatable)."),
    click.option("--vars", "dbt_vars", default=None, help="dbt vars, as YAML or JSON."),
    click.option("--threads", type=click.IntRange(min=1), default=None, help="dbt threads."),
    click.option("--fail-fast", is_flag=True, help="Stop at the first failure."),
    click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch."),
)


def make_options(
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    dbt_vars: str | None,
    threads: int | None,
    fail_fast: bool,
    full_refresh: bool,
) -> DbtOptions:
    return DbtOptions(
        select=select,
        exclude=exclude,
        vars=dbt_vars,
        threads=threads,
        fail_fast=fail_fast,
        full_refresh=full_refresh,
    )


def resolve(path: Path | None) -> Path:
    return (path or database.default_path()).resolve()


def existing(warehouse_path: Path | None) -> Path:
    """The warehouse a command other than `build` works on: it must be there (a mistyped path
    creates nothing) and be a DuckDB database."""
    path = resolve(warehouse_path)
    logger.info(f"warehouse: {path}")
    if not path.exists():
        fail(database.missing(path), ExitCode.CONFIG_ERROR)
    storage.check_database(path)
    return path


def make_dbt(target: str | None, warehouse_path: Path | None) -> Dbt:
    """A Dbt for the target; the DuckDB file only for targets that are DuckDB."""
    from greenery.dbt.runner import Dbt

    dbt = Dbt(target=target)
    try:
        kind = target_type(dbt.project, dbt.target_name)
    except (OSError, KeyError, ValueError, ConfigError) as exc:
        fail(f"cannot read the dbt profile: {exc}", ExitCode.CONFIG_ERROR)
    if kind is None:
        fail(
            f"target {dbt.target_name!r} is not in the greenery profile (see profiles.yml)",
            ExitCode.CONFIG_ERROR,
        )
    if kind == "duckdb":
        dbt.duckdb_path = resolve(warehouse_path)
    return dbt


def finish(summary: RunSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.to_dict(), default=str))
    else:
        click.echo(summary.text())
    sys.exit(summary.exit_code)


def exit_code_of(exc: BaseException) -> tuple[ExitCode, str]:
    """The documented exit code and the message for an error that reached the command line
    (docs/faults.md)."""
    if isinstance(exc, lock.LockHeld):
        return ExitCode.LOCK_HELD, f"not started: {exc}"
    if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
        return ExitCode.LOCK_HELD, f"the warehouse file is in use by another process: {exc}"
    fault = StorageError.from_exception(exc, None)
    if fault is not None:
        return ExitCode.STORAGE_ERROR, f"storage error: {fault}"
    if isinstance(exc, ConfigError | wap.WarehouseChanged):
        return ExitCode.CONFIG_ERROR, str(exc)
    if isinstance(exc, LoadError):
        return ExitCode.BAD_INPUT, f"{exc}\nnothing was loaded; the warehouse is as it was."
    runner = sys.modules.get("greenery.dbt.runner")  # imported by any command that ran dbt
    if runner is not None and isinstance(exc, runner.DbtFailed):
        return ExitCode.MODELS_ERRORED, str(exc)
    return ExitCode.INTERNAL_ERROR, (
        f"unexpected {type(exc).__name__}: {exc} (a bug in greenery: please report it; "
        f"set {DEBUG_ENV}=1 for the traceback)"
    )


class Greenery(click.Group):
    """The command group: every error ends with its documented exit code, never a traceback."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = int(ExitCode.USAGE_ERROR)  # not 2, which is models_errored
            raise

    def invoke(self, ctx: click.Context) -> Any:
        with logging_to_stderr(), signals.stoppable():
            try:
                return super().invoke(ctx)
            except click.UsageError as exc:  # a subcommand's arguments
                exc.exit_code = int(ExitCode.USAGE_ERROR)
                raise
            except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
                raise
            except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (signals.Terminated)
                fail(f"{signals.stop_message(exc)}: stopped", signals.stop_code(exc))
            except Exception as exc:  # noqa: BLE001 - mapped to an exit code, never a traceback
                if signals.is_stop(exc):  # the signal came during a query
                    fail(f"{signals.stop_message(exc)}: stopped", signals.stop_code(exc))
                if os.environ.get(DEBUG_ENV):
                    traceback.print_exc()
                code, message = exit_code_of(exc)
                fail(message, code)


@click.group(cls=Greenery, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--snowflake-emulator",
    "emulator_dir",
    envvar=EMULATOR_ENV,
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Run the command on the real dbt-snowflake adapter against an offline Snowflake "
    f"emulator (fakesnow) keeping its databases in this directory; the target defaults to "
    f"the profile's 'emulated' [env {EMULATOR_ENV}; needs the emulator extra].",
)
@click.option(
    "--debug",
    is_flag=True,
    help=f"Tracebacks of unexpected errors, and dbt's file log at debug level [env {DEBUG_ENV}].",
)
@click.pass_context
def main(ctx: click.Context, emulator_dir: Path | None, debug: bool) -> None:
    """Greenery analytics: sample warehouse, dbt builds and the jobs around them."""
    if debug and DEBUG_ENV not in os.environ:
        os.environ[DEBUG_ENV] = "1"
        ctx.call_on_close(lambda: os.environ.pop(DEBUG_ENV, None))
    if emulator_dir is None:
        return
    from greenery import emulator  # a test device, apart from the production code

    os.environ.setdefault(TARGET_ENV, emulator.TARGET)
    try:
        emulator.ensure_raw(emulator_dir.resolve(), database.default_path())
        ctx.with_resource(emulator.emulated_snowflake(emulator_dir.resolve()))
    except emulator.EmulatorError as exc:
        fail(str(exc), ExitCode.CONFIG_ERROR)


# ---------------------------------------------------------------------------- data
#: Bounds of the data commands' arguments (docs/faults.md): a shop ten thousand times the
#: published one, ten years of history, a year of arrivals at once.
MAX_SCALE = 10_000
MAX_WEEKS = 520
MAX_DAYS = 366
#: The nightly job's time limit, when --timeout is not given.
TIMEOUT_ENV = "GREENERY_RUN_TIMEOUT"

scale_option = click.option(
    "--scale",
    type=click.IntRange(min=1, max=MAX_SCALE),
    default=1,
    show_default=True,
    help="Sample size: multiplies users, sessions, orders and events.",
)


def seed_option(what: str) -> Decorator:
    return click.option("--seed", type=int, default=42, show_default=True, help=f"{what} seed.")


weeks_option = click.option(
    "--weeks",
    "n_weeks",
    type=click.IntRange(min=1, max=MAX_WEEKS),
    default=datasets.DEFAULT_WEEKS,
    show_default=True,
    help="Weeks of history ending with the published week of 2021-02-08 (1: that week alone).",
)


@main.command()
@warehouse_option
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Load a directory of CSV exports (<table>.csv) instead of the sample data.",
)
@scale_option
@seed_option("Sample generator")
@weeks_option
@click.option(
    "--restart-history",
    is_flag=True,
    help="Start the snapshots' history over from this load (needed when the data ends before "
    "the warehouse's; a sample of several weeks always brings its own).",
)
def load(
    warehouse_path: Path | None,
    csv_dir: Path | None,
    scale: int,
    seed: int,
    n_weeks: int,
    restart_history: bool,
) -> None:
    """Load the raw tables: the generated sample, or your own CSV export. All or nothing.

    The next job rebuilds the marts from the new tables whole (docs/nights.md).
    """
    path = resolve(warehouse_path)
    logger.info(f"warehouse: {path}")
    new = not path.exists()
    if not new:
        storage.check_database(path)
    held = lock.path_for(path, project_dir(), "dev")
    try:
        with lock.exclusive(held, "load"):
            if csv_dir is not None:
                counts = datasets.load_export(path, csv_dir, restart_history)
            else:
                counts = datasets.load_sample(path, scale, seed, n_weeks, restart_history)
    except BaseException as exc:
        if new:  # a load that failed leaves no file it created behind (the lock released)
            database.remove(path)
            held.unlink(missing_ok=True)
        if isinstance(exc, LoadError):
            fail(f"{exc}\nnothing was loaded; the warehouse is as it was.", ExitCode.BAD_INPUT)
        raise
    for table, n in counts.items():
        click.echo(f"raw.{table}: {n} rows")


@main.command()
@warehouse_option
@click.option(
    "--days",
    type=click.IntRange(min=1, max=MAX_DAYS),
    default=1,
    show_default=True,
    help="How many days to append after the newest data.",
)
@seed_option("Arrival generator")
def arrive(warehouse_path: Path | None, days: int, seed: int) -> None:
    """Append the next days of greenery to the raw tables, as the source would deliver them.

    New users, sessions, events and orders; orders shipped and delivered in place; inventory
    sold and restocked; and late events up to 48 hours old in existing sessions. Then run the
    nightly job (`greenery run-job`): snapshots record the arrived day as their time.
    """
    from tqdm import tqdm

    path = existing(warehouse_path)
    arrived: list[arrivals.ArrivedDay] = []
    try:
        with (
            lock.exclusive(lock.path_for(path, project_dir(), "dev"), "arrive"),
            database.connect(path) as con,
            # on a terminal only (disable=None); every day is a transaction of its own
            tqdm(total=days, desc="arrive", unit="day", file=sys.stderr, disable=None) as bar,
        ):
            for day in arrivals.arriving(con, days, seed):
                arrived.append(day)
                bar.update()
    except (arrivals.ArrivalError, LoadError) as exc:
        kept = f"the {len(arrived)} days before it arrived whole" if arrived else "nothing arrived"
        fail(f"{exc}\n{kept}; the warehouse is as it was otherwise.", ExitCode.BAD_INPUT)
    finally:  # stopped half way (Ctrl-C, SIGTERM): the days that arrived are said
        for day in arrived:
            click.echo(
                f"{day.day}: {day.sessions} sessions, {day.events} events "
                f"({day.late_events} late), {day.new_users} new users, {day.orders} orders, "
                f"{day.shipped} shipped, {day.delivered} delivered, {day.restocked} restocked"
            )


@main.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write to.",
)
@scale_option
@seed_option("Sample generator")
@weeks_option
def generate(out_dir: Path, scale: int, seed: int, n_weeks: int) -> None:
    """Write the sample dataset as a CSV export in greenery's real export format."""
    counts = datasets.export_sample(out_dir, scale, seed, n_weeks)
    for table, n in counts.items():
        click.echo(f"{out_dir / table}.csv: {n} rows")


@main.command("replay")
@warehouse_option
@target_option
@click.option(
    "--weeks",
    default="1-4",
    show_default=True,
    help="Weeks to replay, e.g. 1-4, 1-2 or 3-4. Starting at 1 resets snapshot history.",
)
def replay_command(warehouse_path: Path | None, target: str | None, weeks: str) -> None:
    """Replay the weekly history: apply each week's changes, then snapshot at the week's time."""
    from greenery.jobs import replay
    from greenery.jobs.skeleton import prepare

    dbt = make_dbt(target, warehouse_path)
    if dbt.target_name == "prod":
        fail("replay rewrites raw data and snapshot history: never on prod", ExitCode.CONFIG_ERROR)
    try:
        first, _, last = weeks.partition("-")
        week_list = list(range(int(first), int(last or first) + 1))
    except ValueError as exc:
        raise click.BadParameter(f"expected N or N-M, got {weeks!r}", param_hint="--weeks") from exc
    logger.info(f"replaying weeks {weeks} on target {dbt.target_name}")
    try:
        prepare(dbt)
        applied = replay.run(dbt, week_list)
    except replay.ReplayError as exc:
        fail(f"{exc}\nnothing was applied; the warehouse is as it was.", ExitCode.BAD_INPUT)
    except replay.ReplayFailed as exc:
        fail(str(exc), ExitCode.MODELS_ERRORED)
    click.echo(f"replayed weeks: {' '.join(map(str, applied)) or 'none (already recorded)'}")


@main.command()
@click.option("--force", is_flag=True, help="Reinstall even if the packages are present.")
def deps(force: bool) -> None:
    """Install the dbt packages: from the dbt hub, else the offline stand-ins."""
    from greenery.dbt import packages
    from greenery.dbt.runner import Dbt

    try:
        source = packages.install(Dbt(), force=force)
    except ConfigError as exc:
        fail(str(exc), ExitCode.CONFIG_ERROR)
    click.echo(f"packages: {source}")


# ---------------------------------------------------------------------------- jobs
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
@main.command("report")
@warehouse_option
@target_option
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The HTML file to write [default: runs/report.html in the project].",
)
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also save a PNG of the whole rendered page (needs Chromium), e.g. docs/report.png.",
)
def report_command(
    warehouse_path: Path | None, target: str | None, out_path: Path | None, screenshot: Path | None
) -> None:
    """The sales funnel report: one self-contained HTML file that opens offline.

    Funnel with drop-offs, conversion by week and day, products by drop-off, the funnel by
    state and region, inventory and stock-outs, and the suspected-bot share, with filters in
    the page. Reads the analyst marts of the target's DuckDB warehouse, read-only.
    """
    from greenery import report  # altair loads only for this command
    from greenery.report import browser

    dbt = make_dbt(target, warehouse_path)
    if dbt.duckdb_path is None:
        fail(
            f"the report reads the embedded DuckDB warehouse; target {dbt.target_name!r} is not "
            "a DuckDB target",
            ExitCode.CONFIG_ERROR,
        )
    if dbt.duckdb_path.exists():
        storage.check_database(dbt.duckdb_path)
    schema = report.marts_schema(dbt.target_name, target_schema(dbt.project, dbt.target_name))
    out = (out_path or dbt.project / "runs" / "report.html").resolve()
    try:
        report.write(dbt.duckdb_path, schema, out)
        if screenshot is not None:
            browser.chromium().screenshot(out, screenshot)
            logger.info(f"report: screenshot {screenshot}")
    except report.MartsMissing as exc:
        fail(str(exc), ExitCode.CONFIG_ERROR)
    except browser.BrowserError as exc:
        fail(f"{exc}\nthe report itself was written: {out}", ExitCode.CONFIG_ERROR)
    click.echo(str(out))


# ---------------------------------------------------------------------------- on-call
@main.command("history")
@warehouse_option
@target_option
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--slower-ratio",
    type=float,
    default=1.5,
    show_default=True,
    help="Flag models whose latest build took this many times their median.",
)
@click.option(
    "--anomalies",
    "anomalies_only",
    is_flag=True,
    help="Only the anomaly warnings of the recent runs, one per line.",
)
def history_command(
    warehouse_path: Path | None,
    target: str | None,
    limit: int,
    slower_ratio: float,
    anomalies_only: bool,
) -> None:
    """Recent runs, the slowest models, and models getting slower (or their anomalies)."""
    from greenery.ops import runlog

    dbt = make_dbt(target, warehouse_path)
    if dbt.duckdb_path is not None and not dbt.duckdb_path.exists():
        fail(database.missing(dbt.duckdb_path), ExitCode.CONFIG_ERROR)
    path = runlog.history_path(dbt.project, dbt.duckdb_path)
    click.echo(f"run history: {path}" + ("" if path.exists() else " (no run recorded yet)"))
    runs = runlog.recent_runs(path, limit)
    if anomalies_only:
        found = [(run, anomaly) for run in runs for anomaly in run.anomalies]
        click.echo(f"anomalies of the last {len(runs)} runs:" + ("" if found else " none"))
        for run, anomaly in found:
            click.echo(f"  {run.run_id}  {anomaly['kind']:<8} {anomaly['message']}")
        return
    click.echo("recent runs:")
    for run in runs:
        flagged = f"  {len(run.anomalies)} anomalies" if run.anomalies else ""
        click.echo(f"  {run.line()}{flagged}")
    click.echo("slowest models (average of recent runs):")
    for name, seconds, n in runlog.slowest_models(path, limit=5):
        click.echo(f"  {name:<40} {seconds:7.3f}s over {n} runs")
    slower = runlog.models_getting_slower(path, ratio=slower_ratio)
    click.echo("models getting slower:" + ("" if slower else " none"))
    for name, latest, typical, ratio in slower:
        click.echo(f"  {name:<40} {latest:.3f}s vs median {typical:.3f}s ({ratio}x)")


@main.command("doctor")
@target_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: target, ok, checks.")
def doctor_command(target: str | None, as_json: bool) -> None:
    """Check the installation, the profile and the environment; never prints a secret."""
    from greenery.dbt.runner import Dbt
    from greenery.ops import doctor

    dbt = Dbt(target=target)
    checks = doctor.run(dbt.project, dbt.target_name)
    if as_json:
        click.echo(json.dumps(doctor.report(dbt.target_name, checks)))
    else:
        for check in checks:
            click.echo(check.line())
    if not doctor.all_ok(checks):
        sys.exit(int(ExitCode.CONFIG_ERROR))


if __name__ == "__main__":
    main()
