"""Benchmark: what a night costs against a full build, at several sizes of history, and the
builds against what bounds them. One command, one run, every measure taken in it, side by side
(medians of --repeats; each a fresh process on a fresh copy of a prepared warehouse; peak RSS of
that process):

1. nights: on 13 and 52 weeks at --night-scale (20: the same daily volume, four times the
   history) and on 52 weeks at --deep-scale (100): the full `greenery build`, then three nights
   (`greenery arrive --days 1`, then `greenery run-job --no-freshness`); a night's measure is
   the mean of the second and third (the first night after a build also writes the catalog);
2. the first `greenery build` of a new warehouse (13 weeks, what the README's first command
   runs) against the same command at --baseline-ref, alternated (issue #22's cost bound);
3. the scale-1 `greenery build` (one week) against jaffle_shop_duckdb's `dbt build`, both at 2
   threads, alternated (--jaffle-shop: a checkout of github:dbt-labs/jaffle_shop_duckdb; the
   benchmark never copies it, it runs it where it is);
4. full builds at --big-scale (1000) and, once, at --huge-scale (10000);
5. staging a night: the copy of the deep warehouse file, as a whole copy and, where the
   machine can mount one, on a reflink file system (--reflink-dir, e.g. an XFS mount).

    python benchmarks/bench_build.py --jaffle-shop /tmp/jaffle_shop_duckdb      # about 1 hour
    python benchmarks/bench_build.py --repeats 1 --deep-scale 0 --huge-scale 0   # a quick look
    python benchmarks/bench_build.py --phases      # also the model and test phases of #11
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
    """A loaded history: its full build, then three nights (arrive 1 day + run-job); the night
    measured is the mean of the second and the third."""
    path = fresh_copy(source, root)
    env = environment(path, root / "target")
    full, full_rss = run([GREENERY, "build"], env)
    nights, arrivals, rss = [], [], 0.0
    for _ in range(3):
        arrive, _ = run([GREENERY, "arrive", "--days", "1"], env)
        job, job_rss = run([GREENERY, "run-job", "--no-freshness"], env)
        nights.append(arrive + job)
        arrivals.append(arrive)
        rss = max(rss, job_rss)
    night = statistics.mean(nights[1:])
    return Run(night, rss, {"full": full, "full_rss": full_rss, "nights": nights})


def first_build(root: Path, project: Path | None = None) -> Run:
    """The README's first command on a new warehouse: `greenery build` loads a quarter of the
    sample (its snapshot history too) and builds it; `project`: another checkout's package."""
    folder = root / "first"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    env = environment(folder / "greenery.duckdb", root / "target-first")
    command = [GREENERY, "build"]
    if project is not None:
        env |= {"GREENERY_PROJECT_DIR": str(project), "PYTHONPATH": str(project / "orchestrate")}
        command = [sys.executable, "-m", "greenery.cli", "build"]
    seconds, rss = run(command, env)
    return Run(seconds, rss, {})


def baseline_checkout(root: Path, ref: str) -> Path:
    """A detached worktree of this repository at `ref`, for the side-by-side first build."""
    folder = root / "baseline"
    subprocess.run(
        ["git", "-C", str(PROJECT), "worktree", "add", "--detach", "--force", str(folder), ref],
        check=True,
        capture_output=True,
    )
    return folder


