"""Run the project on the real dbt-snowflake adapter against fakesnow, an offline emulator.

No Snowflake account is needed: fakesnow answers dbt-snowflake's connector calls in-process,
with DuckDB underneath. It is good enough to catch Snowflake-only SQL errors before production,
but it has defects of its own. This module is our small compatibility layer for them, pinned to
the fakesnow version it was written against and applied only while emulating: the models and
macros never change for the emulator. Each defect is listed in EMULATOR_DEFECTS (and in
docs/snowflake.md) with the workaround, and tests/emulator/test_emulator.py proves each rewrite.

It is a test device, kept apart from the production code: no production module imports it (the
CLI's --snowflake-emulator imports it when it is given; tests/test_project.py checks), and
fakesnow comes with an extra of its own, `emulator` (which brings the `snowflake` extra's
adapter too). fakesnow and the Snowflake connector are imported only when emulating: without
them, the emulator fails with an EmulatorError (a configuration error) that says what to
install.
"""

from __future__ import annotations

import importlib.metadata
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb

from greenery.dbt.project import ConfigError
from greenery.warehouse import database, datasets
from greenery.warehouse.facts import RAW_TABLES, raw_columns

logger = logging.getLogger(__name__)

FAKESNOW_VERSION = "0.12.1"
DATABASE = "GREENERY"
RAW_SCHEMA = "RAW"
TARGET = "emulated"
NEEDS_FAKESNOW = 'the Snowflake emulator needs fakesnow: pip install -e ".[emulator]"'


class EmulatorError(ConfigError):
    """The emulator cannot run here (fakesnow missing or another version): a setup error."""


def require_fakesnow() -> ModuleType:
    """fakesnow, with the Snowflake connector it patches; else an EmulatorError saying how to
    install them."""
    try:
        import fakesnow
        import snowflake.connector  # noqa: F401
    except ImportError as exc:
        raise EmulatorError(NEEDS_FAKESNOW) from exc
    return fakesnow


@dataclass(frozen=True)
class Defect:
    name: str
    symptom: str
    workaround: str
    pattern: re.Pattern[str] | None = None
    rewrite: Callable[[re.Match[str]], str] | str | None = None


