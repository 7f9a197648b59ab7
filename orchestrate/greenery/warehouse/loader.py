"""Load greenery's raw tables into the DuckDB warehouse, atomically.

Every load goes the same way, whether the rows come from a team's CSV export or from the sample
generator:

1. check: each table file must exist and be a regular file this process can read, encoded in
   UTF-8 (a UTF-8 byte order mark is skipped; UTF-16, UTF-32, gzip and zip content are refused),
   with a header row naming exactly the contract's columns in order;
2. stage: each file is read as text into a temporary table (file order kept). A malformed CSV
   (a ragged row, an unterminated quote, invalid UTF-8, an overlong line) is rejected with
   DuckDB's whole reason;
3. validate: every value must parse as its column's type and fit the warehouse's column,
   primary keys must be present and unique, and the newest event or order must leave a next
   midnight for the data clock; the first problem found is raised as a `LoadError`;
4. publish: all seven `raw` tables are replaced in one transaction, and the data clock
   (`clock.py`) set to the midnight after the newest data. Until it commits nothing in the
   warehouse changes, and any error rolls it back, so the warehouse is always either exactly as
   it was or fully loaded.

Every `LoadError` names the file, the column and the line(s) where there is one. Lines are the
file's own lines (the header is line 1), counting the newlines inside quoted values, so an
editor's "go to line" lands on the record.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from greenery.warehouse import clock
from greenery.warehouse.facts import PRIMARY_KEYS, RAW_TABLES, Column, raw_columns

RAW_SCHEMA = "raw"
HEADER_LINES = 1
MAX_REPORTED = 5
#: A header row longer than this is not a header row (a binary file, a file without newlines).
MAX_HEADER_BYTES = 1 << 16

# How a text value must look to be loaded into a column of each type. Whole numbers must fit
# the warehouse's INTEGER; floats are decimal or scientific notation, or nan / inf (which
# Snowflake's FLOAT also accepts: the dbt tests on the sources judge them), never an overflow.
PARSES = {
    "number": (
        "regexp_full_match(trim({v}), '[+-]?[0-9]+') and try_cast(trim({v}) as INTEGER) is not null"
    ),
    "float": (
        "(regexp_full_match(trim({v}), '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?')"
        " and isfinite(try_cast(trim({v}) as DOUBLE)))"
        " or regexp_full_match(lower(trim({v})), '[+-]?(nan|inf|infinity)')"
    ),
    "timestamp_ntz": (
        "regexp_full_match(trim({v}), "
        "'[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}"
        "(\\.[0-9]{{1,6}})?Z?')"
        " and try_cast(trim({v}) as TIMESTAMP) is not null"
    ),
}

#: What a value of each type must be, for the error message.
TYPE_NAMES = {
    "number": "number (a whole number from -2147483648 to 2147483647)",
    "float": "float",
    # the forms accepted: docs/data.md ("Timestamps"); more than microseconds would be cut
    "timestamp_ntz": (
        "timestamp_ntz (ISO 8601 in UTC, e.g. 2021-02-11T23:30:33Z; a space for the T and no Z "
        "are accepted, at most 6 decimals of a second)"
    ),
}

#: The data clock is set to the midnight after the newest event or order (clock.py), and the
#: weeks of every mart follow those columns: a date greenery cannot have there (docs/faults.md)
#: would move the clock years away, and snapshot history with it. None is before the earliest
#: data greenery can have (a date before it is an export's default, such as 1970-01-01), and
#: none is after tomorrow by this machine's clock (an event cannot come from the future).
CLOCK_COLUMNS = {"events": "created_at", "orders": "created_at"}
#: The identity of the raw tables a load put in place (record_load).
LOAD_TABLE = f"{clock.SCHEMA}.load"
EARLIEST_DATA = datetime(2000, 1, 1)
FUTURE_TOLERANCE = timedelta(days=1)

#: Byte order marks of encodings other than UTF-8 (UTF-32 first: it starts like UTF-16).
FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "UTF-32 BE"),
    (codecs.BOM_UTF16_LE, "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "UTF-16 BE"),
)
#: Files that are not text at all, by their first bytes.
MAGIC_NUMBERS = (
    (b"\x1f\x8b", "gzip-compressed: decompress it first"),
    (b"PK\x03\x04", "a zip archive (an Excel workbook?): export it as CSV"),
)

#: Where DuckDB's CSV reader says it failed: the record's number, counting the header and blank
#: lines but not the newlines inside quoted values.
DUCKDB_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")


class LoadError(Exception):
    """Bad input: the message names the file, the column and the lines."""


def stage_name(table: str) -> str:
    return f"stage_{table}"


def csv_path(directory: Path, table: str) -> Path:
    return directory / f"{table}.csv"


# ---------------------------------------------------------------------------- files
def check_file(path: Path) -> None:
    """A table file must be a regular file that this process can read."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LoadError(f"{path}: a symbolic link loop ({exc.strerror}), not a file") from exc
        if exc.errno == errno.ENOENT and path.is_symlink():
            raise LoadError(
                f"{path}: a broken symbolic link (to {os.readlink(path)}), not a file"
            ) from exc
        raise LoadError(f"{path}: cannot be opened: {exc.strerror}") from exc
    if stat.S_ISDIR(mode):
        raise LoadError(f"{path}: a directory, not a CSV file")
    if not stat.S_ISREG(mode):
        raise LoadError(f"{path}: not a regular file (a pipe, socket or device), not a CSV file")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise LoadError(f"{path}: cannot be read: {exc.strerror}") from exc


