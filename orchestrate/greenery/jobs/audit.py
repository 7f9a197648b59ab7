"""Write-audit-publish for a job: build and test on a staged copy, publish only what passed.

An embedded warehouse is staged as a copy of its DuckDB file (`warehouse/wap.py`); a remote one
(Snowflake) in audit schemas of its own (macros wap_stage and wap_publish). Either way the
job's body builds and tests the staged copy, and analysts only ever see a build whose every
step passed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from greenery.dbt.project import ConfigError
from greenery.dbt.runner import Dbt
from greenery.ops.outcome import EXPORTS_STEP, RunSummary, python_step, run_step
from greenery.warehouse import exports, wap
from greenery.warehouse.storage import StorageError

logger = logging.getLogger(__name__)


def publishable(summary: RunSummary) -> bool:
    """Every step's nodes passed (after a retry, its results stand for the nodes it reran).

    Docs are not a condition: a catalog that could not be written never holds back the data.
    """
    steps = [s for s in summary.steps if s.command != "docs generate"]
    return bool(steps) and steps[-1].success and not summary.failed_nodes()


#: What write-audit-publish carries from the audit schemas: the tables a build makes.
TABLE_TYPES = ("model", "snapshot", "seed")


def made(summary: RunSummary, resumed_from: Path | None = None) -> list[str]:
    """The tables this build made: its models, snapshots and seeds that succeeded, and, when it
    resumes a failed run, those that run made before it failed (its run_results.json)."""
    succeeded = {
        n.unique_id
        for n in summary.nodes
        if n.resource_type in TABLE_TYPES and n.status == "success"
    }
    if resumed_from is not None:
        earlier = json.loads((resumed_from / "run_results.json").read_text())["results"]
        succeeded |= {
            r["unique_id"]
            for r in earlier
            if r["unique_id"].split(".")[0] in TABLE_TYPES and r["status"] == "success"
        }
    return sorted(succeeded)


def built_models(summary: RunSummary) -> bool:
    """The run built a model (the saved queries' exports read models: a run that built none,
    a replay or a snapshot, leaves them as they are)."""
    return any(n.resource_type == "model" and n.status == "success" for n in summary.nodes)


def note_unpublished(summary: RunSummary, where: str) -> None:
    """Say in the summary's message that nothing was published, and where the build is kept."""
    note = f"nothing published; the failing build is {where}"
    summary.message = f"{summary.message}; {note}" if summary.message else note


@contextmanager
def audited(
    dbt: Dbt,
    summary: RunSummary,
    staged: wap.Stage | None = None,
    resumed_from: Path | None = None,
) -> Iterator[Dbt]:
    """Write-audit-publish (`wap.py`): the body builds and tests a staged copy of the warehouse.

    Yields the Dbt to build with; `staged` (embedded) or `resumed_from` (the failed run's
    artifacts, remote) continues the kept build of a failed run instead of staging afresh
    (`greenery retry`). When the body's
    steps all passed the copy is published; otherwise it is kept for inspection (or dropped
    when nothing was built) and the published
    warehouse, snapshot history included, is untouched. A remote warehouse (Snowflake) is
    audited in schemas of its own instead, see `audited_remote`.
    """
    if dbt.duckdb_path is None:
        with audited_remote(dbt, summary, resumed_from) as audit:
            yield audit
        return
    staged = staged or wap.stage(dbt.duckdb_path, summary.run_id)
    try:
        yield replace(dbt, duckdb_path=staged.path)
    except StorageError:
        wap.discard(staged)  # the disk or the file failed: give the space back, keep nothing
        raise
    except BaseException:
        summary.failed_copy = str(wap.keep_failed(staged))  # stopped: kept for `greenery retry`
        raise
    if publishable(summary) and built_models(summary):
        # the saved queries' exports, from the audited marts, published with them
        write = lambda: exports.write_embedded(staged.path, dbt.artifacts)  # noqa: E731
        summary.steps.append(python_step(EXPORTS_STEP, write))
    if publishable(summary):
        try:
            wap.publish(staged)
        except StorageError:
            wap.discard(staged)
            raise
        logger.info(f"published: {staged.published}")
    elif summary.storage_failure():
        wap.discard(staged)  # a full disk: the copy would keep it full
        note_unpublished(summary, "not kept: the failure was the disk's, whose space it gives back")
    elif any(s.command != "source freshness" for s in summary.steps):
        kept = wap.keep_failed(staged)
        summary.failed_copy = str(kept)
        note_unpublished(summary, f"kept in {kept}")
    else:
        wap.discard(staged)


