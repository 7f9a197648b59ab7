"""Snapshot history for a sample of several weeks: built as dbt's own snapshots would record it,
consistent with the activity, and continued by nights and replays (warehouse/history.py,
macros/build_snapshot_history.sql)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
from dbt_helpers import copy_warehouse
from greenery.dbt import packages
from greenery.dbt.runner import Dbt
from greenery.jobs import replay, run_job
from greenery.jobs.options import DbtOptions
from greenery.warehouse import arrivals, database, datasets, history

SNAP = "dev_snapshots"
MARTS = "dev_marts"
SNAPSHOTS = {"product_inventory_snapshot": "product_id", "orders_snapshot": "order_id"}
ORDER_COLUMNS = (
    "order_id, user_id, promo_id, address_id, created_at, order_cost, shipping_cost, "
    "order_total, tracking_id, shipping_service, estimated_delivery_at, delivered_at, status"
)


def snapshot_rows(path: Path) -> dict[str, list[tuple]]:
    with database.connect(path) as con:
        return {
            name: con.execute(f"select * from {SNAP}.{name} order by all").fetchall()
            for name in SNAPSHOTS
        }


def as_of(con: duckdb.DuckDBPyConnection, table: str, columns: str, key: str, at: datetime):
    """The rows a history table says its source held at `at`: each key's last version."""
    return con.execute(
        f"select {columns} from greenery_meta.{table} where valid_at <= ? "
        f"qualify row_number() over (partition by {key} order by valid_at desc) = 1",
        [at],
    ).fetchall()


# -------------------------------------------------------------------------- dbt's own record
def test_the_history_is_what_dbt_snapshots_record_at_every_boundary(tmp_path):
    """Three weeks loaded twice. One warehouse's snapshots start from the sample's history; the
    other has none, and dbt's snapshot runs at each week boundary on the raw tables as they
    were then (as `greenery replay` does). Then both snapshot the raw tables as loaded, at the
    data clock: the snapshots are equal, row for row, hashes and validity included."""
    built = tmp_path / "built" / "greenery.duckdb"
    replayed = tmp_path / "replayed" / "greenery.duckdb"
    for path in (built, replayed):
        path.parent.mkdir()
        datasets.load_sample(path, n_weeks=3)
    with database.connect(replayed) as con:
        at = [row[0] for row in con.execute(
            "select distinct valid_at from greenery_meta.products_history order by 1"
        ).fetchall()]  # fmt: skip
        con.execute("create schema keep")
        for table in ("products_history", "orders_history", "history_loads"):
            con.execute(f"create table keep.{table} as from greenery_meta.{table}")
            con.execute(f"drop table greenery_meta.{table}")
        con.execute("create table keep.products as from raw.products")
        con.execute("create table keep.orders as from raw.orders")
        (clock,) = con.execute("select max(now) from greenery_meta.clock").fetchone()
    assert len(at) == 3
    dbt_replayed = Dbt(duckdb_path=replayed)
    packages.install(dbt_replayed)
    for boundary in at:
        with database.connect(replayed) as con:
            con.execute(
                "create or replace table raw.products as select product_id, name, price, "
                "inventory from keep.products_history where valid_at <= ? qualify "
                "row_number() over (partition by product_id order by valid_at desc) = 1",
                [boundary],
            )
            con.execute(
                f"create or replace table raw.orders as select {ORDER_COLUMNS} "
                "from keep.orders_history where valid_at <= ? qualify "
                "row_number() over (partition by order_id order by valid_at desc) = 1",
                [boundary],
            )
        snapshot = dbt_replayed.with_env("GREENERY_SNAPSHOT_AT", str(boundary))
        assert snapshot.invoke(["snapshot"]).success, boundary
    with database.connect(replayed) as con:
        con.execute("create or replace table raw.products as from keep.products")
        con.execute("create or replace table raw.orders as from keep.orders")
    for path in (built, replayed):
        dbt = Dbt(duckdb_path=path).with_env("GREENERY_SNAPSHOT_AT", str(clock))
        assert dbt.invoke(["snapshot"]).success

    recorded = snapshot_rows(built)
    assert recorded == snapshot_rows(replayed)
    assert {len({r[-4] for r in rows}) for rows in recorded.values()} == {4, 3}  # valid_from


