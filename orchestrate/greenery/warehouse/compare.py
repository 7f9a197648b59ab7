"""What a change does to the data: each mart a CI build made, compared with production's.

Slim CI (`greenery ci --state DIR`) builds the changed models and their children in schemas of
its own and defers everything else to production. For each mart it built, this compares the CI
relation with production's (the relation production's manifest names), the way dbt Cloud's
"compare changes" does:

- rows on each side, and the rows whose key is only in CI (added), only in production
  (removed), or in both with a value that differs (changed);
- per column, how many of the rows in both sides changed it; columns only on one side;
- a few example rows, each with its key and the CI and production values that differ;
- limited to the time range both sides cover: a mart with an `event_time` (dbt's config of the
  column that places a row in time) is compared between the later of the two first times and
  the earlier of the two last, so a CI build on a newer or older extract than production's
  compares like with like.

A mart's key is what its tests say makes a row unique (`unique` or
`dbt_utils.unique_combination_of_columns`): nothing is declared twice. A mart without one is
compared by counts only. Everything runs as SQL that DuckDB and Snowflake both answer
(`count_if`, `is distinct from`, `greatest`/`least`), through a query function the job gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

Query = Callable[[str], list[dict[str, Any]]]

#: Example rows per mart in the summary and on the pull request.
EXAMPLES = 5
UNIQUE_TESTS = {"unique": "column_name", "unique_combination_of_columns": "combination_of_columns"}
#: Columns that say when a row was built, not what it holds: every rebuild changes them.
BUILD_METADATA = ("dbt_loaded_at",)


@dataclass(frozen=True)
class Mart:
    """A mart the CI build made, and where production keeps it."""

    name: str
    ci_relation: str
    prod_relation: str
    keys: tuple[str, ...]
    event_time: str | None


@dataclass
class MartChange:
    """How the CI build's mart differs from production's (see the module's docstring)."""

    name: str
    keys: list[str]
    event_time: str | None
    compared_from: str | None
    compared_to: str | None
    prod_rows: int
    ci_rows: int
    rows_added: int | None = None
    rows_removed: int | None = None
    rows_changed: int | None = None
    columns_changed: dict[str, int] = field(default_factory=dict)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return (
            self.prod_rows == self.ci_rows
            and not (self.rows_added or self.rows_removed or self.rows_changed)
            and not (self.columns_added or self.columns_removed)
        )

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=str)) | {"unchanged": self.unchanged}


# ------------------------------------------------------------------ what to compare
def marts_to_compare(ci_manifest: Path, prod_manifest: Path, built: set[str]) -> list[Mart]:
    """The marts among `built` (unique ids) that production has too, with their keys."""
    ci = json.loads(ci_manifest.read_text())["nodes"]
    prod = json.loads(prod_manifest.read_text())["nodes"]
    keys = declared_keys(ci)
    marts = []
    for unique_id in sorted(built):
        node = ci.get(unique_id)
        if not node or node["resource_type"] != "model" or node["fqn"][1:2] != ["marts"]:
            continue
        if unique_id not in prod or not prod[unique_id].get("relation_name"):
            continue  # a new mart: nothing to compare with
        marts.append(
            Mart(
                name=node["name"] + (f"_v{node['version']}" if node.get("version") else ""),
                ci_relation=node["relation_name"],
                prod_relation=prod[unique_id]["relation_name"],
                keys=keys.get(unique_id, ()),
                event_time=node["config"].get("event_time"),
            )
        )
    return marts


