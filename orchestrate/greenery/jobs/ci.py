"""`greenery ci`: build a change in an isolated per-run schema, then drop it.

With `--state DIR` (production's manifest.json, e.g. an archived `greenery run-job` run) only
`state:modified+` is built (the changed nodes and their children) and every other ref defers to
production's relations: slim CI. Without state, everything is built. A slim CI build then
compares every mart it built with production's (`warehouse/compare.py`): the summary's
`changes`, and a Markdown table for the pull request.
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
from greenery.warehouse import compare, reader

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
    changes_markdown: Path | None = None,
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
        prepare(dbt, create=True)
        args = ["build", *options.args("build")]
        if state is not None:
            if not options.select:
                args += ["--select", "state:modified+"]
            args += ["--defer", "--state", str(state)]
            logger.info(f"slim CI: building state:modified+ against {state}, deferring the rest")
        try:
            summary.steps.append(run_step("build", lambda: dbt.invoke(args)))
            if state is not None:
                compared = compare_changes(dbt, state, summary)
                summary.changes = [c.to_dict() for c in compared]
                if changes_markdown is not None:
                    changes_markdown.write_text(compare.markdown(compared))
                    logger.info(f"data changes: {changes_markdown}")
        finally:
            if not keep:
                drop(dbt, schema)

    # an embedded CI build writes the warehouse file, so it takes its lock; Snowflake CI runs
    # each build in schemas of its own and runs side by side
    return running("ci", probe, body, locked=duckdb_path is not None, creates=True)


def compare_changes(dbt: Dbt, state: Path, summary: RunSummary) -> list[compare.MartChange]:
    """Each mart the build made, compared with production's (before its schema is dropped)."""
    built = {n.unique_id for n in summary.nodes if n.status == "success"}
    marts = compare.marts_to_compare(
        dbt.artifacts / "manifest.json", state / "manifest.json", built
    )

    def columns_of(relation: str) -> list[str]:
        return reader.query(dbt, compare.columns_sql(relation), limit=0).columns

    def query(sql: str) -> list[dict]:
        return reader.query(dbt, sql, limit=compare.EXAMPLES).rows

    changes = []
    for mart in marts:
        try:
            changes.append(compare.compare(query, columns_of, mart))
        except reader.QueryError as exc:
            logger.warning(f"warning: could not compare {mart.name} with production: {exc}")
    moved = [c.name for c in changes if not c.unchanged]
    logger.info(f"compared {len(changes)} marts with production; changed: {moved or 'none'}")
    return changes


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