def read_header(path: Path) -> list[str]:
    """The header row's names; refuses what is not a UTF-8 CSV file (a UTF-8 BOM is skipped)."""
    with path.open("rb") as handle:
        line = handle.readline(MAX_HEADER_BYTES + 1)
    where = f"{path}, line 1 (header)"
    for bom, encoding in FOREIGN_BOMS:
        if line.startswith(bom):
            raise LoadError(
                f"{where}: starts with the byte order mark of {encoding} "
                f"({bom.hex(' ').upper()}): the export must be encoded in UTF-8"
            )
    for magic, what in MAGIC_NUMBERS:
        if line.startswith(magic):
            raise LoadError(f"{where}: the file is {what}")
    line = line.removeprefix(codecs.BOM_UTF8)
    if not line:
        raise LoadError(f"{where}: empty file, expected a header row")
    if len(line) > MAX_HEADER_BYTES:
        raise LoadError(f"{where}: longer than {MAX_HEADER_BYTES} bytes, not a header row")
    if b"\x00" in line:
        raise LoadError(
            f"{where}: contains NUL bytes: the file looks UTF-16 encoded without a byte order "
            "mark; the export must be encoded in UTF-8"
        )
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{where}: not UTF-8 (byte 0x{line[exc.start]:02X} at byte {exc.start + 1}: "
            f"{exc.reason}); the export must be encoded in UTF-8"
        ) from exc
    return next(csv.reader([text.rstrip("\r\n")]), [])


def check_header(path: Path, columns: Sequence[Column], header: Sequence[str]) -> None:
    names = [h.strip() for h in header]
    expected = [c.name for c in columns]
    if names == expected:
        return
    missing = [c for c in expected if c not in names]
    extra = [h for h in names if h not in expected]
    repeated = sorted({h for h in names if names.count(h) > 1})
    problems = []
    if missing and extra and len(missing) == len(extra):
        pairs = ", ".join(f"'{e}' (expected '{m}')" for m, e in zip(missing, extra, strict=True))
        problems.append(f"renamed column(s) {pairs}")
    else:
        if missing:
            problems.append(f"missing column(s) {', '.join(repr(m) for m in missing)}")
        if extra:
            problems.append(f"unexpected column(s) {', '.join(repr(e) for e in extra)}")
    if repeated:
        problems.append(f"repeated column(s) {', '.join(repr(r) for r in repeated)}")
    if not problems:
        at = next(i for i, (n, e) in enumerate(zip(names, expected, strict=True)) if n != e)
        problems.append(
            f"columns out of order: column {at + 1} is '{names[at]}', expected '{expected[at]}' "
            f"(the order is {', '.join(expected)})"
        )
    raise LoadError(f"{path}, line 1 (header): {'; '.join(problems)}")


