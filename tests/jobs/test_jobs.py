"""The greenery jobs end to end: real dbt runs on DuckDB, in subprocesses, on a scratch project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from dbt_helpers import copy_warehouse, published_rows, scratch_project
from greenery.ops import runlog
from greenery.ops.outcome import ExitCode
from greenery.warehouse import database

SCHEMA = json.loads(
    resources.files("greenery.ops").joinpath("data/run_summary.schema.json").read_text()
)


class Webhook:
    """A local HTTP server on 127.0.0.1 that records what is posted to it."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                return None

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/greenery"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture()
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


@pytest.fixture()
def scratch(built: Path, tmp_path: Path, webhook: Webhook) -> dict[str, object]:
    project = scratch_project(tmp_path / "project")
    path = copy_warehouse(built, tmp_path / "warehouse.duckdb")
    env = {
        # a scratch project is the test's own: dbt writes to its target/, where the test reads
        **{k: v for k, v in os.environ.items() if k != "DBT_TARGET_PATH"},
        "GREENERY_PROJECT_DIR": str(project),
        "GREENERY_DUCKDB_PATH": str(path),
        "GREENERY_PACKAGES": "offline",
        "GREENERY_WEBHOOK_URL": webhook.url,
    }
    return {"project": project, "warehouse": path, "env": env}


def greenery(scratch: dict, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "greenery.cli", *args],
        env=scratch["env"],
        capture_output=True,
        text=True,
        timeout=600,
    )


def summary_of(result: subprocess.CompletedProcess[str]) -> dict:
    summary = json.loads(result.stdout)
    jsonschema.validate(summary, SCHEMA)
    assert summary["exit_code"] == result.returncode
    return summary


def run_results(directory: Path) -> dict[str, str]:
    results = json.loads((directory / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in results["results"]}


def not_passed(directory: Path) -> set[str]:
    return {u for u, s in run_results(directory).items() if s in ("fail", "error", "skipped")}


def history(path: Path, run_id: str) -> tuple:
    return runlog.query(
        runlog.history_path(path.parent, path),
        "select r.exit_code, r.status, count(n.unique_id), "
        "count(distinct n.unique_id) filter (where n.status in ('fail', 'error')) "
        f"from {runlog.SCHEMA}.runs r join {runlog.SCHEMA}.node_runs n "
        "using (run_id) where run_id = ? group by all",
        [run_id],
    )[0]


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
    built = greenery(scratch, "build", "--json")
    assert built.returncode == 4 and "held by run-job" in summary_of(built)["message"]
    for args in (("load",), ("arrive",), ("replay", "--weeks", "2")):
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