def jaffle_build(root: Path, jaffle: Path) -> Run:
    """jaffle_shop_duckdb's `dbt build` at 2 threads, its database new, where it is checked out
    (its own profile); what it writes goes to a scratch folder."""
    folder = root / "jaffle"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    dbt = str(Path(sys.executable).with_name("dbt"))
    command = [
        dbt, "build", "--threads", "2", "--project-dir", str(jaffle), "--profiles-dir",
        str(jaffle), "--target-path", str(folder / "target"), "--log-path", str(folder / "logs"),
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=folder, env={**os.environ, "DBT_TARGET_PATH": str(folder / "target")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"jaffle_shop's dbt build exited {os.waitstatus_to_exitcode(status)}")
    return Run(seconds, usage.ru_maxrss / 1024, {})


def staging(source: Path, folder: Path) -> Run:
    """Staging a night's copy of `source` into `folder` the way write-audit-publish does."""
    sys.path.insert(0, str(PROJECT / "orchestrate"))
    from greenery.warehouse import wap

    folder.mkdir(parents=True, exist_ok=True)
    original = folder / "source.duckdb"
    if source.parent != folder:
        shutil.copyfile(source, original)
    else:
        original = source
    target = folder / "staged.duckdb"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    how = wap.clone(original, target)
    seconds = time.perf_counter() - started
    size = original.stat().st_size
    target.unlink()
    if original != source:
        original.unlink()
    return Run(seconds, 0.0, {"how": how, "mb": size / 2**20})


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
    parser.add_argument("--night-scale", type=int, default=20)
    parser.add_argument("--deep-scale", type=int, default=100, help="0: skip")
    parser.add_argument("--big-scale", type=int, default=1000)
    parser.add_argument("--huge-scale", type=int, default=10000, help="0: skip; built once")
    parser.add_argument("--baseline-ref", default="d37a90b", help="0: skip the first build")
    parser.add_argument("--jaffle-shop", type=Path, default=None, help="its checkout")
    parser.add_argument("--reflink-dir", type=Path, default=None, help="a reflink file system")
    parser.add_argument("--phases", action="store_true", help="the model and test phases too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenery-bench-build-") as tmp:
        root = Path(tmp)
        rows = side_by_side(root, args)
        if args.phases:
            print_rows(phase_rows(root, args))
        if args.huge_scale:
            one = huge(root, args.huge_scale)
            big = statistics.median(r for r in rows.big_builds)
            print_rows(
                [
                    (f"greenery build, scale {args.huge_scale} (once)", one.seconds,
                     f"{one.seconds / big:.1f}x scale {args.big_scale}", one.rss_mb),
                    (f"  greenery load, scale {args.huge_scale} (once, not in the build)",
                     one.detail["load"], f"{one.detail['events'] / 1e6:.1f} M events",
                     one.detail["load_rss"]),
                ]
            )  # fmt: skip
        if args.baseline_ref != "0" and (root / "baseline").exists():
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(PROJECT),
                    "worktree",
                    "remove",
                    "--force",
                    str(root / "baseline"),
                ],
                check=False,
                capture_output=True,
            )


class Measured(NamedTuple):
    rows: list[tuple[str, float, str, float | None]]
    big_builds: list[float]


