"""Incremental event models: a sequence of incremental runs equals a full refresh, row for row."""

from __future__ import annotations

from pathlib import Path

from dbt_helpers import MARTS, copy_warehouse
from greenery.dbt import packages
from greenery.dbt.runner import Dbt
from greenery.warehouse import database

# each incremental model, where it is built
INCREMENTAL = {
    "fct_page_views": MARTS,
    "fct_sessions": MARTS,
    "fct_session_products": MARTS,
    "int_sessions_bot_flagged": "dev_intermediate",
}
FIRST_CUT = "2021-02-11 00:00:00"
SECOND_CUT = "2021-02-11 15:00:00"
# Late events: some events before a cut only arrive with the next batch (within the lookback).
LATE = "hash(event_id) % 4 = 0 and created_at >= timestamp '{cut}' - interval 20 hour"


#: Which run wrote a row, and when: the columns that must differ from a full refresh
BOOKKEEPING = ("dbt_invocation_id", "dbt_loaded_at")


def rows(path: Path, models: tuple[str, ...] = tuple(INCREMENTAL)) -> dict[str, list[tuple]]:
    with database.connect(path) as con:
        return {m: table_rows(con, schema, m) for m, schema in INCREMENTAL.items() if m in models}


def table_rows(con, schema: str, table: str) -> list[tuple]:
    """A table's rows in a stable order, without the columns saying which run wrote them."""
    columns = [
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
        if c not in BOOKKEEPING
    ]
    return con.execute(f"select {', '.join(columns)} from {schema}.{table} order by all").fetchall()


def arrive(path: Path, cut: str | None, late: bool = True) -> None:
    """Make raw.events hold every event that has arrived by `cut` (all of them when None).

    `late`: some events before the cut arrive only with the next batch.
    """
    with database.connect(path) as con:
        con.execute("create table if not exists raw.all_events as select * from raw.events")
        con.execute("delete from raw.events")
        if cut is None:
            con.execute("insert into raw.events select * from raw.all_events")
        else:
            con.execute(
                f"insert into raw.events select * from raw.all_events "
                f"where created_at < timestamp '{cut}'"
                + (f" and not ({LATE.format(cut=cut)})" if late else "")
            )


def test_incremental_runs_equal_full_refresh(sample_path, tmp_path):
    path = copy_warehouse(sample_path, tmp_path / "incremental.duckdb")
    dbt = Dbt(duckdb_path=path)
    packages.install(dbt)
    select = ["--select", *(f"+{m}" for m in INCREMENTAL)]
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
    # the bot flags were recomputed for the users the later batches touched, not rebuilt:
    # sessions of the first batch kept their rows, later ones joined their users' bursts
    flagged_first = {r[0] for r in first["int_sessions_bot_flagged"]}
    assert flagged_first < {r[0] for r in full["int_sessions_bot_flagged"]}
    assert any(r[10] for r in full["int_sessions_bot_flagged"]), "the sample has a bot"


BOT_CUT = "2021-02-11 14:20:05"  # three seconds into the sample's bot: too few sessions to flag


def test_bot_flags_follow_a_burst_across_the_window(sample_path, tmp_path):
    """A night's sessions join bursts that began before the late-data window.

    With no lookback, the second run's window holds only the bot's later sessions; its earlier
    ones, wholly before the window, must be recomputed with it (flagged now, their burst grown),
    because the whole burst decides. The user's sessions are numbered together or not at all.
    """
    path = copy_warehouse(sample_path, tmp_path / "bursts.duckdb")
    dbt = Dbt(duckdb_path=path)
    packages.install(dbt)
    run = ["run", "--select", "+int_sessions_bot_flagged", "--vars", "event_lookback_hours: 0"]
    arrive(path, BOT_CUT, late=False)
    assert dbt.invoke(["seed"]).success
    assert dbt.invoke([*run, "--full-refresh"]).success
    first = rows(path, ("int_sessions_bot_flagged",))["int_sessions_bot_flagged"]
    arrive(path, None)
    assert dbt.invoke(run).success
    incremental = rows(path, ("int_sessions_bot_flagged",))["int_sessions_bot_flagged"]
    assert dbt.invoke([*run, "--full-refresh"]).success
    full = rows(path, ("int_sessions_bot_flagged",))["int_sessions_bot_flagged"]

    assert incremental == full
    with database.connect(path) as con:
        before_window = {
            session_id
            for (session_id,) in con.execute(
                "select session_id from raw.events group by session_id "
                f"having max(created_at) < timestamp '{BOT_CUT}'"
            ).fetchall()
        }
    session, is_bot = 0, 10
    flagged_later = {
        r[session] for r in full if r[is_bot] and r[session] in before_window and r not in first
    }
    assert flagged_later, "sessions wholly before the window were flagged with their burst"