EMULATOR_DEFECTS: tuple[Defect, ...] = (
    Defect(
        "temporary tables",
        "`create temporary table|view db.schema.x` fails: 'TEMPORARY table names can *only* use "
        'the "temp" catalog\' (second runs of incremental models and snapshots, unit tests)',
        "create an ordinary table or view instead; dbt replaces it on the next run",
        re.compile(
            r"\bcreate\s+(or\s+replace\s+)?(local\s+|global\s+)?temp(orary)?\s+"
            r"(?P<kind>table|view)\b",
            re.IGNORECASE,
        ),
        lambda m: f"create {m.group(1) or ''}{m.group('kind')}",
    ),
    Defect(
        "transient tables",
        "`create transient table` writes fakesnow's own metadata database inside dbt's "
        "begin/commit and fails with a transaction error",
        "create an ordinary table (transience only matters for Snowflake's storage billing)",
        re.compile(r"\bcreate\s+(or\s+replace\s+)?transient\s+table\b", re.IGNORECASE),
        lambda m: f"create {m.group(1) or ''}table",
    ),
    Defect(
        "clones",
        "`create or replace table x clone y` fails with 'already exists' when x exists (fakesnow "
        "turns a clone into create-table-as and loses `or replace`), and `copy grants` after a "
        "clone is a parse error; write-audit-publish publishes tables this way",
        "rewrite it into `create or replace table x as select * from y` (a copy instead of a "
        "zero-copy clone; fakesnow keeps no grants to copy)",
        re.compile(
            r"\bcreate\s+or\s+replace\s+table\s+(?P<target>\S+)\s+clone\s+(?P<source>\S+)"
            r"(\s+copy\s+grants)?",
            re.IGNORECASE,
        ),
        lambda m: f"create or replace table {m['target']} as select * from {m['source']}",
    ),
    Defect(
        "comments",
        "`comment on ...` / `alter ... set comment` write fakesnow's metadata database inside "
        "dbt's transaction and fail",
        "skip the statement (comments are documentation, not data)",
        re.compile(
            r"^\s*(comment\s+(if\s+exists\s+)?on\b|alter\s+\w+\s+.*\bset\s+comment\b)",
            re.IGNORECASE | re.DOTALL,
        ),
        None,
    ),
    Defect(
        "transactions",
        "inside dbt's `begin` ... `commit`, a MERGE (which fakesnow splits into several statements)"
        " or a new table writes fakesnow's own metadata database after the target database: "
        "'a single transaction can only write to a single attached database', and the aborted "
        "transaction then fails every later statement on the connection",
        "run `begin`, `commit` and `rollback` as no-ops: each statement commits on its own",
        re.compile(
            r"^\s*(begin(\s+(work|transaction))?|start\s+transaction|commit(\s+work)?|"
            r"rollback(\s+work)?)\s*;?\s*$",
            re.IGNORECASE,
        ),
        None,
    ),
    Defect(
        "merge insert values",
        "`merge ... when not matched then insert (a, b) values (a, b)`: the unqualified values "
        "are ambiguous between target and source in DuckDB",
        "qualify the values with the merge's source alias",
    ),
    Defect(
        "session query tag",
        "`show parameters like 'query_tag' in session` returns no row, so dbt-snowflake's "
        "get_current_query_tag() fails whenever a query_tag is configured",
        "remember each connection's `alter session set query_tag` and answer the show with it",
    ),
    Defect(
        "grants",
        "`show grants on <table>` is a parse error, and fakesnow keeps no grants",
        "answer `show grants` with no rows (dbt then grants what the config says) and record "
        "each `grant`/`revoke` as a no-op, so tests can check what would have been granted",
    ),
    Defect(
        "unknown functions pass through",
        "fakesnow hands functions it does not know to DuckDB, so DuckDB-only functions "
        "(list_value, regexp_matches, strftime, epoch_ms, ...) run instead of failing as they "
        "would on Snowflake",
        "strict check: a function that sqlglot's Snowflake dialect does not know fails with "
        "Snowflake's 'Unknown function' error, unless listed in SNOWFLAKE_FUNCTIONS_SQLGLOT_LACKS",
    ),
    Defect(
        "current time in typed creates",
        "`convert_timezone('UTC', current_timestamp)` (macros/utc_now.sql) inside a `create "
        "table (columns) as (...)` of a contracted, clustered model reaches DuckDB as "
        "`CURRENT_TIMESTAMP()`, which DuckDB rejects ('Scalar Function with name "
        "current_timestamp does not exist'); the same expression elsewhere runs",
        "write the statement's UTC time as a literal timestamp, as Snowflake evaluates "
        "current_timestamp once per statement",
        re.compile(r"convert_timezone\(\s*'UTC'\s*,\s*current_timestamp\s*\)", re.IGNORECASE),
        lambda m: f"'{datetime.now(UTC).replace(tzinfo=None).isoformat(sep=' ')}'",
    ),
    Defect(
        "aggregates cast to double",
        "sum/avg/median of a NUMBER(p,s) column returns a DOUBLE (fakesnow wraps every argument "
        "in TRY_CAST(... AS DOUBLE) to emulate implicit casts of text), so exact money sums "
        "differ by float rounding",
        "turn that transform off: this project never aggregates text",
    ),
)

DEFECTS = {defect.name: defect for defect in EMULATOR_DEFECTS}
SKIP_STATEMENT = "select 'skipped by the greenery emulator layer' as status"
INSERT_VALUES = re.compile(
    r"insert\s*\((?P<columns>[^()]*)\)\s*values\s*\((?P<values>[^()]*)\)", re.IGNORECASE
)
MERGE_SOURCE = re.compile(
    r"\bmerge\s+into\s+.*?\busing\s+.*?\bas\s+(?P<alias>\w+)", re.IGNORECASE | re.DOTALL
)


def rewrite(sql: str) -> str:
    """Rewrite one statement around the emulator's defects; other SQL passes unchanged."""
    for name in ("temporary tables", "transient tables", "clones", "current time in typed creates"):
        defect = DEFECTS[name]
        assert defect.pattern is not None and defect.rewrite is not None
        sql = defect.pattern.sub(defect.rewrite, sql)
    bare = without_comments(sql)
    for name in ("comments", "transactions"):
        pattern = DEFECTS[name].pattern
        assert pattern is not None
        if pattern.search(bare):
            return SKIP_STATEMENT
    return merge_rewrite(sql)


