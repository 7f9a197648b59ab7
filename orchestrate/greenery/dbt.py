"""Run dbt in-process through its Python API (dbtRunner): structured results, one startup."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt_common.events.base_types import EventMsg

from greenery import warehouse

PROFILES_FILE = "profiles.yml"


class ConfigError(Exception):
    """The project, the profile or the environment is not set up to run."""


def profiles_dir(project: Path) -> Path:
    """$DBT_PROFILES_DIR, else the project, whose committed profiles.yml reads everything from
    the environment (plain dbt run from the project root finds the same file)."""
    if env := os.environ.get("DBT_PROFILES_DIR"):
        directory = Path(env)
        if not (directory / PROFILES_FILE).exists():
            raise ConfigError(f"DBT_PROFILES_DIR={directory} has no {PROFILES_FILE}")
        return directory
    if not (project / PROFILES_FILE).exists():
        raise ConfigError(f"no {PROFILES_FILE} in {project} (it is part of the repository)")
    return project


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

    project: Path = field(default_factory=warehouse.project_dir)
    target: str | None = None
    duckdb_path: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    target_path: Path | None = None

    def env(self) -> dict[str, str]:
        values = dict(self.extra_env)
        if self.duckdb_path is not None:
            values[warehouse.PATH_ENV] = str(self.duckdb_path)
        return values

    def common_args(self) -> list[str]:
        args = [
            "--project-dir",
            str(self.project),
            "--profiles-dir",
            str(profiles_dir(self.project)),
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
        return self.target or os.environ.get("GREENERY_TARGET", "dev")

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
        with environment(self.env()), contextlib.redirect_stdout(sys.stderr):
            return dbtRunner(callbacks=list(callbacks)).invoke(args, **kwargs)

    def check(self, command: Sequence[str]) -> dbtRunnerResult:
        """Run a command and raise if dbt reports failure."""
        result = self.invoke(command)
        if not result.success:
            detail = f": {result.exception}" if result.exception else ""
            raise DbtFailed(f"dbt {' '.join(command)} failed{detail}", result)
        return result


class DbtFailed(Exception):
    def __init__(self, message: str, result: dbtRunnerResult) -> None:
        super().__init__(message)
        self.result = result
