"""The dbt project and its profile: where they are, and what a target is, read as dbt reads it.

Everything here is about files and environment variables, never about running dbt, so the CLI,
the jobs and `greenery doctor` can ask which target is which (DuckDB or Snowflake, which schema)
without starting dbt, and the warehouse layer can find the project without importing the dbt
runner.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

PROFILES_FILE = "profiles.yml"
PROFILE = "greenery"
PROJECT_ENV = "GREENERY_PROJECT_DIR"
TARGET_ENV = "GREENERY_TARGET"
DEFAULT_TARGET = "dev"
#: The DuckDB file of the embedded targets: profiles.yml reads it, the runner sets it.
PATH_ENV = "GREENERY_DUCKDB_PATH"
#: Tracebacks of unexpected errors, and dbt's file log at debug level (`greenery --debug`).
DEBUG_ENV = "GREENERY_DEBUG"
#: dbt's profile filters; a rendered value only has to say whether it is empty.
DBT_FILTERS = ("as_bool", "as_native", "as_number", "as_text")


class ConfigError(Exception):
    """The project, the profile or the environment is not set up to run."""


class MissingVariable(Exception):
    """A required env_var() without a default is not set (doctor reports it)."""


def project_dir() -> Path:
    """The dbt project root: $GREENERY_PROJECT_DIR, else the checkout this package lives in."""
    if env := os.environ.get(PROJECT_ENV):
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[3]
    if (here / "dbt_project.yml").exists():
        return here
    return Path.cwd()


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


def profile_outputs(project: Path) -> dict[str, Any]:
    """The outputs (targets) of the greenery profile, unrendered."""
    spec = yaml.safe_load((profiles_dir(project) / PROFILES_FILE).read_text())
    return spec[PROFILE]["outputs"]


def target_type(project: Path, target: str) -> str | None:
    """The adapter type of a target (`duckdb`, `snowflake`), None when the profile lacks it."""
    output = profile_outputs(project).get(target)
    return None if output is None else str(output.get("type"))


def target_schema(project: Path, target: str) -> str:
    """The schema of a target, rendered from the environment as dbt renders it."""
    return render(str(profile_outputs(project)[target]["schema"]))


def render(value: str) -> str:
    """A profile value rendered as dbt renders it from the environment (env_var only)."""

    def env_var(name: str, default: str | None = None) -> str:
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise MissingVariable(name)
        return default

    environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    environment.filters.update({name: lambda v: v for name in DBT_FILTERS})
    return environment.from_string(value).render(env_var=env_var)
