"""Replay greenery's weekly history onto the raw tables, snapshotting after each week.

Week 1 is the base data; each later week applies the changes of `data/weekly_history.yml` (keyed
by product_id and order_id) and then runs `dbt snapshot` with $GREENERY_SNAPSHOT_AT set to that
week's simulated time, so snapshot validity timestamps are week boundaries, not the wall clock.
A replay from week 1 starts the snapshot history afresh, so replaying twice gives identical
snapshot tables. The changes are applied by dbt operations (macros/apply_weekly_history.sql,
macros/reset_snapshot_history.sql), so the replay runs the same on DuckDB, on Snowflake and on the
Snowflake emulator.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from dbt_common.events.base_types import EventMsg

from greenery.dbt.runner import Dbt, DbtFailed
from greenery.jobs.skeleton import prepare, running
from greenery.ops import lock
from greenery.ops.outcome import REFUSED_STEP, REPLAY_STEP, RunSummary, Step, new_run_id
from greenery.warehouse import clock, database, wap
from greenery.warehouse.facts import weekly_history

logger = logging.getLogger(__name__)

SNAPSHOTS = ("product_inventory_snapshot", "orders_snapshot")


class ReplayError(Exception):
    """The replay was refused: nothing was applied."""


class ReplayFailed(Exception):
    """The replay failed part way; the message says what, if anything, was applied."""


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
    with database.connect(dbt.duckdb_path) as con:
        now = clock.read(con)
        if now is None or now < moment:
            clock.write(con, moment, "replay")


SNAPSHOT_REACH = (
    "select max(dbt_valid_from) as reach from ("
    + " union all ".join(
        f"select dbt_valid_from from {{{{ ref('{name}') }}}}" for name in SNAPSHOTS
    )
    + ")"
)


def recorded_until(dbt: Dbt) -> datetime | None:
    """How far snapshot history reaches: its newest validity start (None without history)."""
    result = dbt.invoke(
        ["show", "--inline", SNAPSHOT_REACH, "--log-level", "none", "--no-write-json"]
    )
    if not result.success or not result.result or not result.result.results:
        return None
    table = result.result.results[0].agate_table
    value = table.rows[0][0] if table is not None and len(table.rows) else None
    return None if value is None else datetime.fromisoformat(str(value)).replace(tzinfo=None)


def weeks_to_apply(weeks: Sequence[int], reach: datetime | None) -> list[int]:
    """The weeks a replay still has to record: a week history already reaches is skipped.

    A replay from week 1 starts history afresh, so it applies every week it is given.
    """
    if not weeks or weeks[0] == 1 or reach is None:
        return list(weeks)
    at = weekly_history()["snapshot_at"]
    return [w for w in weeks if datetime.fromisoformat(at[w]) > reach]


def check_weeks(weeks: Sequence[int]) -> None:
    available = weeks_available()
    if not weeks or any(w not in available for w in weeks) or list(weeks) != sorted(set(weeks)):
        raise ReplayError(f"weeks must be increasing, within {available}: got {list(weeks)}")


def job(dbt: Dbt, weeks: Sequence[int]) -> RunSummary:
    """`greenery replay` as a job: its run summary (`--json`), exit code and run history come
    from the skeleton every job shares. The replay itself (`run`) takes the warehouse lock and
    stages the embedded warehouse; a refused replay ends in exit 6 (bad input), one that failed
    part way in exit 2, each having applied nothing to an embedded warehouse."""

    def body(summary: RunSummary) -> None:
        prepare(dbt)
        started = time.perf_counter()
        try:
            applied = run(dbt, weeks)
        except (ReplayError, ReplayFailed) as exc:
            seconds = round(time.perf_counter() - started, 3)
            refused = isinstance(exc, ReplayError) or isinstance(exc.__cause__, ReplayError)
            command = REFUSED_STEP if refused else REPLAY_STEP
            summary.steps.append(Step(command, False, seconds, [], str(exc)))
            summary.message = str(exc).replace("\n", "; ")
            return
        seconds = round(time.perf_counter() - started, 3)
        summary.steps.append(Step(REPLAY_STEP, True, seconds))
        summary.message = (
            f"replayed weeks: {' '.join(map(str, applied))}"
            if applied
            else "replayed weeks: none (already recorded)"
        )

    # run() takes the warehouse lock itself (a held lock ends the job in exit 4, unrecorded)
    return running("replay", dbt, body, locked=False)


def run(dbt: Dbt, weeks: Sequence[int]) -> list[int]:
    """The replay: under the warehouse lock, idempotent, all or nothing when embedded.

    Weeks that snapshot history already records are skipped (replaying them again is a no-op).
    An embedded warehouse is replayed on a staged copy (`wap.py`) published at the end, so a
    replay that fails leaves raw tables and snapshots as they were; a remote one is replayed in
    place and a failure says which weeks were applied. Returns the weeks applied.
    """
    check_weeks(weeks)
    run_id = new_run_id()
    with lock.exclusive(lock.path_for(dbt.duckdb_path, dbt.project, dbt.target_name), "replay"):
        staged = wap.stage(dbt.duckdb_path, run_id) if dbt.duckdb_path else None
        target = replace(dbt, duckdb_path=staged.path) if staged else dbt
        todo = weeks_to_apply(weeks, recorded_until(target))
        skipped = [w for w in weeks if w not in todo]
        if skipped:
            logger.info(f"weeks {skipped} are already in snapshot history: skipped")
        applied: list[int] = []
        try:
            for entry in replay(target, todo):
                applied.append(entry["week"])
        except (ReplayError, DbtFailed) as exc:
            if staged is None:
                done = f"weeks {applied} were applied" if applied else "nothing was applied"
                raise ReplayFailed(f"{exc}\n{done} before the failure") from exc
            kept = wap.keep_failed(staged)
            raise ReplayFailed(
                f"{exc}\nnothing was applied: the warehouse is as it was "
                f"(the failed replay is kept in {kept})"
            ) from exc
        if staged is not None:
            if applied:
                wap.publish(staged)
            else:
                wap.discard(staged)
    return applied


def replay(dbt: Dbt, weeks: Sequence[int]) -> list[dict[str, Any]]:
    """Apply and snapshot each week in order; a replay from week 1 resets snapshot history."""
    if not weeks:
        return []
    check_weeks(weeks)
    if weeks[0] == 1:
        operation(dbt, "reset_snapshot_history", {})
        logger.info("replay from week 1: snapshot history reset")
    log = []
    for week in weeks:
        touched = apply_week(dbt, week)
        at = weekly_history()["snapshot_at"][week]
        dbt.with_env("GREENERY_SNAPSHOT_AT", at).check(["snapshot"])
        advance_clock(dbt, at)
        logger.info(f"week {week}: applied {touched}, snapshotted at {at}")
        log.append({"week": week, "snapshot_at": at, **touched})
    return log
