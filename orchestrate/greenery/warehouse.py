"""The embedded DuckDB warehouse: where it lives and how raw data gets into it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from greenery import loader, scale, weeks
from greenery.facts import RAW_TABLES

PATH_ENV = "GREENERY_DUCKDB_PATH"


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar on stdout: the CLI's output stays readable and machine-parsable."""
    con.execute("set enable_progress_bar = false")
    return con


def project_dir() -> Path:
    """The dbt project root: $GREENERY_PROJECT_DIR, else the checkout this package lives in."""
    if env := os.environ.get("GREENERY_PROJECT_DIR"):
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]
    if (here / "dbt_project.yml").exists():
        return here
    return Path.cwd()


def default_path() -> Path:
    """$GREENERY_DUCKDB_PATH, else warehouse/greenery.duckdb in the project."""
    if env := os.environ.get(PATH_ENV):
        return Path(env).resolve()
    return project_dir() / "warehouse" / "greenery.duckdb"


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return quiet(duckdb.connect(str(path)))


#: Weeks of history the main job loads into a new warehouse: a quarter, so the first
#: `greenery build` already shows a weekly series. `--weeks 1` is the published week alone.
DEFAULT_WEEKS = 13


def load_sample(
    path: Path, scale_factor: int = 1, seed: int = 42, n_weeks: int = 1
) -> dict[str, int]:
    """Generate `n_weeks` of the sample world at a scale and load it, atomically."""
    with connect(path) as con:
        stage_sample(con, seed, n_weeks)
        return loader.publish(con, scale.scaled_selects(con, scale_factor))


def stage_sample(con: duckdb.DuckDBPyConnection, seed: int, n_weeks: int = 1) -> None:
    loader.stage_rows(con, weeks.history(seed, n_weeks))
    loader.validate_staged(con, lambda table: f"sample {table} (seed {seed}, {n_weeks} weeks)")


def load_export(path: Path, directory: Path) -> dict[str, int]:
    """Load a directory of CSV exports in the real format, atomically."""
    with connect(path) as con:
        return loader.load_csv_dir(con, directory)


def export_sample(
    directory: Path, scale_factor: int = 1, seed: int = 42, n_weeks: int = 1
) -> dict[str, int]:
    """Write the sample world as a CSV export in the real format (one file per table)."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    with quiet(duckdb.connect()) as con:
        stage_sample(con, seed, n_weeks)
        selects = scale.scaled_selects(con, scale_factor)
        for table in RAW_TABLES:
            target = loader.csv_path(directory, table)
            rows = " union all ".join(f"({part})" for part in selects[table])
            con.execute(
                f"copy ({rows}) to '{target}' "
                "(header, delimiter ',', timestampformat '%Y-%m-%dT%H:%M:%SZ')"
            )
            (counts[table],) = con.execute(
                f"select count(*) from read_csv('{target}', header = true)"
            ).fetchone()
    return counts


def copy(source: Path, target: Path) -> Path:
    """Copy a warehouse file whole: checkpoint first, so nothing is left behind in its WAL."""
    with connect(source) as con:
        con.execute("force checkpoint")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def has_raw_data(path: Path) -> bool:
    if not path.exists():
        return False
    with connect(path) as con:  # not read_only: dbt may hold the file open in this process
        return loader.raw_tables_present(con)
