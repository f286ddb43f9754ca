"""The kiosk edition (issue 5): its own build and folder, behaviour on a touch screen in real
Chromium with Playwright's fake clock, locking, touch targets, QR codes that decode to the web
edition, no request beyond the local server, a flat JS heap over a simulated 72 hours, HTML and
axe checks, and the launcher that serves the folder and keeps the browser alive.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import AXE_JS, BUILD_PY, CHROMIUM, DEMO_ROOT, REPO, VNU_JAR, build_site, html_pages, page_url, run_build
from showcase.httpserve import LocalServer
from showcase.kioskrun import FLAGS, clear_crash_flags

WEB_BASE = "https://example.org/zhanting/"     # base_url in the repo's site.yaml
SCREENS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
CLICKABLE = "a[href], button, summary, [role=button], input, select, textarea"


# --------------------------------------------------------------------------- fixtures and helpers

@pytest.fixture(scope="module")
def kiosk_site(tmp_path_factory) -> Path:
    """The demo's kiosk edition, built with python build.py --kiosk into a fresh folder."""
    return build_site(DEMO_ROOT, tmp_path_factory.mktemp("kiosk") / "kiosk-output", None, "--kiosk")


@pytest.fixture(scope="module")
def kiosk_url(kiosk_site):
    """The kiosk edition served by showcase.httpserve on 127.0.0.1 (as python build.py kiosk does)."""
    server = LocalServer(kiosk_site).start()
    yield server.url
    server.stop()


def touch_page(chromium, url: str, screen: str = "landscape", clock: bool = True):
    """A new touch-screen page (context, page) at a screen preset, with Playwright's clock installed, opened at url."""
    width, height = SCREENS[screen]
    context = chromium.new_context(viewport={"width": width, "height": height}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    if clock:
        page.clock.install()
    page.goto(url, wait_until="load")
    return context, page


def tap(page, selector: str) -> None:
    """Tap the middle of the first element matching selector with a finger."""
    box = page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not on screen"
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def shown(page, selector: str) -> bool:
    """True when the element exists and is visible."""
    return page.locator(selector).first.is_visible()


def worker_page(output: Path) -> str:
    """Site-relative URL of 艾子洋's page (a worker with a studio and an enterprise)."""
    assert (output / "workers/ai-ziyang/index.html").is_file(), "the demo has no workers/ai-ziyang/ page"
    return "workers/ai-ziyang/"


def set_kiosk(site_yaml: Path, lines: str) -> None:
    """Append a kiosk: section to a project's site.yaml."""
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "\nkiosk:\n" + textwrap.indent(textwrap.dedent(lines), "  "),
                         encoding="utf-8")


# --------------------------------------------------------------------------- the build

def test_kiosk_edition_is_built_into_its_own_folder(make_project, tiny_hall, tmp_path):
    """--kiosk builds into kiosk-output/ with the kiosk assets; the web build has none of them."""
    root = make_project(tiny_hall)
    web = run_build(root)
    kiosk = run_build(root, "--kiosk")
    assert web.returncode == 0 and kiosk.returncode == 0, web.stderr + kiosk.stderr
    assert "kiosk-output" in kiosk.stdout, kiosk.stdout
    web_out, kiosk_out = root / "output", root / "kiosk-output"
    assert sorted(p.name for p in (web_out / "assets").iterdir()) == ["logo.svg", "style.css"]
    assert {"kiosk.js", "kiosk.css"} <= {p.name for p in (kiosk_out / "assets").iterdir()}
    assert not (web_out / "kiosk-version.json").exists()
    assert json.loads((kiosk_out / "kiosk-version.json").read_text())["version"]
    for page in html_pages(web_out):
        text = (web_out / page).read_text(encoding="utf-8")
        assert "kiosk" not in text, f"web page {page} mentions the kiosk"
    assert html_pages(web_out) == html_pages(kiosk_out), "the two editions have different pages"
    home = (kiosk_out / "index.html").read_text(encoding="utf-8")
    assert 'class="kiosk kiosk-landscape"' in home and "kiosk.js" in home and "扫码在手机上继续阅读" in home


