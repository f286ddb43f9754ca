"""Benchmark: rebuilds after small changes, and save-to-served in the live preview.

Usage: python bench/incremental.py [--sizes 1000 10000] [--runs 5] [--keep DIR]

For a synthetic hall of N workers (bench/build.py's generator) it builds once, then times, as a
publicist would meet them, each a fresh `python build.py` process (start-up included):
- no change at all (the "没有变化" exit);
- one worker's body edited (its page and the pages showing its card render again);
- one template edited (partials/card.html: every page showing a card renders again);
and, with `python build.py serve` running, the time from saving an edited worker file to the
first HTTP response that carries the edit ("save-to-served", polled every 5 ms).  Medians of
--runs.  The output goes to a RAM folder (/dev/shm) so the figures are the tool's work.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import REPO, make_hall  # noqa: E402


def run(root: Path, out: Path, *args: str) -> float:
    """Wall seconds of one `python build.py` process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--output", str(out), *args],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    return wall


def edit(path: Path, number: int) -> str:
    """Append a sentence no run has written before to a file; return the sentence."""
    sentence = f"第{number}次修改补充的一句话（{time.time_ns()}）。"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{sentence}\n")
    return sentence


def settle() -> None:
    """Let the edit age past the cache's one-second caution window, as a real save would before the next one."""
    time.sleep(1.1)


def fetch(port: int, path: str) -> str:
    """One GET from the preview server."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    body = connection.getresponse().read().decode("utf-8", "replace")
    connection.close()
    return body


def save_to_served(root: Path, out: Path, runs: int) -> list[float]:
    """Seconds from saving an edit to the preview serving it, runs times."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--output", str(out),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in server.stdout:
            if "预览地址" in line:
                break
        target = root / "content" / "workers" / "w00042.md"
        page = "/workers/w00042/"
        times = []
        for number in range(runs):
            settle()
            start = time.perf_counter()
            sentence = edit(target, 1000 + number)
            while sentence not in fetch(port, page):
                time.sleep(0.005)
                if time.perf_counter() - start > 60:
                    raise SystemExit("the preview did not serve the edit within 60 s")
            times.append(time.perf_counter() - start)
        return times
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    """Generate halls and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="generate halls here and keep them")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="showcase-bench-"))
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    out_base = Path(tempfile.mkdtemp(prefix="showcase-bench-out-", dir=ram))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; output in {ram}; median of {args.runs}")
    print(f"{'workers':>8} {'clean s':>8} {'no change s':>12} {'one edit s':>11} {'template edit s':>16} {'save-to-served s':>17}")
    try:
        for size in args.sizes:
            root = base / f"hall-{size}"
            if not root.exists():
                make_hall(root, size)
            shutil.rmtree(root / ".cache", ignore_errors=True)
            out = out_base / f"out-{size}"
            clean = run(root, out, "--clean")
            settle()
            run(root, out)  # the files written by make_hall were too fresh to be trusted by the first build
            nothing = [run(root, out) for _ in range(args.runs)]
            worker = root / "content" / "workers" / "w00007.md"
            one = []
            for number in range(args.runs):
                edit(worker, number)
                settle()
                one.append(run(root, out))
            card = root / "templates" / "partials" / "card.html"
            original = card.read_text(encoding="utf-8")
            template = []
            for number in range(max(1, args.runs // 2)):
                card.write_text(original.replace('class="card-title"', f'class="card-title t{number}"'), encoding="utf-8")
                settle()
                template.append(run(root, out))
            card.write_text(original, encoding="utf-8")
            settle()
            run(root, out)
            served = save_to_served(root, out, args.runs)
            print(f"{size:>8} {clean:>8.2f} {statistics.median(nothing):>12.2f} {statistics.median(one):>11.2f} "
                  f"{statistics.median(template):>16.2f} {statistics.median(served):>17.2f}")
    finally:
        shutil.rmtree(out_base, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
