"""`greenery report`, `history`, `doctor`: what the marts say, how the runs went, what is set up."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from greenery.dbt.project import (
    target_schema,
)
from greenery.ops.outcome import ExitCode
from greenery.warehouse import database, storage

if TYPE_CHECKING:
    pass


from greenery.cli import fail, logger, main, make_dbt, target_option, warehouse_option


@main.command("report")
@warehouse_option
@target_option
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The HTML file to write [default: runs/report.html in the project].",
)
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also save a PNG of the whole rendered page (needs Chromium), e.g. docs/report.png.",
)
def report_command(
    warehouse_path: Path | None, target: str | None, out_path: Path | None, screenshot: Path | None
) -> None:
    """The sales funnel report: one self-contained HTML file that opens offline.

    Funnel with drop-offs, conversion by week and day, products by drop-off, the funnel by
    state and region, inventory and stock-outs, and the suspected-bot share, with filters in
    the page. Reads the analyst marts of the target's DuckDB warehouse, read-only.
    """
    from greenery import report  # altair loads only for this command
    from greenery.report import browser

    dbt = make_dbt(target, warehouse_path)
    if dbt.duckdb_path is None:
        fail(
            f"the report reads the embedded DuckDB warehouse; target {dbt.target_name!r} is not "
            "a DuckDB target",
            ExitCode.CONFIG_ERROR,
        )
    if dbt.duckdb_path.exists():
        storage.check_database(dbt.duckdb_path)
    schema = report.marts_schema(dbt.target_name, target_schema(dbt.project, dbt.target_name))
    out = (out_path or dbt.project / "runs" / "report.html").resolve()
    try:
        report.write(dbt.duckdb_path, schema, out)
        if screenshot is not None:
            browser.chromium().screenshot(out, screenshot)
            logger.info(f"report: screenshot {screenshot}")
    except report.MartsMissing as exc:
        fail(str(exc), ExitCode.CONFIG_ERROR)
    except browser.BrowserError as exc:
        fail(f"{exc}\nthe report itself was written: {out}", ExitCode.CONFIG_ERROR)
    click.echo(str(out))


# ---------------------------------------------------------------------------- on-call
@main.command("history")
@warehouse_option
@target_option
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--slower-ratio",
    type=float,
    default=1.5,
    show_default=True,
    help="Flag models whose latest build took this many times their median.",
)
@click.option(
    "--anomalies",
    "anomalies_only",
    is_flag=True,
    help="Only the anomaly warnings of the recent runs, one per line.",
)
def history_command(
    warehouse_path: Path | None,
    target: str | None,
    limit: int,
    slower_ratio: float,
    anomalies_only: bool,
) -> None:
    """Recent runs, the slowest models, and models getting slower (or their anomalies)."""
    from greenery.ops import runlog

    dbt = make_dbt(target, warehouse_path)
    if dbt.duckdb_path is not None and not dbt.duckdb_path.exists():
        fail(database.missing(dbt.duckdb_path), ExitCode.CONFIG_ERROR)
    path = runlog.history_path(dbt.project, dbt.duckdb_path)
    click.echo(f"run history: {path}" + ("" if path.exists() else " (no run recorded yet)"))
    runs = runlog.recent_runs(path, limit)
    if anomalies_only:
        found = [(run, anomaly) for run in runs for anomaly in run.anomalies]
        click.echo(f"anomalies of the last {len(runs)} runs:" + ("" if found else " none"))
        for run, anomaly in found:
            click.echo(f"  {run.run_id}  {anomaly['kind']:<8} {anomaly['message']}")
        return
    click.echo("recent runs:")
    for run in runs:
        flagged = f"  {len(run.anomalies)} anomalies" if run.anomalies else ""
        click.echo(f"  {run.line()}{flagged}")
    click.echo("slowest models (average of recent runs):")
    for name, seconds, n in runlog.slowest_models(path, limit=5):
        click.echo(f"  {name:<40} {seconds:7.3f}s over {n} runs")
    slower = runlog.models_getting_slower(path, ratio=slower_ratio)
    click.echo("models getting slower:" + ("" if slower else " none"))
    for name, latest, typical, ratio in slower:
        click.echo(f"  {name:<40} {latest:.3f}s vs median {typical:.3f}s ({ratio}x)")


@main.command("doctor")
@target_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: target, ok, checks.")
def doctor_command(target: str | None, as_json: bool) -> None:
    """Check the installation, the profile and the environment; never prints a secret."""
    from greenery.dbt.runner import Dbt
    from greenery.ops import doctor

    dbt = Dbt(target=target)
    checks = doctor.run(dbt.project, dbt.target_name)
    if as_json:
        click.echo(json.dumps(doctor.report(dbt.target_name, checks)))
    else:
        for check in checks:
            click.echo(check.line())
    if not doctor.all_ok(checks):
        sys.exit(int(ExitCode.CONFIG_ERROR))
