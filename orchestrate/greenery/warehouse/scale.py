"""Scale the sample world inside DuckDB: N copies of the scale-1 greenery, never a row in Python.

Copy 0 is the scale-1 dataset itself, ids untouched, so scale 1 reproduces the published facts
exactly. Copy k > 0 gets fresh ids (an md5 of the original id and k, formatted as a uuid, so the
same id maps the same way in every table) and its timestamps shifted by a fixed number of seconds
within +-10 minutes, so its shape is the same and every rate and distribution is kept. Products
and promos are the shop's catalogue and are shared, not copied.
"""

from __future__ import annotations

import duckdb

from greenery.warehouse.facts import RAW_TABLES, raw_columns
from greenery.warehouse.loader import stage_name, typed_select

# Columns holding ids of copied entities; every other id (product_id, promo_id) is shared.
COPIED_IDS = {
    "address_id",
    "user_id",
    "order_id",
    "tracking_id",
    "event_id",
    "session_id",
}
SHARED_TABLES = {"promos", "products"}
MAX_SHIFT_SECONDS = 600
COPIES_PER_CHUNK = 200
ROWS_PER_CHUNK = 750_000  # rows one insert sorts at most: memory stays bounded at any size


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace temp macro scaled_id(id, k) as "
        "case when id is null or k = 0 then id else regexp_replace(md5(id || '#' || k::varchar), "
        "'^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\\1-\\2-\\3-\\4-\\5') end"
    )
    con.execute(
        "create or replace temp macro copy_shift(k) as "
        f"case when k = 0 then 0 else (k * 7919) % {2 * MAX_SHIFT_SECONDS + 1} "
        f"- {MAX_SHIFT_SECONDS} end"
    )


def typed_name(table: str) -> str:
    return f"typed_{table}"


def copy_exprs(table: str) -> str:
    """The columns of copy `c.k` of a typed scale-1 row `b`."""
    exprs = []
    for column in raw_columns(table):
        name = column.name
        if name in COPIED_IDS:
            expr = f"scaled_id(b.{name}, c.k)"
        elif column.type == "timestamp_ntz" and table != "users":
            expr = f"b.{name} + to_seconds(copy_shift(c.k))"
        elif table == "events" and name == "page_url":
            expr = (
                "case when b.order_id is null or c.k = 0 then b.page_url "
                "else replace(b.page_url, b.order_id, scaled_id(b.order_id, c.k)) end"
            )
        else:
            expr = f"b.{name}"
        exprs.append(f"{expr} as {name}")
    return ", ".join(exprs)


def scaled_selects(con: duckdb.DuckDBPyConnection, scale: int) -> dict[str, list[str]]:
    """For each raw table, the selects whose union in order is the scaled table.

    Copies are produced in chunks of at most COPIES_PER_CHUNK copies and ROWS_PER_CHUNK rows,
    each chunk ordered by copy and original position: the output is deterministic and memory
    stays bounded whatever the scale and the weeks of history.
    """
    if scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, got {scale}")
    define_macros(con)
    selects: dict[str, list[str]] = {}
    for table in RAW_TABLES:
        con.execute(
            f"create or replace temp table {typed_name(table)} as "
            f"{typed_select(table, stage_name(table), position=True)}"
        )
        columns = ", ".join(c.name for c in raw_columns(table))
        if table in SHARED_TABLES or scale == 1:
            selects[table] = [f"select {columns} from {typed_name(table)} order by _position"]
            continue
        (rows,) = con.execute(f"select count(*) from {typed_name(table)}").fetchone()
        per_chunk = max(1, min(COPIES_PER_CHUNK, ROWS_PER_CHUNK // max(rows, 1)))
        selects[table] = [
            f"select {copy_exprs(table)} from {typed_name(table)} as b cross join "
            f"(select range as k from range({low}, {min(low + per_chunk, scale)})) as c "
            f"order by c.k, b._position"
            for low in range(0, scale, per_chunk)
        ]
    return selects
