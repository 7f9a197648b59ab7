"""Kill test: `greenery replay` and `greenery run-job` killed at random points, then rerun.

Each run starts the command on a copy of a prepared warehouse, kills it with SIGKILL at a random
moment of its measured duration or up to 15% past it (anywhere: taking the lock, staging the
copy, building, testing, publishing, recording), checks that the published warehouse is then
exactly the old one or exactly the new one (never a mix), reruns the command to completion, and
checks:

- no duplicate snapshot row (dbt_scd_id) and no overlapping or inverted validity intervals;
- every mart and snapshot row equals an uninterrupted run's (dbt_invocation_id and
  dbt_loaded_at, which name the dbt run that wrote an incremental row and when, are left out of
  the comparison).

Runs alternate between the two commands: replay of weeks 2-4 on the one-week warehouse built by
`greenery build`, and one run-job on the result of that replay.

    python benchmarks/kill_test.py              # 50 runs (about 35 minutes on 2 cores)
    python benchmarks/kill_test.py --runs 6     # a quick look
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import duckdb

PROJECT = Path(__file__).resolve().parents[1]
#: Not copied: the checkout's own state at its top (not the package's `warehouse/`), and
#: databases and caches anywhere.
IGNORED_AT_THE_TOP = {".git", ".venv", "target", "runs", "warehouse", "logs"}
IGNORED = shutil.ignore_patterns("*.duckdb*", "__pycache__")


def not_copied(folder: str, names: list[str]) -> set[str]:
    top = {n for n in names if n in IGNORED_AT_THE_TOP} if Path(folder) == PROJECT else set()
    return top | set(IGNORED(folder, names))


PUBLISHED_SCHEMAS = ("dev_marts", "dev_snapshots")
SNAPSHOTS = ("product_inventory_snapshot", "orders_snapshot")
SNAPSHOT_KEYS = {"product_inventory_snapshot": "product_id", "orders_snapshot": "order_id"}
REPLAY = ("replay", "--weeks", "2-4")
LATE = 1.15
RUN_JOB = ("run-job", "--no-freshness")

Rows = dict[str, list[tuple]]


class Outcome(NamedTuple):
    run: int
    command: str
    killed_after: float
    after_kill: str  # "old" or "new": what the published warehouse was right after the kill
    rerun_exit: int
    duplicates: int
    overlaps: int
    equal: bool

    @property
    def clean(self) -> bool:
        return (
            self.after_kill in ("old", "new")
            and self.rerun_exit == 0
            and self.duplicates == 0
            and self.overlaps == 0
            and self.equal
        )


class Bench:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / "project"
        shutil.copytree(PROJECT, self.project, ignore=not_copied)

    def greenery(self, path: Path, *args: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "GREENERY_PROJECT_DIR": str(self.project),
            # the package as it was when the run started, whatever happens to the checkout
            "PYTHONPATH": str(self.project / "orchestrate"),
            "GREENERY_DUCKDB_PATH": str(path),
            "GREENERY_PACKAGES": "offline",
            "DBT_TARGET_PATH": str(self.root / "target"),
        }
        return subprocess.Popen(
            [sys.executable, "-m", "greenery.cli", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def run(self, path: Path, *args: str) -> tuple[int, float]:
        started = time.perf_counter()
        code = self.greenery(path, *args).wait()
        return code, time.perf_counter() - started

    def copy(self, source: Path, name: str) -> Path:
        folder = self.root / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        target = folder / "greenery.duckdb"
        shutil.copyfile(source, target)
        history = source.with_name("greenery.history.duckdb")  # the run history beside it
        if history.exists():
            shutil.copyfile(history, target.with_name(history.name))
        return target


def published(path: Path) -> Rows:
    """Every mart and snapshot row (and the raw tables replay writes), in a stable order."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema "
            f"in {PUBLISHED_SCHEMAS} or (table_schema = 'raw' and table_name in "
            "('products', 'orders')) order by all"
        ).fetchall()
        rows = {}
        for schema, name in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? "
                    "and table_name = ? "
                    "and column_name not in ('dbt_invocation_id', 'dbt_loaded_at') "
                    "order by ordinal_position",
                    [schema, name],
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows[f"{schema}.{name}"] = con.execute(
                f'select {select} from "{schema}"."{name}" order by all'
            ).fetchall()
        return rows


