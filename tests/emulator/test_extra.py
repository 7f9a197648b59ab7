"""The emulator is a test device with its own extra: without fakesnow it says which extra to
install, and loads nothing."""

from __future__ import annotations

import importlib.metadata
import sys

import pytest
from click.testing import CliRunner
from greenery import cli, emulator
from greenery.ops.outcome import ExitCode

MISSING_MODULES = ["fakesnow", "snowflake.connector"]
NEEDS_FAKESNOW = 'the Snowflake emulator needs fakesnow: pip install -e ".[emulator]"'


@pytest.mark.parametrize("module", MISSING_MODULES)
def test_emulator_without_its_extra(module, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    with pytest.raises(emulator.EmulatorError) as error:
        emulator.require_fakesnow()
    assert str(error.value) == NEEDS_FAKESNOW
    with pytest.raises(emulator.EmulatorError), emulator.emulated_snowflake(tmp_path / "db"):
        pass
    assert not (tmp_path / "db").exists()


@pytest.mark.parametrize("module", MISSING_MODULES)
def test_emulator_cli_without_its_extra(module, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setenv("GREENERY_TARGET", emulator.TARGET)  # which the CLI sets, restored after
    monkeypatch.setenv("GREENERY_DUCKDB_PATH", str(tmp_path / "greenery.duckdb"))
    result = CliRunner().invoke(cli.main, ["--snowflake-emulator", str(tmp_path / "emu"), "doctor"])
    assert result.exit_code == int(ExitCode.CONFIG_ERROR), result.output
    assert result.stderr == f"error: {NEEDS_FAKESNOW}\n"
    assert result.stdout == ""
    assert not (tmp_path / "greenery.duckdb").exists()  # no sample loaded for nothing


def test_emulator_version_check_names_the_extra(monkeypatch):
    def absent(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", absent)
    with pytest.raises(emulator.EmulatorError, match=r'pip install -e "\.\[emulator\]"'):
        emulator.check_version()
