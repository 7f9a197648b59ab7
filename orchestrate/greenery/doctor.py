"""`greenery doctor`: check the environment and the profile, and say exactly what is missing.

It reads which environment variables the selected target needs from the profile itself, reports
each as set or missing (never its value), and checks the installation, the packages and, for the
embedded warehouse, the data. It never prints a secret.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from greenery import notify, packages, warehouse
from greenery.dbt import profiles_dir

REQUIRED_ENV = re.compile(r"env_var\(\s*'([A-Za-z0-9_]+)'\s*\)")
ANY_ENV = re.compile(r"env_var\(\s*'([A-Za-z0-9_]+)'")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def profile_outputs(project: Path) -> dict[str, Any]:
    path = profiles_dir(project) / "profiles.yml"
    spec = yaml.safe_load(path.read_text())
    return spec["greenery"]["outputs"]


def target_type(project: Path, target: str) -> str | None:
    output = profile_outputs(project).get(target)
    return None if output is None else str(output.get("type"))


def version_of(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def env_checks(output: dict[str, Any]) -> list[Check]:
    text = "\n".join(str(v) for v in output.values())
    checks = []
    for name in sorted(set(REQUIRED_ENV.findall(text))):
        present = bool(os.environ.get(name))
        checks.append(Check(f"env {name}", present, "set" if present else "missing (required)"))
    optional = sorted(set(ANY_ENV.findall(text)) - set(REQUIRED_ENV.findall(text)))
    for name in optional:
        checks.append(
            Check(f"env {name}", True, "set" if os.environ.get(name) else "not set (has a default)")
        )
    if output.get("type") == "snowflake":
        has_password = bool(os.environ.get("SNOWFLAKE_PASSWORD"))
        key_path = os.environ.get("SNOWFLAKE_PRIVATE_KEY_PATH")
        if key_path and not Path(key_path).is_file():
            checks.append(
                Check(
                    "snowflake auth",
                    False,
                    "SNOWFLAKE_PRIVATE_KEY_PATH is set but is not a readable file",
                )
            )
        elif has_password or key_path:
            method = "key pair" if key_path else "password"
            checks.append(Check("snowflake auth", True, f"{method} from the environment"))
        else:
            checks.append(
                Check(
                    "snowflake auth", False, "set SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH"
                )
            )
    return checks


def plugin_checks(output: dict[str, Any]) -> list[Check]:
    """The profile's dbt-duckdb plugins must import in this Python, or every dbt command fails."""
    checks = []
    for plugin in output.get("plugins") or []:
        module = str(plugin.get("module", ""))
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
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
    except (OSError, KeyError, yaml.YAMLError) as exc:
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
    checks += env_checks(output)
    checks.append(
        Check(
            "dbt packages",
            packages.installed(project),
            "installed" if packages.installed(project) else "not installed: run `greenery deps`",
        )
    )
    if output.get("type") == "duckdb":
        path = warehouse.default_path()
        has_data = warehouse.has_raw_data(path) if path.exists() else False
        state = (
            "raw tables loaded"
            if has_data
            else "no raw data yet: `greenery build` or `dbt build` loads the sample, "
            "`greenery load --csv` an export"
        )
        checks.append(Check("warehouse", True, f"{path} ({state})"))
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
