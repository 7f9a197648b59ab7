"""Replay greenery's weekly history onto the raw tables, snapshotting after each week.

Week 1 is the base data; each later week applies the changes of `data/weekly_history.yml` (keyed
by product_id and order_id) and then runs `dbt snapshot` with the var `snapshot_at` set to that
week's simulated time, so snapshot validity timestamps are week boundaries, not the wall clock.
A replay from week 1 starts the snapshot history afresh, so replaying twice gives identical
snapshot tables. The changes are applied by dbt operations (macros/weekly_history.sql), so the
replay runs the same on DuckDB, on Snowflake and on the Snowflake emulator.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from dbt_common.events.base_types import EventMsg

from greenery import clock, warehouse
from greenery.dbt import Dbt
from greenery.facts import weekly_history

SNAPSHOTS = ("product_inventory_snapshot", "orders_snapshot")


class ReplayError(Exception):
    pass


def weeks_available() -> list[int]:
    return sorted(int(w) for w in weekly_history()["snapshot_at"])


def week_state(week: int) -> dict[str, Any]:
    """The raw rows' state in a week: inventories and which orders have shipped."""
    history = weekly_history()
    if week not in weeks_available():
        raise ReplayError(f"week {week} is not in the weekly history {weeks_available()}")
    products = [
        {"product_id": p["product_id"], "inventory": p["inventory"][week - 1]}
        for p in history["products"]
    ]
    orders = []
    for order in history["orders"]:
        shipped = week >= order["shipped_in_week"]
        orders.append(
            {
                "order_id": order["order_id"],
                "status": "shipped" if shipped else "preparing",
                "tracking_id": order["tracking_id"] if shipped else None,
                "shipping_service": order["shipping_service"] if shipped else None,
                "estimated_delivery_at": order["estimated_delivery_at"] if shipped else None,
            }
        )
    return {"week": week, "products": products, "orders": orders}


def operation(dbt: Dbt, macro: str, args: dict[str, Any]) -> None:
    """Run a project macro with dbt run-operation; raise ReplayError with dbt's message."""
    errors: list[str] = []

    def collect(event: EventMsg) -> None:
        if event.info.level == "error" and event.info.msg:
            errors.append(str(event.info.msg))

    result = dbt.invoke(
        ["run-operation", macro, "--args", json.dumps(args), "--no-write-json"], callbacks=[collect]
    )
    if not result.success:
        detail = "; ".join(errors) or str(result.exception or "failed")
        raise ReplayError(f"{macro}: {detail}")


def apply_week(dbt: Dbt, week: int) -> dict[str, int]:
    """Put the raw tables in their state of `week`, on any adapter."""
    state = week_state(week)
    operation(dbt, "apply_weekly_history", state)
    return {"products": len(state["products"]), "orders": len(state["orders"])}


def advance_clock(dbt: Dbt, at: str) -> None:
    """An embedded warehouse's data clock moves on to the replayed week (never back)."""
    if dbt.duckdb_path is None:
        return
    moment = datetime.fromisoformat(at)
    with warehouse.connect(dbt.duckdb_path) as con:
        now = clock.read(con)
        if now is None or now < moment:
            clock.write(con, moment, "replay")


def replay(
    dbt: Dbt,
    weeks: Sequence[int],
    say: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Apply and snapshot each week in order; a replay from week 1 resets snapshot history."""
    available = weeks_available()
    if not weeks or any(w not in available for w in weeks) or list(weeks) != sorted(set(weeks)):
        raise ReplayError(f"weeks must be increasing, within {available}: got {list(weeks)}")
    if weeks[0] == 1:
        operation(dbt, "reset_snapshot_history", {})
        say("replay from week 1: snapshot history reset")
    log = []
    for week in weeks:
        touched = apply_week(dbt, week)
        at = weekly_history()["snapshot_at"][week]
        dbt.check(["snapshot", "--vars", json.dumps({"snapshot_at": at})])
        advance_clock(dbt, at)
        say(f"week {week}: applied {touched}, snapshotted at {at}")
        log.append({"week": week, "snapshot_at": at, **touched})
    return log
