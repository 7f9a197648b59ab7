"""The report's one HTML file: the latest week's numbers, the filters, and the charts.

Everything is inlined: the marts' rows (JSON), the Vega-Lite specs, the page's script and the
Vega, Vega-Lite and vega-embed libraries (vl-convert's bundle), so the file opens offline.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import vl_convert

from greenery.report.charts import Chart
from greenery.report.marts import (
    PRODUCT_COUNTS,
    PRODUCT_RATES,
    SESSION_COUNTS,
    SESSION_RATES,
    STEPS,
    Marts,
    human_column,
)

TITLE = "Greenery sales funnel"
STEP_LABELS = {
    "page_view": "page view",
    "add_to_cart": "add to cart",
    "checkout": "checkout",
    "package_shipped": "package shipped",
}


@dataclass(frozen=True)
class Metric:
    """A measure of the funnel tables, by its mart column name (with bots)."""

    name: str
    label: str
    kind: str  # count, rate or dropoff


METRICS: tuple[Metric, ...] = (
    Metric("n_sessions", "sessions", "count"),
    *(Metric(f"n_{step}_sessions", STEP_LABELS[step], "count") for step in STEPS),
    *(Metric(rate.name, rate.label, "rate") for rate in SESSION_RATES),
    *(
        Metric(
            rate.dropoff,
            f"drop-off {STEP_LABELS[rate.denominator]} → {STEP_LABELS[rate.numerator]}",
            "dropoff",
        )
        for rate in SESSION_RATES
        if rate.dropoff is not None
    ),
)


@dataclass(frozen=True)
class Cell:
    traffic: str  # all, or human (without suspected bots)
    column: str  # the mart column the value is read from
    value: str  # exactly as the mart has it ('' for null): the data-value attribute
    text: str


@dataclass(frozen=True)
class SummaryRow:
    metric: str
    label: str
    kind: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class LatestWeek:
    """The published numbers of the weekly funnel's latest week."""

    week: str | None
    days: int
    rows: tuple[SummaryRow, ...]
    bots: Cell
    bot_share: str

    @property
    def partial(self) -> bool:
        return self.week is not None and self.days < 7


def show(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "count":
        return f"{int(value):,}"
    return f"{float(value):.1%}"


def exact(value: Any) -> str:
    """A value as the data-value attribute carries it: repr, the shortest that reads back."""
    if value is None:
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)


def cell(week: dict[str, Any], traffic: str, column: str, kind: str) -> Cell:
    value = week.get(column)
    return Cell(traffic, column, exact(value), show(value, kind))


def latest_week(marts: Marts) -> LatestWeek:
    week = marts.latest_week
    rows = tuple(
        SummaryRow(
            metric.name,
            metric.label,
            metric.kind,
            (
                cell(week, "all", metric.name, metric.kind),
                cell(week, "human", human_column(metric.name), metric.kind),
            ),
        )
        for metric in METRICS
    )
    sessions, bots = week.get("n_sessions"), week.get("n_suspected_bot_sessions")
    share = bots / sessions if sessions and bots is not None else None
    return LatestWeek(
        week=week.get("wk"),
        days=marts.days_in_latest_week,
        rows=rows,
        bots=cell(week, "all", "n_suspected_bot_sessions", "count"),
        bot_share=show(share, "rate"),
    )


def distinct(marts: Marts, table: str, *columns: str) -> list[tuple[Any, ...]]:
    source = marts.tables[table]
    indexes = [source.columns.index(c) for c in columns]
    return sorted({tuple(row[i] for i in indexes) for row in source.rows}, key=str)


def choices(marts: Marts) -> dict[str, Any]:
    """What the filters offer: weeks of the funnels and the inventory, products, places."""
    weeks = {w for (w,) in distinct(marts, "f_weekly_sales_funnel", "wk")}
    weeks |= {w for (w,) in distinct(marts, "fct_product_inventory_weekly", "snapshot_week")}
    products = dict(distinct(marts, "f_weekly_product_sales_funnel", "product_id", "product_name"))
    products.update(distinct(marts, "fct_product_inventory_weekly", "product_id", "product_name"))
    places = distinct(marts, "f_daily_state_sales_funnel", "region", "state")
    return {
        "weeks": sorted(str(w) for w in weeks),
        "products": [
            {"id": pid, "name": name}
            for pid, name in sorted(products.items(), key=lambda p: (str(p[1]), str(p[0])))
        ],
        "regions": sorted({str(region) for region, _ in places}),
        "states": sorted({str(state) for _, state in places}),
    }


def page_data(marts: Marts, weeks: list[str]) -> dict[str, Any]:
    """The JSON the page's script reads (#report-data)."""
    return {
        "weeks": weeks,
        "steps": list(STEPS),
        "step_labels": STEP_LABELS,
        "session_counts": list(SESSION_COUNTS),
        "product_counts": list(PRODUCT_COUNTS),
        "session_rates": [asdict(rate) for rate in SESSION_RATES],
        "product_rates": [asdict(rate) for rate in PRODUCT_RATES],
        "tables": {name: table.to_json() for name, table in marts.tables.items()},
    }


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no '<' that could end it."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def asset(name: str) -> str:
    return resources.files("greenery.report").joinpath(name).read_text(encoding="utf-8")


def vl_convert_version() -> str:
    """vl-convert's name for altair's Vega-Lite version: v5.20.1 -> v5_20."""
    return "_".join(alt.SCHEMA_VERSION.split(".")[:2])


@functools.cache
def vega_bundle() -> str:
    """vega-embed, Vega-Lite and Vega as one script that sets them on `window` (no imports).

    vl-convert bundles them anew on every call (1.6 s of a 12-s night at scale 1), always the
    same bytes for the same versions: the bundle is kept in the user's cache folder
    ($XDG_CACHE_HOME or ~/.cache, `greenery/`), named by those versions, and made again only
    when it is missing or unreadable.
    """
    cached = bundle_cache() / (
        f"vega-bundle-vl-convert-{vl_convert.__version__}-{vl_convert_version()}.js"
    )
    try:
        bundle = cached.read_text(encoding="utf-8")
    except OSError:
        bundle = vl_convert.javascript_bundle(vl_version=vl_convert_version())
        write_cache(cached, bundle)
    return re.sub(r"</(script)", r"<\\/\1", bundle, flags=re.IGNORECASE)


def bundle_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "greenery"


def write_cache(path: Path, text: str) -> None:
    """Write a cache file whole or not at all; a cache that cannot be written is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        return


def versions() -> dict[str, str]:
    return {
        "vega": vl_convert.get_vega_version(),
        "vega_lite": alt.SCHEMA_VERSION.lstrip("v"),
        "vega_embed": vl_convert.get_vega_embed_version(),
        "altair": alt.__version__,
    }


def render(marts: Marts, charts: list[Chart], source: str, generated_at: str) -> str:
    """The whole report as one self-contained HTML document."""
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(asset("page.html.j2"))
    offered = choices(marts)
    return template.render(
        title=TITLE,
        generated_at=generated_at,
        source=source,
        schema=marts.schema,
        latest=latest_week(marts),
        charts=charts,
        versions=versions(),
        css=asset("page.css"),
        page_js=asset("page.js"),
        vega_bundle=vega_bundle(),
        data_json=script_json(page_data(marts, offered["weeks"])),
        charts_json=script_json([chart.to_json() for chart in charts]),
        **offered,
    )
