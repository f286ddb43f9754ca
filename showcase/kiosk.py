"""The kiosk edition: what the touch-screen profile adds to a build; pure, writes nothing.

The kiosk edition is the same pipeline over the same content with ``templates/kiosk/`` searched
before ``templates/`` (an overlay template reaches the web one it extends as ``web/NAME``), the
kiosk assets (``assets/kiosk.js``, ``assets/kiosk.css``, ``assets/kiosk-search.js`` for the 找人
keypad page; left out of the web edition), QR codes to the web edition, and every link that would
leave the kiosk turned into a QR code with a short caption.  ``attract_slides`` is the generic
list the attract loop shows; a feature adds a kind of slide by adding items here and a template
``kiosk/slides/KIND.html``.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import segno
from markupsafe import Markup

KIOSK_ASSETS = ("kiosk.js", "kiosk.css", "kiosk-search.js")
VERSION_FILE = "kiosk-version.json"
OFFSITE_LINK = re.compile(r"""<a\b[^>]*?\bhref=(["'])((?:https?:|mailto:|tel:|//)[^"']*)\1[^>]*>(.*?)</a>""", re.S | re.I)
TAGS = re.compile(r"<[^>]+>")
MAX_SLIDES = 12


def web_url(base_url: str, page_url: str) -> str:
    """The web edition's address of a site-relative page URL, safe to put in a QR code."""
    return quote(base_url + page_url, safe=":/?#[]@!$&'()*+,;=%~")


def qr_svg(url: str, label: str) -> Markup:
    """An inline SVG QR code for url, black on a white quiet zone, named for screen readers."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr-code", lineclass=None)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label)}" ', 1)
    return Markup(svg)


def offsite_to_qr(page: str) -> str:
    """Replace each link that would leave the kiosk by its text and a QR code of its address."""
    def replace(match: re.Match) -> str:
        url = html.unescape(match.group(2))
        text = match.group(3)
        caption = ("扫码查看文件" if "data-file=" in match.group(0) else "扫码查看原文") if url.startswith(("http", "//")) else "扫码联系"
        plain = html.unescape(TAGS.sub("", text)).strip() or url
        return (f'<span class="offsite"><span class="offsite-text">{text}</span>'
                f'<span class="offsite-qr">{qr_svg(url, f"二维码：{plain}")}'
                f'<span class="offsite-caption">{caption}</span></span></span>')
    return OFFSITE_LINK.sub(replace, page)


@dataclass(frozen=True)
class Slide:
    """One slide of the attract loop: its kind (template kiosk/slides/KIND.html) and what it shows."""

    kind: str
    item: object


def attract_slides(resolved, limit: int = MAX_SLIDES) -> list[Slide]:
    """Featured entries of every collection (zone entries when none is featured), then the hall's numbers."""
    library = resolved.library
    entries = [e for c in library.site.collections for e in library.entries.get(c.name, []) if e.get("featured")]
    if not entries:
        entries = [e for zone in resolved.zones for e in zone.entries[:2]]
    slides = [Slide("entry", e) for e in entries[: limit - 1]]
    numbers = library.data.get("numbers") or []
    if numbers:
        slides.append(Slide("numbers", numbers[:6]))
    return slides


def settings_json(site) -> str:
    """The kiosk's timings for kiosk.js, as JSON for a data attribute."""
    k = site.kiosk
    return json.dumps({"attract": k.attract_after, "idle": k.idle_after, "countdown": k.countdown,
                       "slide": k.slide_seconds, "version": VERSION_FILE}, separators=(",", ":"))


def build_version(folder: Path) -> bytes:
    """kiosk-version.json: a hash of every file of a finished kiosk tree, which running kiosks poll."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative != VERSION_FILE and not relative.startswith("."):
            digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return json.dumps({"version": digest.hexdigest()[:16]}).encode()
