"""Benchmark: the build side by side with what DuckDB alone does, and a night against a full build.

One command, one run, every measure taken in it (medians of --repeats, each a fresh process on a
fresh copy of a prepared warehouse, peak RSS of that process):

1. `greenery build` on a new warehouse at scale 1 and at --big-scale (default 1000): the whole
   main job, snapshots, models and tests, as a user runs it;
2. the model phase (`dbt run --full-refresh`, dbt's own elapsed time) against the same compiled
   SQL executed model by model in one bare DuckDB connection; and the test phase (`dbt test`)
   with every test's failing rows stored, as the project does, against the same tests without;
3. the session and funnel models (fct_sessions, fct_session_products and the two weekly
   funnels, as timed by dbt) against one hand-written query computing both funnels from the raw
   events;
4. on a year of history (`--weeks 52 --scale 20`): its full `greenery build` against one night,
   `greenery arrive --days 1` then `greenery run-job --no-freshness`; and what bounds a night,
   dbt's cost per node: the model and test phases at scale 1 (where the data is a few thousand
   rows) against the same SQL in bare DuckDB, and the scale-1 build as a share of the year's;
5. with `--huge-scale N` (e.g. 10000, 35 million events): `greenery load` and one `greenery build`
   at that scale, once (each takes minutes), for its time and peak memory.

    python benchmarks/bench_build.py                  # 1-4, 3 repeats (about 20 minutes)
    python benchmarks/bench_build.py --repeats 1 --big-scale 100 --year-scale 2   # a quick look
    python benchmarks/bench_build.py --huge-scale 10000   # and scale 10000 (about 10 more)
    python benchmarks/bench_build.py --huge-scale 10000 --huge-only   # scale 10000 alone
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

PROJECT = Path(__file__).resolve().parents[1]
GREENERY = str(Path(sys.executable).with_name("greenery"))
SESSION_AND_FUNNEL = (
    "fct_sessions",
    "fct_session_products",
    "f_weekly_sales_funnel",
    "f_weekly_product_sales_funnel",
)
HAND_WRITTEN_FUNNELS = """
with sessions as (
    select session_id, min(created_at) as started_at,
           bool_or(event_type = 'page_view') as viewed,
           bool_or(event_type = 'add_to_cart') as added,
           bool_or(event_type = 'checkout') as bought,
           bool_or(event_type = 'package_shipped') as shipped,
           max(case when event_type = 'checkout' then order_id end) as order_id
    from raw.events group by session_id
),
session_products as (
    select session_id, product_id,
           bool_or(event_type = 'page_view') as viewed, bool_or(event_type = 'add_to_cart') as added
    from raw.events where product_id is not null group by all
),
purchases as (
    select s.session_id, i.product_id from sessions as s
    join raw.order_items as i on i.order_id = s.order_id
)
select 'overall', date_trunc('week', started_at), null, count(*), count_if(viewed), count_if(added),
       count_if(bought), count_if(shipped)
from sessions group by all
union all
select 'product', date_trunc('week', s.started_at), p.product_id, null, count_if(p.viewed),
       count_if(p.added), count(b.session_id), null
from session_products as p join sessions as s using (session_id)
left join purchases as b on b.session_id = p.session_id and b.product_id = p.product_id
group by all
"""


class Run(NamedTuple):
    seconds: float
    rss_mb: float
    detail: dict[str, Any]


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; its wall seconds and the peak RSS of its process (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} exited {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024


def environment(path: Path, target_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GREENERY_DUCKDB_PATH": str(path),
        "DBT_TARGET_PATH": str(target_dir),
        "GREENERY_PACKAGES": os.environ.get("GREENERY_PACKAGES", "auto"),
    }


def prepared(root: Path, name: str, *load_args: str) -> Path:
    """A warehouse loaded once (not timed), copied afresh for every timed run."""
    path = root / f"{name}.duckdb"
    run([GREENERY, "load", "--warehouse", str(path), *load_args], dict(os.environ))
    return path


def fresh_copy(source: Path, root: Path) -> Path:
    target = root / "run.duckdb"
    for old in (target, target.with_suffix(".duckdb.wal")):
        old.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def run_results(target_dir: Path) -> dict[str, Any]:
    return json.loads((target_dir / "run_results.json").read_text())


def model_seconds(results: dict[str, Any], names: tuple[str, ...]) -> float:
    """The models' seconds, every version of a versioned one (model.greenery.<name>[.v<n>])."""
    return sum(
        r["execution_time"] for r in results["results"] if r["unique_id"].split(".")[2] in names
    )


# ---------------------------------------------------------------------------- measures
def full_build(source: Path, root: Path) -> Run:
    path = fresh_copy(source, root)
    seconds, rss = run([GREENERY, "build"], environment(path, root / "target"))
    results = run_results(root / "target")
    return Run(seconds, rss, {"nodes": len(results["results"])})


