"""Run dbt in-process through its Python API (dbtRunner): structured results, one startup."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt_common.events.base_types import EventMsg

from greenery import warehouse

PROFILES_TEMPLATE = "profiles.example.yml"


class ConfigError(Exception):
    """The project, the profile or the environment is not set up to run."""


def profiles_dir(project: Path) -> Path:
    """$DBT_PROFILES_DIR, else the project, where profiles.yml is made from the example."""
    if env := os.environ.get("DBT_PROFILES_DIR"):
        directory = Path(env)
        if not (directory / "profiles.yml").exists():
            raise ConfigError(f"DBT_PROFILES_DIR={directory} has no profiles.yml")
        return directory
    if not (project / "profiles.yml").exists():
        template = project / PROFILES_TEMPLATE
        if not template.exists():
            raise ConfigError(f"no profiles.yml and no {PROFILES_TEMPLATE} in {project}")
        shutil.copyfile(template, project / "profiles.yml")
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
        return args

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
        with environment(self.env()):
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
