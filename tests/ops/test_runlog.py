"""The run history's questions (`ops/runlog.py`): the slowest models, and those getting slower.

Fast unit tests on a tiny history written by `record`, in a temporary DuckDB file: no dbt.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest
from dbt_helpers import node_result
from greenery.dbt.runner import Dbt
from greenery.jobs import night, skeleton
from greenery.ops import runlog
from greenery.ops.outcome import NodeResult, RunSummary, Step
from greenery.warehouse import database


def timed(name: str, seconds: float, status: str = "success", kind: str = "model") -> NodeResult:
    return node_result(f"{kind}.greenery.{name}", status, seconds)


def history(path: Path, runs: list[list[NodeResult]]) -> Path:
    """One recorded run per list of nodes, a day apart, oldest first."""
    for day, nodes in enumerate(runs, start=1):
        summary = RunSummary(
            run_id=f"run-{day:02d}",
            command="run-job",
            target="dev",
            started_at=f"2026-11-{day:02d} 02:00:00",
        )
        summary.steps.append(Step(command="build", success=True, seconds=1.0, nodes=nodes))
        runlog.record(path, summary)
    return path


@pytest.fixture()
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.duckdb"


def test_a_model_taking_twice_its_median_is_getting_slower(path):
    runs = [[timed("fct_sessions", s), timed("dim_users", 1.0)] for s in (1.0, 1.2, 0.9, 1.1)]
    runs.append([timed("fct_sessions", 2.4), timed("dim_users", 1.1)])
    slower = runlog.models_getting_slower(history(path, runs), ratio=1.5)
    assert slower == [("fct_sessions", 2.4, pytest.approx(1.05), pytest.approx(2.29, abs=0.01))]


def test_below_the_ratio_or_the_minimum_seconds_is_not_slower(path):
    runs = [[timed("fct_sessions", 1.0), timed("stg_users", 0.1)] for _ in range(3)]
    runs.append([timed("fct_sessions", 1.4), timed("stg_users", 0.4)])  # 1.4x; 4x but 0.4 s
    assert runlog.models_getting_slower(history(path, runs), ratio=1.5, min_seconds=0.5) == []


def test_two_earlier_runs_are_needed_to_judge(path):
    runs = [[timed("fct_sessions", 1.0)], [timed("fct_sessions", 5.0)]]
    assert runlog.models_getting_slower(history(path, runs)) == []


def test_failed_runs_and_tests_do_not_count(path):
    runs = [[timed("fct_sessions", 1.0)] for _ in range(3)]
    runs.append([timed("fct_sessions", 9.0, status="error")])  # failed: not a timing
    runs.append([timed("unique_fct_sessions_session_id", 9.0, "pass", kind="test")])
    assert runlog.models_getting_slower(history(path, runs)) == []


def test_only_the_last_runs_make_the_median(path):
    runs = [[timed("fct_sessions", 10.0)] for _ in range(5)]  # long ago, slow
    runs += [[timed("fct_sessions", 1.0)] for _ in range(3)]
    runs.append([timed("fct_sessions", 2.0)])
    history(path, runs)
    assert runlog.models_getting_slower(path, ratio=1.5, runs=3) == [
        ("fct_sessions", 2.0, 1.0, 2.0)
    ]
    assert runlog.models_getting_slower(path, ratio=1.5, runs=10) == []


def test_slowest_models_average_their_recent_runs(path):
    runs = [[timed("fct_sessions", s), timed("dim_users", 0.5)] for s in (1.0, 2.0, 3.0)]
    history(path, runs)
    assert runlog.slowest_models(path, limit=5, runs=2) == [
        ("fct_sessions", 2.5, 2),
        ("dim_users", 0.5, 2),
    ]


def test_no_history_file_is_an_empty_answer(tmp_path):
    missing = tmp_path / "none.duckdb"
    assert runlog.models_getting_slower(missing) == []
    assert runlog.slowest_models(missing) == []
    assert not missing.exists()


def published_run(run_id: str, started_at: str, data_clock: str) -> RunSummary:
    summary = RunSummary(
        run_id=run_id, command="run-job", target="dev", started_at=started_at, exit_code=0
    )
    summary.night = {"data_clock": data_clock, "sources": {"events": "1:1"}}
    return summary


def test_runs_keep_the_order_they_were_recorded_in_whatever_the_clock(path, tmp_path):
    """A machine whose clock ran five years ahead recorded a night, then the clock was set
    right: the run recorded after it is still the latest, and the night compares with it."""
    runlog.record(path, published_run("ahead", "2031-12-01 02:00:00", "2021-02-13 00:00:00"))
    runlog.record(path, published_run("set-right", "2026-12-02 02:00:00", "2021-02-14 00:00:00"))
    assert [r.run_id for r in runlog.recent_runs(path)] == ["set-right", "ahead"]
    assert runlog.latest_start(path) == datetime(2026, 12, 2, 2)
    latest = night.baseline(path, "dev", tmp_path / "runs")
    assert latest is not None and latest.run_id == "set-right"
    assert latest.data_clock == datetime(2021, 2, 14)


def test_a_clock_behind_the_latest_run_is_warned_about(tmp_path, caplog):
    warehouse = tmp_path / "w.duckdb"
    path = database.history_beside(warehouse)
    runlog.record(path, published_run("ahead", "2031-12-01 02:00:00", "2021-02-13 00:00:00"))
    summary = published_run("now", "2026-12-02 02:00:00", "2021-02-14 00:00:00")
    with caplog.at_level(logging.WARNING, logger="greenery"):
        skeleton.record(Dbt(duckdb_path=warehouse), summary)
    assert "behind the start of the latest recorded run" in caplog.text
    assert [r.run_id for r in runlog.recent_runs(path)] == ["now", "ahead"]
