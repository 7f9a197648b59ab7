"""The embedded warehouse's DuckDB file: where it lives, how to open it, copy it, and whether it
holds raw data.

The file is where the profile's embedded targets point ($GREENERY_DUCKDB_PATH, else
`warehouse/greenery.duckdb` in the project). What goes into it is `datasets.py`'s business, how
a job builds on a copy of it is `wap.py`'s.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb

from greenery.dbt.project import PATH_ENV, ConfigError, project_dir
from greenery.warehouse.loader import raw_tables_present

#: DuckDB's memory limit for the warehouse, e.g. `8GB` (DuckDB's own units), overriding the
#: default: MEMORY_SHARE of the memory this machine (or its container) gives the process.
MEMORY_ENV = "GREENERY_DUCKDB_MEMORY_LIMIT"
#: Half the memory: DuckDB holds a build's working set in it and spills to disk beyond it, and
#: the other half is left to the rest of the process (dbt, the report) and the machine.
MEMORY_SHARE = 0.5
MEMORY_TEXT = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?)?B", re.IGNORECASE)
#: The least a build is given, so a small laptop or container still builds (spilling to disk).
MEMORY_FLOOR_MB = 512
#: Where Linux containers (cgroup v2, then v1) state a memory limit below the machine's.
CGROUP_LIMITS = (
    Path("/sys/fs/cgroup/memory.max"),
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
)


def machine_memory_bytes() -> int:
    """The memory this process may use: the machine's, or its container's limit if lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in CGROUP_LIMITS:
        try:
            text = limit_file.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def memory_limit() -> str:
    """DuckDB's memory limit: $GREENERY_DUCKDB_MEMORY_LIMIT, else a share of the machine's."""
    if env := os.environ.get(MEMORY_ENV, "").strip():
        if not MEMORY_TEXT.fullmatch(env):
            raise ConfigError(f"{MEMORY_ENV}={env!r} is not an amount of memory such as 8GB")
        return env
    megabytes = int(machine_memory_bytes() * MEMORY_SHARE) // 2**20
    return f"{max(megabytes, MEMORY_FLOOR_MB)}MB"


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar on stdout: the CLI's output stays readable and machine-parsable."""
    con.execute("set enable_progress_bar = false")
    return con


def configured(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A connection of greenery's own: quiet, within the memory budget (`memory_limit`)."""
    con.execute(f"set memory_limit = '{memory_limit()}'")
    return quiet(con)


def default_path() -> Path:
    """$GREENERY_DUCKDB_PATH, else warehouse/greenery.duckdb in the project."""
    if env := os.environ.get(PATH_ENV):
        return Path(env).resolve()
    return project_dir() / "warehouse" / "greenery.duckdb"


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return configured(duckdb.connect(str(path)))


def missing(path: Path) -> str:
    """Why a command other than `greenery build` refuses a warehouse path that is not there."""
    return (
        f"no warehouse at {path}: check --warehouse or ${PATH_ENV} for a typing mistake; "
        "`greenery build` creates and loads a new one, no other command does"
    )


def remove(path: Path) -> None:
    """Remove a warehouse file a failed command created, with its write-ahead log."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def history_beside(path: Path) -> Path:
    """The run history of the warehouse file `path`: `<stem>.history.duckdb` beside it."""
    return path.with_name(f"{path.stem}.history{path.suffix}")


def copy(source: Path, target: Path) -> Path:
    """Copy a warehouse file whole, and its run history: checkpoint first, so nothing is left
    behind in the write-ahead log."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for source_file, target_file in (
        (source, target),
        (history_beside(source), history_beside(target)),
    ):
        if source_file is not source and not source_file.exists():
            continue
        with connect(source_file) as con:
            con.execute("force checkpoint")
        shutil.copyfile(source_file, target_file)
    return target


def first_row(path: Path, query: str) -> dict[str, Any] | None:
    """A query's first row on a warehouse file, opened read-only, by column name.

    None when the file is missing, the query returns nothing or reads a table that is not there.
    """
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            result = quiet(con).execute(query)
        except duckdb.CatalogException:
            return None
        row = result.fetchone()
        if row is None:
            return None
        return {d[0]: v for d, v in zip(result.description, row, strict=True)}


def has_raw_data(path: Path) -> bool:
    """Whether the file holds the raw tables; read-only, so a reader holding it is no obstacle."""
    if not path.exists():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException:  # open for writing in this process (dbt's connection)
        con = connect(path)
    with con:
        return raw_tables_present(con)
