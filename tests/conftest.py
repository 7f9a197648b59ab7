"""Shared fixtures: the published facts and the sample warehouses, each built once per test run.

A warehouse fixture is built by whichever pytest-xdist worker needs it first, under a file lock in
the run's shared temporary folder; every worker then reads its own copy of that file, so a test
may write to its warehouse without touching another worker's.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from filelock import FileLock
from greenery.warehouse import database, datasets
from greenery.warehouse.facts import published_facts


def pytest_configure(config: pytest.Config) -> None:
    """Each xdist worker writes dbt's artifacts to a target folder of its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        os.environ["DBT_TARGET_PATH"] = f"target/pytest-{worker}"


#: What makes a test `slow` (`pytest -m "not slow"` is the developer's quick loop; the README's
#: test command and CI run everything). Fixtures that run dbt on a sample warehouse or start a
#: browser, directly or through another fixture:
SLOW_FIXTURES = frozenset(
    {
        "built",
        "quarter_built",
        "replayed_and_built",
        "replayed",
        "scratch",
        "parsed",
        "manifest",
        "baseline",
        "results",
        "chromium",
    }
)
#: Test files whose every test runs dbt or a job (replay, incremental runs, the emulator):
SLOW_FILES = frozenset(
    {"test_dbt_semantics.py", "test_emulator.py", "test_replay.py", "test_incremental.py"}
)
#: Single tests that run dbt or hold a warehouse open in a second process:
SLOW_TESTS = frozenset(
    {
        "test_parse_has_no_warnings_or_deprecations",
        "test_a_warehouse_file_open_elsewhere_is_exit_4_not_a_traceback",
    }
)


def is_slow(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    name = getattr(item, "originalname", item.name)
    return bool(SLOW_FIXTURES & fixtures) or item.path.name in SLOW_FILES or name in SLOW_TESTS


#: The longest test files, longest first (measured with `pytest --durations`). pytest-xdist
#: hands whole files to its workers in the order they are collected: starting the long ones
#: first keeps one from being the last file running while the other worker has nothing to do.
LONGEST_FIRST = (
    "test_emulator.py",
    "test_corpus.py",
    "test_jobs.py",
    "test_arrivals.py",
    "test_dbt_semantics.py",
    "test_replay.py",
    "test_project.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable within a file


@pytest.fixture(scope="session", autouse=True)
def dbt_packages() -> None:
    """Install the dbt packages once, whichever worker gets there first."""
    from greenery.dbt import packages
    from greenery.dbt.runner import Dbt

    with FileLock(Path(__file__).resolve().parents[1] / "dbt_packages.lock"):
        packages.install(Dbt())


def once_per_run(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """This worker's copy of the warehouse `make` writes, made once for the whole test run.

    The first worker to ask makes it under the lock; the others wait, then copy the finished
    file. A `make` that fails leaves nothing behind, so the next worker tries again (and fails
    the same way, with its own traceback)."""
    shared = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own
    made = shared / name / "greenery.duckdb"
    mine = factory.mktemp(name) / "greenery.duckdb"
    with FileLock(shared / f"{name}.lock"):  # copies too: opening a DuckDB file locks it
        if not made.with_name("done").exists():
            shutil.rmtree(made.parent, ignore_errors=True)  # what a failed make left
            made.parent.mkdir()
            make(made)
            database.copy(made, mine)  # checkpoints: the file is whole, nothing in a WAL
            made.with_name("done").touch()
        else:
            shutil.copyfile(made, mine)
            history = database.history_beside(made)  # the run history travels with its file
            if history.exists():
                shutil.copyfile(history, database.history_beside(mine))
    return mine


@pytest.fixture(scope="module")
def slot(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path | None], Path]:
    """One warehouse path for a module's tests, emptied for each: dbt parses the project in full
    whenever the profile's path changes, so tests that run dbt one after another on the same
    path pay for one full parse, not one each. `slot(source)` copies `source` there; `slot()`
    leaves it empty for a test that loads its own."""
    path = tmp_path_factory.mktemp("slot") / "greenery.duckdb"

    def refill(source: Path | None = None) -> Path:
        for leftover in path.parent.iterdir():  # the last test's file, staging, kept copies
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
        if source is not None:
            database.copy(source, path)
        return path

    return refill


@pytest.fixture(scope="session")
def facts() -> dict[str, Any]:
    return published_facts()


@pytest.fixture(scope="session")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-week scale-1 sample, loaded."""
    return once_per_run(tmp_path_factory, "sample", lambda path: datasets.load_sample(path))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse after the main job (snapshots + dbt build)."""

    def make(path: Path) -> None:
        datasets.load_sample(path)
        build_all(path)

    return once_per_run(tmp_path_factory, "built", make)


def build_all(path: Path) -> None:
    """The main job on a loaded warehouse; every node must pass."""
    from dbt_helpers import build

    ok, status = build(path)
    assert ok, {k: v for k, v in status.items() if v not in ("pass", "success", "no-op")}


@pytest.fixture(scope="session")
def quarter_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quarter of history (13 weeks, the main job's default) after the main job."""

    def make(path: Path) -> None:
        datasets.load_sample(path, n_weeks=datasets.DEFAULT_WEEKS)
        build_all(path)

    return once_per_run(tmp_path_factory, "quarter_built", make)


@pytest.fixture(scope="session")
def replayed_and_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse after replaying weeks 1-4 and the main job."""
    from greenery.dbt.runner import Dbt
    from greenery.jobs import replay

    def make(path: Path) -> None:
        datasets.load_sample(path)
        replay.replay(Dbt(duckdb_path=path), [1, 2, 3, 4])
        build_all(path)

    return once_per_run(tmp_path_factory, "replayed_and_built", make)


@pytest.fixture(scope="session")
def raw(
    sample_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a copy of the sample: the sample itself stays free to copy."""
    path = database.copy(sample_path, tmp_path_factory.mktemp("raw") / "greenery.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()
