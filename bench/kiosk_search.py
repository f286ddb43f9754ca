"""Benchmark: the kiosk's 找人 page (keypad, facet buttons, cards) in Chromium for synthetic halls.

Usage: python bench/kiosk_search.py [--sizes 1000 10000] [--rounds 5] [--keep DIR]

Builds the kiosk edition of each hall (bench/build.py's generator) and opens search/ from the folder
on a 1920×1080 screen.  Prints the time to the page's load event (index read and parsed, the full
list drawn) and, per tap, the time from the tap's click to the page drawn again (search, keys,
facet buttons and up to 24 cards, style and layout included; measured inside the page with
performance.now()) over rounds of taps: letters, 删除, 清除, opening facets and choosing values.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import REPO, make_hall  # noqa: E402  (bench/build.py's generator)

TAPS = ['[data-letter="W"]', '[data-letter="W"]', '[data-key="back"]', '[data-letter="Z"]', '[data-key="clear"]',
        '.finder-tab[data-facet="region"]', '.finder-value[data-value]:not([disabled])',
        '.finder-tab[data-facet="industry"]', '.finder-value[data-value]:not([disabled])', '[data-letter="Z"]',
        '.finder-reset', '[data-key="clear"]']
TIMING_JS = """([taps, rounds]) => {
    const times = [];
    for (let r = 0; r < rounds; r++) for (const selector of taps) {
        const button = document.querySelector(selector);
        if (!button) continue;
        const t0 = performance.now();
        button.click();
        void document.body.offsetHeight;   // style and layout of what was drawn
        times.push(performance.now() - t0);
    }
    return {times, entries: window.SHOWCASE_SEARCH_INDEX.entries.length};
}"""


def load_and_time(output: Path, rounds: int) -> tuple[float, dict]:
    """Open the 找人 page from the folder; its load event (ms) and the tap times."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080}, has_touch=True)
            page.goto((output / "search" / "index.html").as_uri(), wait_until="load")
            load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            timing = page.evaluate(TIMING_JS, [TAPS, rounds])
        finally:
            browser.close()
    return load, timing


def main() -> None:
    """Build kiosk editions of synthetic halls and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="generate halls here and keep them")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="showcase-kiosk-search-bench-"))
    version = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {version}")
    print(f"{'workers':>8} {'entries':>8} {'load ms':>8} {'taps':>5} {'median ms':>10} {'max ms':>7}")
    try:
        for size in args.sizes:
            root = base / f"hall-{size}"
            if not root.exists():
                make_hall(root, size)
            output = base / f"kiosk-{size}"
            shutil.rmtree(output, ignore_errors=True)
            subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--kiosk", "--output", str(output)],
                           check=True, capture_output=True)
            load, timing = load_and_time(output, args.rounds)
            times = timing["times"]
            print(f"{size:>8} {timing['entries']:>8} {load:>8.0f} {len(times):>5} {statistics.median(times):>10.2f} {max(times):>7.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
