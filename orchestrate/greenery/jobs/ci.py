"""`greenery ci`: build a change in an isolated per-run schema, then drop it.

With `--state DIR` (production's manifest.json, e.g. an archived `greenery run-job` run) only
`state:modified+` is built (the changed nodes and their children) and every other ref defers to
production's relations: slim CI. Without state, everything is built.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from pathlib import Path

from greenery.dbt.project import ConfigError
from greenery.dbt.runner import Dbt
from greenery.jobs.options import CI_TARGET, DbtOptions
from greenery.jobs.skeleton import prepare, running
from greenery.ops.outcome import RunSummary, run_step

logger = logging.getLogger(__name__)

DEFAULT_TARGET = CI_TARGET
SCHEMA_ENV = "GREENERY_CI_SCHEMA"


def run_schema(run_id: str) -> str:
    return "ci_" + re.sub(r"[^a-z0-9]+", "_", run_id.lower())


def run(
    project: Path,
    target: str,
    duckdb_path: Path | None,
    state: Path | None,
    options: DbtOptions,
    keep: bool = False,
) -> RunSummary:
    probe = Dbt(project=project, target=target, duckdb_path=duckdb_path)
    # an embedded CI build writes the warehouse file, so it takes its lock; Snowflake CI runs
    # each build in schemas of its own and runs side by side

    def body(summary: RunSummary) -> None:
        schema = run_schema(summary.run_id)
        dbt = replace(
            probe,
            extra_env={SCHEMA_ENV: schema},
            target_path=project / "target" / "ci" / summary.run_id,
        )
        summary.message = f"schema {schema}, artifacts {dbt.artifacts}"
        if state is not None and not (state / "manifest.json").exists():
            raise ConfigError(f"--state {state} has no manifest.json")
        prepare(dbt)
        args = ["build", *options.args("build")]
        if state is not None:
            if not options.select:
                args += ["--select", "state:modified+"]
            args += ["--defer", "--state", str(state)]
            logger.info(f"slim CI: building state:modified+ against {state}, deferring the rest")
        try:
            summary.steps.append(run_step("build", lambda: dbt.invoke(args)))
        finally:
            if not keep:
                drop(dbt, schema)

    # an embedded CI build writes the warehouse file, so it takes its lock; Snowflake CI runs
    # each build in schemas of its own and runs side by side
    return running("ci", probe, body, locked=duckdb_path is not None)


def drop(dbt: Dbt, schema: str) -> None:
    dropped = dbt.invoke(
        [
            "run-operation",
            "drop_schemas_with_prefix",
            "--args",
            json.dumps({"prefix": schema}),
            "--no-write-json",
        ]
    )
    if not dropped.success:
        logger.warning(f"warning: could not drop the CI schemas {schema}*: {dropped.exception}")