@contextmanager
def long_fields() -> Iterator[None]:
    """Let Python's csv module read fields as long as DuckDB's (its default stops at 128 KB)."""
    previous = csv.field_size_limit(1 << 30)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each record of a CSV file with the line it starts on; a blank line is an empty record.

    Bytes that are not UTF-8 come back as lone surrogates (\\udc80-\\udcff), so a caller can
    tell which field holds them.
    """
    with long_fields(), path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.reader(f)
        end = 0
        try:
            for fields in reader:
                yield end + 1, fields
                end = reader.line_num
        except csv.Error:
            return


def data_record_lines(path: Path, rowids: Iterable[int]) -> dict[int, int]:
    """The line on which each data record starts, by its staged rowid (DuckDB, like this,
    skips blank lines)."""
    wanted = set(rowids)
    found: dict[int, int] = {}
    rowid = -1
    for number, (line, fields) in enumerate(records(path)):
        if number < HEADER_LINES or not fields:
            continue
        rowid += 1
        if rowid in wanted:
            found[rowid] = line
            if len(found) == len(wanted):
                break
    return found


def csv_error(path: Path, columns: Sequence[Column], exc: duckdb.Error) -> LoadError:
    """DuckDB's reason for refusing a CSV file, at the line and column where the record is."""
    text = str(exc).strip()
    # DuckDB follows its reason with suggestions and its reader settings: not the user's business
    body = re.split(r"\n\s*Possible (?:fixes|Solution)", text)[0].strip()
    found = DUCKDB_CSV_LINE.search(body)
    if found is None:
        return LoadError(f"{path}: cannot be read as CSV: {body}")
    rest = [line.strip() for line in body[found.end() :].splitlines() if line.strip()]
    if rest and rest[0].startswith("Original Line:"):
        # the record DuckDB quotes may span lines (an unterminated quote runs to the end of
        # the file); its reason is the line after it
        reason = rest[-1] if len(rest) > 1 else "malformed record"
    else:
        reason = " ".join(rest) or "malformed record"
    record = int(found.group(1))
    line, column = record, None
    for number, (start, fields) in enumerate(records(path), start=1):
        if number == record:
            line = start
            bad = [i for i, f in enumerate(fields) if re.search("[\udc80-\udcff]", f)]
            if bad and bad[0] < len(columns):
                column = columns[bad[0]].name
            break
    where = f"{path}, column '{column}', line {line}" if column else f"{path}, line {line}"
    return LoadError(f"{where}: cannot be read as CSV: {reason}")


