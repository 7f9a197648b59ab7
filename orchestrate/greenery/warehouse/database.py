"""The embedded warehouse's DuckDB file: where it lives, how to open it, copy it, and whether it
holds raw data.

The file is where the profile's embedded targets point ($GREENERY_DUCKDB_PATH, else
`warehouse/greenery.duckdb` in the project). What goes into it is `datasets.py`'s business, how
a job builds on a copy of it is `wap.py`'s.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from greenery.dbt.project import PATH_ENV, project_dir
from greenery.warehouse.loader import raw_tables_present


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar on stdout: the CLI's output stays readable and machine-parsable."""
    con.execute("set enable_progress_bar = false")
    return con


def default_path() -> Path:
    """$GREENERY_DUCKDB_PATH, else warehouse/greenery.duckdb in the project."""
    if env := os.environ.get(PATH_ENV):
        return Path(env).resolve()
    return project_dir() / "warehouse" / "greenery.duckdb"


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return quiet(duckdb.connect(str(path)))


def copy(source: Path, target: Path) -> Path:
    """Copy a warehouse file whole: checkpoint first, so nothing is left behind in its WAL."""
    with connect(source) as con:
        con.execute("force checkpoint")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
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
    if not path.exists():
        return False
    with connect(path) as con:  # not read_only: dbt may hold the file open in this process
        return raw_tables_present(con)
