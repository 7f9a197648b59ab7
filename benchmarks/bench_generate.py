"""Benchmark: generate and load the sample warehouse at several shapes, side by side.

A shape is WEEKSxSCALE: weeks of history (ending with the published week) times copies of each.
Each run is a fresh process writing a fresh DuckDB file, timed from start to committed load, so
Python startup and imports are excluded but generation, expansion, validation and the atomic
publish are all included. Prints, per shape, the median wall time over the repeats, its ratio to
the first shape, events loaded per second and the worst peak RSS of the child process.

    python benchmarks/bench_generate.py                       # the default shapes, 3 repeats
    python benchmarks/bench_generate.py --shapes 1x1 52x20 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from greenery.warehouse import datasets
path, weeks, scale = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
counts = datasets.load_sample(path, scale, n_weeks=weeks)
seconds = time.perf_counter() - start
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "events": counts["events"], "rss_mb": rss_mb,
                  "file_mb": path.stat().st_size / 2**20}))
"""
DEFAULT_SHAPES = ["1x1", "1x10", "1x100", "1x1000", "13x1", "52x1", "52x20"]


def run_once(weeks: int, scale: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="greenery-bench-") as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(Path(tmp) / "bench.duckdb"), str(weeks), str(scale)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def parse_shape(text: str) -> tuple[int, int]:
    weeks, _, scale = text.lower().partition("x")
    return int(weeks), int(scale or 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=DEFAULT_SHAPES, help="WEEKSxSCALE")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    shapes = [parse_shape(s) for s in args.shapes]
    results: dict[tuple[int, int], list[dict[str, float]]] = {s: [] for s in shapes}
    for _ in range(args.repeats):  # interleaved, so drift in the machine hits every shape alike
        for weeks, scale in shapes:
            results[(weeks, scale)].append(run_once(weeks, scale))
    base = statistics.median(r["seconds"] for r in results[shapes[0]])
    print(
        f"{'weeks':>5} {'scale':>6} {'events':>10} {'median s':>9} {'x first':>8} "
        f"{'events/s':>11} {'peak RSS MB':>12} {'file MB':>8}"
    )
    for (weeks, scale), runs in results.items():
        median = statistics.median(r["seconds"] for r in runs)
        events = int(runs[0]["events"])
        print(
            f"{weeks:>5} {scale:>6} {events:>10,} {median:>9.2f} {median / base:>8.1f} "
            f"{events / median:>11,.0f} {max(r['rss_mb'] for r in runs):>12.0f} "
            f"{runs[0]['file_mb']:>8.1f}"
        )
    print(f"repeats: {args.repeats}; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
