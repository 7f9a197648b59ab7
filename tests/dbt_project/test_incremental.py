"""Incremental event models: a sequence of incremental runs equals a full refresh, row for row."""

from __future__ import annotations

from pathlib import Path

from dbt_helpers import MARTS, copy_warehouse
from greenery.dbt import packages
from greenery.dbt.runner import Dbt
from greenery.warehouse import database

INCREMENTAL = ("fct_page_views", "fct_sessions", "fct_session_products")
FIRST_CUT = "2021-02-11 00:00:00"
SECOND_CUT = "2021-02-11 15:00:00"
# Late events: some events before a cut only arrive with the next batch (within the lookback).
LATE = "hash(event_id) % 4 = 0 and created_at >= timestamp '{cut}' - interval 20 hour"


def rows(path: Path) -> dict[str, list[tuple]]:
    with database.connect(path) as con:
        return {
            # dbt_invocation_id says which run wrote a row: the one column that must differ
            m: con.execute(
                f"select * exclude (dbt_invocation_id) from {MARTS}.{m} order by all"
            ).fetchall()
            for m in INCREMENTAL
        }


def arrive(path: Path, cut: str | None) -> None:
    """Make raw.events hold every event that has arrived by `cut` (all of them when None)."""
    with database.connect(path) as con:
        con.execute("create table if not exists raw.all_events as select * from raw.events")
        con.execute("delete from raw.events")
        if cut is None:
            con.execute("insert into raw.events select * from raw.all_events")
        else:
            con.execute(
                f"insert into raw.events select * from raw.all_events "
                f"where created_at < timestamp '{cut}' and not ({LATE.format(cut=cut)})"
            )


def test_incremental_runs_equal_full_refresh(sample_path, tmp_path):
    path = copy_warehouse(sample_path, tmp_path / "incremental.duckdb")
    dbt = Dbt(duckdb_path=path)
    packages.install(dbt)
    select = ["--select", "+fct_page_views", "+fct_sessions", "+fct_session_products"]
    arrive(path, FIRST_CUT)
    assert dbt.invoke(["seed"]).success  # the funnel steps order the event types' columns
    assert dbt.invoke(["run", *select, "--full-refresh"]).success
    first = rows(path)
    for cut in (SECOND_CUT, None):
        arrive(path, cut)
        result = dbt.invoke(["run", *select])
        assert result.success
    incremental = rows(path)
    assert dbt.invoke(["run", *select, "--full-refresh"]).success
    full = rows(path)

    assert incremental == full
    assert len(full["fct_page_views"]) == 1871
    assert len(full["fct_sessions"]) == 578
    # the runs really were incremental: the first batch lacked rows the last one has
    assert len(first["fct_page_views"]) < 1871
    late_sessions = {r[0] for r in first["fct_sessions"]} & {r[0] for r in full["fct_sessions"]}
    changed = [
        r for r in full["fct_sessions"] if r[0] in late_sessions and r not in first["fct_sessions"]
    ]
    assert changed, "some sessions must have been updated by late events"
