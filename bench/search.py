"""Benchmark: search index size and query time in Chromium for synthetic halls of 1,000 and 10,000 workers.

Usage: python bench/search.py [--sizes 1000 10000] [--repeats 15] [--keep DIR]

Builds each hall (bench/build.py's generator: N workers, N/10 studios, N/20 enterprises, bodies of
about 800 characters), then prints the size raw and gzipped (level 6, what a static host typically
serves) of search-index.js — the core the search page loads at once: names, facets, initials, title pinyin,
pictures — and of the text shards (search/text-*.js) it loads on the first query with words; the
time until the search page's load event (core read and parsed from file://), the time from the
first query to full-text results (every shard read and parsed), and the median and slowest time
of a set of queries once the texts are in (assets/search.js, ranking included; drawing the results
is not counted).  The synthetic bodies repeat a small word list, so they compress far
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

QUERIES = ["工作室", "技能", "王伟", "伟", "吉林长春", "劳动模范", "创新 成果", "高级技师 电网 检修", "没有这个词", "示范企业00012",
           "wangwei", "zy"]  # the last two: letters typed without choosing characters (pinyin, initials)
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


LOAD_TEXTS_JS = """() => new Promise((done) => {
    const t0 = performance.now();
    ShowcaseSearch.loadTexts(window.SHOWCASE_SEARCH_INDEX, '../', (ok) => done(ok ? performance.now() - t0 : -1));
})"""


def sizes(*paths: Path) -> tuple[int, int]:
    """Raw and gzip (level 6) bytes of files, summed (each compressed on its own, as a host serves them)."""
    datas = [path.read_bytes() for path in paths]
    return sum(map(len, datas)), sum(len(gzip.compress(data, 6, mtime=0)) for data in datas)


def shard_files(output: Path) -> list[Path]:
    """The text shards of a built site."""
    return sorted((output / "search").glob("text-*.js"))


def load_and_time(output: Path, repeats: int) -> tuple[float, float, dict]:
    """Open the search page from the folder in Chromium: ms to its load event, ms to load every text shard, query times."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto((output / "search" / "index.html").as_uri(), wait_until="load")
            load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            texts = page.evaluate(LOAD_TEXTS_JS)
            timing = page.evaluate(TIMING_JS, [QUERIES, FILTERS, repeats])
        finally:
            browser.close()
    return load, texts, timing


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
    raw, packed = sizes(*shard_files(demo))
    print(f"demo hall (real text): text shards {raw / 1024:.0f} KB raw, {packed / 1024:.0f} KB gzip, ratio {raw / packed:.1f}")
    print(f"{'workers':>8} {'entries':>8} {'core MB':>8} {'gzip':>6} {'shards':>7} {'text MB':>8} {'gzip':>6} "
          f"{'load ms':>8} {'texts ms':>9} {'median ms':>10} {'max ms':>7}")
    try:
        for size in args.sizes:
            root = base / f"hall-{size}"
            if not root.exists():
                make_hall(root, size)
            output = base / f"out-{size}"
            shutil.rmtree(output, ignore_errors=True)
            subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--output", str(output)], check=True, capture_output=True)
            raw, packed = sizes(output / "search-index.js")
            shards = shard_files(output)
            text_raw, text_packed = sizes(*shards)
            load, texts, timing = load_and_time(output, args.repeats)
            times = timing["times"]
            print(f"{size:>8} {timing['entries']:>8} {raw / 2**20:>8.2f} {packed / 2**20:>6.2f} {len(shards):>7} "
                  f"{text_raw / 2**20:>8.2f} {text_packed / 2**20:>6.2f} {load:>8.0f} {texts:>9.0f} "
                  f"{statistics.median(times):>10.2f} {max(times):>7.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