# -------------------------------------------------------------------------- the first build
def test_the_first_build_of_a_quarter_has_its_weeks_in_the_snapshots(quarter_built):
    with database.connect(quarter_built) as con:
        for name in SNAPSHOTS:
            assert (
                con.execute(f"select count(distinct dbt_valid_from) from {SNAP}.{name}").fetchone()[
                    0
                ]
                >= 13
            ), name
        (moved,) = con.execute(
            f"select count(*) from (select order_id from {SNAP}.orders_snapshot "
            "group by 1 having count(*) >= 2)"
        ).fetchone()
        weeks, out_of_stock = con.execute(
            "select count(distinct snapshot_week), count(*) filter (where is_out_of_stock) "
            f"from {MARTS}.fct_product_inventory_weekly"
        ).fetchone()
    assert moved >= 50
    assert weeks >= 13 and out_of_stock >= 1


def test_validity_intervals_chain_and_every_version_is_unique(quarter_built):
    chains_are_whole(quarter_built)


def chains_are_whole(path: Path) -> None:
    """Per key, each version ends where the next starts, only the last is open, no scd id
    repeats."""
    with database.connect(path) as con:
        for name, key in SNAPSHOTS.items():
            (broken,) = con.execute(
                f"select count(*) from (select dbt_valid_to, lead(dbt_valid_from) over "
                f"(partition by {key} order by dbt_valid_from) as next "
                f"from {SNAP}.{name}) where dbt_valid_to is distinct from next"
            ).fetchone()
            (repeated,) = con.execute(
                f"select count(*) - count(distinct dbt_scd_id) from {SNAP}.{name}"
            ).fetchone()
            assert (broken, repeated) == (0, 0), name


def test_inventory_history_is_last_weeks_less_its_orders_plus_its_restocks(quarter_built):
    """Stock at each boundary follows from the one before: minus the units of the orders placed
    that week, plus the week's restocks (greenery_meta.restocks); the last week ends at the
    extract's inventory. Some products sold out; prices changed, rarely."""
    with database.connect(quarter_built) as con:
        at = [r[0] for r in con.execute(
            "select distinct dbt_valid_from from dev_snapshots.product_inventory_snapshot "
            "where dbt_valid_from < (select max(now) from greenery_meta.clock) order by 1"
        ).fetchall()]  # fmt: skip
        level = dict(
            con.execute(
                "select product_id, inventory from dev_snapshots.product_inventory_snapshot "
                "where dbt_valid_from <= ? qualify row_number() over "
                "(partition by product_id order by dbt_valid_from desc) = 1",
                [at[0]],
            ).fetchall()
        )
        for here, there in zip(at, [*at[1:], None], strict=True):
            sold = dict(con.execute(
                "select i.product_id, sum(i.quantity) from raw.order_items i join raw.orders o "
                "using (order_id) where o.created_at >= ? and (? is null or o.created_at < ?) "
                "group by 1", [here, there, there],
            ).fetchall())  # fmt: skip
            restocked = dict(con.execute(
                "select product_id, units from greenery_meta.restocks where week_start = ?",
                [here],
            ).fetchall())  # fmt: skip
            expected = {p: level[p] - sold.get(p, 0) + restocked.get(p, 0) for p in level}
            if there is None:
                actual = dict(
                    con.execute("select product_id, inventory from raw.products").fetchall()
                )
            else:
                actual = dict(
                    con.execute(
                        "select product_id, inventory from dev_snapshots."
                        "product_inventory_snapshot where dbt_valid_from <= ? qualify "
                        "row_number() over (partition by product_id order by "
                        "dbt_valid_from desc) = 1",
                        [there],
                    ).fetchall()
                )
            assert actual == expected, here
            level = actual
        (sold_out,) = con.execute(
            "select count(distinct product_id) from dev_snapshots.product_inventory_snapshot "
            "where inventory = 0"
        ).fetchone()
        (repriced,) = con.execute(
            "select count(*) from (select product_id from dev_snapshots."
            "product_inventory_snapshot group by 1 having count(distinct price) > 1)"
        ).fetchone()
    assert sold_out >= 1 and 1 <= repriced <= 3