COMMENTS = re.compile(r"(\"[^\"]*\"|'[^']*')|/\*.*?\*/|--[^\n]*", re.DOTALL)


def without_comments(sql: str) -> str:
    """The statement without its `--` and `/* */` comments (quoted text kept)."""
    return COMMENTS.sub(lambda m: m.group(1) or " ", sql).strip()


def merge_rewrite(sql: str) -> str:
    """Qualify a merge's `insert (...) values (...)` with the merge's source alias."""
    source = MERGE_SOURCE.search(sql)
    if source is None:
        return sql
    alias = source.group("alias")

    def qualify(match: re.Match[str]) -> str:
        values = ", ".join(
            v.strip() if "." in v else f"{alias}.{v.strip()}"
            for v in match.group("values").split(",")
        )
        return f"insert ({match.group('columns')}) values ({values})"

    return INSERT_VALUES.sub(qualify, sql)


QUERY_TAG_SET = re.compile(
    r"^alter\s+session\s+set\s+query_tag\s*=\s*'(?P<tag>(?:[^']|'')*)'\s*;?$",
    re.IGNORECASE | re.DOTALL,
)
QUERY_TAG_SHOW = re.compile(
    r"^show\s+parameters\s+like\s+'query_tag'\s+in\s+session\s*;?$", re.IGNORECASE
)
#: Real Snowflake functions that sqlglot's Snowflake dialect parses as unknown (checked against
#: Snowflake's SQL reference). Add one here only after checking it exists on Snowflake.
SNOWFLAKE_FUNCTIONS_SQLGLOT_LACKS = frozenset({"to_timestamp_ntz"})


def unknown_functions(sql: str) -> list[str]:
    """Functions in a statement that are not Snowflake's, as far as sqlglot can tell."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        statements = sqlglot.parse(sql, read="snowflake")
    except ParseError:
        return []  # fakesnow reports what it cannot parse
    names = {
        function.name.lower()
        for statement in statements
        if statement is not None
        for function in statement.find_all(exp.Anonymous)
    }
    return sorted(names - SNOWFLAKE_FUNCTIONS_SQLGLOT_LACKS)


def check_functions(sql: str) -> None:
    if unknown := unknown_functions(sql):
        from snowflake.connector.errors import ProgrammingError

        raise ProgrammingError(
            msg=f"SQL compilation error: Unknown function {unknown[0].upper()} "
            "(greenery emulator strict check: not a Snowflake function)",
            errno=2140,
            sqlstate="42601",
        )


SHOW_GRANTS = re.compile(r"^show\s+grants\s+on\s+", re.IGNORECASE)
GRANT = re.compile(r"^(grant|revoke)\s+", re.IGNORECASE)
NO_GRANTS = (
    'select null::timestamp as "created_on", \'\' as "privilege", \'\' as "granted_on", '
    "'' as \"name\", '' as \"granted_to\", '' as \"grantee_name\", '' as \"grant_option\", "
    "'' as \"granted_by\" where false"
)
#: Every query tag set while emulating, in order (the emulator's query history, for tests).
query_tags_seen: list[str] = []
#: Every grant or revoke issued while emulating, in order.
grants_seen: list[str] = []


def session_rewrite(connection: Any, sql: str) -> str:
    """Emulate the session's query tag and grants on the fake connection."""
    bare = without_comments(sql)
    if match := QUERY_TAG_SET.match(bare):
        tag = match.group("tag").replace("''", "'")
        connection.greenery_query_tag = tag
        query_tags_seen.append(tag)
        return SKIP_STATEMENT
    if SHOW_GRANTS.match(bare):
        return NO_GRANTS
    if GRANT.match(bare):
        grants_seen.append(bare)
        return SKIP_STATEMENT
    if QUERY_TAG_SHOW.match(bare):
        tag = getattr(connection, "greenery_query_tag", "").replace("'", "''")
        return (
            f"select 'QUERY_TAG' as \"key\", '{tag}' as \"value\", '' as \"default\", "
            "'SESSION' as \"level\", '' as \"description\", 'STRING' as \"type\""
        )
    return sql


