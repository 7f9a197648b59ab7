"""Write-audit-publish's choice of what to publish on a remote warehouse (`jobs/audit.py`)."""

from __future__ import annotations

import json

from dbt_helpers import node_result as node
from greenery.jobs.audit import made
from greenery.ops.outcome import NodeResult, RunSummary, Step


def summary(*nodes: NodeResult) -> RunSummary:
    run = RunSummary(run_id="r", command="build", target="prod", started_at="now")
    run.steps.append(Step(command="build", success=False, seconds=1.0, nodes=list(nodes)))
    return run


def test_publishes_the_tables_the_build_made_and_nothing_else():
    run = summary(
        node("model.greenery.fct_sessions", "success"),
        node("snapshot.greenery.orders_snapshot", "success"),
        node("seed.greenery.funnel_steps", "success"),
        node("model.greenery.f_weekly_sales_funnel", "skipped"),
        node("model.greenery.dim_promos", "error"),
        node("test.greenery.not_null_fct_sessions_session_id", "pass"),
    )
    assert made(run) == [
        "model.greenery.fct_sessions",
        "seed.greenery.funnel_steps",
        "snapshot.greenery.orders_snapshot",
    ]


def test_a_resumed_run_also_publishes_what_the_failed_run_made(tmp_path):
    earlier = [
        {"unique_id": "model.greenery.fct_orders", "status": "success"},
        {"unique_id": "model.greenery.dim_promos", "status": "error"},
        {"unique_id": "test.greenery.unique_fct_orders_order_id", "status": "pass"},
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": earlier}))
    retried = summary(node("model.greenery.dim_promos", "success"))
    assert made(retried, resumed_from=tmp_path) == [
        "model.greenery.dim_promos",
        "model.greenery.fct_orders",
    ]
    assert made(retried) == ["model.greenery.dim_promos"]