def test_order_history_follows_each_orders_dates_and_shipping(quarter_built):
    """At every version an order is preparing until its package_shipped event, shipped until
    it was delivered, then delivered; it appears at the first boundary after it was placed."""
    with database.connect(quarter_built) as con:
        (wrong,) = con.execute(
            f"""
            with shipped as (
                select order_id, min(created_at) as shipped_at from raw.events
                where event_type = 'package_shipped' group by 1
            ),
            final as (select * from raw.orders)
            select count(*) from {SNAP}.orders_snapshot as s
            join final as o using (order_id)
            left join shipped as e using (order_id)
            where s.dbt_valid_from < (select max(now) from greenery_meta.clock)
              and (
                s.dbt_valid_from <= o.created_at
                or s.status != case
                    when o.delivered_at <= s.dbt_valid_from then 'delivered'
                    when coalesce(e.shipped_at, case when o.tracking_id is not null
                        then o.created_at end) <= s.dbt_valid_from then 'shipped'
                    else 'preparing' end
                or (s.status = 'preparing') != (s.tracking_id is null)
              )
            """
        ).fetchone()
        (first_seen_late,) = con.execute(
            f"""
            select count(*) from raw.orders as o
            join (select order_id, min(dbt_valid_from) as first from {SNAP}.orders_snapshot
                  group by 1) as s using (order_id)
            where s.first > date_trunc('week', o.created_at) + interval 7 day
              and s.first != (select max(now) from greenery_meta.clock)
            """
        ).fetchone()
    assert (wrong, first_seen_late) == (0, 0)


# -------------------------------------------------------------------------- what follows
def test_nights_continue_the_history(quarter_built, tmp_path):
    path = copy_warehouse(quarter_built, tmp_path / "greenery.duckdb")
    before = snapshot_rows(path)
    with database.connect(path) as con:
        arrivals.arrive(con, 2, 42)
    summary = run_job.run(Dbt(duckdb_path=path), DbtOptions(), run_job.JobOptions(False))
    assert summary.exit_code == 0, summary.text()
    after = snapshot_rows(path)
    for name in SNAPSHOTS:  # the history stays, closed where a row changed, and grows
        kept = {r[:-2] for r in before[name]}  # but dbt_valid_to and dbt_is_deleted
        assert kept <= {r[:-2] for r in after[name]}
        assert len(after[name]) > len(before[name])
    chains_are_whole(path)


def test_a_replay_continues_the_history(quarter_built, tmp_path):
    """Replaying weeks 1-2 after the quarter starts the replayed part afresh (its first week
    resets history) and the quarter's own history is built again under it: no gap, no overlap."""
    path = copy_warehouse(quarter_built, tmp_path / "greenery.duckdb")
    with database.connect(path) as con:
        (first,) = con.execute(
            f"select min(dbt_valid_from) from {SNAP}.product_inventory_snapshot"
        ).fetchone()
    assert replay.run(Dbt(duckdb_path=path), [1, 2]) == [1, 2]
    chains_are_whole(path)
    with database.connect(path) as con:
        starts = [r[0] for r in con.execute(
            f"select distinct dbt_valid_from from {SNAP}.product_inventory_snapshot order by 1"
        ).fetchall()]  # fmt: skip
    assert starts[0] == first and len(starts) >= 14
    assert starts[-2:] == [datetime(2021, 2, 15), datetime(2021, 2, 22)]


def test_a_teams_export_has_no_invented_history(tmp_path):
    path = tmp_path / "greenery.duckdb"
    datasets.load_sample(path, n_weeks=3)
    export = tmp_path / "export"
    datasets.export_sample(export)
    datasets.load_export(path, export)
    with database.connect(path) as con:
        (left,) = con.execute(
            "select count(*) from information_schema.tables where table_schema = "
            "'greenery_meta' and table_name like '%history%'"
        ).fetchone()
    assert left == 0


def test_the_published_week_alone_has_no_history(tmp_path):
    path = tmp_path / "greenery.duckdb"
    datasets.load_sample(path, n_weeks=1)
    with database.connect(path) as con:
        assert not con.execute(
            "select * from information_schema.tables where table_name = 'history_loads'"
        ).fetchall()
    # a history of two weeks would have started at the Monday before the published week
    assert history.boundaries(datetime(2021, 2, 1), 2) == [
        datetime(2021, 2, 1),
        datetime(2021, 2, 8),
    ]
