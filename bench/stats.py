"""Benchmark: the stats stage (computed figures) and drawing every chart, on synthetic halls.

Usage: python bench/stats.py [--sizes 1000 10000] [--runs 5]

Makes the same halls as bench/build.py (N workers, N/10 studios, N/20 enterprises) with the
repository's site.yaml, reads and resolves them once, then prints the best and median time of
``stats.compute`` and of rendering every chart's SVG and data table.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from build import make_hall  # noqa: E402

from showcase import charts, refs, stats  # noqa: E402
from showcase.config import load_site  # noqa: E402
from showcase.content import load_library  # noqa: E402
from showcase.errors import Report  # noqa: E402


def timed(function, runs: int) -> tuple[float, float]:
    """Best and median seconds of runs calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    """Print the timings for each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "hall"
            make_hall(root, size)
            report = Report()
            site = load_site(root, report)
            resolved = refs.resolve(load_library(site, report), report)
            figures = stats.compute(resolved)
            best, median = timed(lambda: stats.compute(resolved), args.runs)
            chart_best, chart_median = timed(lambda: [charts.chart(f, site.theme) for f in figures if f.chart], args.runs)
            rows = sum(len(f.rows) for f in figures)
            print(f"{size:>6} workers: {len(figures)} stats ({rows} chart rows): compute best {best * 1000:.1f} ms, "
                  f"median {median * 1000:.1f} ms; charts best {chart_best * 1000:.1f} ms, median {chart_median * 1000:.1f} ms")


if __name__ == "__main__":
    main()
