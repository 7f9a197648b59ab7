"""The weekly replay: snapshot answers equal the published ones, and replays are repeatable."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from greenery.dbt.runner import Dbt
from greenery.jobs import replay
from greenery.warehouse import database, datasets
from greenery.warehouse.facts import weekly_history

SNAP = "dev_snapshots"

# Which snapshot version was current at a simulated week's snapshot time.
AT_WEEK = """
    with weeks as (select * from (values {weeks}) as w(week, taken_at))
    select w.week, s.* from {table} s join weeks w
      on s.dbt_valid_from <= w.taken_at
      and (s.dbt_valid_to is null or s.dbt_valid_to > w.taken_at)
"""


def weeks_values() -> str:
    return ", ".join(
        f"({w}, timestamp '{at}')" for w, at in weekly_history()["snapshot_at"].items()
    )


@pytest.fixture(scope="module")
def replayed(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("replay") / "greenery.duckdb"
    database.copy(sample_path, path)
    replay.replay(Dbt(duckdb_path=path), [1, 2, 3, 4])
    return path


def snapshot_rows(path: Path) -> dict[str, list[tuple]]:
    with database.connect(path) as con:
        return {
            name: con.execute(f"select * from {SNAP}.{name} order by all").fetchall()
            for name in replay.SNAPSHOTS
        }


def test_changed_week_3_to_4(replayed, facts):
    with database.connect(replayed) as con:
        changed = con.execute(f"""
            with at_week as ({
            AT_WEEK.format(weeks=weeks_values(), table=SNAP + ".product_inventory_snapshot")
        })
            select w3.name from at_week w3 join at_week w4 using (product_id)
            where w3.week = 3 and w4.week = 4 and w3.inventory <> w4.inventory
            order by 1""").fetchall()
    assert [n for (n,) in changed] == facts["weekly_history"]["answers"]["changed_week_3_to_4"]


def test_total_fluctuation(replayed, facts):
    with database.connect(replayed) as con:
        rows = con.execute(f"""
            with versions as (
                select name, inventory - lag(inventory) over (
                    partition by product_id order by dbt_valid_from) as change
                from {SNAP}.product_inventory_snapshot)
            select name, sum(abs(change)) from versions where change is not null
            group by 1 having sum(abs(change)) > 0 order by 2 desc, 1""").fetchall()
    expected = facts["weekly_history"]["answers"]["total_absolute_fluctuation"]
    assert dict(rows) == expected
    assert [n for n, _ in rows] == list(expected)


def test_out_of_stock(replayed, facts):
    with database.connect(replayed) as con:
        rows = con.execute(f"""
            with at_week as ({
            AT_WEEK.format(weeks=weeks_values(), table=SNAP + ".product_inventory_snapshot")
        }),
            around as (
                select name, week, inventory,
                       lag(inventory) over (partition by product_id order by week) as before,
                       lead(inventory) over (partition by product_id order by week) as after
                from at_week)
            select name, week, before, inventory, after from around where inventory = 0
            order by 1""").fetchall()
    described = {n: f"week {w} ({b} -> {i} -> {a})" for n, w, b, i, a in rows}
    assert described == facts["weekly_history"]["answers"]["out_of_stock"]


def test_orders_shipped_per_week(replayed, facts):
    with database.connect(replayed) as con:
        rows = con.execute(f"""
            with at_week as ({
            AT_WEEK.format(weeks=weeks_values(), table=SNAP + ".orders_snapshot")
        }),
            moves as (
                select order_id, week, status, tracking_id, shipping_service,
                       estimated_delivery_at,
                       lag(status) over (partition by order_id order by week) as before
                from at_week)
            select week, list(order_id order by order_id),
                   bool_and(tracking_id is not null and shipping_service is not null
                            and estimated_delivery_at is not null)
            from moves where before = 'preparing' and status = 'shipped'
            group by 1 order by 1""").fetchall()
    expected = facts["weekly_history"]["orders_shipped"]
    assert {f"week_{w - 1}_to_{w}": sorted(ids) for w, ids, _ in rows} == {
        k: sorted(v) for k, v in expected.items()
    }
    assert all(filled for _, _, filled in rows)


def test_validity_timestamps_are_week_boundaries(replayed):
    boundaries = set(weekly_history()["snapshot_at"].values())
    with database.connect(replayed) as con:
        for name in replay.SNAPSHOTS:
            stamps = con.execute(
                f"select distinct strftime(dbt_valid_from, '%Y-%m-%d %H:%M:%S') from {SNAP}.{name}"
            ).fetchall()
            assert {s for (s,) in stamps} <= boundaries


def test_replaying_twice_gives_same_snapshots(replayed, slot):
    first = snapshot_rows(replayed)
    again = slot(replayed)
    replay.replay(Dbt(duckdb_path=again), [1, 2, 3, 4])
    assert snapshot_rows(again) == first
    assert len(first["product_inventory_snapshot"]) == 30 + 16  # 16 changes in the history


def test_deleted_source_rows_are_recorded(replayed, slot):
    path = slot(replayed)
    with database.connect(path) as con:
        con.execute("delete from raw.products where name = 'Cactus'")
    Dbt(duckdb_path=path).check(["snapshot", "--vars", '{"snapshot_at": "2021-03-15 00:00:00"}'])
    with database.connect(path) as con:
        rows = con.execute(f"""select dbt_valid_from::varchar, dbt_valid_to::varchar,
            dbt_is_deleted from {SNAP}.product_inventory_snapshot where name = 'Cactus'
            order by dbt_valid_from""").fetchall()
    assert rows == [
        ("2021-02-15 00:00:00", "2021-03-15 00:00:00", "False"),
        ("2021-03-15 00:00:00", None, "True"),
    ]


def test_replay_refuses_data_without_the_history_keys(slot):
    path = slot()
    datasets.load_sample(path, seed=5)
    with database.connect(path) as con:
        con.execute(
            "delete from raw.orders where order_id = '265f9aae-561a-4232-a78a-7052466e46b7'"
        )
    with pytest.raises(replay.ReplayError, match="265f9aae"):
        replay.replay(Dbt(duckdb_path=path), [1])


def raw_and_snapshot_rows(path: Path) -> dict[str, list[tuple]]:
    with database.connect(path) as con:
        raw = {
            t: con.execute(f"select * from raw.{t} order by all").fetchall()
            for t in ("products", "orders")
        }
    return {**raw, **snapshot_rows(path)}


def duplicate_scd_ids(path: Path) -> int:
    with database.connect(path) as con:
        return sum(
            con.execute(
                f"select count(*) - count(distinct dbt_scd_id) from {SNAP}.{name}"
            ).fetchone()[0]
            for name in replay.SNAPSHOTS
        )


def test_replaying_recorded_weeks_again_is_a_no_op(replayed, slot, caplog):
    path = slot(replayed)
    before = raw_and_snapshot_rows(path)
    caplog.set_level(logging.INFO, logger=replay.__name__)

    applied = replay.run(Dbt(duckdb_path=path), [3, 4])

    assert applied == []
    assert any("already in snapshot history" in m for m in caplog.messages)
    assert raw_and_snapshot_rows(path) == before
    assert duplicate_scd_ids(path) == 0


def test_a_replay_that_fails_part_way_changes_nothing(replayed, slot, monkeypatch):
    path = slot(replayed)
    dbt = Dbt(duckdb_path=path)
    dbt.check(["run-operation", "reset_snapshot_history"])
    replay.replay(dbt, [1, 2])
    before = raw_and_snapshot_rows(path)
    apply_week = replay.apply_week

    def fail_in_week_4(dbt: Dbt, week: int) -> dict[str, int]:
        if week == 4:
            raise replay.ReplayError("apply_weekly_history: the warehouse went away")
        return apply_week(dbt, week)

    monkeypatch.setattr(replay, "apply_week", fail_in_week_4)
    with pytest.raises(replay.ReplayFailed, match="nothing was applied") as failed:
        replay.run(dbt, [3, 4])

    # week 3 was applied and snapshotted in the staged copy only: raw tables and snapshot
    # history are row for row as they were, and the failed copy is kept for inspection
    assert raw_and_snapshot_rows(path) == before
    kept = Path(str(failed.value).rsplit("kept in ", 1)[1].rstrip(")"))
    assert kept.exists() and raw_and_snapshot_rows(kept) != before

    monkeypatch.setattr(replay, "apply_week", apply_week)
    assert replay.run(dbt, [3, 4]) == [3, 4]
    assert snapshot_rows(path) == snapshot_rows(replayed)
    assert duplicate_scd_ids(path) == 0
