"""The dbt options a job passes on (`jobs/options.py`): each only where dbt accepts it.

Fast unit tests: no dbt.
"""

from __future__ import annotations

import pytest
from greenery.jobs.options import FAIL_FAST_COMMANDS, FULL_REFRESH_COMMANDS, DbtOptions


def test_no_options_pass_nothing():
    assert DbtOptions().args("build") == []


def test_selection_vars_and_threads_keep_their_order_and_values():
    options = DbtOptions(
        select=("+fct_orders", "tag:nightly"),
        exclude=("resource_type:unit_test",),
        vars='{"snapshot_at": "2021-02-15 00:00:00"}',
        threads=4,
    )
    assert options.args("run") == [
        "--select",
        "+fct_orders",
        "tag:nightly",
        "--exclude",
        "resource_type:unit_test",
        "--vars",
        '{"snapshot_at": "2021-02-15 00:00:00"}',
        "--threads",
        "4",
    ]


@pytest.mark.parametrize("command", ["build", "run", "test", "snapshot", "retry", "seed", "docs"])
def test_fail_fast_only_where_dbt_stops_at_the_first_failure(command):
    args = DbtOptions(fail_fast=True).args(command)
    assert args == (["--fail-fast"] if command in FAIL_FAST_COMMANDS else [])


@pytest.mark.parametrize("command", ["build", "run", "test", "snapshot", "retry"])
def test_full_refresh_only_where_incremental_models_are_rebuilt(command):
    args = DbtOptions(full_refresh=True).args(command)
    assert args == (["--full-refresh"] if command in FULL_REFRESH_COMMANDS else [])


def test_extra_arguments_come_last():
    options = DbtOptions(select=("fct_orders",), fail_fast=True, extra=["--no-write-json"])
    assert options.args("build") == ["--select", "fct_orders", "--fail-fast", "--no-write-json"]
