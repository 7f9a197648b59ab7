"""Benchmark: what the operations features cost a night (issue #24: at most 10 %).

The anomaly warnings (two monitoring views and a read after the night), the exports of the
saved queries, the backfill condition in the event models and the time limit all run on every
`greenery run-job`. This measures nights of this checkout against nights of --baseline-ref
(default 562b7b5, the commit before them), side by side in one run: each variant builds its own
copy of the same prepared warehouse (not timed), then both take the same nights in turn
(`greenery arrive --days 1`, the same days for both, then `greenery run-job --no-freshness`,
timed), alternating which goes first. It prints the median night of each and their ratio.

    python benchmarks/bench_ops.py                     # 13 weeks at scale 1, 5 nights: ~5 min
    python benchmarks/bench_ops.py --scale 20 --nights 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_build import GREENERY, PROJECT, baseline_checkout, environment, run


def command(checkout: Path | None, *args: str) -> tuple[list[str], dict[str, str]]:
    """The greenery command of this checkout (None) or of another one."""
    if checkout is None:
        return [GREENERY, *args], {}
    extra = {"GREENERY_PROJECT_DIR": str(checkout), "PYTHONPATH": str(checkout / "orchestrate")}
    return [sys.executable, "-m", "greenery.cli", *args], extra


def greenery(checkout: Path | None, path: Path, target: Path, *args: str) -> float:
    argv, extra = command(checkout, *args)
    seconds, _ = run(argv, environment(path, target) | extra)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-ref", default="562b7b5")
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument(
        "--nights", type=int, default=5, help="nights per variant (first not counted)"
    )
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="greenery-bench-ops-"))
    try:
        loaded = root / "loaded.duckdb"
        run([GREENERY, "load", "--warehouse", str(loaded), "--weeks", str(args.weeks),
             "--scale", str(args.scale)], environment(loaded, root / "t"))  # fmt: skip
        variants = {"now": None, args.baseline_ref: baseline_checkout(root, args.baseline_ref)}
        paths = {}
        for name, checkout in variants.items():
            folder = root / name.replace("/", "_")
            folder.mkdir()
            paths[name] = folder / "greenery.duckdb"
            shutil.copyfile(loaded, paths[name])
            greenery(checkout, paths[name], folder / "target", "build")
        nights: dict[str, list[float]] = {name: [] for name in variants}
        for night in range(args.nights):
            order = list(variants) if night % 2 == 0 else list(reversed(variants))
            for name in order:
                path, target = paths[name], paths[name].parent / "target"
                greenery(variants[name], path, target, "arrive", "--days", "1")
                nights[name].append(
                    greenery(variants[name], path, target, "run-job", "--no-freshness")
                )
        medians = {name: statistics.median(times[1:]) for name, times in nights.items()}
        now, then = medians["now"], medians[args.baseline_ref]
        print(f"nights of {args.weeks} weeks at scale {args.scale}, median of {args.nights - 1}:")
        for name, times in nights.items():
            print(
                f"  {name:>10}: {medians[name]:6.2f} s   ({', '.join(f'{t:.2f}' for t in times)})"
            )
        print(f"  ratio: {now / then:.3f} (now / {args.baseline_ref})")
    finally:
        subprocess.run(["git", "-C", str(PROJECT), "worktree", "prune"], check=False)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
