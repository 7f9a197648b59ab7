"""`greenery doctor` end to end through the CLI, and the checks that read the environment and
the installed packages. Temporary projects, no dbt build."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from dbt_helpers import PROJECT
from greenery import cli
from greenery.dbt import packages
from greenery.dbt.project import MissingVariable, render
from greenery.ops import doctor
from greenery.ops.outcome import ExitCode
from package_helpers import install, packages_only


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return packages_only(tmp_path)


PASSWORD = "pw-do-not-print-7781"


def profile_output(target: str) -> dict:
    profile = yaml.safe_load((PROJECT / "profiles.yml").read_text())
    return profile["greenery"]["outputs"][target]


@pytest.fixture()
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SNOWFLAKE_", "GREENERY_", "DBT_")):
            monkeypatch.delenv(name)


def test_adapter_check(monkeypatch):
    assert doctor.adapter_check("duckdb").ok
    monkeypatch.setattr(doctor, "version_of", lambda package: None)
    missing = doctor.adapter_check("snowflake")
    assert not missing.ok
    assert missing.name == "adapter dbt-snowflake"
    assert 'pip install -e ".[snowflake]"' in missing.detail
    assert not doctor.adapter_check("postgres").ok


EMPTY_DATABASE = "renders empty: set SNOWFLAKE_CI_DATABASE or SNOWFLAKE_DATABASE"


def test_values_rendering_empty_are_missing(clean_env, monkeypatch):
    output = profile_output("ci")
    # password and the key pair's fields may be empty: one auth method is enough
    assert doctor.empty_checks(output) == [doctor.Check("profile database", False, EMPTY_DATABASE)]
    monkeypatch.setenv("SNOWFLAKE_DATABASE", "ANALYTICS")
    assert doctor.empty_checks(output) == []
    monkeypatch.setenv("SNOWFLAKE_CI_DATABASE", "")  # set, but to nothing, wins as in dbt
    assert [c.name for c in doctor.empty_checks(output)] == ["profile database"]
    nested = {"schema": "", "settings": {"memory_limit": "{{ env_var('M', '') }}"}}
    assert doctor.empty_checks(nested) == [
        doctor.Check("profile schema", False, "renders empty: give it a value in the profile"),
        doctor.Check("profile settings.memory_limit", False, "renders empty: set M"),
    ]
    assert doctor.empty_checks({"threads": 4, "x": "{{ unknown_function() }}"}) == []


def test_render_as_dbt_does(clean_env, monkeypatch):
    monkeypatch.setenv("A", "a")
    assert render("{{ env_var('A') }}/{{ env_var('B', 'b') | as_text }}") == "a/b"
    with pytest.raises(MissingVariable):
        render("{{ env_var('B') }}")


@pytest.mark.parametrize(
    ("mode", "installed_from", "ok"),
    [
        (None, "offline", True),
        ("offline", "hub", True),
        ("hub", "hub", True),
        ("hub", "offline", False),
        ("hub", None, False),
        ("sometimes", "hub", False),
    ],
)
def test_packages_check_names_the_source(project, clean_env, monkeypatch, mode, installed_from, ok):
    if installed_from is not None:
        install(project, installed_from, installed_from == "hub", monkeypatch)
    if mode is not None:
        monkeypatch.setenv(packages.MODE_ENV, mode)
    else:
        monkeypatch.delenv(packages.MODE_ENV, raising=False)
    check = doctor.packages_check(project)
    assert check.ok is ok
    if installed_from is not None and mode != "sometimes":
        assert check.detail.startswith(f"{installed_from}: ")


@pytest.fixture()
def doctor_project(project, clean_env, monkeypatch) -> Path:
    """A project for `greenery doctor`: the profile and the offline stand-ins."""
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(PROJECT / name, project / name)
    packages.install_offline(project)
    monkeypatch.setenv("GREENERY_PROJECT_DIR", str(project))
    monkeypatch.setenv("GREENERY_DUCKDB_PATH", str(project / "absent.duckdb"))
    return project


def doctor_cli(*args: str):
    return CliRunner().invoke(cli.main, ["doctor", *args], catch_exceptions=False)


def test_doctor_json_all_ok(doctor_project):
    result = doctor_cli("--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["target"] == "dev" and report["ok"] is True
    checks = {c["name"]: c for c in report["checks"]}
    assert set(checks["python"]) == {"name", "ok", "detail"}
    assert checks["adapter dbt-duckdb"]["ok"]
    assert checks["dbt packages"]["detail"].startswith("offline: ")


def test_doctor_json_missing_snowflake_settings(doctor_project, monkeypatch):
    for name in ("ACCOUNT", "USER", "WAREHOUSE"):
        monkeypatch.setenv(f"SNOWFLAKE_{name}", f"value-of-{name}")
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", PASSWORD)
    result = doctor_cli("--json", "--target", "ci")
    assert result.exit_code == int(ExitCode.CONFIG_ERROR)
    report = json.loads(result.stdout)
    assert report["target"] == "ci" and report["ok"] is False
    failed = {c["name"]: c["detail"] for c in report["checks"] if not c["ok"]}
    assert failed == {"profile database": EMPTY_DATABASE}
    assert PASSWORD not in result.output and "value-of-" not in result.output
    monkeypatch.setenv("SNOWFLAKE_DATABASE", PASSWORD)  # a value: shown as set, never printed
    result = doctor_cli("--json", "--target", "ci")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


def test_doctor_text_and_hub_mode_with_stand_ins(doctor_project, monkeypatch):
    monkeypatch.setenv(packages.MODE_ENV, "hub")
    result = doctor_cli()
    assert result.exit_code == int(ExitCode.CONFIG_ERROR)
    assert "MISSING dbt packages: offline: the offline stand-ins" in result.stdout
    assert "GREENERY_PACKAGES=hub" in result.stdout
    assert "ok  adapter dbt-duckdb: " in result.stdout
