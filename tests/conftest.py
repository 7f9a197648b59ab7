"""Shared fixtures: the published facts and a scale-1 sample warehouse built once per session."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
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
    {"test_dbt_semantics.py", "test_emulator.py", "test_history.py", "test_incremental.py"}
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def dbt_packages() -> None:
    """Install the dbt packages once, whichever worker gets there first."""
    from greenery.dbt import packages
    from greenery.dbt.runner import Dbt

    lock_path = Path(__file__).resolve().parents[1] / "dbt_packages.lock"
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        packages.install(Dbt())


@pytest.fixture(scope="session")
def facts() -> dict[str, Any]:
    return published_facts()


@pytest.fixture(scope="session")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "greenery.duckdb"
    datasets.load_sample(path)
    return path


@pytest.fixture(scope="session")
def built(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse after the main job (snapshots + dbt build)."""
    return built_copy(sample_path, tmp_path_factory.mktemp("built"))


def built_copy(source: Path, directory: Path) -> Path:
    """A copy of a loaded warehouse after the main job; every node must pass."""
    from dbt_helpers import build, copy_warehouse

    path = copy_warehouse(source, directory / "greenery.duckdb")
    ok, status = build(path)
    assert ok, {k: v for k, v in status.items() if v not in ("pass", "success", "no-op")}
    return path


@pytest.fixture(scope="session")
def quarter_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample warehouse with a quarter of history (13 weeks, the main job's default)."""
    path = tmp_path_factory.mktemp("quarter") / "greenery.duckdb"
    datasets.load_sample(path, n_weeks=datasets.DEFAULT_WEEKS)
    return path


@pytest.fixture(scope="session")
def quarter_built(quarter_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quarter of history after the main job."""
    return built_copy(quarter_path, tmp_path_factory.mktemp("quarter_built"))


@pytest.fixture(scope="session")
def replayed_and_built(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse after replaying weeks 1-4 and the main job."""
    from dbt_helpers import build, copy_warehouse
    from greenery.dbt.runner import Dbt
    from greenery.jobs import replay

    path = copy_warehouse(sample_path, tmp_path_factory.mktemp("history") / "greenery.duckdb")
    replay.replay(Dbt(duckdb_path=path), [1, 2, 3, 4])
    ok, status = build(path)
    assert ok, {k: v for k, v in status.items() if v not in ("pass", "success", "no-op")}
    return path


@pytest.fixture(scope="session")
def raw(
    sample_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a copy of the sample: the sample itself stays free to copy."""
    path = database.copy(sample_path, tmp_path_factory.mktemp("raw") / "greenery.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]
