"""Exports of saved queries: the semantic layer's answers as tables, for BI without it.

Each saved query's `exports` (models/marts/_saved_queries.yml, dbt's own config: a name,
`export_as: table`, a custom `schema`) becomes a table at publish, as dbt Cloud's exports do:
MetricFlow writes the query's SQL from the same semantic manifest `mf query --saved-query`
reads, and the job creates the table from it in the staged warehouse, so the export is published
with the marts it reads (write-audit-publish), never ahead of or behind them.

The export's schema is the custom schema's name as dbt resolves it in this build (`marts` ->
`dev_marts`, or its audit twin `dev_marts__audit` on Snowflake): the schema of the models
configured with it. MetricFlow renders SQL in the warehouse's dialect (DuckDB or Snowflake).
Rendering costs about a second of imports; the SQL is kept beside the semantic manifest
(`exports.json`, keyed by the manifest's hash and the dialect), so a night whose semantic
layer did not change does not import MetricFlow at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from greenery.dbt.project import ConfigError

logger = logging.getLogger(__name__)

SQL_CACHE = "exports.json"
DIALECTS = ("duckdb", "snowflake")


@dataclass(frozen=True)
class Export:
    """One saved query's export: where its table goes and the SQL that fills it."""

    saved_query: str
    database: str | None
    schema: str
    identifier: str
    sql: str

    def relation(self, quote: str = '"') -> str:
        parts = [p for p in (self.database, self.schema, self.identifier) if p]
        return ".".join(f"{quote}{p}{quote}" for p in parts)


@dataclass(frozen=True)
class Planned:
    """An export as the manifest configures it, before its SQL is rendered."""

    saved_query: str
    database: str | None
    schema: str
    identifier: str


def planned(manifest_path: Path) -> list[Planned]:
    """The exports the build's manifest configures, with the schemas dbt resolved."""
    manifest = json.loads(manifest_path.read_text())
    resolved = schemas_by_custom_name(manifest["nodes"])
    found = []
    for saved_query in manifest.get("saved_queries", {}).values():
        for export in saved_query.get("exports", []):
            config = export["config"]
            if config.get("export_as") != "table":
                raise ConfigError(
                    f"saved query {saved_query['name']}, export {export['name']}: export_as "
                    f"{config.get('export_as')!r}; greenery publishes tables only"
                )
            custom = config.get("schema_name")
            if custom not in resolved:
                raise ConfigError(
                    f"saved query {saved_query['name']}, export {export['name']}: no model is "
                    f"built in schema {custom!r}, so there is no schema to export into"
                )
            database, schema = resolved[custom]
            identifier = config.get("alias") or export["name"]
            found.append(Planned(saved_query["name"], database, schema, identifier))
    return found


def schemas_by_custom_name(nodes: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
    """Each custom schema name (config `schema`) -> the database and schema dbt built it as."""
    resolved: dict[str, tuple[str | None, str]] = {}
    for node in nodes.values():
        custom = node.get("config", {}).get("schema")
        if node["resource_type"] == "model" and custom:
            resolved.setdefault(custom, (node.get("database"), node["schema"]))
    return resolved


def rendered(artifacts: Path, dialect: str) -> dict[str, str]:
    """Each saved query's SQL in the dialect, by name: from the cache beside the semantic
    manifest when that manifest has not changed, else rendered by MetricFlow (and cached)."""
    semantic = (artifacts / "semantic_manifest.json").read_bytes()
    key = f"{dialect}:{hashlib.sha256(semantic).hexdigest()}"
    cache = artifacts / SQL_CACHE
    if cache.exists():
        kept = json.loads(cache.read_text())
        if kept.get("key") == key:
            return kept["sql"]
    sql = render(semantic.decode(), dialect)
    cache.write_text(json.dumps({"key": key, "sql": sql}, indent=1))
    return sql


def render(semantic_manifest: str, dialect: str) -> dict[str, str]:
    """MetricFlow's SQL for every saved query (imported here: it takes a second to load)."""
    from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
    from metricflow_semantics.model.dbt_manifest_parser import (
        parse_manifest_from_dbt_generated_manifest,
    )
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    manifest = parse_manifest_from_dbt_generated_manifest(semantic_manifest)
    engine = MetricFlowEngine(
        semantic_manifest_lookup=SemanticManifestLookup(manifest),
        sql_client=RenderOnly(dialect),
    )
    return {
        query.name: engine.explain(
            MetricFlowQueryRequest.create(saved_query_name=query.name)
        ).sql_statement.sql
        for query in manifest.saved_queries
    }


class RenderOnly:
    """MetricFlow's SqlClient for writing SQL, never running it: `explain` needs only the
    dialect."""

    def __init__(self, dialect: str) -> None:
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
        from metricflow.sql.render.snowflake import SnowflakeSqlPlanRenderer

        if dialect not in DIALECTS:
            raise ConfigError(f"exports: no SQL dialect for a {dialect} warehouse")
        self.sql_engine_type = SqlEngine.DUCKDB if dialect == "duckdb" else SqlEngine.SNOWFLAKE
        self.sql_plan_renderer = (
            DuckDbSqlPlanRenderer() if dialect == "duckdb" else SnowflakeSqlPlanRenderer()
        )

    def query(self, stmt: str, sql_bind_parameter_set: Any = None) -> Any:
        raise NotImplementedError("render only")

    execute = dry_run = query

    def close(self) -> None:
        pass

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"


def reads(artifacts: Path) -> list[str]:
    """The relations the semantic layer reads (every semantic model's), as database, schema and
    identifier joined by dots (unquoted)."""
    semantic = json.loads((artifacts / "semantic_manifest.json").read_text())
    return sorted(
        {
            ".".join(
                p
                for p in (
                    model["node_relation"].get("database"),
                    model["node_relation"]["schema_name"],
                    model["node_relation"]["alias"],
                )
                if p
            )
            for model in semantic.get("semantic_models", [])
        }
    )


def prepared(artifacts: Path, dialect: str) -> list[Export]:
    """The build's exports with their SQL."""
    plans = planned(artifacts / "manifest.json")
    if not plans:
        return []
    sql = rendered(artifacts, dialect)
    return [Export(**asdict(p), sql=sql[p.saved_query]) for p in plans]


def missing_embedded(con: duckdb.DuckDBPyConnection, relations: list[str]) -> list[str]:
    present = {
        ".".join(row)
        for row in con.execute(
            "select table_catalog, table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    return [r for r in relations if r not in present]


def write_embedded(path: Path, artifacts: Path) -> list[str]:
    """Create (or replace) each export's table in the DuckDB file, in one transaction; the
    names exported (none when a table the semantic layer reads is not built yet)."""
    with duckdb.connect(str(path)) as con:
        missing = missing_embedded(con, reads(artifacts))
        if missing:
            logger.info(f"saved queries not exported: {', '.join(missing)} not built")
            return []
        exports = prepared(artifacts, "duckdb")
        con.execute("begin")
        for export in exports:
            con.execute(f'create schema if not exists "{export.schema}"')
            con.execute(f"create or replace table {export.relation()} as {export.sql}")
        con.execute("commit")
    logger.info(f"exported {', '.join(e.identifier for e in exports)}")
    return [e.identifier for e in exports]


def as_arguments(exports: list[Export]) -> list[dict[str, str | None]]:
    """The exports as the macros export_saved_queries and wap_publish take them."""
    return [asdict(e) for e in exports]
