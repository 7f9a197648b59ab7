"""A project's dbt packages without the hub: a fake `dbt deps` and a project holding only the
package list and the offline stand-ins (for the package-source and doctor tests)."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from dbt_helpers import PROJECT
from greenery.dbt import packages


class FakeDbt:
    """A Dbt whose `dbt deps` either fails (the hub unreachable) or installs "hub" packages."""

    def __init__(self, project: Path, hub_reachable: bool) -> None:
        self.project = project
        self.hub_reachable = hub_reachable
        self.calls: list[list[str]] = []

    def invoke(self, command: list[str]) -> SimpleNamespace:
        self.calls.append(command)
        if not self.hub_reachable:
            return SimpleNamespace(success=False, exception="hub unreachable")
        shutil.rmtree(self.project / packages.INSTALL_DIR, ignore_errors=True)  # as dbt deps does
        for name in packages.required(self.project):
            package = self.project / packages.INSTALL_DIR / name
            package.mkdir(parents=True)
            (package / "dbt_project.yml").write_text(f"name: {name}\n# from the hub\n")
        return SimpleNamespace(success=True, exception=None)


def from_hub(project: Path) -> bool:
    return all(
        "from the hub" in (project / packages.INSTALL_DIR / name / "dbt_project.yml").read_text()
        for name in packages.required(project)
    )


def packages_only(directory: Path) -> Path:
    """A project folder with the package list and the offline stand-ins, nothing else."""
    shutil.copy2(PROJECT / "packages.yml", directory / "packages.yml")
    shutil.copytree(PROJECT / packages.OFFLINE_DIR, directory / packages.OFFLINE_DIR)
    return directory


def install(
    project: Path, mode: str | None, hub_reachable: bool, monkeypatch: pytest.MonkeyPatch
) -> FakeDbt:
    if mode is None:
        monkeypatch.delenv(packages.MODE_ENV, raising=False)
    else:
        monkeypatch.setenv(packages.MODE_ENV, mode)
    dbt = FakeDbt(project, hub_reachable)
    dbt.source = packages.install(dbt)  # type: ignore[attr-defined]
    return dbt
