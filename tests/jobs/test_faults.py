"""The fault map (docs/faults.md), one test per row, driven by real faults: a tmpfs that fills, an
immutable file or folder (`chattr +i`, which root cannot write through), real signals to the
job's process group, a second process holding the warehouse file, files that are not databases.
Each fault ends in its exit code and message, publishes nothing, keeps what the map says, and is
recorded and notified as the map says.

Mounting a tmpfs and `chattr` need root, as CI and the project's machines run: these tests fail
elsewhere, saying so (docs/development.md)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from dbt_helpers import copy_warehouse, published_rows
from greenery import cli
from greenery.ops.outcome import ExitCode
from greenery.warehouse import arrivals, database
from job_helpers import COMMAND, greenery, history, summary_of


# ---------------------------------------------------------------------------- machinery
def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.fail("this fault needs root (mount a tmpfs, chattr +i): run the suite as root")


@contextmanager
def tmpfs(mountpoint: Path, megabytes: int) -> Iterator[Path]:
    """A small file system of its own, to fill."""
    needs_root()
    mountpoint.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(mountpoint)],
        check=True,
    )
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


@contextmanager
def immutable(path: Path) -> Iterator[Path]:
    """A file or folder nobody can change, root included."""
    needs_root()
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.output


def arrive(path: Path) -> None:
    with database.connect(path) as con:
        arrivals.arrive(con, 1, 42)


def in_scratch(scratch: dict, folder: Path) -> Path:
    """Move the scratch warehouse into `folder`; the jobs' env points there."""
    path = folder / scratch["warehouse"].name
    copy_warehouse(scratch["warehouse"], path)
    scratch["warehouse"] = path
    scratch["env"]["GREENERY_DUCKDB_PATH"] = str(path)
    return path


# ---------------------------------------------------------------------------- storage
MISTYPED = [
    ("run-job", "--no-freshness"),
    ("retry",),
    ("arrive",),
    ("replay", "--weeks", "2"),
    ("report",),
    ("history",),
]


@pytest.mark.parametrize("command", MISTYPED, ids=lambda c: c[0])
def test_a_mistyped_warehouse_path_is_refused_and_creates_nothing(tmp_path, command):
    typo = tmp_path / "warehose" / "greenery.duckdb"
    typo.parent.mkdir()
    code, output = run_cli(command[0], "--warehouse", str(typo), *command[1:])
    assert code == ExitCode.CONFIG_ERROR, output
    assert f"no warehouse at {typo}" in output
    assert files_in(tmp_path) == {"warehose"}  # no database, lock or history beside the typo


def test_a_load_refused_into_a_new_path_leaves_no_file_behind(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "events.csv").write_text("not,an,export\n")
    path = tmp_path / "new" / "greenery.duckdb"
    code, output = run_cli("load", "--warehouse", str(path), "--csv", str(export))
    assert code == ExitCode.BAD_INPUT, output
    assert not path.exists() and not any(path.parent.glob("greenery.*"))