def check_version() -> None:
    try:
        version = importlib.metadata.version("fakesnow")
    except importlib.metadata.PackageNotFoundError as exc:
        raise EmulatorError(NEEDS_FAKESNOW) from exc
    if version != FAKESNOW_VERSION:
        raise EmulatorError(
            f"the emulator layer is written for fakesnow {FAKESNOW_VERSION}, found {version}: "
            "check each defect in greenery/emulator.py still applies, then update the pin"
        )


@contextmanager
def compatibility_layer() -> Iterator[None]:
    """Patch fakesnow's cursor and transforms for the defects above, for the duration."""
    require_fakesnow()
    check_version()
    from fakesnow import cursor as fake_cursor
    from fakesnow import transforms as fake_transforms

    original_execute = fake_cursor.FakeSnowflakeCursor.execute
    original_cast = fake_transforms.numeric_agg_implicit_cast

    def execute(self: Any, command: str, *args: Any, **kwargs: Any) -> Any:
        check_functions(command)
        return original_execute(
            self, session_rewrite(self._conn, rewrite(command)), *args, **kwargs
        )

    fake_cursor.FakeSnowflakeCursor.execute = execute  # type: ignore[method-assign]
    fake_transforms.numeric_agg_implicit_cast = lambda expression: expression
    try:
        yield
    finally:
        fake_cursor.FakeSnowflakeCursor.execute = original_execute  # type: ignore[method-assign]
        fake_transforms.numeric_agg_implicit_cast = original_cast


@contextmanager
def emulated_snowflake(db_path: Path) -> Iterator[None]:
    """dbt-snowflake's connector answered by fakesnow, databases kept as files in db_path."""
    fakesnow = require_fakesnow()
    db_path.mkdir(parents=True, exist_ok=True)
    with compatibility_layer(), fakesnow.patch(db_path=str(db_path)):
        yield


def database_file(db_path: Path) -> Path:
    return db_path / f"{DATABASE}.db"


def load_raw(db_path: Path, source: Path) -> dict[str, int]:
    """Copy the raw tables of a DuckDB warehouse into the emulated GREENERY.RAW schema.

    fakesnow keeps each database as a DuckDB file, so this is a plain copy, in one transaction,
    with the raw contract's Snowflake types (NUMBER for number columns).
    """
    db_path.mkdir(parents=True, exist_ok=True)
    counts = {}
    with duckdb.connect(str(database_file(db_path))) as con:
        con.execute(f"attach '{source}' as source_warehouse (read_only)")
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        for table in RAW_TABLES:
            casts = ", ".join(
                f"cast({c.name} as {'decimal(38, 0)' if c.type == 'number' else c.duckdb_type})"
                f" as {c.name}"
                for c in raw_columns(table)
            )
            con.execute(
                f"create or replace table {RAW_SCHEMA}.{table} as "
                f"select {casts} from source_warehouse.raw.{table}"
            )
            (counts[table],) = con.execute(f"select count(*) from {RAW_SCHEMA}.{table}").fetchone()
        con.execute("commit")
        con.execute("detach source_warehouse")
    return counts


def has_raw(db_path: Path) -> bool:
    path = database_file(db_path)
    if not path.exists():
        return False
    with duckdb.connect(str(path), read_only=True) as con:
        (n,) = con.execute(
            "select count(*) from information_schema.tables where lower(table_schema) = 'raw'"
        ).fetchone()
    return n == len(RAW_TABLES)


def ensure_raw(db_path: Path, source: Path) -> None:
    """The emulated GREENERY.RAW holds the raw tables: copied from the DuckDB warehouse (which
    gets the sample first if it is empty). Runs before fakesnow opens the database file, and
    first of all checks fakesnow is there: no data is copied for an emulator that cannot run."""
    require_fakesnow()
    if has_raw(db_path):
        return
    if not database.has_raw_data(source):
        logger.info(f"no raw tables in {source}: loading the sample dataset (scale 1)")
        datasets.load_sample(source)
    counts = load_raw(db_path, source)
    logger.info(
        f"emulated Snowflake {database_file(db_path)}: loaded "
        + ", ".join(f"RAW.{t} {n}" for t, n in counts.items())
    )
