"""`greenery`: the command line that loads, builds and operates the greenery dbt project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from greenery import history, packages, warehouse
from greenery.build import run_build
from greenery.dbt import ConfigError, Dbt, DbtFailed
from greenery.loader import LoadError

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def say(message: str) -> None:
    """Progress and diagnostics go to stderr, so stdout stays for results."""
    click.echo(message, err=True)


def warehouse_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--warehouse",
        "warehouse_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"DuckDB file of the embedded warehouse [env {warehouse.PATH_ENV}; "
        "default warehouse/greenery.duckdb in the project].",
    )(func)


def resolve(path: Path | None) -> Path:
    return (path or warehouse.default_path()).resolve()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Greenery analytics: sample warehouse, dbt builds and the jobs around them."""


@main.command()
@warehouse_option
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Load a directory of CSV exports (<table>.csv) instead of the sample data.",
)
@click.option(
    "--scale",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Sample size: multiplies users, sessions, orders and events.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Sample generator seed.")
def load(warehouse_path: Path | None, csv_dir: Path | None, scale: int, seed: int) -> None:
    """Load the raw tables: the generated sample, or your own CSV export. All or nothing."""
    path = resolve(warehouse_path)
    say(f"warehouse: {path}")
    try:
        if csv_dir is not None:
            counts = warehouse.load_export(path, csv_dir)
        else:
            counts = warehouse.load_sample(path, scale, seed)
    except LoadError as exc:
        say(f"error: {exc}\nnothing was loaded; the warehouse is as it was.")
        sys.exit(EXIT_BAD_INPUT)
    for table, n in counts.items():
        click.echo(f"raw.{table}: {n} rows")


@main.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write to.",
)
@click.option("--scale", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
def generate(out_dir: Path, scale: int, seed: int) -> None:
    """Write the sample dataset as a CSV export in greenery's real export format."""
    counts = warehouse.export_sample(out_dir, scale, seed)
    for table, n in counts.items():
        click.echo(f"{out_dir / table}.csv: {n} rows")


@main.command()
@warehouse_option
@click.option(
    "--weeks",
    default="1-4",
    show_default=True,
    help="Weeks to replay, e.g. 1-4, 1-2 or 3-4. Starting at 1 resets snapshot history.",
)
@click.option("--target", default=None, help="dbt target (default: the profile's, dev).")
def replay(warehouse_path: Path | None, weeks: str, target: str | None) -> None:
    """Replay the weekly history: apply each week's changes, then snapshot at the week's time."""
    if target == "prod":
        raise click.UsageError("replay rewrites raw data and snapshot history: never on prod")
    path = resolve(warehouse_path)
    say(f"warehouse: {path}")
    try:
        first, _, last = weeks.partition("-")
        week_list = list(range(int(first), int(last or first) + 1))
    except ValueError as exc:
        raise click.BadParameter(f"expected N or N-M, got {weeks!r}", param_hint="--weeks") from exc
    try:
        history.replay(Dbt(target=target, duckdb_path=path), path, week_list, say=say)
    except (history.ReplayError, ConfigError, DbtFailed) as exc:
        say(f"error: {exc}")
        sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.option("--force", is_flag=True, help="Reinstall even if the packages are present.")
def deps(force: bool) -> None:
    """Install the dbt packages: from the dbt hub, else the offline stand-ins."""
    try:
        source = packages.install(Dbt(), say, force=force)
    except ConfigError as exc:
        say(f"error: {exc}")
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"packages: {source}")


@main.command()
@warehouse_option
@click.option("--target", default=None, help="dbt target (default: the profile's, dev).")
def build(warehouse_path: Path | None, target: str | None) -> None:
    """The main job: load the sample if the warehouse is empty, snapshot, then dbt build."""
    dbt = Dbt(target=target, duckdb_path=resolve(warehouse_path))
    try:
        outcome = run_build(dbt, say, [])
    except ConfigError as exc:
        say(f"error: {exc}")
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(EXIT_OK if outcome.success else 1)


if __name__ == "__main__":
    main()
