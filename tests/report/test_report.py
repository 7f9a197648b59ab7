"""`greenery report`: one self-contained HTML file, opened in a real browser (headless Chromium).

The report is built from a small synthetic warehouse with the analyst marts' tables and columns
(report_fixture.py); the numbers the page shows are checked against the same DuckDB file. Without
Chromium the browser tests are skipped, saying so; on CI (env CI set) they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import pytest
from click.testing import CliRunner
from greenery import cli, report
from greenery.ops.outcome import ExitCode
from greenery.report import browser, charts, marts
from greenery.warehouse import database
from report_fixture import SCHEMA, make_warehouse

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


# ------------------------------------------------------------------------------ the page's DOM
@dataclass
class Cell:
    attrs: dict[str, str]
    table: str | None
    text: str = ""


@dataclass
class Chart:
    svgs: int = 0
    marks: int = 0  # shapes inside Vega's mark groups (bars, lines, points, cells, labels)
    rects: int = 0  # shapes inside rect-mark groups (bars, heatmap cells)


class Dom(HTMLParser):
    """What the tests read from a page: charts, data-metric cells, errors, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict[str, str] = {}
        self.charts: dict[str, Chart] = {}
        self.cells: list[Cell] = []
        self.texts: dict[str, str] = {}  # by element id
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.stack: list[tuple[str, dict[str, str]]] = []

    def inside(self, key: str, value: str | None = None) -> dict[str, str] | None:
        for _, attrs in reversed(self.stack):
            if key in attrs and (value is None or value in attrs[key].split()):
                return attrs
        return None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "html":
            self.root = attrs
        for name in ("src", "href"):
            if name in attrs:
                self.urls.append((tag, name, attrs[name]))
        if "data-chart" in attrs:
            self.charts[attrs["data-chart"]] = Chart()
        chart = self.inside("data-chart")
        if chart is not None:
            counted = self.charts[chart["data-chart"]]
            counted.svgs += tag == "svg"
            if tag in ("path", "text", "line") and self.inside("class", "role-mark"):
                counted.marks += 1
                counted.rects += bool(self.inside("class", "mark-rect"))
        if "data-metric" in attrs:
            table = self.inside("id")
            self.cells.append(Cell(attrs, table["id"] if table else None))
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack and "data-metric" in self.stack[-1][1]:
            self.cells[-1].text += data
        for _, attrs in self.stack:
            if "id" in attrs:
                self.texts[attrs["id"]] = self.texts.get(attrs["id"], "") + data

    def table(self, table_id: str) -> dict[tuple[str, str], Cell]:
        """The data-metric cells of a table, by (metric, traffic)."""
        return {
            (c.attrs["data-metric"], c.attrs["data-traffic"]): c
            for c in self.cells
            if c.table == table_id
        }


def parse(html: str) -> Dom:
    dom = Dom()
    dom.feed(html)
    dom.close()
    return dom


# ------------------------------------------------------------------------------ fixtures
def require_chromium() -> browser.Chromium:
    """Chromium, or a skip that says why; on CI (env CI set) a missing Chromium fails."""
    try:
        return browser.chromium()
    except browser.BrowserError as exc:
        skip_unless_ci(f"browser tests need Chromium: {exc}")
        raise


@pytest.fixture(scope="module")
def chromium() -> browser.Chromium:
    return require_chromium()


