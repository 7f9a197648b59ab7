"""Benchmark: generate and load the sample warehouse at several scales, side by side.

Each run is a fresh process writing a fresh DuckDB file, timed from start to committed load, so
Python startup and imports are excluded but generation, expansion, validation and the atomic
publish are all included. Prints, per scale, the median wall time over the repeats, its ratio to
scale 1, events loaded per second and the worst peak RSS of the child process.

    python benchmarks/bench_generate.py                 # scales 1 10 100 1000, 3 repeats
    python benchmarks/bench_generate.py --scales 1 1000 --repeats 5
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
from greenery import warehouse
path, scale = Path(sys.argv[1]), int(sys.argv[2])
start = time.perf_counter()
counts = warehouse.load_sample(path, scale)
seconds = time.perf_counter() - start
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "events": counts["events"], "rss_mb": rss_mb,
                  "file_mb": path.stat().st_size / 2**20}))
"""


def run_once(scale: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="greenery-bench-") as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(Path(tmp) / "bench.duckdb"), str(scale)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results: dict[int, list[dict[str, float]]] = {s: [] for s in args.scales}
    for _ in range(args.repeats):  # interleaved, so drift in the machine hits every scale alike
        for scale in args.scales:
            results[scale].append(run_once(scale))
    base = statistics.median(r["seconds"] for r in results[args.scales[0]])
    print(
        f"{'scale':>6} {'events':>10} {'median s':>9} {'x first':>8} {'events/s':>11} "
        f"{'peak RSS MB':>12} {'file MB':>8}"
    )
    for scale, runs in results.items():
        median = statistics.median(r["seconds"] for r in runs)
        events = int(runs[0]["events"])
        print(
            f"{scale:>6} {events:>10} {median:>9.2f} {median / base:>8.1f} "
            f"{events / median:>11,.0f} {max(r['rss_mb'] for r in runs):>12.0f} "
            f"{runs[0]['file_mb']:>8.1f}"
        )
    print(f"repeats: {args.repeats}; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
