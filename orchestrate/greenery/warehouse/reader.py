"""Reading a model's rows after a build, or answering SQL, on any target.

An embedded warehouse is read directly, opened read-only (or through the connection this process
already holds on it). Any other (Snowflake) through `dbt show --inline`, a second dbt invocation
that loads the project again (1.95 s of a scale-1 `greenery build` under cProfile). Column names
come back in lower case whatever the warehouse (Snowflake names result columns in upper case).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from greenery.dbt.runner import Dbt
from greenery.warehouse import database


class QueryError(Exception):
    """The warehouse could not answer a query."""


@dataclass(frozen=True)
class Answer:
    """A query's columns (lower case) and rows (as dicts by column)."""

    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


def relation_of(manifest_path: Path, model: str) -> str | None:
    """The quoted relation name of `model` (model.greenery.<model>), as dbt built it."""
    if not manifest_path.exists():
        return None
    node = json.loads(manifest_path.read_text())["nodes"].get(f"model.greenery.{model}")
    return node.get("relation_name") if node else None


def rows(dbt: Dbt, model: str, query_of: str, limit: int = 1000) -> list[dict[str, Any]] | None:
    """The rows of `query_of` (SQL with `{}` for the model's relation), or None when the model
    is not built (or the query fails on it)."""
    if dbt.duckdb_path is not None:
        relation = relation_of(dbt.artifacts / "manifest.json", model)
        if relation is None:
            return None
        sql = query_of.format(relation)
    else:
        sql = query_of.format(f"{{{{ ref('{model}') }}}}")
    try:
        return query(dbt, sql, limit).rows
    except QueryError:
        return None


def query(dbt: Dbt, sql: str, limit: int = 1000) -> Answer:
    """The answer to `sql` (at most `limit` rows) on the Dbt's target; QueryError if it fails."""
    if dbt.duckdb_path is not None:
        return embedded(dbt.duckdb_path, sql, limit)
    return shown(dbt, sql, limit)


def embedded(path: Path, sql: str, limit: int) -> Answer:
    if not path.exists():
        raise QueryError(f"no warehouse at {path}")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException:
        con = duckdb.connect(str(path))  # this process writes it (a CI build): share that
    try:
        result = database.quiet(con).execute(f"select * from ({sql}) limit {limit}")
        names = [d[0].lower() for d in result.description]
        return Answer(names, [dict(zip(names, row, strict=True)) for row in result.fetchall()])
    except duckdb.Error as exc:
        raise QueryError(str(exc)) from exc
    finally:
        con.close()


def shown(dbt: Dbt, sql: str, limit: int) -> Answer:
    result = dbt.invoke(
        ["show", "--inline", sql, "--limit", str(limit), "--log-level", "none", "--no-write-json"]
    )
    if not result.success or not result.result or not result.result.results:
        raise QueryError(str(result.exception or "dbt show returned nothing"))
    table = result.result.results[0].agate_table
    if table is None:
        raise QueryError("dbt show returned no table")
    names = [name.lower() for name in table.column_names]
    return Answer(names, [dict(zip(names, row, strict=True)) for row in table.rows])