def declared_keys(nodes: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each model's key, from its uniqueness tests (the narrowest one when there are several)."""
    keys: dict[str, tuple[str, ...]] = {}
    for node in nodes.values():
        test = node.get("test_metadata") or {}
        argument = UNIQUE_TESTS.get(test.get("name", ""))
        model = node.get("attached_node")
        if node["resource_type"] != "test" or argument is None or model is None:
            continue
        columns = test["kwargs"].get(argument)
        key = (columns,) if isinstance(columns, str) else tuple(columns or ())
        if key and (model not in keys or len(key) < len(keys[model])):
            keys[model] = key
    return keys


# ------------------------------------------------------------------ the SQL
def columns_sql(relation: str) -> str:
    return f"select * from {relation} where 1 = 0"


def sides_sql(mart: Mart) -> str:
    """CTEs `ci` and `prod`: both sides, within the time range both cover."""
    if mart.event_time is None:
        return (
            f"ci as (select 1 as in_ci__, c.* from {mart.ci_relation} as c),\n"
            f"prod as (select 1 as in_prod__, p.* from {mart.prod_relation} as p)"
        )
    t = mart.event_time
    return f"""ci_range as (select min({t}) as lo, max({t}) as hi from {mart.ci_relation}),
prod_range as (select min({t}) as lo, max({t}) as hi from {mart.prod_relation}),
bounds as (
    select greatest(ci_range.lo, prod_range.lo) as lo, least(ci_range.hi, prod_range.hi) as hi
    from ci_range cross join prod_range
),
ci as (
    select 1 as in_ci__, c.* from {mart.ci_relation} as c
    where c.{t} between (select lo from bounds) and (select hi from bounds)
),
prod as (
    select 1 as in_prod__, p.* from {mart.prod_relation} as p
    where p.{t} between (select lo from bounds) and (select hi from bounds)
)"""


def joined_sql(mart: Mart) -> str:
    on = " and ".join(f"ci.{k} = prod.{k}" for k in mart.keys)
    return f"from ci full outer join prod on {on}"


def differs(column: str) -> str:
    return f"ci.{column} is distinct from prod.{column}"


BOTH = "ci.in_ci__ = 1 and prod.in_prod__ = 1"


def summary_sql(mart: Mart, columns: list[str]) -> str:
    """One row: the range compared, rows per side, and (with a key) rows added, removed and
    changed, and per column (changed_<i>) the rows in both sides whose value changed."""
    bounds = (
        "(select lo from bounds) as compared_from, (select hi from bounds) as compared_to"
        if mart.event_time
        else "null as compared_from, null as compared_to"
    )
    counts = f"""counts as (
    select (select count(*) from prod) as prod_rows, (select count(*) from ci) as ci_rows, {bounds}
)"""
    if not mart.keys:
        return f"with\n{sides_sql(mart)},\n{counts}\nselect * from counts"
    compared = [c for c in columns if c not in mart.keys]
    any_change = " or ".join(differs(c) for c in compared) or "false"
    per_column = "".join(
        f",\n        count_if({BOTH} and {differs(c)}) as changed_{i}"
        for i, c in enumerate(compared)
    )
    return f"""with
{sides_sql(mart)},
{counts},
diff as (
    select
        count_if(prod.in_prod__ is null) as rows_added,
        count_if(ci.in_ci__ is null) as rows_removed,
        count_if({BOTH} and ({any_change})) as rows_changed{per_column}
    {joined_sql(mart)}
)
select * from counts cross join diff"""


def examples_sql(mart: Mart, changed: list[str]) -> str:
    """The rows added, removed or changed, in key order (the caller takes the first few): the
    key, the change, and each changed column's CI and production values."""
    keys = ", ".join(f"coalesce(ci.{k}, prod.{k}) as {k}" for k in mart.keys)
    values = "".join(f", ci.{c} as {c}__ci, prod.{c} as {c}__prod" for c in changed)
    any_change = " or ".join(differs(c) for c in changed) or "false"
    change = (
        "case when prod.in_prod__ is null then 'added' "
        "when ci.in_ci__ is null then 'removed' else 'changed' end"
    )
    order = ", ".join(str(i + 1) for i in range(len(mart.keys)))
    return f"""with
{sides_sql(mart)}
select {keys}, {change} as change{values}
{joined_sql(mart)}
where prod.in_prod__ is null or ci.in_ci__ is null or ({any_change})
order by {order}"""


# ------------------------------------------------------------------ comparing
def compare(query: Query, columns_of: Callable[[str], list[str]], mart: Mart) -> MartChange:
    """Compare one mart: `columns_of(relation)` names a relation's columns (lower case),
    `query(sql)` answers SQL with rows as dicts (lower-case names)."""
    ci_columns, prod_columns = columns_of(mart.ci_relation), columns_of(mart.prod_relation)
    both = [c for c in ci_columns if c in prod_columns and c not in BUILD_METADATA]
    keyed = mart.keys and all(k in both for k in mart.keys)
    if not keyed:
        mart = Mart(mart.name, mart.ci_relation, mart.prod_relation, (), mart.event_time)
    if mart.event_time and mart.event_time not in both:
        mart = Mart(mart.name, mart.ci_relation, mart.prod_relation, mart.keys, None)
    (row,) = query(summary_sql(mart, both))
    change = MartChange(
        name=mart.name,
        keys=list(mart.keys),
        event_time=mart.event_time,
        compared_from=none_or_str(row["compared_from"]),
        compared_to=none_or_str(row["compared_to"]),
        prod_rows=int(row["prod_rows"]),
        ci_rows=int(row["ci_rows"]),
        columns_added=[c for c in ci_columns if c not in prod_columns],
        columns_removed=[c for c in prod_columns if c not in ci_columns],
    )
    if not mart.keys:
        return change
    compared = [c for c in both if c not in mart.keys]
    change.rows_added = int(row["rows_added"])
    change.rows_removed = int(row["rows_removed"])
    change.rows_changed = int(row["rows_changed"])
    change.columns_changed = {
        c: int(row[f"changed_{i}"]) for i, c in enumerate(compared) if row[f"changed_{i}"]
    }
    if change.rows_added or change.rows_removed or change.rows_changed:
        examples = query(examples_sql(mart, list(change.columns_changed)))
        change.examples = [{k: plain(v) for k, v in r.items()} for r in examples]
    return change


def none_or_str(value: Any) -> str | None:
    return None if value is None else str(value)


def plain(value: Any) -> Any:
    """A value as JSON holds it: numbers and text as they are (a decimal as a number), anything
    else (dates, timestamps) as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


# ------------------------------------------------------------------ the pull request
TITLE = "## Data changes"


def markdown(changes: list[MartChange]) -> str:
    """What the workflow posts on the pull request."""
    if not changes:
        return f"{TITLE}\n\nThis change builds no mart that production has: nothing to compare.\n"
    moved = [c for c in changes if not c.unchanged]
    lines = [
        TITLE,
        "",
        f"{len(moved)} of the {len(changes)} marts this change builds differ from production"
        + (":" if moved else "."),
        "",
        "| mart | key | compared | rows (prod → CI) | added | removed | changed | columns changed"
        " |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for c in changes:
        window = f"{c.compared_from} to {c.compared_to}" if c.event_time else "all rows"
        columns = ", ".join(f"`{k}` ({n})" for k, n in c.columns_changed.items())
        columns += "".join(f" +`{k}`" for k in c.columns_added)
        columns += "".join(f" -`{k}`" for k in c.columns_removed)
        lines.append(
            f"| `{c.name}` | {', '.join(c.keys) or 'none: counts only'} | {window} "
            f"| {c.prod_rows} → {c.ci_rows} | {dash(c.rows_added)} | {dash(c.rows_removed)} "
            f"| {dash(c.rows_changed)} | {columns or '—'} |"
        )
    for c in moved:
        if c.examples:
            lines += ["", f"### `{c.name}`: examples", "", *table(c.examples)]
    return "\n".join(lines) + "\n"


def dash(value: int | None) -> str:
    return "—" if value is None else str(value)


def table(rows: list[dict[str, Any]]) -> list[str]:
    names = list(rows[0])
    return [
        "| " + " | ".join(names) + " |",
        "|" + "---|" * len(names),
        *("| " + " | ".join(str(r[n]) for n in names) + " |" for r in rows),
    ]
