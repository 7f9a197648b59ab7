"""Install the dbt packages: from the hub with `dbt deps`, else the offline stand-ins.

Production reaches the dbt package hub and gets the real dbt_utils and dbt_expectations. Where
the hub is unreachable (this project's CI and development machines), the stand-ins written in
offline_packages/ are installed under the same names instead. $GREENERY_PACKAGES chooses:
`auto` (default: hub, then offline), `hub` (hub or fail) or `offline` (never ask the hub).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from greenery.dbt import ConfigError, Dbt

MODE_ENV = "GREENERY_PACKAGES"
MODES = ("auto", "hub", "offline")
OFFLINE_DIR = "offline_packages"
INSTALL_DIR = "dbt_packages"


def required(project: Path) -> list[str]:
    """Package names in packages.yml (the part after the hub namespace)."""
    spec = yaml.safe_load((project / "packages.yml").read_text()) or {}
    return [entry["package"].split("/")[-1] for entry in spec.get("packages", [])]


def installed(project: Path) -> bool:
    return all(
        (project / INSTALL_DIR / name / "dbt_project.yml").exists() for name in required(project)
    )


def install_offline(project: Path) -> None:
    for name in required(project):
        source = project / OFFLINE_DIR / name
        if not (source / "dbt_project.yml").exists():
            raise ConfigError(f"no offline stand-in for package {name!r} in {OFFLINE_DIR}/")
        target = project / INSTALL_DIR / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def install(dbt: Dbt, say: Callable[[str], None], force: bool = False) -> str:
    """Make sure the packages are installed; return where they came from."""
    mode = os.environ.get(MODE_ENV, "auto")
    if mode not in MODES:
        raise ConfigError(f"{MODE_ENV}={mode!r}: expected one of {', '.join(MODES)}")
    if installed(dbt.project) and not force:
        return "present"
    if mode != "offline":
        result = dbt.invoke(["deps", "--log-level", "none"])
        if result.success:
            say("packages: installed from the dbt hub")
            return "hub"
        if mode == "hub":
            raise ConfigError(f"dbt deps failed and {MODE_ENV}=hub: {result.exception}")
        say("packages: the dbt hub is unreachable; installing the offline stand-ins")
    install_offline(dbt.project)
    return "offline"
