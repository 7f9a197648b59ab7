"""What fills the embedded warehouse: the generated sample, or a team's own CSV export.

Either is staged, validated and published in one transaction (`loader.py`), so a load is all or
nothing. The sample is `weeks.history` (the published week and the weeks before it) at a scale
(`scale.py`); the same sample can be written out as a CSV export in the real format.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from greenery.warehouse import history, loader, scale, weeks
from greenery.warehouse.database import connect, quiet
from greenery.warehouse.facts import RAW_TABLES

#: Weeks of history the main job loads into a new warehouse: a quarter, so the first
#: `greenery build` already shows a weekly series. `--weeks 1` is the published week alone.
DEFAULT_WEEKS = 13


def load_sample(
    path: Path,
    scale_factor: int = 1,
    seed: int = 42,
    n_weeks: int = 1,
    restart_history: bool = False,
) -> dict[str, int]:
    """Generate `n_weeks` of the sample world at a scale and load it, atomically."""
    with connect(path) as con:
        return publish_sample(con, scale_factor, seed, n_weeks, restart_history)


def publish_sample(
    con: duckdb.DuckDBPyConnection,
    scale_factor: int,
    seed: int,
    n_weeks: int,
    restart_history: bool = False,
) -> dict[str, int]:
    """Stage the sample on `con` and replace the raw tables with it, with its snapshot history
    (`history.py`), in one transaction. A sample of several weeks brings its own history, which
    replaces the snapshots' (macros/build_snapshot_history.sql): it always restarts it."""
    stage_sample(con, seed, n_weeks)
    first_week = datetime.combine(weeks.PUBLISHED_WEEK, datetime.min.time()) - timedelta(
        weeks=n_weeks - 1
    )
    return loader.publish(
        con,
        scale.scaled_selects(con, scale_factor),
        then=lambda loaded: history.record(loaded, first_week, n_weeks, seed),
        restart_history=restart_history or n_weeks > 1,
    )


def stage_sample(con: duckdb.DuckDBPyConnection, seed: int, n_weeks: int = 1) -> None:
    loader.stage_rows(con, weeks.history(seed, n_weeks))
    loader.validate_staged(con, lambda table: f"sample {table} (seed {seed}, {n_weeks} weeks)")


def load_export(path: Path, directory: Path, restart_history: bool = False) -> dict[str, int]:
    """Load a directory of CSV exports in the real format, atomically. An export holds no
    history beyond its rows: a sample's snapshot history goes with the sample."""
    with connect(path) as con:
        return loader.load_csv_dir(
            con, directory, then=history.forget, restart_history=restart_history
        )


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
