"""Arrivals and the nightly loop: tomorrow's data lands, the job merges only what it touched."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dbt_helpers import MARTS, copy_warehouse, scalar
from greenery.dbt.runner import Dbt
from greenery.jobs import run_job
from greenery.jobs.options import DbtOptions
from greenery.warehouse import arrivals, clock, database, datasets

SNAP = "dev_snapshots"
#: Which run wrote a row, and when: the columns of an incremental model that must differ from a
#: full refresh
BOOKKEEPING = ("dbt_invocation_id", "dbt_loaded_at")
PUBLISHED_CLOCK = datetime(2021, 2, 13)  # the midnight after the published week's newest event


def arrive(path: Path, days: int = 1, seed: int = 42) -> list[arrivals.ArrivedDay]:
    with database.connect(path) as con:
        return arrivals.arrive(con, days, seed)


def raw_rows(path: Path) -> dict[str, list[tuple]]:
    with database.connect(path) as con:
        return {
            t: con.execute(f"select * from raw.{t} order by all").fetchall()
            for t in ("addresses", "users", "products", "orders", "order_items", "events")
        }


@pytest.fixture(scope="module")
def one_day(sample_path, tmp_path_factory):
    """The published week, then one arrived day; with the raw tables as they were before."""
    path = copy_warehouse(sample_path, tmp_path_factory.mktemp("arrive") / "g.duckdb")
    before = raw_rows(path)
    (day,) = arrive(path)
    return path, before, day


def test_a_load_sets_the_clock_to_the_midnight_after_the_newest_data(sample_path):
    with database.connect(sample_path) as con:
        assert clock.read(con) == PUBLISHED_CLOCK


def test_the_day_after_the_newest_data_arrives(one_day):
    path, before, day = one_day
    assert str(day.day) == "2021-02-13"
    assert day.sessions >= arrivals.MIN_DAILY_SESSIONS and day.orders > 0
    with database.connect(path) as con:
        assert clock.read(con) == PUBLISHED_CLOCK + timedelta(days=1)
        logged = con.execute("select day::varchar, events from greenery_meta.arrivals").fetchall()
    assert logged == [("2021-02-13", day.events)]
    after = raw_rows(path)
    new_events = set(after["events"]) - set(before["events"])
    assert len(new_events) == day.events
    assert set(before["events"]) <= set(after["events"])  # nothing lost
    on_time = [e for e in new_events if e[4] >= PUBLISHED_CLOCK]
    assert all(e[4] < PUBLISHED_CLOCK + timedelta(days=1) for e in on_time)


def test_late_events_land_in_existing_sessions_up_to_48_hours_back(one_day):
    path, before, day = one_day
    after = raw_rows(path)
    late = [e for e in set(after["events"]) - set(before["events"]) if e[4] < PUBLISHED_CLOCK]
    assert len(late) == day.late_events > 0
    assert day.late_events == round(arrivals.LATE_SHARE * (day.events - day.late_events))
    sessions_before = {e[1] for e in before["events"]}
    for event in late:
        assert event[1] in sessions_before  # an existing session
        assert event[4] >= PUBLISHED_CLOCK - timedelta(hours=48)
        assert event[5] == "page_view"


def test_orders_move_in_place(one_day):
    path, before, day = one_day
    was = {o[0]: o for o in before["orders"]}
    now = {o[0]: o for o in raw_rows(path)["orders"]}
    assert set(was) <= set(now) and len(now) == len(was) + day.orders
    shipped = [o for o in was if was[o][12] == "preparing" and now[o][12] == "shipped"]
    delivered = [o for o in was if was[o][12] == "shipped" and now[o][12] == "delivered"]
    assert len(shipped) == day.shipped > 0 and len(delivered) == day.delivered > 0
    for order_id in shipped:
        assert now[order_id][8] and now[order_id][9] in ("ups", "fedex", "usps", "dhl")
    for order_id in delivered:
        delivered_at, created_at = now[order_id][11], now[order_id][4]
        assert PUBLISHED_CLOCK <= delivered_at < PUBLISHED_CLOCK + timedelta(days=1)
        assert (delivered_at - created_at) % timedelta(days=1) == timedelta(0)
    with database.connect(path) as con:
        logged = scalar(
            con,
            "select count(*) from raw.events as s join raw.events as c "
            "on c.order_id = s.order_id and c.event_type = 'checkout' "
            "and c.session_id = s.session_id where s.event_type = 'package_shipped' "
            f"and s.order_id in ({', '.join(repr(o) for o in shipped)})",
        )
    assert logged == len(shipped)  # each shipment logged in its checkout session


def test_inventory_is_sold_and_never_negative(one_day):
    path, before, _ = one_day
    was = {p[0]: p[3] for p in before["products"]}
    now = {p[0]: p[3] for p in raw_rows(path)["products"]}
    with database.connect(path) as con:
        sold = dict(
            con.execute(
                "select product_id, sum(quantity) from raw.order_items join raw.orders "
                "using (order_id) where created_at >= ? group by 1",
                [PUBLISHED_CLOCK],
            ).fetchall()
        )
    assert sold and all(v >= 0 for v in now.values())
    changed = {p for p in now if now[p] != was[p]}
    assert changed
    for product_id in changed:  # sold, or restocked above what was left
        assert now[product_id] == was[product_id] - sold.get(product_id, 0) or (
            now[product_id] > was[product_id] - sold.get(product_id, 0)
        )


def test_same_seed_and_day_same_rows(sample_path, tmp_path):
    a = copy_warehouse(sample_path, tmp_path / "a.duckdb")
    b = copy_warehouse(sample_path, tmp_path / "b.duckdb")
    c = copy_warehouse(sample_path, tmp_path / "c.duckdb")
    arrive(a, 2)
    arrive(b, 2)
    arrive(c, 2, seed=7)
    assert raw_rows(a) == raw_rows(b)
    assert raw_rows(a)["events"] != raw_rows(c)["events"]


def test_continues_a_csv_export_and_a_warehouse_without_clock(tmp_path):
    export = tmp_path / "export"
    datasets.export_sample(export, n_weeks=2, seed=3)
    path = tmp_path / "export.duckdb"
    datasets.load_export(path, export)
    with database.connect(path) as con:
        con.execute("drop schema greenery_meta cascade")  # as if loaded before clocks existed
        newest = clock.newest_data(con)
    (day,) = arrive(path)
    assert day.day == clock.midnight_after(newest).date()


def test_refuses_a_warehouse_without_raw_tables(tmp_path):
    with (
        database.connect(tmp_path / "empty.duckdb") as con,
        pytest.raises(arrivals.ArrivalError, match="greenery load"),
    ):
        arrivals.arrive(con, 1)


# ---------------------------------------------------------------------------- the nightly loop
INCREMENTAL = {
    "fct_sessions": ("session_id", "session_ended_at"),
    "fct_session_products": ("session_id", "session_ended_at"),
    "fct_page_views": ("event_id", "viewed_at"),
}


def mart_rows(path: Path) -> dict[str, list[tuple]]:
    """Every table the marts and intermediate layers hold, without the columns that say which
    run wrote a row."""
    with database.connect(path) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (?, 'dev_intermediate') and table_type = 'BASE TABLE' "
            "order by all",
            [MARTS],
        ).fetchall()
        out = {}
        for schema, table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if c not in BOOKKEEPING
            ]
            out[f"{schema}.{table}"] = con.execute(
                f"select {', '.join(columns)} from {schema}.{table} order by all"
            ).fetchall()
    return out


def expected_merge(path: Path) -> dict[str, set[str]]:
    """What each incremental model must merge next: the keys inside its late-data window."""
    with database.connect(path) as con:
        expected = {}
        for model, (key, stamp) in INCREMENTAL.items():
            (cutoff,) = con.execute(
                f"select max({stamp}) - interval 48 hour from {MARTS}.{model}"
            ).fetchone()
            kind = "and event_type = 'page_view'" if model == "fct_page_views" else ""
            expected[model] = {
                k
                for (k,) in con.execute(
                    f"select distinct {key} from raw.events where created_at >= ? {kind}",
                    [cutoff],
                ).fetchall()
            }
    return expected


def merged(path: Path, invocation_id: str) -> dict[str, set[str]]:
    with database.connect(path) as con:
        return {
            model: {
                k
                for (k,) in con.execute(
                    f"select distinct {key} from {MARTS}.{model} where dbt_invocation_id = ?",
                    [invocation_id],
                ).fetchall()
            }
            for model, (key, _) in INCREMENTAL.items()
        }


def test_nightly_loop_merges_only_what_arrived_and_equals_a_full_refresh(quarter_built, tmp_path):
    """Three nights, the third the first of a new week (2021-02-15, a Monday) whose late events
    land in the week before: every incremental model then equals a full refresh, row for row,
    and the late events changed last week's row of the weekly funnel that night."""
    path = copy_warehouse(quarter_built, tmp_path / "nightly.duckdb")
    dbt = Dbt(duckdb_path=path)
    with database.connect(path) as con:
        n_sessions = scalar(con, f"select count(*) from {MARTS}.fct_sessions")
    for _ in range(3):  # each night merges into what the one before merged
        before = raw_rows(path)
        (day,) = arrive(path)
        night = datetime.combine(day.day, datetime.min.time()) + timedelta(days=1)
        expected = expected_merge(path)
        summary = run_job.run(dbt, DbtOptions(), run_job.JobOptions(freshness=False))
        assert summary.exit_code == 0, summary.text()
        archive = Path(summary.message.split("artifacts: ")[-1])
        results = json.loads((archive / "run_results.json").read_text())
        got = merged(path, results["metadata"]["invocation_id"])
        assert got == expected
        assert len(got["fct_sessions"]) < n_sessions / 5  # a fraction, not all history
        after = raw_rows(path)
        new_events = set(after["events"]) - set(before["events"])
        late_sessions = {e[1] for e in new_events if e[4] < night - timedelta(days=1)}
        assert late_sessions and late_sessions <= got["fct_sessions"]
        assert late_sessions <= {e[1] for e in before["events"]}
        was = {o[0]: o[12] for o in before["orders"]}
        moved = {o[0]: o[12] for o in after["orders"] if o[0] in was and was[o[0]] != o[12]}
        with database.connect(path) as con:
            recorded = dict(
                con.execute(
                    f"select order_id, status from {SNAP}.orders_snapshot "
                    f"where dbt_valid_from = ? and dbt_valid_to is null",
                    [night],
                ).fetchall()
            )
        assert {"shipped", "delivered"} <= set(moved.values())
        assert {o: s for o, s in recorded.items() if o in moved} == moved
    # the last night opened the week of 2021-02-15; late events reached back into the week
    # before, whose row the night rewrote
    assert str(day.day) == "2021-02-15"
    last_week = datetime(2021, 2, 8)
    assert any(last_week <= e[4] < datetime(2021, 2, 15) for e in new_events)
    with database.connect(path) as con:
        rewritten = con.execute(
            f"select wk from {MARTS}.f_weekly_sales_funnel where dbt_loaded_at >= ? order by wk",
            [summary.started_at],
        ).fetchall()
    assert [wk for (wk,) in rewritten][-2:] == [last_week.date(), datetime(2021, 2, 15).date()]
    incremental = mart_rows(path)
    assert dbt.invoke(["run", "--full-refresh"]).success
    assert mart_rows(path) == incremental