def test_kiosk_builds_are_byte_identical(make_project, tiny_hall, tmp_path):
    """Two kiosk builds of the same input, including the version file, are the same bytes."""
    root = make_project(tiny_hall)
    a, b = tmp_path / "ka", tmp_path / "kb"
    assert run_build(root, "--kiosk", "--output", str(a)).returncode == 0
    assert run_build(root, "--kiosk", "--output", str(b), "--jobs", "1").returncode == 0
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


@pytest.mark.parametrize("setting, args, message", [
    ("output: output\n", ["--kiosk"], "触摸屏版的文件夹「output」和网站的输出文件夹 output 重叠"),
    ("output: output/kiosk\n", [], "和网站的输出文件夹 output 重叠"),
    ("", ["--kiosk", "--output", "output"], "--output"),
    ("screen: portait\n", ["--kiosk"], "您是不是想写「portrait」？"),
    ("idle_after: 0\n", ["--kiosk"], "「kiosk.idle_after」是秒数，至少为 1"),
    ("atract_after: 30\n", ["--kiosk"], "您是不是想写「attract_after」？"),
])
def test_wrong_kiosk_settings_are_explained(make_project, tiny_hall, setting, args, message):
    """A kiosk folder overlapping the web output, a misspelt screen or option, a zero timeout: a Chinese error, nothing built."""
    root = make_project(tiny_hall)
    if setting:
        set_kiosk(root / "site.yaml", setting)
    proc = run_build(root, *args)
    assert proc.returncode in (1, 2), proc.stdout
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (root / "kiosk-output").exists()


def test_kiosk_needs_a_full_base_url_for_its_qr_codes(make_project, tiny_hall):
    """A kiosk build with a base_url that is only a path says why it needs a full address."""
    root = make_project(tiny_hall)
    proc = run_build(root, "--kiosk", "--base-url", "/zhanting/")
    assert proc.returncode == 1
    assert "不是完整网址" in proc.stderr and "二维码" in proc.stderr, proc.stderr


def test_links_leaving_the_kiosk_become_qr_codes(make_project, tiny_hall, build_project, served, chromium):
    """A source link to a news site is shown as its title with a QR code of its address, never as a link."""
    zxingcpp = zxing()
    root = make_project(tiny_hall)
    out = build_project(root, None, "--kiosk")
    html = (out / "workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert not re.search(r"<a\b[^>]*href=[\"'](https?:|//|mailto:)", html), "a link leaves the kiosk"
    assert "扫码查看原文" in html and "向“新”前行" in html
    context, page = touch_page(chromium, page_url(served(out), "workers/ai-ziyang/index.html"), clock=False)
    try:
        image = page.locator(".offsite-qr svg").first.screenshot()
    finally:
        context.close()
    assert decode_qr(zxingcpp, image) == ["https://example.com/news/1"]


# --------------------------------------------------------------------------- QR codes

def zxing():
    """The zxing-cpp module (a test dependency); fail, not skip, when it is missing."""
    try:
        import zxingcpp
    except ImportError:
        pytest.fail("zxing-cpp is missing: python -m pip install -e '.[test]' (or bash tests/run.sh)", pytrace=False)
    return zxingcpp


def decode_qr(zxingcpp, png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG screenshot, decoded by zxing-cpp."""
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("relative", ["index.html", "workers/ai-ziyang/index.html", "studios/index.html", "regions/jilinchangchun/index.html"])
def test_qr_code_decodes_to_the_same_page_of_the_web_edition(kiosk_site, kiosk_url, chromium, relative):
    """The QR code on the screen (as the browser draws it) decodes to base_url + the page's path, under its caption."""
    zxingcpp = zxing()
    context, page = touch_page(chromium, page_url(kiosk_url, relative), clock=False)
    try:
        qr = page.locator(".kiosk-qr")
        assert qr.is_visible(), f"{relative}: no QR code on screen"
        assert "扫码在手机上继续阅读" in qr.inner_text()
        box = page.locator(".kiosk-qr svg").bounding_box()
        assert box["width"] >= 150, f"the QR code is only {box['width']} px wide"
        texts = decode_qr(zxingcpp, page.locator(".kiosk-qr svg").screenshot())
    finally:
        context.close()
    expected = WEB_BASE + relative.removesuffix("index.html")
    assert texts == [expected], f"{relative}: decoded {texts}, expected {expected}"
