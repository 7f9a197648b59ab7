"""Every failure kind ends with its documented exit code and one line, never a traceback."""

from __future__ import annotations

import errno
import logging
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from greenery import cli
from greenery.dbt.project import ConfigError
from greenery.dbt.runner import DbtFailed
from greenery.ops import lock
from greenery.ops.outcome import ExitCode
from greenery.warehouse import datasets, wap
from greenery.warehouse.loader import LoadError


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (lock.LockHeld("warehouse.lock is held by build 1"), ExitCode.LOCK_HELD),
        (duckdb.IOException('Could not set lock on file "w.duckdb"'), ExitCode.LOCK_HELD),
        (ConfigError("no profile"), ExitCode.CONFIG_ERROR),
        (wap.WarehouseChanged("changed"), ExitCode.CONFIG_ERROR),
        (LoadError("orders.csv, line 3, column order_total: not a number"), ExitCode.BAD_INPUT),
        (DbtFailed("dbt snapshot failed", None), ExitCode.MODELS_ERRORED),  # type: ignore[arg-type]
        (duckdb.IOException('Could not write "w.duckdb.wal": No space left on device'), 8),
        (OSError(errno.EROFS, "Read-only file system", "w.duckdb"), ExitCode.STORAGE_ERROR),
        (duckdb.IOException("an error no row of docs/faults.md names"), ExitCode.INTERNAL_ERROR),
        (RuntimeError("surprise"), ExitCode.INTERNAL_ERROR),
    ],
)
def test_each_error_kind_has_its_exit_code(error, code):
    assert cli.exit_code_of(error)[0] == code


def test_an_unexpected_error_is_one_line_and_exit_7(monkeypatch, tmp_path):
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(datasets, "load_sample", explode)
    result = CliRunner().invoke(cli.main, ["load", "--warehouse", str(tmp_path / "w.duckdb")])

    assert result.exit_code == ExitCode.INTERNAL_ERROR == 7
    assert "unexpected RuntimeError: the disk is on fire" in result.output
    assert "Traceback" not in result.output


def test_progress_and_errors_go_to_stderr_and_only_while_a_command_runs(tmp_path):
    package = logging.getLogger("greenery")
    before = (package.level, package.propagate, list(package.handlers))
    path = tmp_path / "w.duckdb"
    missing = tmp_path / "no-export"
    result = CliRunner().invoke(cli.main, ["load", "--warehouse", str(path), "--csv", str(missing)])

    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stdout == ""  # results only, and nothing was loaded
    assert result.stderr.startswith(f"warehouse: {path}\nerror: {missing}")
    assert (package.level, package.propagate, list(package.handlers)) == before


def test_a_warehouse_file_open_elsewhere_is_exit_4_not_a_traceback(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('open', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = subprocess.run(
            [sys.executable, "-m", "greenery.cli", "arrive", "--warehouse", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.kill()
    assert result.returncode == ExitCode.LOCK_HELD == 4, result.stderr
    assert "in use by another process" in result.stderr and "Traceback" not in result.stderr


def test_a_held_lock_is_refused_at_once_and_released_after(tmp_path):
    path = tmp_path / "w.duckdb.lock"
    with lock.exclusive(path, "build 1"):
        started = time.monotonic()
        with pytest.raises(lock.LockHeld, match="held by build 1"), lock.exclusive(path, "build 2"):
            pass
        assert time.monotonic() - started < 1
    with lock.exclusive(path, "build 3"):
        assert "build 3" in Path(f"{path}.holder").read_text()
