"""Replay greenery's weekly history onto the raw tables, snapshotting after each week.

Week 1 is the base data; each later week applies the changes of `data/weekly_history.yml` (keyed
by product_id and order_id) and then runs `dbt snapshot` with the var `snapshot_at` set to that
week's simulated time, so snapshot validity timestamps are week boundaries, not the wall clock.
A replay from week 1 starts the snapshot history afresh, so replaying twice gives identical
snapshot tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from greenery import warehouse
from greenery.dbt import Dbt
from greenery.facts import weekly_history

SNAPSHOTS = ("product_inventory_snapshot", "orders_snapshot")


class ReplayError(Exception):
    pass


def weeks_available() -> list[int]:
    return sorted(int(w) for w in weekly_history()["snapshot_at"])


def apply_week(con: duckdb.DuckDBPyConnection, week: int) -> dict[str, int]:
    """Put the raw tables in their state of `week`; return how many rows each change touched."""
    history = weekly_history()
    if week not in weeks_available():
        raise ReplayError(f"week {week} is not in the weekly history {weeks_available()}")
    touched = {"products": 0, "orders": 0}
    con.execute("begin transaction")
    try:
        for product in history["products"]:
            require(con, "products", "product_id", product["product_id"])
            con.execute(
                "update raw.products set inventory = ? where product_id = ?",
                [product["inventory"][week - 1], product["product_id"]],
            )
            touched["products"] += 1
        for order in history["orders"]:
            require(con, "orders", "order_id", order["order_id"])
            shipped = week >= order["shipped_in_week"]
            con.execute(
                "update raw.orders set status = ?, tracking_id = ?, shipping_service = ?, "
                "estimated_delivery_at = cast(? as timestamp) where order_id = ?",
                [
                    "shipped" if shipped else "preparing",
                    order["tracking_id"] if shipped else None,
                    order["shipping_service"] if shipped else None,
                    order["estimated_delivery_at"] if shipped else None,
                    order["order_id"],
                ],
            )
            touched["orders"] += 1
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return touched


def require(con: duckdb.DuckDBPyConnection, table: str, column: str, key: str) -> None:
    (n,) = con.execute(f"select count(*) from raw.{table} where {column} = ?", [key]).fetchone()
    if n != 1:
        raise ReplayError(
            f"raw.{table}: no row with {column} = {key!r}; the weekly history names it, "
            "so the loaded data is not greenery's (or a subset of it)"
        )


def snapshot_relations(dbt: Dbt) -> list[str]:
    """The snapshot tables' names, as dbt resolves them for the target."""
    result = dbt.check(["parse"])
    manifest: Any = result.result
    names = []
    for node in manifest.nodes.values():
        if node.resource_type == "snapshot" and node.name in SNAPSHOTS:
            names.append(f'"{node.schema}"."{node.alias}"')
    return sorted(names)


def replay(
    dbt: Dbt,
    path: Path,
    weeks: Sequence[int],
    say: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Apply and snapshot each week in order; a replay from week 1 resets snapshot history."""
    available = weeks_available()
    if not weeks or any(w not in available for w in weeks) or list(weeks) != sorted(set(weeks)):
        raise ReplayError(f"weeks must be increasing, within {available}: got {list(weeks)}")
    if not warehouse.has_raw_data(path):
        raise ReplayError(f"{path}: no raw tables; run `greenery load` first")
    if weeks[0] == 1:
        relations = snapshot_relations(dbt)
        with warehouse.connect(path) as con:
            for relation in relations:
                con.execute(f"drop table if exists {relation}")
        say(f"replay from week 1: snapshot history reset ({', '.join(relations)})")
    log = []
    for week in weeks:
        with warehouse.connect(path) as con:
            touched = apply_week(con, week)
        at = weekly_history()["snapshot_at"][week]
        dbt.check(["snapshot", "--vars", json.dumps({"snapshot_at": at})])
        say(f"week {week}: applied {touched}, snapshotted at {at}")
        log.append({"week": week, "snapshot_at": at, **touched})
    return log