def model_phase(source: Path, root: Path) -> Run:
    """`dbt run --full-refresh` (after one build), then the same SQL in bare DuckDB."""
    path = fresh_copy(source, root)
    env = environment(path, root / "target")
    run([GREENERY, "build"], env)  # snapshots exist, packages installed
    dbt = str(Path(sys.executable).with_name("dbt"))
    seconds, rss = run([dbt, "run", "--full-refresh", "--profiles-dir", str(PROJECT)], env)
    results = run_results(root / "target")
    manifest = json.loads((root / "target" / "manifest.json").read_text())
    order = [r["unique_id"] for r in results["results"]]
    # in a process of its own: the peak RSS the kernel reports for a child includes its parent's
    # at the fork (it survives exec), so this process must never hold DuckDB's memory
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        bare, hand = pool.apply(bare_and_hand_written, (path, manifest, order, root / "target"))
    funnels = model_seconds(results, SESSION_AND_FUNNEL)
    tests = {}
    for stored in (True, False):  # the test phase with and without failing rows kept
        store = json.dumps({"store_test_failures": stored})
        run([dbt, "test", "--profiles-dir", str(PROJECT), "--vars", store], env)
        tests[stored] = run_results(root / "target")["elapsed_time"]
    return Run(
        results["elapsed_time"],
        rss,
        {
            "wall": seconds,
            "bare": bare,
            "session_and_funnel": funnels,
            "hand_written": hand,
            "tests_stored": tests[True],
            "tests_unstored": tests[False],
        },
    )


def bare_duckdb(path: Path, manifest: dict[str, Any], order: list[str], target: Path) -> float:
    """Every model's compiled SQL, in dbt's order, as create table/view in one connection."""
    con = duckdb.connect(str(path))
    con.execute("set memory_limit = '1500MB'")
    con.execute("set enable_progress_bar = false")
    total = 0.0
    for unique_id in order:
        node = manifest["nodes"][unique_id]
        compiled = target / "compiled" / node["package_name"] / node["original_file_path"]
        sql = compiled.read_text()
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        relation = f'"{node["database"]}"."{node["schema"]}"."{node["alias"]}_bare"'
        started = time.perf_counter()
        con.execute(f"create or replace {kind} {relation} as {sql}")
        total += time.perf_counter() - started
    con.close()
    return total


def bare_and_hand_written(
    path: Path, manifest: dict[str, Any], order: list[str], target: Path
) -> tuple[float, float]:
    return bare_duckdb(path, manifest, order, target), hand_written(path)


def hand_written(path: Path) -> float:
    con = duckdb.connect(str(path))
    con.execute("set memory_limit = '1500MB'")
    con.execute("set enable_progress_bar = false")
    started = time.perf_counter()
    con.execute(HAND_WRITTEN_FUNNELS).fetchall()
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def nightly(source: Path, root: Path) -> Run:
    """A built year of history: one night (arrive 1 day + run-job) against its full build."""
    path = fresh_copy(source, root)
    env = environment(path, root / "target")
    full, full_rss = run([GREENERY, "build"], env)
    arrive, _ = run([GREENERY, "arrive", "--days", "1"], env)
    job, job_rss = run([GREENERY, "run-job", "--no-freshness"], env)
    return Run(job, job_rss, {"full": full, "full_rss": full_rss, "arrive": arrive})


def huge(root: Path, scale: int) -> Run:
    """Load and build once at a scale that takes minutes: its time and peak memory."""
    path = root / "huge.duckdb"
    env = dict(os.environ)
    load_args = ["load", "--warehouse", str(path), "--weeks", "1", "--scale", str(scale)]
    load, load_rss = run([GREENERY, *load_args], env)
    seconds, rss = run([GREENERY, "build"], environment(path, root / "target"))
    events = duckdb.connect(str(path), read_only=True)
    (n_events,) = events.execute("select count(*) from raw.events").fetchone()
    events.close()
    path.unlink()
    return Run(seconds, rss, {"load": load, "load_rss": load_rss, "events": n_events})


