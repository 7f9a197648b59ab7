"""Install the dbt packages: from the hub with `dbt deps`, else the offline stand-ins.

Production reaches the dbt package hub and gets the real dbt_utils and dbt_expectations. Where
the hub is unreachable (this project's CI and development machines), the stand-ins written in
offline_packages/ are installed under the same names instead. $GREENERY_PACKAGES chooses:
`auto` (default: hub, then offline), `hub` (hub or fail) or `offline` (never ask the hub).

A successful installation records its source, `hub` or `offline`, in the marker file
dbt_packages/.greenery-packages, so that `hub` replaces the stand-ins a host installed once when
the hub was unreachable, and `greenery doctor` can say which packages a build would use.
Installed stand-ins that differ from offline_packages/ (a stand-in gained a macro since) are
installed again.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import yaml

from greenery.dbt.project import ConfigError
from greenery.dbt.runner import Dbt

logger = logging.getLogger(__name__)

MODE_ENV = "GREENERY_PACKAGES"
MODES = ("auto", "hub", "offline")
OFFLINE_DIR = "offline_packages"
INSTALL_DIR = "dbt_packages"
MARKER = ".greenery-packages"
SOURCES = ("hub", "offline")
UNKNOWN = "unknown"


def required(project: Path) -> list[str]:
    """Package names in packages.yml (the part after the hub namespace)."""
    spec = yaml.safe_load((project / "packages.yml").read_text()) or {}
    return [entry["package"].split("/")[-1] for entry in spec.get("packages", [])]


def installed(project: Path) -> bool:
    return all(
        (project / INSTALL_DIR / name / "dbt_project.yml").exists() for name in required(project)
    )


def marker(project: Path) -> Path:
    return project / INSTALL_DIR / MARKER


def installed_source(project: Path) -> str | None:
    """Where the installed packages came from: `hub`, `offline`, `unknown` (installed without
    a marker, e.g. before there was one), or None when they are not all installed."""
    if not installed(project):
        return None
    try:
        source = marker(project).read_text().strip()
    except OSError:
        return UNKNOWN
    return source if source in SOURCES else UNKNOWN


def record_source(project: Path, source: str) -> None:
    marker(project).parent.mkdir(parents=True, exist_ok=True)
    marker(project).write_text(source + "\n")


def mode() -> str:
    """$GREENERY_PACKAGES, checked: auto, hub or offline."""
    value = os.environ.get(MODE_ENV, "auto")
    if value not in MODES:
        raise ConfigError(f"{MODE_ENV}={value!r}: expected one of {', '.join(MODES)}")
    return value


def describe(source: str | None) -> str:
    """A source as doctor and the install messages name it."""
    return {
        None: "not installed",
        "hub": "from the dbt hub",
        "offline": f"the offline stand-ins from {OFFLINE_DIR}/",
    }.get(source, "of unknown source (installed before greenery recorded sources)")


def files(root: Path) -> dict[Path, bytes]:
    return {path.relative_to(root): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def offline_current(project: Path) -> bool:
    """Whether the installed stand-ins are, file for file, those in offline_packages/ now."""
    return all(
        files(project / OFFLINE_DIR / name) == files(project / INSTALL_DIR / name)
        for name in required(project)
    )


def install_offline(project: Path) -> None:
    marker(project).unlink(missing_ok=True)  # a half-done copy is not any source
    for name in required(project):
        source = project / OFFLINE_DIR / name
        if not (source / "dbt_project.yml").exists():
            raise ConfigError(f"no offline stand-in for package {name!r} in {OFFLINE_DIR}/")
        target = project / INSTALL_DIR / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
    record_source(project, "offline")


def install(dbt: Dbt, force: bool = False) -> str:
    """Make sure the packages are installed; return where they came from (`present` when the
    installed ones are kept). With `hub`, packages not known to come from the hub are replaced."""
    wanted = mode()
    source = installed_source(dbt.project)
    if source is not None and not force:
        if source == "offline" and wanted != "hub" and not offline_current(dbt.project):
            logger.info(f"packages: the stand-ins in {OFFLINE_DIR}/ changed; installing them again")
            install_offline(dbt.project)
            return "offline"
        if wanted != "hub" or source == "hub":
            return "present"
        logger.info(
            f"packages: {MODE_ENV}=hub but they are {describe(source)}: reinstalling from the hub"
        )
    if wanted != "offline":
        result = dbt.invoke(["deps", "--log-level", "none"])
        if result.success:  # dbt deps empties dbt_packages/ first, the marker with it
            record_source(dbt.project, "hub")
            logger.info("packages: installed from the dbt hub")
            return "hub"
        if wanted == "hub":
            kept = "" if source is None else f" (the installed are {describe(source)}: refused)"
            raise ConfigError(f"dbt deps failed and {MODE_ENV}=hub{kept}: {result.exception}")
        logger.info("packages: the dbt hub is unreachable; installing the offline stand-ins")
    install_offline(dbt.project)
    return "offline"
