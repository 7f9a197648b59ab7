"""Run dbt in-process through its Python API (dbtRunner): structured results, one startup.

The runner knows the project and the target, never the warehouse's data: an embedded target
gets its DuckDB file through the profile's variable ($GREENERY_DUCKDB_PATH), and loading data
into it is the warehouse layer's business.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt_common.events.base_types import EventMsg

from greenery.dbt.project import (
    DEBUG_ENV,
    DEFAULT_TARGET,
    PATH_ENV,
    TARGET_ENV,
    profiles_dir,
    project_dir,
)


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a dbt invocation."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class Dbt:
    """One dbt project and target; `invoke` runs a dbt command in this process."""

    project: Path = field(default_factory=project_dir)
    target: str | None = None
    duckdb_path: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    target_path: Path | None = None

    def env(self) -> dict[str, str]:
        values = dict(self.extra_env)
        if self.duckdb_path is not None:
            values[PATH_ENV] = str(self.duckdb_path)
        return values

    def with_env(self, name: str, value: str) -> Dbt:
        """The same project and target, with one more environment variable for dbt."""
        return replace(self, extra_env={**self.extra_env, name: value})

    def common_args(self) -> list[str]:
        args = [
            "--project-dir",
            str(self.project),
            "--profiles-dir",
            str(profiles_dir(self.project)),
            # dbt's file log (logs/dbt.log) at debug level writes every statement of every node:
            # a tenth of a small build's time. It keeps info unless $GREENERY_DEBUG asks.
            "--log-level-file",
            "debug" if os.environ.get(DEBUG_ENV) else "info",
        ]
        if self.target:
            args += ["--target", self.target]
        if self.target_path is not None:
            args += ["--target-path", str(self.target_path)]
        return args

    @property
    def artifacts(self) -> Path:
        """Where dbt writes run_results.json, manifest.json and the rest.

        `target_path`, else $DBT_TARGET_PATH (dbt's own variable; relative to the project),
        else the project's target/.
        """
        if self.target_path is not None:
            return self.target_path
        return self.project / os.environ.get("DBT_TARGET_PATH", "target")

    @property
    def target_name(self) -> str:
        return self.target or os.environ.get(TARGET_ENV, DEFAULT_TARGET)

    def invoke(
        self,
        command: Sequence[str],
        callbacks: Sequence[Callable[[EventMsg], None]] = (),
        **kwargs: Any,
    ) -> dbtRunnerResult:
        """Run `dbt <command>`; dbt's options go after the subcommand, as on the command line.

        `callbacks` receive every structured event dbt logs (for warnings, progress, history).
        """
        args = [*command, *self.common_args()]
        # dbt's console log goes to stderr: stdout is kept for results (summaries, --json)
        try:
            with environment(self.env()), contextlib.redirect_stdout(sys.stderr):
                result = dbtRunner(callbacks=list(callbacks)).invoke(args, **kwargs)
        finally:
            release_duckdb()
        if isinstance(result.exception, KeyboardInterrupt):
            # Ctrl-C or SIGTERM: dbt stopped its nodes and returned; the command stops too
            raise result.exception
        return result

    def check(self, command: Sequence[str]) -> dbtRunnerResult:
        """Run a command and raise if dbt reports failure."""
        result = self.invoke(command)
        if not result.success:
            detail = f": {result.exception}" if result.exception else ""
            raise DbtFailed(f"dbt {' '.join(command)} failed{detail}", result)
        return result


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open between invocations in one process.

    dbt-duckdb caches its database per process for as long as the profile stays the same. The
    jobs move warehouse files (write-audit-publish renames a staged copy over the published
    file, or moves it aside), so a database cached by path could afterwards read or write a
    file that now has another role. Each invocation therefore opens the file afresh.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager
    except ImportError:  # no dbt-duckdb: nothing is cached
        return
    with manager._LOCK:
        cached, manager._ENV = manager._ENV, None
        if cached is not None:
            with contextlib.suppress(Exception):
                cached.close()


class DbtFailed(Exception):
    def __init__(self, message: str, result: dbtRunnerResult) -> None:
        super().__init__(message)
        self.result = result