# ---------------------------------------------------------------------------- staging
def stage_csv_dir(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    """Read every table file of a CSV export into a temporary text table, checking headers."""
    directory = Path(directory)
    if not directory.is_dir():
        raise LoadError(f"{directory}: not a directory of CSV files")
    missing = [
        str(csv_path(directory, t))
        for t in RAW_TABLES
        if not os.path.lexists(csv_path(directory, t))
    ]
    if missing:
        raise LoadError(f"missing table file(s): {', '.join(missing)}")
    for table in RAW_TABLES:
        path = csv_path(directory, table)
        columns = raw_columns(table)
        check_file(path)
        check_header(path, columns, read_header(path))
        spec = ", ".join(f"'{c.name}': 'VARCHAR'" for c in columns)
        try:
            con.execute(
                f"create or replace temp table {stage_name(table)} as "
                f"select * from read_csv(?, header = true, auto_detect = false, delim = ',', "
                f"quote = '\"', escape = '\"', columns = {{{spec}}})",
                [str(path)],
            )
        except duckdb.Error as exc:
            raise csv_error(path, columns, exc) from exc


def stage_rows(
    con: duckdb.DuckDBPyConnection, tables: Mapping[str, Iterable[Sequence[Any]]]
) -> None:
    """Stage rows made in Python (the sample generator) through a CSV file, like an export."""
    with tempfile.TemporaryDirectory(prefix="greenery-") as tmp:
        write_csv_dir(tables, Path(tmp))
        stage_csv_dir(con, Path(tmp))


# ---------------------------------------------------------------------------- validation
#: Maps a table's staged rowids to the lines they are reported on.
LineMap = Callable[[str, Sequence[int]], list[int]]


def staged_lines(table: str, rowids: Sequence[int]) -> list[int]:
    """Rows written by this module (one line each, after the header): rowid + 2."""
    return [r + HEADER_LINES + 1 for r in rowids]


def file_lines(directory: Path) -> LineMap:
    """The lines in an export's files where the staged rows start (quoted newlines counted)."""

    def lines(table: str, rowids: Sequence[int]) -> list[int]:
        found = data_record_lines(csv_path(directory, table), rowids)
        return [found.get(r, r + HEADER_LINES + 1) for r in rowids]

    return lines


def validate_staged(
    con: duckdb.DuckDBPyConnection,
    source: Callable[[str], str],
    lines: LineMap = staged_lines,
) -> None:
    """Raise LoadError on the first unparsable value, missing key or duplicate key."""
    staged = Staged(con, source, lines)
    for table in RAW_TABLES:
        for column in raw_columns(table):
            staged.check_values(table, column)
        staged.check_key(table)


@dataclass(frozen=True)
class Staged:
    """The staged tables under validation, and how to say where a bad row came from: the file
    or sample (`source`) and its lines (`lines`)."""

    con: duckdb.DuckDBPyConnection
    source: Callable[[str], str]
    lines: LineMap

    def line_numbers(self, table: str, rowids: Sequence[int]) -> str:
        return ", ".join(str(n) for n in self.lines(table, rowids))

    def reject(self, table: str, column: str, where: str, problem: Callable[[str], str]) -> None:
        """Raise LoadError naming the first staged rows of `table` where `where` holds, if any;
        `problem` says what is wrong with their values."""
        bad = self.con.execute(
            f"select rowid, {column} from {stage_name(table)} where {where} order by rowid "
            f"limit {MAX_REPORTED}"
        ).fetchall()
        if bad:
            numbers = self.line_numbers(table, [r for r, _ in bad])
            values = ", ".join(repr(v) for _, v in bad)
            raise LoadError(
                f"{self.source(table)}, column '{column}', line(s) {numbers}: {problem(values)}"
            )

    def check_values(self, table: str, column: Column) -> None:
        """Every value parses as the column's type; the data clock's columns hold dates greenery
        can have."""
        if column.type not in PARSES:
            return
        name, ok = column.name, PARSES[column.type].format(v=column.name)
        type_name = TYPE_NAMES[column.type]
        self.reject(
            table,
            name,
            f"{name} is not null and not ({ok})",
            lambda values: f"cannot parse {values} as {type_name}",
        )
        if CLOCK_COLUMNS.get(table) == name:
            self.check_clock_range(table, name)

    def check_clock_range(self, table: str, name: str) -> None:
        """The data clock's columns hold dates greenery can have (EARLIEST_DATA, tomorrow)."""
        latest = datetime.now(UTC).replace(tzinfo=None) + FUTURE_TOLERANCE
        value = f"cast(rtrim(trim({name}), 'Z') as TIMESTAMP)"
        self.reject(
            table,
            name,
            f"{value} < TIMESTAMP '{EARLIEST_DATA}'",
            lambda values: (
                f"{values} is before {EARLIEST_DATA:%Y-%m-%d}, earlier than any data greenery "
                "can have (an export's default date?); the data clock and the weeks follow it"
            ),
        )
        self.reject(
            table,
            name,
            f"{value} > TIMESTAMP '{latest:%Y-%m-%d %H:%M:%S}'",
            lambda values: (
                f"{values} is in the future (after {latest:%Y-%m-%d %H:%M} UTC by this machine's "
                "clock); the data clock and snapshot history would jump there"
            ),
        )

    def check_key(self, table: str) -> None:
        """The primary key is never empty and never repeated."""
        key = PRIMARY_KEYS[table]
        stage = stage_name(table)
        nulls = self.con.execute(
            f"select rowid from {stage} "
            f"where {' or '.join(f'{k} is null' for k in key)} order by rowid limit {MAX_REPORTED}"
        ).fetchall()
        if nulls:
            numbers = self.line_numbers(table, [r for (r,) in nulls])
            raise LoadError(
                f"{self.source(table)}, column '{', '.join(key)}', line(s) {numbers}: "
                "primary key is empty"
            )
        dupes = self.con.execute(
            f"select {', '.join(key)}, list(rowid order by rowid) "
            f"from {stage} group by all having count(*) > 1 "
            f"order by min(rowid) limit {MAX_REPORTED}"
        ).fetchall()
        if dupes:
            described = "; ".join(
                f"{dict(zip(key, row[:-1], strict=True))} on lines "
                f"{self.line_numbers(table, row[-1])}"
                for row in dupes
            )
            raise LoadError(
                f"{self.source(table)}, column '{', '.join(key)}': duplicate primary key "
                f"{described}"
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
    con: duckdb.DuckDBPyConnection,
    selects: Mapping[str, str | Sequence[str]],
    then: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    restart_history: bool = False,
) -> dict[str, int]:
    """Replace every raw table in one transaction; return the row counts loaded.

    A table's rows are one select, or a sequence of selects appended in order. `then` runs in
    the same transaction, after the tables are in place (the sample's history reads them).
    Data that ends before the snapshots' latest versions would write snapshot history
    backwards: it is refused unless the load `restart_history` (the next run drops the
    snapshots' versions and starts them from this load, macros/build_snapshot_history.sql).
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
            in_time_order(con, table)
            (counts[table],) = con.execute(f"select count(*) from {RAW_SCHEMA}.{table}").fetchone()
        clock.set_from_data(con, "load", RAW_SCHEMA)
        if not restart_history:
            refuse_history_backwards(con)
        record_load(con, restart_history)
        if then is not None:
            then(con)
        con.execute("commit")
    except BaseException:
        rollback(con)  # a failed rollback (a full disk) must not hide why it failed
        raise
    return counts


def refuse_history_backwards(con: duckdb.DuckDBPyConnection) -> None:
    """Raise LoadError when the snapshots hold versions from after the loaded data's clock:
    their next run, at that clock, would write history backwards."""
    now = clock.read(con)
    snapshots = con.execute(
        "select table_schema, table_name from information_schema.columns "
        "where column_name in ('dbt_scd_id', 'dbt_valid_from') "
        "group by all having count(*) = 2 order by all"
    ).fetchall()
    if now is None or not snapshots:
        return
    latest = con.execute(
        "select max(valid_from) from ("
        + " union all ".join(
            f'select max(dbt_valid_from) as valid_from from "{schema}"."{table}"'
            for schema, table in snapshots
        )
        + ")"
    ).fetchone()[0]
    if latest is not None and latest > now:
        raise LoadError(
            f"the data ends before the warehouse's snapshot history: the snapshots hold versions "
            f"from {latest}, and this data's clock is {now}, so their history would be written "
            "backwards. Load it into a new warehouse, or pass --restart-history to start the "
            "snapshots' history over from this load (docs/faults.md)"
        )


def record_load(con: duckdb.DuckDBPyConnection, restart_history: bool = False) -> None:
    """Give the raw tables a new identity (greenery_meta.load): marts built from the tables
    they replace must be rebuilt whole, which the jobs do when it differs from the one the last
    published run built from (jobs/night.py); and whether the snapshots' history starts over."""
    con.execute(f"create schema if not exists {clock.SCHEMA}")
    con.execute(
        f"create or replace table {LOAD_TABLE} as select cast(uuid() as varchar) as load_id, "
        "current_timestamp as loaded_at, ? as restarts_history",
        [restart_history],
    )
    con.execute(f"drop table if exists {clock.ARRIVALS_LOG}")  # days of the replaced tables


def load_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The raw tables' identity, or None for a warehouse loaded before it was recorded."""
    (exists,) = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'load'",
        [clock.SCHEMA],
    ).fetchone()
    return con.execute(f"select load_id from {LOAD_TABLE}").fetchone()[0] if exists else None


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll a transaction back if DuckDB still can: after some faults (a full disk) it has
    already aborted it, and the error that caused the fault is the one to report."""
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")


def in_time_order(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Store a table of events or orders in the order they happened, as a warehouse receives
    them day by day: DuckDB keeps each block's smallest and largest time, so a night's queries
    and tests on the newest rows (`greenery run-job`) read the newest blocks only, not the whole
    history. Ties keep the primary key's order, so the file is the same for the same data."""
    clock_column = CLOCK_COLUMNS.get(table)
    if clock_column is None:
        return
    order = ", ".join([clock_column, *PRIMARY_KEYS[table]])
    con.execute(
        f"create or replace table {RAW_SCHEMA}.{table} as "
        f"select * from {RAW_SCHEMA}.{table} order by {order}"
    )


def load_csv_dir(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    then: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    restart_history: bool = False,
) -> dict[str, int]:
    """Load a CSV export (one `<table>.csv` per raw table) into the warehouse, atomically;
    `then` runs in the same transaction (see `publish`)."""
    directory = Path(directory)
    stage_csv_dir(con, directory)
    validate_staged(con, lambda table: str(csv_path(directory, table)), file_lines(directory))
    try:
        selects = {t: typed_select(t, stage_name(t)) for t in RAW_TABLES}
        return publish(con, selects, then, restart_history)
    except (duckdb.ConversionException, duckdb.OutOfRangeException, OverflowError) as exc:
        # validation should have refused the value; if not, still bad input, not a crash
        raise LoadError(f"{directory}: a value could not be published: {exc}") from exc


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
