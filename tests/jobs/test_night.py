"""A night of `greenery run-job`: it tests what it wrote, skips what did not change, and tests
everything on full-test nights (greenery/jobs/night.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dbt_helpers import copy_warehouse, published_rows
from greenery.dbt.runner import Dbt
from greenery.jobs import build, night, run_job
from greenery.jobs.options import DbtOptions
from greenery.warehouse import arrivals, database, datasets, fingerprint
from greenery.warehouse.loader import LoadError

PAGE_URL_TEST = "test.greenery.assert_greenery_events_page_url_matches_event"


# -------------------------------------------------------------------------- the plan, pure
def baseline(**changes: object) -> night.Baseline:
    fields: dict[str, object] = {
        "run_id": "20261201T000000Z-abcdef",
        "started_at": datetime(2026, 12, 1),
        "data_clock": datetime(2021, 2, 13),
        "sources": {"events": "10:1", "promos": "6:2"},
        "full_tests_at": datetime(2021, 2, 13),
        "manifest": Path("runs/20261201T000000Z-abcdef/manifest.json"),
    }
    fields.update(changes)
    return night.Baseline(**fields)  # type: ignore[arg-type]


def test_a_night_tests_everything_when_asked_first_or_a_week_after_the_last_full_test():
    now = datetime(2021, 2, 19)
    assert night.full_tests_reason(baseline(), asked=True, every_days=7, now=now)
    assert night.full_tests_reason(None, asked=False, every_days=7, now=now)
    assert night.full_tests_reason(baseline(full_tests_at=None), False, 7, now)
    assert night.full_tests_reason(baseline(), False, 7, now) is None  # six days of data
    assert night.full_tests_reason(baseline(), False, 7, now + timedelta(days=1))
    assert night.full_tests_reason(baseline(), False, 3, now)


def test_a_night_selects_what_reads_a_changed_source_and_what_changed_in_the_project():
    select, changed = night.selection(DbtOptions(), baseline(), {"events": "11:9", "promos": "6:2"})
    assert changed == ["events"]
    assert select == [
        "--select",
        "source:greenery.events+",
        "state:modified+",
        "--state",
        "runs/20261201T000000Z-abcdef",
    ]
    # nothing changed: only what changed in the project
    assert night.selection(DbtOptions(), baseline(), {"events": "10:1", "promos": "6:2"})[0][
        1:3
    ] == ["state:modified+", "--state"]


@pytest.mark.parametrize(
    "options",
    [
        DbtOptions(select=("fct_sessions",)),
        DbtOptions(exclude=("dim_dates",)),
        DbtOptions(vars="{bot_min_sessions: 5}"),
        DbtOptions(full_refresh=True),
    ],
)
def test_an_operators_selection_or_vars_runs_as_asked(options):
    assert night.selection(options, baseline(), {"events": "11:9"}) == ([], None)


def test_without_a_baseline_manifest_nothing_is_skipped():
    assert night.selection(DbtOptions(), baseline(manifest=None), {"events": "11:9"}) == ([], None)
    assert night.selection(DbtOptions(), None, {"events": "11:9"}) == ([], None)


def test_a_fingerprint_changes_with_any_row_and_not_without(sample_path, tmp_path):
    path = copy_warehouse(sample_path, tmp_path / "g.duckdb")
    before = fingerprint.of_raw(path)
    assert before == fingerprint.of_raw(path)
    with database.connect(path) as con:
        con.execute("update raw.products set inventory = inventory + 1 where product_id = "
                    "(select min(product_id) from raw.products)")  # fmt: skip
        con.execute("update raw.events set page_url = page_url || '#' where created_at = "
                    "(select max(created_at) from raw.events)")  # fmt: skip
    assert fingerprint.changed(fingerprint.of_raw(path), before) == ["events", "products"]


# -------------------------------------------------------------------------- nights, end to end
def arrive(path: Path) -> arrivals.ArrivedDay:
    with database.connect(path) as con:
        (day,) = arrivals.arrive(con, 1, 42)
    return day


def run(path: Path, **job: object) -> run_job.RunSummary:
    return run_job.run(
        Dbt(duckdb_path=path), DbtOptions(), run_job.JobOptions(freshness=False, **job)
    )


@pytest.fixture(scope="module")
def nightly(built, tmp_path_factory) -> Path:
    """The built week, then one arrived day and its night: the baseline of the tests below."""
    path = copy_warehouse(built, tmp_path_factory.mktemp("nightly") / "greenery.duckdb")
    arrive(path)
    summary = run(path)
    assert summary.exit_code == 0, summary.text()
    return path


def test_a_night_tests_its_window_and_skips_what_reads_only_unchanged_sources(nightly, tmp_path):
    path = copy_warehouse(nightly, tmp_path / "greenery.duckdb")
    arrive(path)
    summary = run(path)
    assert summary.exit_code == 0, summary.text()
    record = summary.night
    assert record["tests"] == "window"
    assert record["window"]["loaded_since"] and record["window"]["data_since"]
    assert "promos" not in record["changed_sources"]
    assert {"events", "orders", "products"} <= set(record["changed_sources"])
    skipped = set(record["skipped"]["nodes"])
    ran = {n.unique_id for n in summary.nodes}
    assert "model.greenery.stg_greenery__promos" in skipped  # reads promos only
    assert "seed.greenery.funnel_steps" in skipped and "model.greenery.dim_dates" in skipped
    assert "model.greenery.fct_sessions" in ran and "model.greenery.dim_promos" in ran
    assert not skipped & ran
    assert "skipped" in summary.text() and "promos" in summary.text()


def test_a_night_without_new_data_builds_nothing(nightly, tmp_path):
    path = copy_warehouse(nightly, tmp_path / "greenery.duckdb")
    summary = run(path)
    assert summary.exit_code == 0, summary.text()
    assert summary.night["changed_sources"] == []
    assert not [n for n in summary.nodes if n.resource_type in ("model", "test", "snapshot")]


def test_an_old_bad_row_passes_a_window_night_and_fails_the_full_test_night(nightly, tmp_path):
    """An event older than the night's data window, changed in place, is not what the night
    wrote: its tests do not read it. The full-test night reads every row and fails on it,
    publishing nothing."""
    path = copy_warehouse(nightly, tmp_path / "greenery.duckdb")
    with database.connect(path) as con:
        con.execute(
            "update raw.events set page_url = 'https://greenary.com/product/"
            "6f3a3072-a24d-4d11-9cef-25b0b5f8a4af' where event_id = (select min(event_id) "
            "from raw.events where event_type = 'page_view' and created_at < "
            "(select min(created_at) + interval 1 hour from raw.events))"
        )
    window = run(path)
    assert window.exit_code == 0, window.text()
    assert window.night["tests"] == "window" and window.night["changed_sources"] == ["events"]
    assert PAGE_URL_TEST in {n.unique_id for n in window.nodes}
    published = published_rows(path)
    full = run(path, full_tests=True)
    assert full.exit_code == 1, full.text()
    assert full.night["tests"] == "full" and "--full-tests" in full.night["reason"]
    assert [n.unique_id for n in full.failed_nodes()] == [PAGE_URL_TEST]
    assert published_rows(path) == published


def test_a_bad_row_arriving_in_the_window_fails_the_night(nightly, tmp_path):
    path = copy_warehouse(nightly, tmp_path / "greenery.duckdb")
    arrive(path)
    with database.connect(path) as con:
        con.execute(
            "update raw.events set page_url = 'https://greenary.com/product/"
            "6f3a3072-a24d-4d11-9cef-25b0b5f8a4af' where event_id = (select min(event_id) "
            "from raw.events where event_type = 'page_view' and created_at >= "
            "(select max(created_at) - interval 12 hour from raw.events))"
        )
    published = published_rows(path)
    summary = run(path)
    assert summary.exit_code == 1, summary.text()
    assert summary.night["tests"] == "window"
    assert [n.unique_id for n in summary.failed_nodes()] == [PAGE_URL_TEST]
    assert published_rows(path) == published


def test_a_load_replacing_the_raw_tables_rebuilds_the_marts_whole_then_nights_resume(
    nightly, tmp_path
):
    """`greenery load` puts other raw tables in place (here: another seed's week): the marts'
    incremental rows came from the tables it replaced, so the next run rebuilds them whole and
    tests everything; the night after is a window night again. Without it the night would merge
    the new load's window into the old load's marts."""
    path = copy_warehouse(nightly, tmp_path / "greenery.duckdb")
    with pytest.raises(LoadError, match="history would be written backwards"):
        datasets.load_sample(path, seed=7)  # the night's day arrived after the week it loads
    datasets.load_sample(path, seed=7, restart_history=True)
    reloaded = run(path)
    assert reloaded.exit_code == 0, reloaded.text()
    assert reloaded.night["full_refresh"] and reloaded.night["tests"] == "full"
    assert "a load replaced the raw tables" in reloaded.night["reason"]
    with database.connect(path) as con:
        for raw, mart, key in (
            ("orders", "fct_orders", "order_id"),
            ("events", "fct_page_views", "event_id"),
        ):
            left = con.execute(
                f"select count(*) from (select {key} from dev_marts.{mart} "
                f"except select {key} from raw.{raw})"
            ).fetchone()
            assert left == (0,), f"{mart} keeps rows of the replaced load"
    arrive(path)
    after = run(path)
    assert after.exit_code == 0, after.text()
    assert not after.night["full_refresh"] and after.night["tests"] == "window"


def test_greenery_build_after_a_load_rebuilds_the_marts_whole(nightly, tmp_path):
    path = copy_warehouse(nightly, tmp_path / "greenery.duckdb")
    datasets.load_sample(path, seed=7, restart_history=True)
    summary = build.run(Dbt(duckdb_path=path), DbtOptions())
    assert summary.exit_code == 0, summary.text()
    assert summary.night["full_refresh"]
    with database.connect(path) as con:
        assert con.execute(
            "select count(*) from (select order_id from dev_marts.fct_orders "
            "except select order_id from raw.orders)"
        ).fetchone() == (0,)
