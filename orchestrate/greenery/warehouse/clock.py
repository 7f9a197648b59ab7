"""The embedded warehouse's data clock: the simulated "now" its raw data has reached.

Greenery's sample lives in 2021, and `greenery arrive` moves it forward one day at a time. The
clock says how far: every load sets it to the midnight after the newest event, every arrival
moves it to the end of the day it appended, and a replayed week moves it to that week's snapshot
time. The jobs pass it to dbt as $GREENERY_SNAPSHOT_AT (macros/snapshot_get_time.sql), so
snapshot history reads in simulated days and weeks, never in the wall-clock time of the run.
A warehouse without a clock (Snowflake, or an embedded file from before the clock existed)
snapshots on the warehouse clock, as dbt does by default.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

SCHEMA = "greenery_meta"
TABLE = f"{SCHEMA}.clock"
#: The days `greenery arrive` appended since the last load (a load starts it over).
ARRIVALS_LOG = f"{SCHEMA}.arrivals"


def read(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The clock, or None when the warehouse has none."""
    (exists,) = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'clock'",
        [SCHEMA],
    ).fetchone()
    if not exists:
        return None
    row = con.execute(f"select max(now) from {TABLE}").fetchone()
    return row[0] if row else None


def write(con: duckdb.DuckDBPyConnection, now: datetime, set_by: str) -> None:
    """Set the clock (inside the caller's transaction, if any)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create or replace table {TABLE} as select ?::timestamp as now, ?::varchar as set_by",
        [now, set_by],
    )


def newest_data(con: duckdb.DuckDBPyConnection, raw_schema: str = "raw") -> datetime | None:
    """The newest event or order in the raw tables."""
    (newest,) = con.execute(
        f"select greatest((select max(created_at) from {raw_schema}.events), "
        f"(select max(created_at) from {raw_schema}.orders))"
    ).fetchone()
    return newest


def midnight_after(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def set_from_data(con: duckdb.DuckDBPyConnection, set_by: str, raw_schema: str = "raw") -> None:
    """After a load: the clock is the midnight after the newest data (unset if no data)."""
    newest = newest_data(con, raw_schema)
    if newest is None:
        con.execute(f"drop table if exists {TABLE}")
        return
    write(con, midnight_after(newest), set_by)
