"""What the report reads: the analyst marts (specs: issue #10), from DuckDB, read-only.

Every query here is a plain select of mart columns; the sums and rates a filter needs are
computed in the page, from these rows, so the report shows what the marts say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

#: The funnel's steps, in order (counts of sessions that reached the step).
STEPS: tuple[str, ...] = ("page_view", "add_to_cart", "checkout", "package_shipped")

#: Session counts of the session funnel marts: all traffic, then without suspected bots.
SESSION_COUNTS: tuple[str, ...] = (
    "n_sessions",
    *(f"n_{step}_sessions" for step in STEPS),
    "n_human_sessions",
    *(f"n_human_{step}_sessions" for step in STEPS),
    "n_suspected_bot_sessions",
)
PRODUCT_COUNTS: tuple[str, ...] = (
    *(f"n_{step}_sessions" for step in STEPS),
    *(f"n_human_{step}_sessions" for step in STEPS),
)


@dataclass(frozen=True)
class Rate:
    """A rate of a funnel mart: numerator and denominator are steps (or 'sessions')."""

    name: str  # the mart's column; without suspected bots it is human_<name>
    label: str
    numerator: str
    denominator: str
    dropoff: str | None  # the mart's column of 1 - rate, if it has one


#: The first step's rate, named and computed alike in both funnels.
ADD_TO_CART_RATE = Rate(
    "add_to_cart_rate", "add to cart / page view", "add_to_cart", "page_view", "add_to_cart_dropoff"
)
SESSION_RATES: tuple[Rate, ...] = (
    ADD_TO_CART_RATE,
    Rate(
        "cart_to_checkout_rate",
        "checkout / add to cart",
        "checkout",
        "add_to_cart",
        "checkout_dropoff",
    ),
    Rate(
        "checkout_to_shipped_rate",
        "package shipped / checkout",
        "package_shipped",
        "checkout",
        "package_shipped_dropoff",
    ),
    Rate("overall_conversion_rate", "checkout / sessions", "checkout", "sessions", None),
)
PRODUCT_RATES: tuple[Rate, ...] = (
    ADD_TO_CART_RATE,
    Rate("checkout_rate", "checkout / add to cart", "checkout", "add_to_cart", "checkout_dropoff"),
    Rate("conversion_rate", "checkout / page view", "checkout", "page_view", None),
)


def human_column(column: str) -> str:
    """The same measure without suspected bots: n_x -> n_human_x, a rate r -> human_r."""
    return f"n_human_{column[2:]}" if column.startswith("n_") else f"human_{column}"


#: The columns read from each mart; the rows are ordered by the leading key columns.
MART_COLUMNS: dict[str, tuple[str, ...]] = {
    "f_weekly_sales_funnel": ("wk", *SESSION_COUNTS),
    "f_daily_sales_funnel": ("session_date", "wk", *SESSION_COUNTS),
    "f_daily_state_sales_funnel": (
        "session_date",
        "wk",
        "state",
        "state_code",
        "region",
        *SESSION_COUNTS,
    ),
    "f_weekly_product_sales_funnel": ("wk", "product_id", "product_name", *PRODUCT_COUNTS),
    "fct_product_inventory_weekly": (
        "snapshot_week",
        "as_of",
        "product_id",
        "product_name",
        "inventory",
        "previous_inventory",
        "inventory_change",
        "is_out_of_stock",
    ),
    "fct_order_status_transitions_weekly": ("wk", "transition", "n_orders"),
}
ORDER_BY: dict[str, str] = {
    "f_weekly_sales_funnel": "wk",
    "f_daily_sales_funnel": "session_date",
    "f_daily_state_sales_funnel": "session_date, state",
    "f_weekly_product_sales_funnel": "wk, product_name, product_id",
    "fct_product_inventory_weekly": "snapshot_week, product_name, product_id",
    "fct_order_status_transitions_weekly": "wk, transition",
}


class MartsMissing(Exception):
    """The warehouse lacks a mart or a column the report reads (the marts are not built)."""


@dataclass(frozen=True)
class Table:
    """Rows of one mart, as the page receives them: column names once, then value lists."""

    columns: tuple[str, ...]
    rows: list[list[Any]]

    def to_json(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "rows": [list(map(plain, r)) for r in self.rows]}


@dataclass(frozen=True)
class Marts:
    """Everything the report shows, read in one read-only connection."""

    schema: str
    tables: dict[str, Table]
    latest_week: dict[str, Any]  # every column of f_weekly_sales_funnel for its latest wk
    days_in_latest_week: int

    @property
    def weeks(self) -> list[str]:
        return [plain(row[0]) for row in self.tables["f_weekly_sales_funnel"].rows]


def plain(value: Any) -> Any:
    """A value as JSON carries it: dates as ISO strings."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def check_columns(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """Raise MartsMissing naming every absent mart and column."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ?",
        [schema],
    ).fetchall():
        present.setdefault(table, set()).add(column)
    problems = []
    for table, columns in MART_COLUMNS.items():
        if table not in present:
            problems.append(f"{schema}.{table} is missing")
            continue
        absent = [c for c in columns if c not in present[table]]
        if absent:
            problems.append(f"{schema}.{table} lacks {', '.join(absent)}")
    if problems:
        raise MartsMissing(
            "the warehouse does not have the analyst marts the report reads: "
            + "; ".join(problems)
            + " (build them: `greenery build`)"
        )


def read_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> Table:
    columns = MART_COLUMNS[table]
    sql = f"select {', '.join(columns)} from {schema}.{table} order by {ORDER_BY[table]}"
    return Table(columns, [list(row) for row in con.execute(sql).fetchall()])


def read_latest_week(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, Any]:
    """Every column of the weekly funnel's latest week (empty when the mart has no rows)."""
    result = con.execute(
        f"select * from {schema}.f_weekly_sales_funnel "
        f"where wk = (select max(wk) from {schema}.f_weekly_sales_funnel)"
    )
    row = result.fetchone()
    if row is None:
        return {}
    return {d[0]: plain(v) for d, v in zip(result.description, row, strict=True)}


def days_with_sessions(con: duckdb.DuckDBPyConnection, schema: str, week: str | None) -> int:
    if week is None:
        return 0
    (n,) = con.execute(
        f"select count(distinct session_date) from {schema}.f_daily_sales_funnel where wk = ?",
        [week],
    ).fetchone() or (0,)
    return int(n)


def read(path: Path, schema: str) -> Marts:
    """Read the marts of `schema` from the DuckDB file at `path`, read-only."""
    if not path.exists():
        raise MartsMissing(f"no warehouse at {path} (build it: `greenery build`)")
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        check_columns(con, schema)
        tables = {table: read_table(con, schema, table) for table in MART_COLUMNS}
        latest = read_latest_week(con, schema)
        days = days_with_sessions(con, schema, latest.get("wk"))
    return Marts(schema=schema, tables=tables, latest_week=latest, days_in_latest_week=days)