@contextmanager
def audited_remote(dbt: Dbt, summary: RunSummary, resumed_from: Path | None) -> Iterator[Dbt]:
    """Write-audit-publish on Snowflake: audit schemas, then table by table publication.

    Every schema of the build gets the suffix `__audit` ($GREENERY_AUDIT_SUFFIX, read by
    generate_schema_name). Before the build, snapshot history and incremental models are cloned
    from the published schemas into their audit twins (zero-copy, macro wap_stage); the build
    writes and tests there. When everything passed, each table the build made is cloned back
    over its published twin (wap_publish) and the views are rebuilt in the published schemas;
    otherwise the audit schemas keep the failing build for inspection and `greenery retry`.
    """
    audit = replace(dbt, extra_env={**dbt.extra_env, wap.AUDIT_ENV: wap.AUDIT_SUFFIX})
    suffix = {"suffix": wap.AUDIT_SUFFIX}
    if resumed_from is None:
        stage = ["run-operation", "wap_stage", "--args", json.dumps(suffix), "--no-write-json"]
        summary.steps.append(run_step("stage", lambda: audit.invoke(stage)))
        if not summary.steps[-1].success:
            raise ConfigError(f"could not stage the audit schemas: {summary.steps[-1].error}")
    yield audit
    exported: list[dict] = []
    if publishable(summary) and built_models(summary):
        exported = export_remote(audit, summary)
    if not publishable(summary):
        if any(s.command not in ("source freshness", "stage") for s in summary.steps):
            note_unpublished(summary, f"in the {wap.AUDIT_SUFFIX} schemas")
        return
    tables = {**suffix, "nodes": made(summary, resumed_from), "exports": exported}
    publish = ["run-operation", "wap_publish", "--args", json.dumps(tables), "--no-write-json"]
    summary.steps.append(run_step("publish", lambda: audit.invoke(publish)))
    if summary.steps[-1].success:
        # the views the build made, now over the published tables (a selected build's views
        # only: a view over a table it did not select may have nothing to read)
        made_views = views(audit.artifacts / "manifest.json", tables["nodes"])
        if made_views:
            rebuild = ["run", "--select", *made_views]
            summary.steps.append(run_step("publish views", lambda: dbt.invoke(rebuild)))
        logger.info("published the audited build")


def export_remote(audit: Dbt, summary: RunSummary) -> list[dict]:
    """The saved queries' exports written into the audit schemas (macro export_saved_queries),
    to be published with the tables; their SQL is MetricFlow's, rendered here."""
    prepared: list[exports.Export] = []
    rendered = python_step(
        EXPORTS_STEP, lambda: prepared.extend(exports.prepared(audit.artifacts, "snowflake"))
    )
    if not rendered.success:
        summary.steps.append(rendered)
        return []
    if not prepared:
        return []
    arguments = {
        "exports": exports.as_arguments(prepared),
        "reads": exports.reads(audit.artifacts),
    }
    export = ["run-operation", "export_saved_queries", "--args", json.dumps(arguments)]
    summary.steps.append(run_step(EXPORTS_STEP, lambda: audit.invoke([*export, "--no-write-json"])))
    return [{k: e[k] for k in ("database", "schema", "identifier")} for e in arguments["exports"]]


def views(manifest_path: Path, nodes: list[str]) -> list[str]:
    """The names of the views among `nodes` (unique ids), as the build's manifest has them."""
    manifest = json.loads(manifest_path.read_text())["nodes"]
    return sorted(
        manifest[n]["name"]
        for n in nodes
        if n in manifest and manifest[n]["config"].get("materialized") == "view"
    )
