"""Shared fixtures: the published facts and a scale-1 sample warehouse built once per session."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from greenery import warehouse
from greenery.facts import published_facts


def pytest_configure(config: pytest.Config) -> None:
    """Each xdist worker writes dbt's artifacts to a target folder of its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        os.environ["DBT_TARGET_PATH"] = f"target/pytest-{worker}"


#: Fixtures that run dbt on a sample warehouse (tens of seconds each): a test that uses one,
#: directly or through another fixture, is `slow`. Tests that run dbt or a job themselves say
#: so with @pytest.mark.slow. `pytest -m "not slow"` is the developer's quick loop.
DBT_FIXTURES = frozenset(
    {
        "built",
        "quarter_built",
        "replayed_and_built",
        "scratch",
        "parsed",
        "manifest",
        "baseline",
        "replayed",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DBT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def dbt_packages() -> None:
    """Install the dbt packages once, whichever worker gets there first."""
    from greenery import packages
    from greenery.dbt import Dbt

    lock_path = Path(__file__).resolve().parents[1] / "dbt_packages.lock"
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        packages.install(Dbt(), lambda _: None)


@pytest.fixture(scope="session")
def facts() -> dict[str, Any]:
    return published_facts()


@pytest.fixture(scope="session")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "greenery.duckdb"
    warehouse.load_sample(path)
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
    warehouse.load_sample(path, n_weeks=warehouse.DEFAULT_WEEKS)
    return path


@pytest.fixture(scope="session")
def quarter_built(quarter_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quarter of history after the main job."""
    return built_copy(quarter_path, tmp_path_factory.mktemp("quarter_built"))


@pytest.fixture(scope="session")
def replayed_and_built(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse after replaying weeks 1-4 and the main job."""
    from dbt_helpers import build, copy_warehouse
    from greenery import history
    from greenery.dbt import Dbt

    path = copy_warehouse(sample_path, tmp_path_factory.mktemp("history") / "greenery.duckdb")
    history.replay(Dbt(duckdb_path=path), [1, 2, 3, 4], say=lambda _: None)
    ok, status = build(path)
    assert ok, {k: v for k, v in status.items() if v not in ("pass", "success", "no-op")}
    return path


@pytest.fixture(scope="session")
def raw(
    sample_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a copy of the sample: the sample itself stays free to copy."""
    path = warehouse.copy(sample_path, tmp_path_factory.mktemp("raw") / "greenery.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]
