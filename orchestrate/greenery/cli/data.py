"""`greenery load`, `generate`, `arrive`, `replay`, `deps`: the raw data and the packages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from greenery.dbt.project import (
    ConfigError,
    project_dir,
)
from greenery.ops import lock
from greenery.ops.outcome import ExitCode
from greenery.warehouse import arrivals, database, datasets, storage
from greenery.warehouse.loader import LoadError

if TYPE_CHECKING:
    pass


from greenery.cli import (
    Decorator,
    existing,
    fail,
    finish,
    json_option,
    logger,
    main,
    make_dbt,
    resolve,
    target_option,
    warehouse_option,
)

#: Bounds of the data commands' arguments (docs/faults.md): a shop ten thousand times the
#: published one, ten years of history, a year of arrivals at once.
MAX_SCALE = 10_000
MAX_WEEKS = 520
MAX_DAYS = 366

scale_option = click.option(
    "--scale",
    type=click.IntRange(min=1, max=MAX_SCALE),
    default=1,
    show_default=True,
    help="Sample size: multiplies users, sessions, orders and events.",
)


def seed_option(what: str) -> Decorator:
    return click.option("--seed", type=int, default=42, show_default=True, help=f"{what} seed.")


weeks_option = click.option(
    "--weeks",
    "n_weeks",
    type=click.IntRange(min=1, max=MAX_WEEKS),
    default=datasets.DEFAULT_WEEKS,
    show_default=True,
    help="Weeks of history ending with the published week of 2021-02-08 (1: that week alone).",
)


@main.command()
@warehouse_option
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Load a directory of CSV exports (<table>.csv) instead of the sample data.",
)
@scale_option
@seed_option("Sample generator")
@weeks_option
@click.option(
    "--restart-history",
    is_flag=True,
    help="Start the snapshots' history over from this load (needed when the data ends before "
    "the warehouse's; a sample of several weeks always brings its own).",
)
def load(
    warehouse_path: Path | None,
    csv_dir: Path | None,
    scale: int,
    seed: int,
    n_weeks: int,
    restart_history: bool,
) -> None:
    """Load the raw tables: the generated sample, or your own CSV export. All or nothing.

    The next job rebuilds the marts from the new tables whole (docs/nights.md).
    """
    path = resolve(warehouse_path)
    logger.info(f"warehouse: {path}")
    new = not path.exists()
    if not new:
        storage.check_database(path)
    held = lock.path_for(path, project_dir(), "dev")
    try:
        with lock.exclusive(held, "load"):
            if csv_dir is not None:
                counts = datasets.load_export(path, csv_dir, restart_history)
            else:
                counts = datasets.load_sample(path, scale, seed, n_weeks, restart_history)
    except BaseException as exc:
        if new:  # a load that failed leaves no file it created behind (the lock released)
            database.remove(path)
            held.unlink(missing_ok=True)
        if isinstance(exc, LoadError):
            fail(f"{exc}\nnothing was loaded; the warehouse is as it was.", ExitCode.BAD_INPUT)
        raise
    for table, n in counts.items():
        click.echo(f"raw.{table}: {n} rows")


@main.command()
@warehouse_option
@click.option(
    "--days",
    type=click.IntRange(min=1, max=MAX_DAYS),
    default=1,
    show_default=True,
    help="How many days to append after the newest data.",
)
@seed_option("Arrival generator")
def arrive(warehouse_path: Path | None, days: int, seed: int) -> None:
    """Append the next days of greenery to the raw tables, as the source would deliver them.

    New users, sessions, events and orders; orders shipped and delivered in place; inventory
    sold and restocked; and late events up to 48 hours old in existing sessions. Then run the
    nightly job (`greenery run-job`): snapshots record the arrived day as their time.
    """
    from tqdm import tqdm

    path = existing(warehouse_path)
    arrived: list[arrivals.ArrivedDay] = []
    try:
        with (
            lock.exclusive(lock.path_for(path, project_dir(), "dev"), "arrive"),
            database.connect(path) as con,
            # on a terminal only (disable=None); every day is a transaction of its own
            tqdm(total=days, desc="arrive", unit="day", file=sys.stderr, disable=None) as bar,
        ):
            for day in arrivals.arriving(con, days, seed):
                arrived.append(day)
                bar.update()
    except (arrivals.ArrivalError, LoadError) as exc:
        kept = f"the {len(arrived)} days before it arrived whole" if arrived else "nothing arrived"
        fail(f"{exc}\n{kept}; the warehouse is as it was otherwise.", ExitCode.BAD_INPUT)
    finally:  # stopped half way (Ctrl-C, SIGTERM): the days that arrived are said
        for day in arrived:
            click.echo(
                f"{day.day}: {day.sessions} sessions, {day.events} events "
                f"({day.late_events} late), {day.new_users} new users, {day.orders} orders, "
                f"{day.shipped} shipped, {day.delivered} delivered, {day.restocked} restocked"
            )


@main.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write to.",
)
@scale_option
@seed_option("Sample generator")
@weeks_option
def generate(out_dir: Path, scale: int, seed: int, n_weeks: int) -> None:
    """Write the sample dataset as a CSV export in greenery's real export format."""
    counts = datasets.export_sample(out_dir, scale, seed, n_weeks)
    for table, n in counts.items():
        click.echo(f"{out_dir / table}.csv: {n} rows")


@main.command("replay")
@warehouse_option
@target_option
@click.option(
    "--weeks",
    default="1-4",
    show_default=True,
    help="Weeks to replay, e.g. 1-4, 1-2 or 3-4. Starting at 1 resets snapshot history.",
)
@json_option
def replay_command(
    warehouse_path: Path | None, target: str | None, weeks: str, as_json: bool
) -> None:
    """Replay the weekly history: apply each week's changes, then snapshot at the week's time."""
    from greenery.jobs import replay

    dbt = make_dbt(target, warehouse_path)
    if dbt.target_name == "prod":
        fail("replay rewrites raw data and snapshot history: never on prod", ExitCode.CONFIG_ERROR)
    try:
        first, _, last = weeks.partition("-")
        week_list = list(range(int(first), int(last or first) + 1))
    except ValueError as exc:
        raise click.BadParameter(f"expected N or N-M, got {weeks!r}", param_hint="--weeks") from exc
    try:
        replay.check_weeks(week_list)
    except replay.ReplayError as exc:
        fail(f"{exc}\nnothing was applied; the warehouse is as it was.", ExitCode.BAD_INPUT)
    logger.info(f"replaying weeks {weeks} on target {dbt.target_name}")
    finish(replay.job(dbt, week_list), as_json)


@main.command()
@click.option("--force", is_flag=True, help="Reinstall even if the packages are present.")
def deps(force: bool) -> None:
    """Install the dbt packages: from the dbt hub, else the offline stand-ins."""
    from greenery.dbt import packages
    from greenery.dbt.runner import Dbt

    try:
        source = packages.install(Dbt(), force=force)
    except ConfigError as exc:
        fail(str(exc), ExitCode.CONFIG_ERROR)
    click.echo(f"packages: {source}")


# ---------------------------------------------------------------------------- jobs
