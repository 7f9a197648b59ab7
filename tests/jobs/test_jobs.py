"""The greenery jobs end to end: real dbt runs on DuckDB, in subprocesses, on a scratch project."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dbt_helpers import published_rows
from greenery.ops import runlog
from greenery.ops.outcome import ExitCode
from greenery.warehouse import database
from job_helpers import (
    COMPARED_MARTS,
    comment_dim_promos,
    greenery,
    halve_the_bot_share,
    history,
    summary_of,
)


def run_results(directory: Path) -> dict[str, str]:
    results = json.loads((directory / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in results["results"]}


def not_passed(directory: Path) -> set[str]:
    return {u for u, s in run_results(directory).items() if s in ("fail", "error", "skipped")}


def test_successful_build_json_and_history(scratch):
    result = greenery(scratch, "build", "--json", "--select", "+f_weekly_sales_funnel")
    summary = summary_of(result)
    assert result.returncode == ExitCode.OK
    assert summary["status"] == "success" and summary["counts"]["fail"] == 0
    assert summary["funnel"]["n_sessions"] == 578 and summary["funnel"]["wk"] == "2021-02-08"
    assert "Done. PASS=" in result.stderr  # dbt's log stays readable, on stderr
    assert history(scratch["warehouse"], summary["run_id"])[:2] == (0, "success")
    # a build runs the unit tests of the models it builds
    built = run_results(scratch["project"] / "target")
    assert "unit_test.greenery.f_weekly_sales_funnel.weekly_funnel_rates_and_dropoffs" in built


def test_failing_test_is_not_published_and_is_kept_for_inspection(scratch, webhook):
    path = scratch["warehouse"]
    before = published_rows(path)
    with database.connect(path) as con:
        con.execute(
            "update raw.orders set order_total = order_total + 5 "
            "where order_id = (select min(order_id) from raw.orders)"
        )
    result = greenery(scratch, "run-job", "--no-freshness", "--retry", "--json")
    summary = summary_of(result)

    assert result.returncode == ExitCode.TESTS_FAILED == 1
    # --retry ran dbt retry once, on the failed and skipped nodes only (it fails again: the
    # cause is not fixed yet)
    assert [s["command"] for s in summary["steps"]] == ["build", "retry"]
    failing = [n["unique_id"] for n in summary["failed_nodes"]]
    assert any("order_total_follows_money_rule" in n for n in failing)
    assert len(webhook.bodies) == 1
    assert all(n in webhook.bodies[0]["text"] for n in failing)
    code, status, nodes, failed = history(path, summary["run_id"])
    assert (code, status, failed) == (1, "tests_failed", len(failing)) and nodes > 100

    # write-audit-publish: fct_orders was rebuilt and failed its test in the staged copy only;
    # analysts' marts and the snapshot history are row for row as they were
    assert published_rows(path) == before
    kept = Path(summary["failed_copy"])
    assert kept.exists() and "nothing published" in summary["message"]
    assert summary["report"] is None  # no report of marts that were not published
    with database.connect(kept) as con:
        (stored,) = con.execute(
            "select count(*) from dev_dbt_test__audit.order_total_follows_money_rule"
        ).fetchone()
    assert stored == 1  # the failing row, stored where it can be inspected

    archived = scratch["project"] / "runs" / summary["run_id"]
    to_rerun = not_passed(archived)
    assert "model.greenery.fct_orders" in to_rerun  # skipped: its parent failed a test
    assert len(to_rerun) < summary["counts"]["total"] / 4
    # the source is fixed in the published warehouse: resuming the old copy would undo that,
    # so retry refuses and says to run the job again
    with database.connect(path) as con:
        con.execute(
            "update raw.orders set order_total = order_total - 5 "
            "where order_id = (select min(order_id) from raw.orders)"
        )
    refused = greenery(scratch, "retry", "--json")
    assert refused.returncode == ExitCode.CONFIG_ERROR, refused.stderr[-2000:]
    assert "changed since" in summary_of(refused)["message"]
    assert published_rows(path) == before


def test_broken_model_exit_code_notification_then_retry_publishes(scratch, webhook):
    model = scratch["project"] / "models" / "marts" / "core" / "dim_promos.sql"
    good = model.read_text()
    model.write_text(good.replace("promos.discount,", "promos.no_such_column,"))
    with database.connect(scratch["warehouse"]) as con:
        con.execute("drop table dev_marts.dim_promos")
    result = greenery(scratch, "run-job", "--no-freshness", "--json")
    summary = summary_of(result)

    assert result.returncode == ExitCode.MODELS_ERRORED == 2
    assert [n["unique_id"] for n in summary["failed_nodes"]] == ["model.greenery.dim_promos"]
    assert "no_such_column" in summary["failed_nodes"][0]["message"]
    assert "model.greenery.dim_promos" in webhook.bodies[0]["text"]
    assert history(scratch["warehouse"], summary["run_id"])[:2] == (2, "models_errored")

    # fix the model, then retry the target's latest run: only what failed or was skipped runs
    # again, on the kept copy, which is published once it passes
    model.write_text(good)
    archived = scratch["project"] / "runs" / summary["run_id"]
    to_rerun = not_passed(archived)
    retried = greenery(scratch, "retry", "--json")
    retry_summary = summary_of(retried)
    assert retried.returncode == ExitCode.OK, retried.stderr[-2000:]
    reran = set(run_results(scratch["project"] / "target"))
    assert {node for node in reran if not node.startswith("operation.")} == to_rerun
    assert retry_summary["counts"]["total"] == len(to_rerun)
    with database.connect(scratch["warehouse"]) as con:
        assert con.execute("select count(*) from dev_marts.dim_promos").fetchone()[0] > 0


def test_stale_sources_stop_the_job(scratch, webhook):
    result = greenery(scratch, "run-job", "--json")
    summary = summary_of(result)
    assert result.returncode == ExitCode.FRESHNESS_FAILED == 3
    assert [s["command"] for s in summary["steps"]] == ["source freshness"]
    assert "stale" in webhook.bodies[0]["text"]


def test_one_writer_per_warehouse_and_a_killed_run_leaves_no_stale_lock(scratch):
    command = [sys.executable, "-m", "greenery.cli", "run-job", "--no-freshness", "--json"]
    # read before the run: while it holds the lock, the run may have the published file open
    before = published_rows(scratch["warehouse"])
    first = subprocess.Popen(
        command, env=scratch["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    holder = scratch["warehouse"].with_name(scratch["warehouse"].name + ".lock.holder")
    deadline = time.monotonic() + 120
    while not (holder.exists() and holder.read_text().strip()):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.2)
    # every command that writes the warehouse finds the lock and exits 4, cleanly
    second = greenery(scratch, "run-job", "--no-freshness", "--json")
    assert second.returncode == ExitCode.LOCK_HELD == 4
    assert "held by run-job" in summary_of(second)["message"]
    for job in (("build", "--json"), ("replay", "--weeks", "2", "--json")):
        held = greenery(scratch, *job)
        assert held.returncode == 4 and "held by run-job" in summary_of(held)["message"], job
    for args in (("load",), ("arrive",)):
        other = greenery(scratch, *args)
        assert other.returncode == 4, (args, other.stderr[-1000:])
        assert "held by run-job" in other.stderr and "Traceback" not in other.stderr

    # kill -9 in the middle of the build: the kernel drops the lock, the staged copy is left
    assert first.poll() is None
    first.kill()
    first.wait(timeout=60)
    assert published_rows(scratch["warehouse"]) == before
    staging = scratch["warehouse"].parent / ".staging"
    assert any(staging.iterdir())
    rerun = greenery(scratch, "run-job", "--no-freshness", "--json")
    assert rerun.returncode == ExitCode.OK, rerun.stderr[-2000:]
    assert not any(staging.iterdir())  # the killed run's leftovers were cleared
    # the run's funnel report, beside its artifacts, from the marts it published
    report = Path(summary_of(rerun)["report"])
    assert report == scratch["project"] / "runs" / summary_of(rerun)["run_id"] / "report.html"
    page = report.read_text()
    assert "Greenery sales funnel" in page and 'data-value="578"' in page
    # production runs every model and data test, and leaves the unit tests to builds and CI
    nodes = run_results(report.parent)
    # (and the project's on-run-start hook, an `operation`)
    assert {uid.split(".")[0] for uid in nodes} == {
        "seed", "snapshot", "model", "test", "exposure", "saved_query", "operation"
    }  # fmt: skip
    runs = runlog.query(
        runlog.history_path(scratch["project"], scratch["warehouse"]),
        f"select run_id, status from {runlog.SCHEMA}.runs where command = 'run-job'",
    )
    assert runs == [(summary_of(rerun)["run_id"], "success")]
    with database.connect(scratch["warehouse"]) as con:
        assert con.execute("select n_sessions from dev_marts.f_weekly_sales_funnel").fetchall() == [
            (578,)
        ]


def production_manifest(scratch: dict, state: Path) -> Path:
    """Production's manifest.json, as its run archive keeps it: the project parsed as it is
    (the warehouse already holds production's relations, from the main job)."""
    from greenery.dbt import packages
    from greenery.dbt.runner import Dbt

    packages.install_offline(scratch["project"])
    dbt = Dbt(project=scratch["project"], duckdb_path=scratch["warehouse"], target_path=state)
    assert dbt.invoke(["parse"]).success
    return state


def test_slim_ci_builds_only_the_change_and_its_children(scratch, tmp_path):
    state = production_manifest(scratch, tmp_path / "production")
    model = scratch["project"] / "models" / "intermediate" / "int_user_orders_aggregated.sql"
    model.write_text(
        model.read_text().replace(
            "sum(n_units) as n_units", "sum(n_units) as n_units,\n        max(n_lines) as max_lines"
        )
    )

    result = greenery(scratch, "ci", "--state", str(state), "--json")
    summary = summary_of(result)

    assert result.returncode == ExitCode.OK, result.stderr[-3000:]
    artifacts = scratch["project"] / "target" / "ci" / summary["run_id"]
    built = {uid for uid in run_results(artifacts) if uid.startswith("model.")}
    assert built == {"model.greenery.int_user_orders_aggregated", "model.greenery.user_order_facts"}
    manifest = json.loads((artifacts / "manifest.json").read_text())
    # unchanged parents were deferred to production's relations, not rebuilt
    compiled = (artifacts / "compiled").rglob("user_order_facts.sql")
    assert any('"dev_staging"."stg_greenery__users"' in p.read_text() for p in compiled)
    assert manifest["nodes"]["model.greenery.user_order_facts"]["schema"].startswith("ci_")
    with database.connect(scratch["warehouse"]) as con:
        leftovers = con.execute(
            "select schema_name from information_schema.schemata where schema_name like 'ci_%'"
        ).fetchall()
    assert leftovers == []


def test_slim_ci_compares_the_marts_it_builds_with_production(scratch, tmp_path):
    """One pull request, two changes: one alters a rate (shown per week against production),
    one alters nothing (an empty diff); as JSON and as the pull request's Markdown."""
    state = production_manifest(scratch, tmp_path / "production")
    halve_the_bot_share(scratch["project"])
    comment_dim_promos(scratch["project"])
    markdown = tmp_path / "changes.md"
    ci = ("ci", "--state", str(state), "--changes", str(markdown), "--json")

    moved = summary_of(greenery(scratch, *ci, "--exclude", "resource_type:unit_test"))

    assert moved["exit_code"] == ExitCode.OK, moved["failed_nodes"]
    changes = {c["name"]: c for c in moved["changes"]}
    assert sorted(changes) == COMPARED_MARTS
    # the commented mart, and the child that reads the counts, not the share: nothing moved
    for name in ("dim_promos", "f_weekly_funnel_steps"):
        assert changes[name]["unchanged"] and changes[name]["examples"] == [], name
        assert changes[name]["columns_changed"] == {} and changes[name]["rows_changed"] == 0
    change = changes["f_weekly_sales_funnel"]
    with database.connect(scratch["warehouse"]) as con:
        weeks, with_bots = con.execute(
            "select count(*), count_if(suspected_bot_session_share > 0) "
            "from dev_marts.f_weekly_sales_funnel"
        ).fetchone()
    assert change["keys"] == ["wk"] and change["prod_rows"] == change["ci_rows"] == weeks
    assert (change["rows_added"], change["rows_removed"]) == (0, 0)
    assert change["columns_changed"] == {"suspected_bot_session_share": with_bots} and with_bots
    assert change["rows_changed"] == with_bots and not change["unchanged"]
    example = change["examples"][0]
    assert example["suspected_bot_session_share__ci"] == pytest.approx(
        0.5 * example["suspected_bot_session_share__prod"]
    )
    text = markdown.read_text()
    assert "1 of the 3 marts" in text and f"`suspected_bot_session_share` ({with_bots})" in text


def test_replay_is_a_job_with_a_summary_history_and_exit_codes(scratch):
    """`greenery replay --json`: the run summary every job prints, recorded in the run history;
    history the data lacks is refused (6)."""
    replayed = summary_of(greenery(scratch, "replay", "--weeks", "1-2", "--json"))

    assert (replayed["command"], replayed["exit_code"]) == ("replay", ExitCode.OK)
    assert replayed["message"] == "replayed weeks: 1 2"
    assert [s["command"] for s in replayed["steps"]] == ["replay"]
    assert history(scratch["warehouse"], replayed["run_id"])[:2] == (0, "success")
    from greenery.warehouse.facts import weekly_history

    key = weekly_history()["orders"][0]["order_id"]  # an order the history changes
    with database.connect(scratch["warehouse"]) as con:
        con.execute("delete from raw.orders where order_id = ?", [key])
    refused = greenery(scratch, "replay", "--weeks", "1", "--json")
    assert refused.returncode == ExitCode.BAD_INPUT, refused.stderr[-2000:]
    assert history(scratch["warehouse"], summary_of(refused)["run_id"])[:2] == (6, "bad_input")
