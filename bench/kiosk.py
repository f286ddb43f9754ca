"""Benchmark: what the kiosk edition costs over the web edition.

Usage: python bench/kiosk.py [--sizes 1000] [--runs 3]

For the demo hall and synthetic halls of N workers (bench/build.py's generator), prints the best of
--runs clean builds of the web edition and of the kiosk edition (python build.py --kiosk) into a
RAM-backed folder, the pages built, and the average size of an HTML page in each edition (the
kiosk one carries an inline SVG QR code per page).  Also times drawing one QR code with segno.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from build import make_hall  # noqa: E402  (bench/build.py)
from showcase.kiosk import qr_svg  # noqa: E402


def best_build(root: Path, out: Path, runs: int, *args: str) -> float:
    """Best wall time of runs clean builds of root into out."""
    times = []
    for _ in range(runs):
        subprocess.run(["rm", "-rf", str(out)], check=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--output", str(out), *args],
                              capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    return min(times)


def page_stats(out: Path) -> tuple[int, float]:
    """Number of HTML pages and their average size in kB."""
    pages = list(out.rglob("*.html"))
    return len(pages), sum(p.stat().st_size for p in pages) / len(pages) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    per_qr = min(timeit.repeat(lambda: qr_svg("https://example.org/zhanting/workers/zhang-wenbo/", "二维码"), number=200, repeat=3)) / 200
    print(f"one QR code (segno, inline SVG): {per_qr * 1000:.2f} ms")
    print(f"{'hall':>12} {'pages':>6} {'web build':>10} {'kiosk build':>12} {'web page':>9} {'kiosk page':>11}")
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=ram) as tmp:
        halls = [("demo", REPO)]
        for size in args.sizes:
            root = Path(tmp) / f"hall{size}"
            make_hall(root, size)
            halls.append((f"{size} workers", root))
        for name, root in halls:
            web = best_build(root, Path(tmp) / "web", args.runs)
            kiosk = best_build(root, Path(tmp) / "kiosk", args.runs, "--kiosk")
            pages, web_kb = page_stats(Path(tmp) / "web")
            _, kiosk_kb = page_stats(Path(tmp) / "kiosk")
            print(f"{name:>12} {pages:>6} {web:>9.2f}s {kiosk:>11.2f}s {web_kb:>7.1f}kB {kiosk_kb:>9.1f}kB")


if __name__ == "__main__":
    main()
