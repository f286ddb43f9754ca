"""Screenshots of the demo hall for the README: home, one worker, one studio; phone and desktop.

Builds the demo (the repository's content/) into a temporary folder, serves it on 127.0.0.1 at
a free port and saves docs/screenshots/{home,worker,studio}-{phone,desktop}.png.

Needs Playwright for Python and a Chromium (``pip install playwright``, then either
``playwright install chromium`` or a system Chromium at /usr/bin/chromium, or set CHROMIUM to
its path) and a Chinese font (Debian/Ubuntu: ``apt-get install fonts-noto-cjk``), or the
screenshots show boxes instead of characters.

    python docs/make_screenshots.py
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
MAX_BYTES = 400_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
PREFERRED_WORKER = "ai-ziyang"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LOAD_IMAGES = """async () => {
  for (const img of document.images) img.loading = 'eager';
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site without logging every request."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def build(site: Path) -> None:
    """Build the demo hall into site, stopping with the builder's message if it fails."""
    result = subprocess.run([sys.executable, "build.py", "--output", str(site)], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("生成演示展厅失败：\n" + result.stdout + result.stderr)


def first_entry(site: Path, folder: str, preferred: str = "") -> str:
    """The URL of the preferred entry if built, else the first entry linked from folder/index.html."""
    if preferred and (site / folder / preferred / "index.html").is_file():
        return f"{folder}/{preferred}/"
    listing = (site / folder / "index.html").read_text(encoding="utf-8")
    main = listing.split("<main", 1)[-1]
    for href in re.findall(r'href="([^"#]+)"', main):
        name = href.rstrip("/").split("/")[-1]
        if name and name != ".." and (site / folder / name / "index.html").is_file():
            return f"{folder}/{name}/"
    sys.exit(f"{folder}/ 里没有条目，无法截图。")


def chromium_path() -> str | None:
    """A Chromium to use: $CHROMIUM, /usr/bin/chromium, or Playwright's own (None)."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def warn_without_cjk_font() -> None:
    """Say so when fontconfig knows no Chinese font (the screenshots would show boxes)."""
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        if not fonts.strip():
            print("提醒：系统里没有中文字体，截图会显示方框。请先安装，如 apt-get install fonts-noto-cjk。", file=sys.stderr)


def shoot(browser, base: str, path: str, name: str) -> None:
    """Save name-phone.png and name-desktop.png of the page at path."""
    for kind, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        target = OUT / f"{name}-{kind}.png"
        for scale in ((2, 1) if kind == "phone" else (1,)):
            page = browser.new_page(viewport=viewport, device_scale_factor=scale)
            page.goto(base + path, wait_until="load")
            page.evaluate(LOAD_IMAGES)
            page.screenshot(path=str(target), full_page=False)
            page.close()
            if target.stat().st_size <= MAX_BYTES:
                break
        print(f"{target.relative_to(ROOT)}  {target.stat().st_size // 1024} KB  ← {path or '/'}")


def main() -> None:
    warn_without_cjk_font()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zhanting-shots-") as temp:
        site = Path(temp) / "site"
        build(site)
        pages = [("home", ""), ("worker", first_entry(site, "workers", PREFERRED_WORKER)),
                 ("studio", first_entry(site, "studios"))]
        handler = functools.partial(QuietHandler, directory=str(site))
        with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                    for name, path in pages:
                        shoot(browser, base, path, name)
                    browser.close()
            finally:
                server.shutdown()


if __name__ == "__main__":
    main()
