"""The exit code a run ends with, classified from what its steps did (`ops/outcome.py`).

Fast unit tests on hand-made summaries: no dbt.
"""

from __future__ import annotations

import pytest
from dbt_helpers import node_result as node
from greenery.ops.outcome import ExitCode, NodeResult, RunSummary, Step


def run(*steps: Step) -> RunSummary:
    summary = RunSummary(run_id="r", command="run-job", target="dev", started_at="now")
    summary.steps.extend(steps)
    return summary


def step(command: str, success: bool, *nodes: NodeResult) -> Step:
    return Step(command=command, success=success, seconds=1.0, nodes=list(nodes))


MODEL_OK = node("model.greenery.fct_orders", "success")
MODEL_ERROR = node("model.greenery.dim_promos", "error")
TEST_FAIL = node("test.greenery.unique_fct_orders_order_id", "fail")
TEST_WARN = node("test.greenery.recent_orders", "warn")
UNIT_FAIL = node("unit_test.greenery.f_weekly_sales_funnel.rates", "fail")
SNAPSHOT_ERROR = node("snapshot.greenery.orders_snapshot", "error")


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        ([step("build", True, MODEL_OK, TEST_WARN)], ExitCode.OK),
        ([step("build", False, MODEL_OK, TEST_FAIL)], ExitCode.TESTS_FAILED),
        ([step("build", False, MODEL_OK, UNIT_FAIL)], ExitCode.TESTS_FAILED),
        ([step("build", False, MODEL_ERROR, TEST_FAIL)], ExitCode.MODELS_ERRORED),
        ([step("build", False, SNAPSHOT_ERROR)], ExitCode.MODELS_ERRORED),
        ([step("build", False)], ExitCode.MODELS_ERRORED),  # dbt failed before any node ran
        ([step("source freshness", False)], ExitCode.FRESHNESS_FAILED),
        (  # a stale source wins over what ran after it
            [step("source freshness", False), step("build", False, MODEL_ERROR)],
            ExitCode.FRESHNESS_FAILED,
        ),
        ([step("source freshness", True), step("build", True, MODEL_OK)], ExitCode.OK),
    ],
    ids=[
        "passed-with-a-warning",
        "a-data-test-failed",
        "a-unit-test-failed",
        "a-model-errored-beside-a-failed-test",
        "a-snapshot-errored",
        "dbt-failed-before-any-node",
        "stale-sources",
        "stale-sources-first",
        "fresh-then-passed",
    ],
)
def test_the_exit_code_follows_what_the_steps_did(steps, code):
    assert run(*steps).classify() == code


def test_a_retry_that_passes_stands_for_the_nodes_it_reran():
    failed_then_fixed = run(
        step("build", False, MODEL_OK, TEST_FAIL),
        step("retry", True, node(TEST_FAIL.unique_id, "pass")),
    )
    assert failed_then_fixed.classify() == ExitCode.OK
    assert failed_then_fixed.counts()["total"] == 2


def test_finish_records_the_code_and_names_the_status():
    summary = run(step("build", False, MODEL_OK, TEST_FAIL)).finish(started=0.0)
    assert (summary.exit_code, summary.status) == (1, "tests_failed")
    assert run(step("build", True, MODEL_OK)).finish(started=0.0).status == "success"