def snapshot_defects(path: Path) -> tuple[int, int]:
    """Duplicate snapshot rows, and validity intervals that overlap or end before they start."""
    duplicates = overlaps = 0
    with duckdb.connect(str(path), read_only=True) as con:
        for name in SNAPSHOTS:
            table = f"dev_snapshots.{name}"
            key = SNAPSHOT_KEYS[name]
            duplicates += con.execute(
                f"select count(*) - count(distinct dbt_scd_id) from {table}"
            ).fetchone()[0]
            overlaps += con.execute(
                f"""select count(*) from {table} a join {table} b
                    on a.{key} = b.{key} and a.dbt_scd_id < b.dbt_scd_id
                    and a.dbt_valid_from < coalesce(b.dbt_valid_to, 'infinity'::timestamp)
                    and b.dbt_valid_from < coalesce(a.dbt_valid_to, 'infinity'::timestamp)"""
            ).fetchone()[0]
            overlaps += con.execute(
                f"select count(*) from {table} where dbt_valid_to <= dbt_valid_from"
            ).fetchone()[0]
    return duplicates, overlaps


def trial(
    bench: Bench,
    n: int,
    command: tuple[str, ...],
    start: Path,
    reference: Rows,
    duration: float,
    rng: random.Random,
) -> Outcome:
    path = bench.copy(start, f"run-{n:02d}")
    before = published(path)
    # a little past the uninterrupted duration too, so the last moments (publication, the run
    # history) are hit even when this run is slower than the measured one
    killed_after = round(rng.uniform(0.2, duration * LATE), 2)
    process = bench.greenery(path, *command)
    time.sleep(killed_after)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()
    now = published(path)
    after_kill = "old" if now == before else "new" if now == reference else "MIXED"
    code, _ = bench.run(path, *command)
    duplicates, overlaps = snapshot_defects(path)
    outcome = Outcome(
        n,
        command[0],
        killed_after,
        after_kill,
        code,
        duplicates,
        overlaps,
        published(path) == reference,
    )
    shutil.rmtree(path.parent, ignore_errors=True)
    return outcome


def prepare(bench: Bench, say: Callable[[str], None]) -> tuple[Path, Path, Path, float, float]:
    """The one-week warehouse built, then replayed, then after a run-job; commands' durations."""
    base = bench.root / "base" / "greenery.duckdb"
    base.parent.mkdir()
    for args in (("load", "--weeks", "1"), ("build",)):
        code, _ = bench.run(base, *args)
        if code != 0:
            raise SystemExit(f"greenery {' '.join(args)} failed with exit {code}")
    replayed = bench.copy(base, "replayed")
    code, replay_seconds = bench.run(replayed, *REPLAY)
    if code != 0:
        raise SystemExit(f"uninterrupted replay failed with exit {code}")
    nightly = bench.copy(replayed, "nightly")
    code, job_seconds = bench.run(nightly, *RUN_JOB)
    if code != 0:
        raise SystemExit(f"uninterrupted run-job failed with exit {code}")
    say(f"uninterrupted: replay {replay_seconds:.1f}s, run-job {job_seconds:.1f}s")
    return base, replayed, nightly, replay_seconds, job_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="greenery-kill-") as tmp:
        bench = Bench(Path(tmp))
        base, replayed, nightly, replay_seconds, job_seconds = prepare(bench, say)
        references = {REPLAY: published(replayed), RUN_JOB: published(nightly)}
        starts = {REPLAY: base, RUN_JOB: replayed}
        durations = {REPLAY: replay_seconds, RUN_JOB: job_seconds}
        outcomes = []
        for n in range(1, args.runs + 1):
            command = REPLAY if n % 2 else RUN_JOB
            outcome = trial(
                bench, n, command, starts[command], references[command], durations[command], rng
            )
            outcomes.append(outcome)
            say(
                f"run {n:2d}: {outcome.command:<8} killed after {outcome.killed_after:5.1f}s, "
                f"published {outcome.after_kill}, rerun exit {outcome.rerun_exit}, "
                f"{'clean' if outcome.clean else 'NOT CLEAN'}"
            )
    clean = sum(o.clean for o in outcomes)
    print("| command | runs | clean | old after kill | new after kill | duplicates | overlaps |")
    print("|---|---|---|---|---|---|---|")
    for command in ("replay", "run-job"):
        mine = [o for o in outcomes if o.command == command]
        print(
            f"| {command} | {len(mine)} | {sum(o.clean for o in mine)} | "
            f"{sum(o.after_kill == 'old' for o in mine)} | "
            f"{sum(o.after_kill == 'new' for o in mine)} | "
            f"{sum(o.duplicates for o in mine)} | {sum(o.overlaps for o in mine)} |"
        )
    print(f"\n{clean}/{len(outcomes)} clean")
    sys.exit(0 if clean == len(outcomes) else 1)


if __name__ == "__main__":
    main()