def side_by_side(root: Path, args: argparse.Namespace) -> Measured:
    """Every measure but the huge build, interleaved repeat by repeat, then their table."""
    scale = str(args.night_scale)
    histories = {
        f"13 weeks x{scale}": prepared(root, "quarter", "--weeks", "13", "--scale", scale),
        f"52 weeks x{scale}": prepared(root, "year", "--weeks", "52", "--scale", scale),
    }
    if args.deep_scale:
        deep = str(args.deep_scale)
        histories[f"52 weeks x{deep}"] = prepared(root, "deep", "--weeks", "52", "--scale", deep)
    small = prepared(root, "small", "--weeks", "1")
    big = prepared(root, "big", "--weeks", "1", "--scale", str(args.big_scale))
    baseline = baseline_checkout(root, args.baseline_ref) if args.baseline_ref != "0" else None
    nights: dict[str, list[Run]] = {name: [] for name in histories}
    firsts: dict[str, list[Run]] = {"now": [], "baseline": []}
    smalls: list[Run] = []
    jaffles: list[Run] = []
    bigs: list[Run] = []
    for _ in range(args.repeats):  # interleaved: drift in the machine hits every measure
        for name, source in histories.items():
            nights[name].append(nightly(source, root))
        if baseline is not None:
            firsts["now"].append(first_build(root))
            firsts["baseline"].append(first_build(root, baseline))
        smalls.append(full_build(small, root))
        if args.jaffle_shop is not None:
            jaffles.append(jaffle_build(root, args.jaffle_shop))
        bigs.append(full_build(big, root))
    deepest = histories[list(histories)[-1]]
    stage = [staging(deepest, root / "stage")]
    if args.reflink_dir is not None:
        stage.append(staging(deepest, args.reflink_dir))
    rows = night_rows(nights)
    if baseline is not None:
        now, then = medians(firsts["now"], seconds), medians(firsts["baseline"], seconds)
        rows += [
            ("first greenery build (13 weeks, with snapshot history)", now,
             f"{now / then:.2f}x {args.baseline_ref}'s", peak(firsts["now"])),
            (f"  the same at {args.baseline_ref}", then, "", peak(firsts["baseline"])),
        ]  # fmt: skip
    one = medians(smalls, seconds)
    rows.append(("greenery build, scale 1 (one week)", one, "", peak(smalls)))
    if jaffles:
        theirs = medians(jaffles, seconds)
        rows[-1] = (rows[-1][0], one, f"{one / theirs:.1f}x jaffle_shop", peak(smalls))
        rows.append(("  jaffle_shop_duckdb's dbt build, 2 threads", theirs, "", peak(jaffles)))
    rows.append((f"greenery build, scale {args.big_scale}", medians(bigs, seconds), "", peak(bigs)))
    for one_stage in stage:
        rows.append(
            (f"staging a night: {one_stage.detail['how']} of the deepest file "
             f"({one_stage.detail['mb']:,.0f} MB)", one_stage.seconds, "", None)
        )  # fmt: skip
    print("| measure | median s | ratio | peak RSS MB |\n|---|---:|---:|---:|")
    print_rows(rows)
    print(f"\nrepeats: {args.repeats}; python {sys.version.split()[0]}; cores: {os.cpu_count()}")
    for path in (*histories.values(), small, big):
        path.unlink()
    return Measured(rows, [r.seconds for r in bigs])


def seconds(r: Run) -> float:
    return r.seconds


def peak(runs: list[Run], key: Callable[[Run], float] = lambda r: r.rss_mb) -> float:
    return max(key(r) for r in runs)


def night_rows(nights: dict[str, list[Run]]) -> list[tuple[str, float, str, float | None]]:
    """Each history's full build and night; the year's night against the quarter's, at the same
    scale (the first two histories)."""
    rows: list[tuple[str, float, str, float | None]] = []
    for name, runs in nights.items():
        full = medians(runs, lambda r: r.detail["full"])
        full_rss = peak(runs, lambda r: r.detail["full_rss"])
        rows.append((f"{name}: full greenery build", full, "", full_rss))
        share = medians(runs, lambda r: r.seconds / r.detail["full"])
        rows.append(
            (f"{name}: one night (arrive + run-job)", medians(runs, seconds),
             f"{share:.0%} of full", peak(runs))
        )  # fmt: skip
    quarter, year = list(nights)[:2]
    ratio = medians(nights[year], seconds) / medians(nights[quarter], seconds)
    rows.append((f"night on {year} against {quarter}", ratio, f"{ratio:.2f}x", None))
    return rows


def phase_rows(root: Path, args: argparse.Namespace) -> list[tuple[str, float, str, float | None]]:
    """The model and test phases against bare DuckDB (issue #11's measures), at scale 1."""
    small = prepared(root, "phases", "--weeks", "1")
    runs = [model_phase(small, root) for _ in range(args.repeats)]
    small.unlink()

    def bare(r: Run) -> float:
        return r.detail["bare"]

    return [
        ("model phase (dbt run), scale 1", medians(runs, seconds),
         f"{medians(runs, lambda r: r.seconds / bare(r)):.0f}x bare", peak(runs)),
        ("  the same SQL in bare DuckDB", medians(runs, bare), "", None),
        ("test phase (dbt test), scale 1, failing rows stored",
         medians(runs, lambda r: r.detail["tests_stored"]),
         f"{medians(runs, lambda r: r.detail['tests_stored'] / r.detail['tests_unstored']):.2f}x"
         " not stored", None),
    ]  # fmt: skip


def print_rows(rows: list[tuple[str, float, str, float | None]]) -> None:
    for name, value, ratio, rss in rows:
        print(f"| {name} | {value:.2f} | {ratio} | {'' if rss is None else f'{rss:,.0f}'} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
