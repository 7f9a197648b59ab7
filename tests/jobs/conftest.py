"""The jobs' tests run greenery as a scheduler does: a scratch project, a copy of the built
warehouse, a local webhook (job_helpers.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbt_helpers import copy_warehouse, scratch_project
from job_helpers import Webhook


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