def test_doctor_prints_its_json_while_a_writer_holds_the_warehouse(sample_path, tmp_path):
    path = copy_warehouse(sample_path, tmp_path / "greenery.duckdb")
    holder = subprocess.Popen(
        [COMMAND[0], "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = subprocess.run(
            [*COMMAND, "doctor", "--json"],
            env={**os.environ, "GREENERY_DUCKDB_PATH": str(path)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.kill()
    (warehouse,) = [c for c in json.loads(result.stdout)["checks"] if c["name"] == "warehouse"]
    assert warehouse["ok"] and "in use by a writer" in warehouse["detail"], warehouse


WRITER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
time.sleep(120)
"""


def not_a_database(kind: str, folder: Path, sample: Path) -> Path:
    path = folder / "greenery.duckdb"
    if kind == "text":
        path.write_text("order_id,status\n1,shipped\n")
    elif kind == "empty":
        path.write_bytes(b"")
    else:  # truncated: the first half of a real warehouse
        data = sample.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("text", "it is not a DuckDB database"),
        ("empty", "it is not a DuckDB database"),
        ("truncated", "it is truncated or damaged"),
    ],
)
def test_a_file_that_is_not_a_whole_database_is_a_storage_error_and_stays_as_it_was(
    sample_path, tmp_path, kind, says
):
    path = not_a_database(kind, tmp_path, sample_path)
    before = path.read_bytes()
    for command in (["run-job", "--no-freshness"], ["arrive"], ["load"], ["report"]):
        code, output = run_cli(command[0], "--warehouse", str(path), *command[1:])
        assert code == ExitCode.STORAGE_ERROR == 8, (command, output)
        assert "storage error" in output and says in output and "bug" not in output
    result = subprocess.run(
        [*COMMAND, "doctor", "--json"],
        env={**os.environ, "GREENERY_DUCKDB_PATH": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)  # doctor prints its JSON whatever the warehouse holds
    (warehouse,) = [c for c in report["checks"] if c["name"] == "warehouse"]
    assert not report["ok"] and not warehouse["ok"] and says in warehouse["detail"]
    assert result.returncode == ExitCode.CONFIG_ERROR
    assert path.read_bytes() == before


def test_an_immutable_folder_stops_the_night_before_it_starts(scratch, tmp_path, webhook):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = in_scratch(scratch, folder)
    with immutable(folder):
        result = greenery(scratch, "run-job", "--no-freshness", "--json")
    summary = summary_of(result)
    assert result.returncode == ExitCode.STORAGE_ERROR, result.stderr[-2000:]
    assert summary["status"] == "storage_error" and "not permitted" in summary["message"]
    assert "storage_error" in webhook.bodies[0]["text"]
    assert files_in(folder) == {path.name, database.history_beside(path).name}


def test_an_immutable_warehouse_file_is_built_on_a_copy_and_not_published(scratch, webhook):
    path = scratch["warehouse"]
    arrive(path)
    before = published_rows(path)
    with immutable(path):
        code, output = run_cli("arrive", "--warehouse", str(path))
        assert code == ExitCode.STORAGE_ERROR and "not permitted" in output
        result = greenery(scratch, "run-job", "--no-freshness", "--json")
    summary = summary_of(result)
    assert result.returncode == ExitCode.STORAGE_ERROR, result.stderr[-2000:]
    assert "not permitted" in summary["message"] and "nothing published" in summary["message"]
    assert not any((path.parent / ".staging").rglob("*.duckdb"))  # the copy gave its space back
    assert published_rows(path) == before
    assert history(path, summary["run_id"])[:2] == (ExitCode.STORAGE_ERROR, "storage_error")
    assert "storage_error" in webhook.bodies[0]["text"]


def test_a_disk_too_full_to_stage_or_build_gives_its_space_back(scratch, tmp_path, webhook):
    size = scratch["warehouse"].stat().st_size
    megabytes = int(size * 1.5 / 2**20) + 1  # the warehouse, and half a copy of it
    with tmpfs(tmp_path / "disk", megabytes) as disk:
        path = in_scratch(scratch, disk)
        arrive(path)
        before, free = published_rows(path), free_bytes(disk)
        result = greenery(scratch, "run-job", "--no-freshness", "--json")
        summary = summary_of(result)
        assert result.returncode == ExitCode.STORAGE_ERROR, result.stderr[-2000:]
        assert "the disk is full" in summary["message"]
        assert "Traceback" not in result.stderr
        assert published_rows(path) == before
        assert free_bytes(disk) >= free - 2**20  # no staged copy keeps the disk full
        assert not any((disk / ".staging").rglob("*.duckdb"))
        assert history(path, summary["run_id"])[:2] == (ExitCode.STORAGE_ERROR, "storage_error")
        assert "storage_error" in webhook.bodies[0]["text"]


def test_a_disk_that_fills_during_arrive_says_so_and_nothing_arrives(built, tmp_path):
    with tmpfs(tmp_path / "disk", 64) as disk:
        path = copy_warehouse(built, disk / "greenery.duckdb")
        with database.connect(path) as con:
            (events,) = con.execute("select count(*) from raw.events").fetchone()
        filler = disk / "filler"
        with filler.open("wb") as f:  # leave 64 KB
            f.write(b"\0" * (free_bytes(disk) - 64 * 1024))
        code, output = run_cli("arrive", "--warehouse", str(path))
        assert code == ExitCode.STORAGE_ERROR, output
        assert "the disk is full" in output and "rollback" not in output
        filler.unlink()
        with database.connect(path) as con:
            assert con.execute("select count(*) from raw.events").fetchone() == (events,)


# ---------------------------------------------------------------------------- process
@contextmanager
def job_in_flight(
    scratch: dict, tmp_path: Path, *args: str, until: str = "Concurrency:"
) -> Iterator[subprocess.Popen]:
    """run-job in a process group of its own, yielded once its log says `until` (by default:
    dbt is running its nodes)."""
    log = tmp_path / "stderr.txt"
    with log.open("w") as err:
        job = subprocess.Popen(
            [*COMMAND, "run-job", "--no-freshness", "--json", *args],
            env=scratch["env"],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while until not in log.read_text():
            assert job.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "dbt never started its nodes"
            time.sleep(0.1)
        try:
            yield job
        finally:
            if job.poll() is None:
                os.killpg(job.pid, signal.SIGKILL)


STOPS = [
    ("SIGINT", ExitCode.INTERRUPTED, "interrupted (Ctrl-C)"),
    ("SIGTERM", ExitCode.TERMINATED, "terminated (SIGTERM)"),
    ("timeout", ExitCode.TIMED_OUT, "timed out"),
]


@pytest.mark.parametrize(("stop", "code", "says"), STOPS, ids=[s[0] for s in STOPS])
def test_a_stopped_night_ends_in_its_code_keeps_its_copy_and_says_so(
    scratch, tmp_path, webhook, stop, code, says
):
    path = scratch["warehouse"]
    arrive(path)
    before = published_rows(path)
    limit = ("--timeout", "6") if stop == "timeout" else ()
    # a time limit stops the run wherever it is: the run only has to have started
    until = "warehouse:" if stop == "timeout" else "Concurrency:"
    with job_in_flight(scratch, tmp_path, *limit, until=until) as job:
        if stop != "timeout":
            os.killpg(job.pid, getattr(signal, stop))  # as a terminal or systemd does
        out, _ = job.communicate(timeout=120)
    result = subprocess.CompletedProcess(job.args, job.returncode, out, "")
    summary = summary_of(result)
    assert job.returncode == code
    assert summary["message"].startswith(f"{says}: nothing published")
    assert Path(summary["failed_copy"]).exists()  # kept for inspection and `greenery retry`
    assert published_rows(path) == before
    assert history(path, summary["run_id"])[:2] == (code, code.name.lower())
    assert code.name.lower() in webhook.bodies[0]["text"]


# ---------------------------------------------------------------------------- concurrency
READER = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
count = "select count(*) from dev_marts.fct_sessions"
print(con.execute(count).fetchone()[0], flush=True)
sys.stdin.readline()  # held open while the night runs and publishes
print(con.execute(count).fetchone()[0], flush=True)
con.close()
print(duckdb.connect(sys.argv[1], read_only=True).execute(count).fetchone()[0], flush=True)
"""


def test_a_reader_holding_the_file_neither_stops_the_night_nor_sees_it_until_it_reconnects(
    scratch,
):
    path = scratch["warehouse"]
    arrive(path)
    reader = subprocess.Popen(
        [COMMAND[0], "-c", READER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None
    try:
        before = int(reader.stdout.readline())
        result = greenery(scratch, "run-job", "--no-freshness", "--json")
        assert result.returncode == ExitCode.OK, result.stderr[-2000:]
        reader.stdin.write("\n")
        reader.stdin.flush()
        during, after = int(reader.stdout.readline()), int(reader.stdout.readline())
    finally:
        reader.kill()
    assert during == before  # the reader's open file is the old warehouse
    assert after > before  # reconnected: the night's sessions
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from dev_marts.fct_sessions").fetchone() == (after,)


# ---------------------------------------------------------------------------- operator
@pytest.mark.parametrize(
    "args",
    [
        ("arrive", "--days", "0"),
        ("arrive", "--days", "abc"),
        ("arrive", "--days", "367"),
        ("load", "--scale", "10001"),
        ("load", "--weeks", "521"),
        ("run-job", "--timeout", "0"),
        ("report", "--out", "."),
        ("no-such-command",),
        ("build", "--no-such-option"),
    ],
    ids=lambda a: " ".join(a),
)
def test_a_mistyped_command_line_is_a_usage_error_distinct_from_every_outcome(tmp_path, args):
    code, output = run_cli(*args)
    assert code == ExitCode.USAGE_ERROR == 64, output
    assert "Usage:" in output or "Error:" in output
    outcomes = {c for c in ExitCode if c is not ExitCode.USAGE_ERROR}
    assert code not in outcomes
