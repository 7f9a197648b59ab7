"""`greenery doctor`: check the environment and the profile, and say exactly what is missing.

It reads which environment variables the selected target needs from the profile itself, reports
each as set or missing (never its value), reports fields that render to an empty string (naming
the field and the variables to set, never a value), and checks the installation, the target's
adapter, the packages and their source and, for the embedded warehouse, the data. It never prints
a secret.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import yaml

from greenery.dbt import packages
from greenery.dbt.project import ConfigError, MissingVariable, profile_outputs, render
from greenery.ops import notify
from greenery.warehouse import database, storage
from greenery.warehouse.storage import StorageError

#: env_var('NAME') without a default (required), and env_var('NAME' ...) with or without one;
#: either quote, as Jinja takes both.
REQUIRED_ENV = re.compile(r"""env_var\(\s*(['"])([A-Za-z0-9_]+)\1\s*\)""")
ANY_ENV = re.compile(r"""env_var\(\s*(['"])([A-Za-z0-9_]+)\1""")
#: The adapter package each target type needs, and how to install it.
ADAPTERS = {
    "duckdb": ("dbt-duckdb", 'pip install -e "."'),
    "snowflake": ("dbt-snowflake", 'pip install -e ".[snowflake]"'),
}
#: Fields that may render empty: one authentication method of several is enough (see the
#: "snowflake auth" check).
MAY_BE_EMPTY = frozenset({"password", "private_key_path", "private_key_passphrase"})


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok ' if self.ok else 'MISSING'} {self.name}: {self.detail}"


def report(target: str, checks: list[Check]) -> dict[str, Any]:
    """The checks as one JSON object: {"target", "ok", "checks": [{"name", "ok", "detail"}]}."""
    return {"target": target, "ok": all_ok(checks), "checks": [asdict(c) for c in checks]}


def all_ok(checks: list[Check]) -> bool:
    return all(c.ok for c in checks)


def version_of(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def variables(pattern: re.Pattern[str], text: str) -> set[str]:
    return {name for _, name in pattern.findall(text)}


def rendered_or_empty(value: Any) -> str:
    """A profile field as dbt renders it; empty when it is unset or needs a missing variable."""
    if not isinstance(value, str):
        return ""
    try:
        return render(value).strip()
    except (MissingVariable, jinja2.TemplateError):
        return ""


def env_checks(output: dict[str, Any]) -> list[Check]:
    text = "\n".join(str(v) for v in output.values())
    checks = []
    required = variables(REQUIRED_ENV, text)
    for name in sorted(required):
        present = bool(os.environ.get(name))
        checks.append(Check(f"env {name}", present, "set" if present else "missing (required)"))
    for name in sorted(variables(ANY_ENV, text) - required):
        checks.append(
            Check(f"env {name}", True, "set" if os.environ.get(name) else "not set (has a default)")
        )
    if output.get("type") == "snowflake":
        checks.append(snowflake_auth_check(output))
    return checks


def snowflake_auth_check(output: dict[str, Any]) -> Check:
    """One way to sign in is enough: a key file, or a password, as the profile renders them
    (from the environment, or written in the profile, as the emulated target's is)."""
    key_path = rendered_or_empty(output.get("private_key_path"))
    password = rendered_or_empty(output.get("password"))
    if key_path and not Path(key_path).is_file():
        named = " or ".join(sorted(variables(ANY_ENV, str(output.get("private_key_path")))))
        return Check(
            "snowflake auth", False, f"{named or 'private_key_path'} is not a readable file"
        )
    if key_path or password:
        method = "key pair" if key_path else "password"
        field = "private_key_path" if key_path else "password"
        source = "the environment" if ANY_ENV.search(str(output.get(field))) else "the profile"
        return Check("snowflake auth", True, f"{method} from {source}")
    return Check("snowflake auth", False, "set SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH")


def adapter_check(kind: str | None) -> Check:
    """The adapter package for the target's type is installed."""
    if kind not in ADAPTERS:
        return Check("adapter", False, f"no dbt adapter known for type {kind!r}")
    package, command = ADAPTERS[kind]
    version = version_of(package)
    if version is None:
        return Check(f"adapter {package}", False, f"not installed, {kind} needs it: {command}")
    return Check(f"adapter {package}", True, f"{version} (for {kind})")


def fields(output: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """The output's fields, nested ones (settings) by a dotted name."""
    for key, value in output.items():
        if isinstance(value, dict):
            yield from fields(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def empty_checks(output: dict[str, Any]) -> list[Check]:
    """Fields that render to an empty string, with the variables that would fill them."""
    checks = []
    for name, value in fields(output):
        if name in MAY_BE_EMPTY or not isinstance(value, str):
            continue
        try:
            rendered = render(value)
        except (MissingVariable, jinja2.TemplateError):
            continue  # a required variable that is missing, or templating beyond env_var
        if rendered.strip():
            continue
        names = list(dict.fromkeys(name for _, name in ANY_ENV.findall(value)))
        fix = f"set {' or '.join(names)}" if names else "give it a value in the profile"
        checks.append(Check(f"profile {name}", False, f"renders empty: {fix}"))
    return checks


def packages_check(project: Path) -> Check:
    """The dbt packages are installed, and from the hub when $GREENERY_PACKAGES=hub."""
    try:
        mode = packages.mode()
    except ConfigError as exc:
        return Check("dbt packages", False, str(exc))
    source = packages.installed_source(project)
    if source is None:
        return Check("dbt packages", False, "not installed: run `greenery deps`")
    detail = f"{source}: {packages.describe(source)}"
    if mode == "hub" and source != "hub":
        hint = f"{packages.MODE_ENV}=hub: run `greenery deps` with the dbt hub reachable"
        return Check("dbt packages", False, f"{detail}, but {hint}")
    return Check("dbt packages", True, detail)


def plugin_checks(output: dict[str, Any]) -> list[Check]:
    """The profile's dbt-duckdb plugins must import in this Python, or every dbt command fails."""
    checks = []
    for plugin in output.get("plugins") or []:
        module = str(plugin.get("module", ""))
        try:
            found = bool(module) and importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent package missing; a relative or bad name
            found = False
        checks.append(
            Check(
                f"dbt-duckdb plugin {module}",
                found,
                "importable" if found else "not importable: pip install -e . in this checkout",
            )
        )
    return checks


def run(project: Path, target: str) -> list[Check]:
    checks = [
        Check("python", sys.version_info >= (3, 11), sys.version.split()[0]),
    ]
    for package, needed in (("dbt-core", "1.11."), ("dbt-duckdb", None), ("dbt-snowflake", None)):
        version = version_of(package)
        ok = version is not None and (needed is None or version.startswith(needed))
        required = package != "dbt-snowflake"
        checks.append(
            Check(
                package,
                ok or not required,
                version
                or ("not installed" + (" (pip install -e '.[snowflake]')" if not required else "")),
            )
        )
    checks.append(Check("dbt project", (project / "dbt_project.yml").exists(), str(project)))
    try:
        outputs = profile_outputs(project)
    except (OSError, KeyError, TypeError, yaml.YAMLError, ConfigError) as exc:
        return [*checks, Check("profile", False, f"cannot read the greenery profile: {exc}")]
    if target not in outputs:
        return [
            *checks,
            Check(
                "target", False, f"no output {target!r} in the profile (have: {', '.join(outputs)})"
            ),
        ]
    output = outputs[target]
    checks.append(Check("target", True, f"{target} ({output.get('type')})"))
    checks.append(adapter_check(output.get("type")))
    checks += env_checks(output)
    checks += empty_checks(output)
    checks.append(packages_check(project))
    if output.get("type") == "duckdb":
        checks.append(warehouse_check(database.default_path()))
        checks += plugin_checks(output)
    webhook = bool(os.environ.get(notify.WEBHOOK_ENV))
    checks.append(
        Check(
            "notifications",
            True,
            f"{notify.WEBHOOK_ENV} {'set' if webhook else 'not set: failures are not announced'}",
        )
    )
    return checks


def warehouse_check(path: Path) -> Check:
    """The embedded warehouse: there with its raw tables, not there yet, in use, or broken (a
    file that is not a database, a damaged one, a folder that cannot be read)."""
    if not path.exists():
        return Check(
            "warehouse",
            True,
            f"{path} (not there yet: `greenery build` creates it and loads the sample, "
            "`greenery load --csv` an export; no other command creates it)",
        )
    try:
        storage.check_database(path)
        has_data = database.has_raw_data(path)
    except StorageError as fault:
        return Check("warehouse", False, f"storage error: {fault}")
    except (duckdb.Error, OSError) as exc:
        if "lock" in str(exc).lower():
            return Check("warehouse", True, f"{path} (in use by a writer: {first_line(exc)})")
        fault = StorageError.from_exception(exc, path)
        return Check("warehouse", False, f"storage error: {fault or first_line(exc)}")
    state = (
        "raw tables loaded"
        if has_data
        else "no raw data yet: `greenery build` or `dbt build` loads the sample, "
        "`greenery load --csv` an export"
    )
    return Check("warehouse", True, f"{path} ({state})")


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
