"""Anomaly warnings, missed days and backfill (ops/anomalies.py, models/monitoring,
jobs/backfill.py), on the arrivals generator's days: ordinary days raise nothing; a day that
lost 90 % of its events, a day that never arrived and a conversion collapse are each flagged in
the night's summary, its notification and `greenery history --anomalies`; events delivered
after the late-data window passed their days are named, and `greenery backfill` brings them
into the marts, which then equal a full refresh."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from dbt_helpers import copy_warehouse
from greenery import cli
from greenery.dbt.runner import Dbt
from greenery.jobs import backfill, build, run_job
from greenery.jobs.options import DbtOptions
from greenery.ops import anomalies
from greenery.ops.outcome import ExitCode
from greenery.warehouse import arrivals, database, datasets

#: Every incremental model of the events, by schema, compared with a full refresh.
EVENT_MODELS = {
    "int_sessions_bot_flagged": "dev_intermediate",
    "fct_sessions": "dev_marts",
    "fct_page_views": "dev_marts",
    "fct_session_products": "dev_marts",
    "fct_funnel_sessions": "dev_marts",
    "f_daily_sales_funnel": "dev_marts",
    "f_weekly_sales_funnel": "dev_marts",
    "f_daily_state_sales_funnel": "dev_marts",
    "f_daily_product_sales_funnel_v2": "dev_marts",
    "f_weekly_product_sales_funnel_v2": "dev_marts",
    "f_weekly_funnel_steps": "dev_marts",
}


def arrive(path: Path, days: int = 1) -> list[date]:
    with database.connect(path) as con:
        return [d.day for d in arrivals.arrive(con, days, 42)]


def night(path: Path, **job: object) -> run_job.RunSummary:
    return run_job.run(
        Dbt(duckdb_path=path), DbtOptions(), run_job.JobOptions(freshness=False, **job)
    )


def kinds(summary: run_job.RunSummary) -> set[tuple[str, str, str]]:
    return {(a["kind"], a["subject"], a["day"]) for a in summary.anomalies}


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> Path:
    """Five weeks of the sample, then eight ordinary days arrived, built by the main job."""
    path = tmp_path_factory.mktemp("weeks") / "greenery.duckdb"
    datasets.load_sample(path, n_weeks=5)
    arrive(path, 8)
    summary = build.run(Dbt(duckdb_path=path), DbtOptions())
    assert summary.exit_code == 0, summary.text()
    return path


def test_eight_ordinary_days_raise_nothing(weeks):
    """Each day is judged against the weeks before it only, so the view's rows for the eight
    arrived days are what each of their nights reports."""
    days = sorted(arrival_days(weeks))
    assert len(days) == 8
    assert anomalies.of_days(Dbt(duckdb_path=weeks), days[0]) == []


def arrival_days(path: Path) -> list[date]:
    with database.connect(path) as con:
        return [d for (d,) in con.execute(f"select day from {arrivals.LOG_TABLE}").fetchall()]


def lose_sessions_of(path: Path, day: date, kept_in_ten: int) -> None:
    """The extract delivered only about `kept_in_ten` tenths of the day's sessions."""
    with database.connect(path) as con:
        con.execute(
            "delete from raw.events where session_id in (select session_id from raw.events "
            "group by session_id having cast(min(created_at) as date) = ? "
            "and hash(session_id) % 10 >= ?)",
            [day, kept_in_ten],
        )


def test_a_day_with_90_percent_of_its_events_lost_is_flagged(weeks, tmp_path, webhook_env):
    path = copy_warehouse(weeks, tmp_path / "greenery.duckdb")
    (day,) = arrive(path)
    lose_sessions_of(path, day, 1)
    summary = night(path)
    assert summary.exit_code == 0, summary.text()  # a warning, not a failure
    found = kinds(summary)
    assert ("volume", "events", day.isoformat()) in found
    assert ("volume", "fct_sessions", day.isoformat()) in found
    assert "events on " + day.isoformat() in webhook_env.bodies[0]["text"]
    listed = CliRunner().invoke(cli.main, ["history", "--warehouse", str(path), "--anomalies"])
    assert f"volume   events on {day.isoformat()}" in listed.output, listed.output


def test_a_day_that_never_arrived_is_a_gap_and_fails_the_night_when_asked(weeks, tmp_path):
    path = copy_warehouse(weeks, tmp_path / "greenery.duckdb")
    missing, _ = arrive(path, 2)
    lose_sessions_of(path, missing, 0)
    with database.connect(path) as con:  # not one event that day, late ones included
        con.execute("delete from raw.events where cast(created_at as date) = ?", [missing])
    warned = night(copy_warehouse(path, tmp_path / "warned" / "greenery.duckdb"))
    assert warned.exit_code == 0, warned.text()
    assert ("gap", "events", missing.isoformat()) in kinds(warned)
    failed = night(path, fail_on_gaps=True)
    assert failed.exit_code == ExitCode.FRESHNESS_FAILED, failed.text()
    assert f"days without events or orders: {missing.isoformat()}" in failed.message
    assert failed.failed_copy is not None  # nothing published, the build kept