def skip_unless_ci(reason: str) -> None:
    """Skip, saying why; on CI (env CI set) fail instead: CI has what the test needs."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def built_warehouse(directory: Path) -> Path:
    """A copy of the project's warehouse (greenery build's), if it has the analyst marts.

    The copy is read, never the file itself: a job may be staging or publishing it meanwhile.
    CI builds the warehouse before the tests (.ci/run), so there it must be present.
    """
    source = database.default_path()
    if not source.exists():
        skip_unless_ci(f"no built warehouse at {source} (`greenery build` makes one)")
    path = directory / "greenery.duckdb"
    shutil.copyfile(source, path)
    if source.with_name(source.name + ".wal").exists():
        shutil.copyfile(source.with_name(source.name + ".wal"), path.with_name(path.name + ".wal"))
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            marts.check_columns(con, SCHEMA)
        except marts.MartsMissing as exc:
            skip_unless_ci(f"the built warehouse {source} predates the analyst marts: {exc}")
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_warehouse(tmp_path_factory.mktemp("synthetic") / "greenery.duckdb")


@pytest.fixture(
    scope="module",
    params=[
        "synthetic",
        pytest.param("one_week", marks=pytest.mark.slow),  # the main job on the sample
        "project",
    ],
)
def warehouse(
    request: pytest.FixtureRequest, synthetic: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The synthetic marts; the one-week sample after the main job (the published week alone:
    one weekly point, three days); then the project's own built warehouse (13 weeks after
    `greenery build`, as CI makes it) when it has them."""
    if request.param == "synthetic":
        return synthetic
    if request.param == "one_week":
        return request.getfixturevalue("built")
    return built_warehouse(tmp_path_factory.mktemp("built"))


def write_report(warehouse: Path) -> Path:
    return report.write(warehouse, SCHEMA, warehouse.parent / "report.html")


@pytest.fixture(scope="module")
def page(warehouse: Path) -> Path:
    return write_report(warehouse)


@pytest.fixture(scope="module")
def synthetic_page(synthetic: Path) -> Path:
    return write_report(synthetic)


@pytest.fixture(scope="module")
def rendered(chromium: browser.Chromium, page: Path) -> Dom:
    """The report after its scripts ran, with the default filters."""
    return parse(chromium.dump_dom(page))


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        result = con.execute(sql, params or [])
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def latest_week(warehouse: Path) -> dict[str, Any]:
    (row,) = query(
        warehouse,
        f"select * from {SCHEMA}.f_weekly_sales_funnel "
        f"where wk = (select max(wk) from {SCHEMA}.f_weekly_sales_funnel)",
    )
    return row


COUNTS = [
    "n_sessions",
    "n_page_view_sessions",
    "n_add_to_cart_sessions",
    "n_checkout_sessions",
    "n_package_shipped_sessions",
]
RATES = {  # name: (numerator, denominator)
    "add_to_cart_rate": ("n_add_to_cart_sessions", "n_page_view_sessions"),
    "cart_to_checkout_rate": ("n_checkout_sessions", "n_add_to_cart_sessions"),
    "checkout_to_shipped_rate": ("n_package_shipped_sessions", "n_checkout_sessions"),
    "overall_conversion_rate": ("n_checkout_sessions", "n_sessions"),
}
DROPOFFS = {
    "add_to_cart_dropoff": "add_to_cart_rate",
    "checkout_dropoff": "cart_to_checkout_rate",
    "package_shipped_dropoff": "checkout_to_shipped_rate",
}


def human(column: str) -> str:
    return column.replace("n_", "n_human_", 1)


def expected_selection(sums: dict[str, int], bots: bool) -> dict[str, float]:
    """The selection table's measures from summed counts (all traffic, or humans only)."""
    count = {c: sums[c if bots else human(c)] for c in COUNTS}
    measures: dict[str, float] = dict(count)
    for name, (numerator, denominator) in RATES.items():
        measures[name] = count[numerator] / count[denominator]
    for name, rate in DROPOFFS.items():
        measures[name] = 1 - measures[rate]
    return measures


def assert_selection(dom: Dom, expected: dict[str, float], traffic: str) -> None:
    cells = dom.table("selection-table")
    for metric, value in expected.items():
        cell = cells[(metric, traffic)]
        assert float(cell.attrs["data-value"]) == pytest.approx(value, rel=1e-12), metric
        if metric.startswith("n_"):
            assert cell.text == f"{value:,}", metric


# ------------------------------------------------------------------------------ the file
def test_one_file_with_nothing_to_fetch(page):
    text = page.read_text()
    dom = parse(text)
    external = [u for u in dom.urls if re.match(r"\s*(https?:)?//", u[2])]
    assert external == []
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text)
    scripts = re.findall(r"<script\b[^>]*>", text)
    assert scripts and all("src=" not in s for s in scripts)
    assert "vegaEmbed" in text and len(text) > 500_000  # the libraries are inlined


