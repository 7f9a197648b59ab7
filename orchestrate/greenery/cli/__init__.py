"""`greenery`: the command line that loads, builds and operates the greenery dbt project.

Results go to stdout (a short summary, or one JSON object with --json); progress, dbt's log
and diagnostics go to stderr. Exit codes are those of greenery.ops.outcome.ExitCode.

The commands live beside this module, by what they work on: `data.py` (load, generate, arrive,
replay, deps), `jobs.py` (build, ci, run-job, retry, backfill), `status.py` (report, history,
doctor); this module holds the group, its shared options and how an error becomes an exit code.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import duckdb

from greenery.dbt.project import (
    DEBUG_ENV,
    PATH_ENV,
    TARGET_ENV,
    ConfigError,
    target_type,
)
from greenery.jobs.options import DbtOptions
from greenery.ops import lock, signals
from greenery.ops.outcome import ExitCode, RunSummary
from greenery.warehouse import database, storage, wap
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


# the commands, by what they work on: each module adds its commands to `main`
from greenery.cli import data, jobs, status  # noqa: E402, F401  (registers the commands)