def test_a_conversion_collapse_is_flagged(weeks, tmp_path):
    """Five times the day's browsing-only visits, none buying: the day's rates fall to a
    fraction of their median."""
    path = copy_warehouse(weeks, tmp_path / "greenery.duckdb")
    (day,) = arrive(path)
    with database.connect(path) as con:
        con.execute(
            """
            insert into raw.events
            select
                md5(event_id || copy) as event_id,
                md5(session_id || copy) as session_id,
                user_id, page_url, created_at + interval 1 second * copy as created_at,
                event_type, order_id, product_id
            from raw.events, range(1, 6) as copies(copy)
            where session_id in (
                select session_id from raw.events group by session_id
                having cast(min(created_at) as date) = ?
                and count(*) filter (where event_type <> 'page_view') = 0)
            """,
            [day],
        )
    summary = night(path)
    assert summary.exit_code == 0, summary.text()
    rates = {a[1] for a in kinds(summary) if a[0] == "rate" and a[2] == day.isoformat()}
    assert "human_add_to_cart_rate" in rates, summary.anomalies


def test_events_delivered_after_the_window_are_named_and_backfilled(weeks, tmp_path):
    """The extract misses two days (their nights warn), delivers them two nights later, when the
    late-data window has moved past them: the night names them and fails a test rather than
    publish marts without them; a backfill makes every incremental event model equal a full
    refresh, and the next night passes."""
    path = copy_warehouse(weeks, tmp_path / "greenery.duckdb")
    first, second = arrive(path, 2)
    with database.connect(path) as con:
        con.execute(
            "create table held as select * from raw.events "
            "where cast(created_at as date) between ? and ?",
            [first, second],
        )
        con.execute("delete from raw.events where event_id in (select event_id from held)")
    assert night(path).exit_code == 0
    arrive(path, 2)
    assert night(path).exit_code == 0
    with database.connect(path) as con:
        con.execute("insert into raw.events select * from held")
        con.execute("drop table held")
    delivered = night(path)
    # their sessions and checkouts are missing from the marts: tests say so, nothing published
    assert delivered.exit_code == ExitCode.TESTS_FAILED, delivered.text()
    failing = {n.unique_id.split(".")[2] for n in delivered.failed_nodes()}
    assert failing <= {
        "assert_every_session_is_in_fct_sessions",
        "assert_product_purchases_match_checked_out_order_lines",
    }, failing
    late = {a[2] for a in kinds(delivered) if a[0] == anomalies.LATE}
    assert first.isoformat() in late

    summary = backfill.run(Dbt(duckdb_path=path), first, second)
    assert summary.exit_code == 0, summary.text()
    assert incremental_rows(path) == full_refresh_rows(path, tmp_path)
    after = night(path)  # the backfill's record: the days are not named again
    assert after.exit_code == 0, after.text()
    assert not {a for a in kinds(after) if a[0] == anomalies.LATE}


def incremental_rows(path: Path) -> dict[str, list[tuple]]:
    with database.connect(path) as con:
        return {model: rows_of(con, f"{schema}.{model}") for model, schema in EVENT_MODELS.items()}


def rows_of(con, relation: str) -> list[tuple]:
    columns = [
        c
        for (c,) in con.execute(
            f"select column_name from (describe {relation}) where column_name not like 'dbt_%'"
        ).fetchall()
    ]
    return con.execute(f"select {', '.join(columns)} from {relation} order by all").fetchall()


def full_refresh_rows(path: Path, tmp_path: Path) -> dict[str, list[tuple]]:
    fresh = copy_warehouse(path, tmp_path / "fresh" / "greenery.duckdb")
    dbt = Dbt(duckdb_path=fresh)
    selected = ["run", "--full-refresh", "--select", *EVENT_MODELS]
    assert dbt.invoke(selected).success
    return incremental_rows(fresh)


@pytest.fixture()
def webhook_env(webhook, monkeypatch):
    monkeypatch.setenv("GREENERY_WEBHOOK_URL", webhook.url)
    return webhook


def test_the_days_a_night_judges_start_the_day_before_the_last_published_clock():
    clock = datetime(2021, 3, 22)
    assert anomalies.judged_since(clock, datetime(2021, 3, 20)) == date(2021, 3, 19)
    assert anomalies.judged_since(clock, None) == date(2021, 3, 21)
    assert anomalies.judged_since(None, None) is None
    before = {"2021-03-18": 900, "2021-03-19": 1000}
    late = anomalies.late_beyond_window(before, {"2021-03-18": 950, "2021-03-19": 1100},
                                        window_start=date(2021, 3, 19))  # fmt: skip
    assert [(a.day, a.value) for a in late] == [("2021-03-18", 50.0)]
