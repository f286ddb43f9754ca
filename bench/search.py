"""Benchmark: search index size and query time in Chromium for synthetic halls of 1,000 and 10,000 workers.

Usage: python bench/search.py [--sizes 1000 10000] [--repeats 15] [--keep DIR]

Builds each hall (bench/build.py's generator: N workers, N/10 studios, N/20 enterprises, bodies of
about 800 characters), then prints the size of search-index.js raw and gzipped (level 6, what a
static host typically serves), the time until the search page's load event (index read and parsed from file://, one search drawn), and the median and
slowest time of a set of queries (assets/search.js, the page's matcher, ranking included; drawing
the results is not counted).  The synthetic bodies repeat a small word list, so they compress far
better than real prose: the demo hall's real-text ratio is printed for comparison.
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import REPO, make_hall  # noqa: E402  (bench/build.py's generator)

QUERIES = ["工作室", "技能", "王伟", "伟", "吉林长春", "劳动模范", "创新 成果", "高级技师 电网 检修", "没有这个词", "示范企业00012"]
FILTERS = [{}, {"region": ["浙江宁波"]}, {"collection": ["workers"], "honour": ["全国劳动模范"]}]
TIMING_JS = """([queries, filters, repeats]) => {
    const index = window.SHOWCASE_SEARCH_INDEX;
    const times = [];
    let found = 0;
    for (const q of queries) for (const f of filters) {
        for (let r = 0; r < repeats; r++) {
            const t0 = performance.now();
            found += ShowcaseSearch.search(index, q, f).entries.length;
            times.push(performance.now() - t0);
        }
    }
    for (const letters of ['W', 'WW', 'ZJ']) {
        for (let r = 0; r < repeats; r++) {
            const t0 = performance.now();
            found += ShowcaseSearch.byInitials(index, letters).entries.length;
            times.push(performance.now() - t0);
        }
    }
    return {times, found, entries: index.entries.length};
}"""


def sizes(path: Path) -> tuple[int, int]:
    """Raw and gzip (level 6) bytes of a file."""
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 6, mtime=0))


def load_and_time(output: Path, repeats: int) -> tuple[float, dict]:
    """Open the search page from the folder in Chromium; time to its load event (ms: index read and parsed, one search drawn) and query times."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto((output / "search" / "index.html").as_uri() + "?q=%E6%97%A0%E6%AD%A4%E8%AF%8D", wait_until="load")
            load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            timing = page.evaluate(TIMING_JS, [QUERIES, FILTERS, repeats])
        finally:
            browser.close()
    return load, timing


def main() -> None:
    """Build halls and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="generate halls here and keep them")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="showcase-search-bench-"))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {subprocess.run(['/usr/bin/chromium', '--version'], capture_output=True, text=True).stdout.strip()}")
    demo = base / "demo-out"
    subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(REPO), "--output", str(demo)], check=True, capture_output=True)
    raw, packed = sizes(demo / "search-index.js")
    print(f"demo hall (real text): index {raw / 1024:.0f} KB raw, {packed / 1024:.0f} KB gzip, ratio {raw / packed:.1f}")
    print(f"{'workers':>8} {'entries':>8} {'raw MB':>7} {'gzip MB':>8} {'ratio':>6} {'load ms':>8} {'median ms':>10} {'max ms':>7}")
    try:
        for size in args.sizes:
            root = base / f"hall-{size}"
            if not root.exists():
                make_hall(root, size)
            output = base / f"out-{size}"
            shutil.rmtree(output, ignore_errors=True)
            subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--output", str(output)], check=True, capture_output=True)
            raw, packed = sizes(output / "search-index.js")
            load, timing = load_and_time(output, args.repeats)
            times = timing["times"]
            print(f"{size:>8} {timing['entries']:>8} {raw / 2**20:>7.2f} {packed / 2**20:>8.2f} {raw / packed:>6.1f} {load:>8.0f} "
                  f"{statistics.median(times):>10.2f} {max(times):>7.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