def medians(runs: list[Run], key: Callable[[Run], float]) -> float:
    return statistics.median(key(r) for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--big-scale", type=int, default=1000)
    parser.add_argument("--year-scale", type=int, default=20)
    parser.add_argument("--huge-scale", type=int, default=0, help="also load and build once")
    parser.add_argument(
        "--huge-only", action="store_true", help="only the --huge-scale load and build"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenery-bench-build-") as tmp:
        root = Path(tmp)
        if not args.huge_only:
            side_by_side(root, args)
        if args.huge_scale:
            print(f"\nscale {args.huge_scale}, once:\n| measure | s | | peak RSS MB |")
            print_rows(huge_rows(huge(root, args.huge_scale), args.huge_scale))


def side_by_side(root: Path, args: argparse.Namespace) -> None:
    """Measures 1-4, interleaved, then their table."""
    small = prepared(root, "scale1", "--weeks", "1")
    big = prepared(root, "big", "--weeks", "1", "--scale", str(args.big_scale))
    year = prepared(root, "year", "--weeks", "52", "--scale", str(args.year_scale))
    measured: dict[str, list[Run]] = {
        "small": [],
        "big": [],
        "models": [],
        "small_models": [],
        "night": [],
    }
    for _ in range(args.repeats):  # interleaved: drift in the machine hits every measure
        measured["small"].append(full_build(small, root))
        measured["big"].append(full_build(big, root))
        measured["models"].append(model_phase(big, root))
        measured["small_models"].append(model_phase(small, root))
        measured["night"].append(nightly(year, root))
    report(measured, args)  # before the long measure: a stopped run still has its table
    for name in (small, big, year):  # room on disk for the huge one
        name.unlink()


def huge_rows(one: Run, scale: int) -> list[tuple[str, float, str, float | None]]:
    events = f"{one.detail['events'] / 1e6:.1f} M events"
    return [
        (
            f"greenery load, scale {scale} (once)",
            one.detail["load"],
            events,
            one.detail["load_rss"],
        ),
        (f"greenery build, scale {scale} (once)", one.seconds, "", one.rss_mb),
    ]


def print_rows(rows: list[tuple[str, float, str, float | None]]) -> None:
    for name, seconds, ratio, rss in rows:
        print(f"| {name} | {seconds:.2f} | {ratio} | {'' if rss is None else f'{rss:,.0f}'} |")
    sys.stdout.flush()


def report(measured: dict[str, list[Run]], args: argparse.Namespace) -> None:
    small, big = measured["small"], measured["big"]
    models, night = measured["models"], measured["night"]
    small_models = measured["small_models"]

    def peak(runs: list[Run], key: Callable[[Run], float] = lambda r: r.rss_mb) -> float:
        return max(key(r) for r in runs)

    def bare(r: Run) -> float:
        return r.detail["bare"]

    def funnels(r: Run) -> float:
        return r.detail["session_and_funnel"]

    def hand(r: Run) -> float:
        return r.detail["hand_written"]

    def stored_ratio(r: Run) -> float:
        return r.detail["tests_stored"] / r.detail["tests_unstored"]

    def one_night(r: Run) -> float:
        return r.seconds + r.detail["arrive"]

    def full(r: Run) -> float:
        return r.detail["full"]

    big_name = f"scale {args.big_scale}"
    rows = [
        ("greenery build, scale 1", medians(small, lambda r: r.seconds), "", peak(small)),
        (f"greenery build, {big_name}", medians(big, lambda r: r.seconds), "", peak(big)),
        (
            f"model phase (dbt run), {big_name}",
            medians(models, lambda r: r.seconds),
            f"{medians(models, lambda r: r.seconds / bare(r)):.2f}x bare",
            peak(models),
        ),
        ("  the same SQL in bare DuckDB", medians(models, bare), "", None),
        (
            "session and funnel models",
            medians(models, funnels),
            f"{medians(models, lambda r: funnels(r) / hand(r)):.1f}x hand-written",
            None,
        ),
        ("  one hand-written query", medians(models, hand), "", None),
        (
            f"test phase (dbt test), {big_name}, failing rows stored",
            medians(models, lambda r: r.detail["tests_stored"]),
            f"{medians(models, stored_ratio):.2f}x not stored",
            None,
        ),
        (
            "  the same tests, failing rows not stored",
            medians(models, lambda r: r.detail["tests_unstored"]),
            "",
            None,
        ),
        (
            f"year ({args.year_scale}x): full greenery build",
            medians(night, full),
            "",
            peak(night, lambda r: r.detail["full_rss"]),
        ),
        (
            "year: one night (arrive + run-job)",
            medians(night, one_night),
            f"{medians(night, lambda r: one_night(r) / full(r)):.0%} of full",
            peak(night),
        ),
        # what bounds a night: dbt's own cost per node, which the data's size does not change
        (
            "model phase (dbt run), scale 1",
            medians(small_models, lambda r: r.seconds),
            f"{medians(small_models, lambda r: r.seconds / bare(r)):.0f}x bare",
            peak(small_models),
        ),
        ("  the same SQL in bare DuckDB, scale 1", medians(small_models, bare), "", None),
        (
            "test phase (dbt test), scale 1, failing rows stored",
            medians(small_models, lambda r: r.detail["tests_stored"]),
            f"{medians(small_models, stored_ratio):.2f}x not stored",
            None,
        ),
        (
            "the scale-1 build against the year's full build",
            medians(small, lambda r: r.seconds),
            f"{medians(small, lambda r: r.seconds) / medians(night, full):.0%} of full",
            None,
        ),
    ]
    print("| measure | median s | ratio | peak RSS MB |\n|---|---:|---:|---:|")
    print_rows(rows)
    print(f"\nrepeats: {args.repeats}; python {sys.version.split()[0]}; cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
