"""Load greenery's raw tables into the DuckDB warehouse, atomically.

Every load goes the same way, whether the rows come from a team's CSV export or from the sample
generator:

1. stage: each table file is read as text into a temporary table (file order kept, so a row's
   `rowid` gives its line in the file);
2. validate: the header must name exactly the contract's columns, every value must parse as its
   column's type and primary keys must be present and unique; the first problem found is raised
   as a `LoadError` naming the file, the column and the lines;
3. publish: all seven `raw` tables are replaced in one transaction, and the data clock
   (`clock.py`) set to the midnight after the newest data. Until it commits nothing in the
   warehouse changes, and any error rolls it back, so the warehouse is always either exactly as
   it was or fully loaded.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from greenery import clock
from greenery.facts import PRIMARY_KEYS, RAW_TABLES, Column, raw_columns

RAW_SCHEMA = "raw"
HEADER_LINES = 1
MAX_REPORTED = 5

# How a text value must look to be loaded into a column of each type.
PARSES = {
    "number": "regexp_full_match(trim({v}), '[+-]?[0-9]+')",
    "float": "try_cast({v} as DOUBLE) is not null",
    "timestamp_ntz": (
        "regexp_full_match(trim({v}), "
        "'[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\\.[0-9]+)?Z?')"
        " and try_cast(trim({v}) as TIMESTAMP) is not null"
    ),
}


class LoadError(Exception):
    """Bad input: the message names the file, the column and the lines."""


def stage_name(table: str) -> str:
    return f"stage_{table}"


def csv_path(directory: Path, table: str) -> Path:
    return directory / f"{table}.csv"


# ---------------------------------------------------------------------------- staging
def stage_csv_dir(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    """Read every table file of a CSV export into a temporary text table, checking headers."""
    directory = Path(directory)
    if not directory.is_dir():
        raise LoadError(f"{directory}: not a directory of CSV files")
    missing = [
        str(csv_path(directory, t)) for t in RAW_TABLES if not csv_path(directory, t).exists()
    ]
    if missing:
        raise LoadError(f"missing table file(s): {', '.join(missing)}")
    for table in RAW_TABLES:
        path = csv_path(directory, table)
        columns = raw_columns(table)
        check_header(path, columns)
        spec = ", ".join(f"'{c.name}': 'VARCHAR'" for c in columns)
        try:
            con.execute(
                f"create or replace temp table {stage_name(table)} as "
                f"select * from read_csv(?, header = true, auto_detect = false, delim = ',', "
                f"quote = '\"', escape = '\"', columns = {{{spec}}})",
                [str(path)],
            )
        except duckdb.Error as exc:
            raise LoadError(f"{path}: cannot be read as CSV: {first_line(exc)}") from exc


def check_header(path: Path, columns: Sequence[Column]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), None)
    if header is None:
        raise LoadError(f"{path}: empty file, expected a header row")
    header = [h.strip() for h in header]
    expected = [c.name for c in columns]
    if header == expected:
        return
    missing = [c for c in expected if c not in header]
    extra = [h for h in header if h not in expected]
    problems = []
    if missing and extra and len(missing) == len(extra):
        pairs = ", ".join(f"'{e}' (expected '{m}')" for m, e in zip(missing, extra, strict=True))
        problems.append(f"renamed column(s) {pairs}")
    else:
        if missing:
            problems.append(f"missing column(s) {', '.join(repr(m) for m in missing)}")
        if extra:
            problems.append(f"unexpected column(s) {', '.join(repr(e) for e in extra)}")
    if not problems:
        problems.append(f"columns out of order: {header}, expected {expected}")
    raise LoadError(f"{path}, line 1 (header): {'; '.join(problems)}")


def stage_rows(
    con: duckdb.DuckDBPyConnection, tables: Mapping[str, Iterable[Sequence[Any]]]
) -> None:
    """Stage rows made in Python (the sample generator) through a CSV file, like an export."""
    with tempfile.TemporaryDirectory(prefix="greenery-") as tmp:
        write_csv_dir(tables, Path(tmp))
        stage_csv_dir(con, Path(tmp))


# ---------------------------------------------------------------------------- validation
def validate_staged(con: duckdb.DuckDBPyConnection, source: Callable[[str], str]) -> None:
    """Raise LoadError on the first unparsable value, missing key or duplicate key."""
    for table in RAW_TABLES:
        stage = stage_name(table)
        for column in raw_columns(table):
            if column.type not in PARSES:
                continue
            ok = PARSES[column.type].format(v=column.name)
            bad = con.execute(
                f"select rowid + {HEADER_LINES + 1}, {column.name} from {stage} "
                f"where {column.name} is not null and not ({ok}) order by rowid "
                f"limit {MAX_REPORTED}"
            ).fetchall()
            if bad:
                lines = ", ".join(str(line) for line, _ in bad)
                values = ", ".join(repr(v) for _, v in bad)
                raise LoadError(
                    f"{source(table)}, column '{column.name}', line(s) {lines}: "
                    f"cannot parse {values} as {column.type}"
                )
        key = PRIMARY_KEYS[table]
        nulls = con.execute(
            f"select rowid + {HEADER_LINES + 1} from {stage} "
            f"where {' or '.join(f'{k} is null' for k in key)} order by rowid limit {MAX_REPORTED}"
        ).fetchall()
        if nulls:
            raise LoadError(
                f"{source(table)}, column '{', '.join(key)}', line(s) "
                f"{', '.join(str(n) for (n,) in nulls)}: primary key is empty"
            )
        dupes = con.execute(
            f"select {', '.join(key)}, list(rowid + {HEADER_LINES + 1} order by rowid) "
            f"from {stage} group by all having count(*) > 1 "
            f"order by min(rowid) limit {MAX_REPORTED}"
        ).fetchall()
        if dupes:
            described = "; ".join(
                f"{dict(zip(key, row[:-1], strict=True))} on lines "
                f"{', '.join(str(n) for n in row[-1])}"
                for row in dupes
            )
            raise LoadError(
                f"{source(table)}, column '{', '.join(key)}': duplicate primary key {described}"
            )


def typed_select(table: str, relation: str, position: bool = False) -> str:
    """A select that casts a staged text table to the raw contract's types, in file order.

    With `position`, it also returns the row's place in the file as `_position`.
    """
    casts = ["rowid as _position"] if position else []
    for column in raw_columns(table):
        value = f"trim({column.name})" if column.type != "text" else column.name
        if column.type == "timestamp_ntz":
            value = f"cast(rtrim({value}, 'Z') as TIMESTAMP)"
        else:
            value = f"cast({value} as {column.duckdb_type})"
        casts.append(f"{value} as {column.name}")
    return f"select {', '.join(casts)} from {relation} order by rowid"


# ---------------------------------------------------------------------------- publishing
def publish(
    con: duckdb.DuckDBPyConnection, selects: Mapping[str, str | Sequence[str]]
) -> dict[str, int]:
    """Replace every raw table in one transaction; return the row counts loaded.

    A table's rows are one select, or a sequence of selects appended in order.
    """
    counts: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        for table in RAW_TABLES:
            parts = [selects[table]] if isinstance(selects[table], str) else selects[table]
            con.execute(f"create or replace table {RAW_SCHEMA}.{table} as {parts[0]}")
            for part in parts[1:]:
                con.execute(f"insert into {RAW_SCHEMA}.{table} {part}")
            (counts[table],) = con.execute(f"select count(*) from {RAW_SCHEMA}.{table}").fetchone()
        clock.set_from_data(con, "load", RAW_SCHEMA)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return counts


def load_csv_dir(con: duckdb.DuckDBPyConnection, directory: Path) -> dict[str, int]:
    """Load a CSV export (one `<table>.csv` per raw table) into the warehouse, atomically."""
    directory = Path(directory)
    stage_csv_dir(con, directory)
    validate_staged(con, lambda table: str(csv_path(directory, table)))
    return publish(con, {t: typed_select(t, stage_name(t)) for t in RAW_TABLES})


def raw_tables_present(con: duckdb.DuckDBPyConnection) -> bool:
    (n,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name in (" + ", ".join("?" for _ in RAW_TABLES) + ")",
        [RAW_SCHEMA, *RAW_TABLES],
    ).fetchone()
    return n == len(RAW_TABLES)


# ---------------------------------------------------------------------------- CSV export
def format_value(value: Any) -> str:
    """A value as the real export writes it: ISO 8601 with Z, empty for NULL."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def write_csv_dir(tables: Mapping[str, Iterable[Sequence[Any]]], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for table in RAW_TABLES:
        with csv_path(directory, table).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c.name for c in raw_columns(table)])
            writer.writerows([format_value(v) for v in row] for row in tables[table])


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
