"""`greenery report`: the Director of Product's funnel report, one self-contained HTML file.

It reads the analyst marts (the funnels by week, day, state and product, and the weekly
inventory) from the DuckDB warehouse, read-only, and writes one HTML file with everything
inlined: the rows, the charts (Vega-Lite, made with altair) and the libraries that draw them,
so it opens offline, from a CI artifact or an e-mail. Filters (time range, product, state and
region, suspected bots) work in the page. No dbt here: the marts are only read.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from greenery.report import charts, marts, page
from greenery.report.marts import MartsMissing

logger = logging.getLogger(__name__)

__all__ = ["MartsMissing", "html", "marts_schema", "write"]


def marts_schema(target: str, target_schema: str) -> str:
    """Where a target's marts are (macros/generate_schema_name.sql): prod has `marts`, every
    other target `<its schema>_marts` (dev_marts, ci_<run id>_marts)."""
    return "marts" if target == "prod" else f"{target_schema}_marts"


def html(warehouse: Path, schema: str) -> str:
    """The report of the marts in `schema` of the DuckDB file `warehouse`."""
    logger.info(f"report: reading {schema} from {warehouse} (read-only)")
    read = marts.read(warehouse, schema)
    rows = sum(len(table.rows) for table in read.tables.values())
    latest = read.latest_week.get("wk")
    logger.info(f"report: {rows} rows from {len(read.tables)} marts; latest week {latest}")
    generated_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return page.render(read, charts.charts(), warehouse.name, generated_at)


def write(warehouse: Path, schema: str, out: Path) -> Path:
    """Write the report to `out` (atomically: a reader never sees half a file)."""
    text = html(warehouse, schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=out.parent, prefix=f".{out.name}.", delete=False
    ) as handle:
        handle.write(text)
    os.replace(handle.name, out)
    logger.info(f"report: wrote {out} ({len(text.encode()) // 1024} KiB)")
    return out