def test_latest_week_table_has_the_marts_numbers(page, warehouse):
    """The published week's numbers, as written (no script needed to read them)."""
    week = latest_week(warehouse)
    dom = parse(page.read_text())
    cells = dom.table("latest-week-table")
    assert dom.texts["latest-week"] == str(week["wk"])
    columns = [*COUNTS, *RATES, *DROPOFFS]
    assert {metric for metric, _ in cells} == set(columns)
    for metric in columns:
        for traffic, column in (("all", metric), ("human", human(metric))):
            if traffic == "human" and not metric.startswith("n_"):
                column = f"human_{metric}"
            cell = cells[(metric, traffic)]
            assert cell.attrs["data-column"] == column
            assert cell.attrs["data-value"] == repr(week[column]), column
    assert cells[("n_checkout_sessions", "all")].text == f"{week['n_checkout_sessions']:,}"
    rate = cells[("add_to_cart_rate", "human")]
    assert rate.text == f"{week['human_add_to_cart_rate']:.1%}"
    bots = dom.table("latest")[("n_suspected_bot_sessions", "all")]
    assert int(bots.attrs["data-value"]) == week["n_suspected_bot_sessions"] > 0


def test_missing_marts_are_named(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(report.MartsMissing, match="dev_marts.f_weekly_sales_funnel is missing"):
        report.write(path, SCHEMA, tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()


def test_cli_prints_the_path_and_reads_the_targets_marts(synthetic, tmp_path, monkeypatch):
    monkeypatch.setenv("GREENERY_DEV_SCHEMA", "dev")
    out = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(
        cli.main, ["report", "--warehouse", str(synthetic), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out.resolve())
    assert "report: wrote" in result.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_cli_without_the_marts_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GREENERY_DEV_SCHEMA", "alice")  # the marts would be in alice_marts
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    result = CliRunner().invoke(
        cli.main, ["report", "--warehouse", str(path), "--out", str(tmp_path / "r.html")]
    )
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "alice_marts.f_weekly_sales_funnel is missing" in result.stderr
    assert result.stdout == ""


def test_chromium_missing_skips_locally_and_fails_on_ci(monkeypatch):
    monkeypatch.setattr(browser, "find", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run this test: browser tests"):
        require_chromium()


def test_the_report_does_not_import_dbt():
    code = "import sys, greenery.report; print(sorted(m for m in sys.modules if 'dbt' in m))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_marts_schema_follows_the_target():
    assert report.marts_schema("dev", "dev") == "dev_marts"
    assert report.marts_schema("ci_local", "ci_20210208") == "ci_20210208_marts"
    assert report.marts_schema("prod", "analytics") == "marts"


# ------------------------------------------------------------------------------ in Chromium
def test_every_chart_draws_marks_without_errors(rendered, warehouse):
    assert rendered.root.get("data-report-state") == "ready"
    assert rendered.texts.get("js-errors", "") == ""
    expected = {chart.id for chart in charts.charts()}
    assert set(rendered.charts) == expected
    # a warehouse of one snapshot (the published week alone) has seen no order change status
    (flow,) = query(
        warehouse, f"select count(*) as rows from {SCHEMA}.fct_order_status_transitions_weekly"
    )
    for chart_id, chart in rendered.charts.items():
        assert chart.svgs == 1, chart_id
        if chart_id == "status_flow" and flow["rows"] == 0:
            assert chart.marks == 0
            continue
        assert chart.marks >= 1, chart_id
    # a bar per step, package_shipped included, and the drop-off on each step after the first
    assert rendered.charts["funnel"].rects == 4 + 3


def test_default_selection_is_every_week(rendered, warehouse):
    (sums,) = query(
        warehouse,
        "select "
        + ", ".join(f"sum({c}) as {c}" for c in [*COUNTS, *map(human, COUNTS)])
        + f" from {SCHEMA}.f_weekly_sales_funnel",
    )
    assert_selection(rendered, expected_selection(sums, bots=True), "all")
    assert rendered.root["data-filters"] == ""


def test_link_chooses_week_state_and_excludes_bots(chromium, page, warehouse):
    week = latest_week(warehouse)["wk"]
    columns = [*COUNTS, *map(human, COUNTS), "n_suspected_bot_sessions"]
    (sums,) = query(  # the state with the most suspected bots that week: excluding them tells
        warehouse,
        "select state, "
        + ", ".join(f"sum({c}) as {c}" for c in columns)
        + f" from {SCHEMA}.f_daily_state_sales_funnel where wk = ?"
        " group by state order by n_suspected_bot_sessions desc, state limit 1",
        [week],
    )
    assert sums["n_suspected_bot_sessions"] > 0

    choice = {"from": str(week), "to": str(week), "state": sums["state"]}
    dom = parse(chromium.dump_dom(page, urlencode({**choice, "bots": "exclude"})))
    assert dom.texts.get("js-errors", "") == ""
    assert_selection(dom, expected_selection(sums, bots=False), "human")
    assert f"state {sums['state']}" in dom.texts["selection-description"]
    assert "suspected bots excluded" in dom.texts["selection-description"]
    # the page keeps in the link only what differs from the defaults (every week, all traffic)
    (first,) = query(warehouse, f"select min(wk) as wk from {SCHEMA}.f_weekly_sales_funnel")
    kept = {"from": str(week)} if week != first["wk"] else {}
    assert dom.root["data-filters"] == urlencode(
        {**kept, "state": sums["state"], "bots": "exclude"}
    )

    with_bots = parse(chromium.dump_dom(page, urlencode(choice)))
    assert_selection(with_bots, expected_selection(sums, bots=True), "all")


def test_link_chooses_a_product_for_the_inventory(chromium, synthetic_page, synthetic):
    (cactus,) = query(
        synthetic,
        f"select count(*) as weeks from {SCHEMA}.fct_product_inventory_weekly"
        " where product_id = 'p-cactus'",
    )
    dom = parse(chromium.dump_dom(synthetic_page, "product=p-cactus"))
    assert dom.texts.get("js-errors", "") == ""
    assert dom.charts["inventory"].rects == cactus["weeks"]  # one product's cells, one a week
    assert dom.charts["stockouts"].rects == cactus["weeks"]  # a bar a week
    # the order status flow follows the weeks chosen, not the product: a bar a week and move
    (flow,) = query(
        synthetic, f"select count(*) as bars from {SCHEMA}.fct_order_status_transitions_weekly"
    )
    assert dom.charts["status_flow"].rects == flow["bars"] > 0
    everything = parse(chromium.dump_dom(synthetic_page, "product="))
    assert everything.charts["inventory"].rects > cactus["weeks"]


def test_link_values_not_in_the_data_are_named(chromium, synthetic_page):
    dom = parse(chromium.dump_dom(synthetic_page, "state=Atlantis&bots=maybe"))
    assert dom.texts.get("js-errors", "") == ""
    assert "state=Atlantis" in dom.texts["filter-notes"]
    assert "bots=maybe" in dom.texts["filter-notes"]
    assert dom.root["data-report-state"] == "ready"


def test_marts_without_rows_give_a_page_without_errors(chromium, synthetic, tmp_path):
    path = tmp_path / "empty.duckdb"
    shutil.copyfile(synthetic, path)
    with duckdb.connect(str(path)) as con:
        for table in marts.MART_COLUMNS:
            con.execute(f"delete from {SCHEMA}.{table}")
    dom = parse(chromium.dump_dom(write_report(path)))
    assert dom.texts.get("js-errors", "") == ""
    assert dom.root["data-report-state"] == "ready"
    assert dom.texts["latest-week"] == "none"
    assert dom.table("selection-table")[("n_sessions", "all")].text == "0"


def test_screenshot_of_the_whole_page(chromium, synthetic_page, tmp_path):
    png = chromium.screenshot(synthetic_page, tmp_path / "report.png")
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width == browser.WIDTH and height > 1500
