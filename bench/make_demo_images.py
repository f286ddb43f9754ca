"""Draw the demo exhibition's placeholder images (illustrations, never photos).

Usage (from the project folder):

    python bench/make_demo_images.py            # write every image the demo content names
    python bench/make_demo_images.py --check    # only list what would be written

The script reads the front matter of content/workers, content/studios and content/enterprises,
finds every image path an entry names (``photo``, ``photos[].src``, ``logo``, ``![说明](路径)`` in a
body) and draws it:

* workers     → a stylised bust silhouette on a coloured background, JPEG 1600×2000
* studios, and pictures in any body → an abstract banner (gears, dot grid, light band), JPEG 1800×1200
* enterprises → a simple geometric mark on a transparent background, PNG 1600×1600
* site.yaml's ``share_image`` → the hall's mark (assets/logo.svg's outline) large among gears, JPEG 1200×630

Everything is derived from a hash of the image's file name, so the output is the same on every
run (for a given Pillow version).  No text is drawn: the machine that builds the demo has no CJK
font, and drawing letters would make the result depend on which fonts happen to be installed.
Each is at least as wide as the widest image width in site.yaml (1600 px), so the demo builds
without "image too small" warnings, and each file is kept under 120 KB.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import math
import re
import sys
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
MAX_BYTES = 120_000  # "≤ 120 KB" under either reading of KB
SCALE = 4  # draw the 600×750 / 1200×800 / 400×400 designs at 4× and shrink: cheap anti-aliasing

# Warm exhibition palette: (background top, background bottom, figure, accent)
PALETTES = [
    ((166, 27, 27), (110, 14, 18), (250, 236, 214), (214, 170, 70)),
    ((184, 134, 11), (128, 86, 6), (253, 246, 232), (166, 27, 27)),
    ((31, 78, 121), (16, 44, 74), (236, 242, 248), (214, 170, 70)),
    ((46, 107, 84), (22, 66, 50), (238, 247, 240), (230, 190, 90)),
    ((120, 52, 96), (72, 26, 58), (250, 236, 244), (226, 178, 84)),
    ((70, 70, 82), (36, 36, 46), (242, 240, 236), (200, 60, 48)),
    ((176, 84, 38), (120, 48, 18), (252, 240, 228), (250, 214, 120)),
    ((28, 102, 122), (12, 60, 76), (232, 246, 248), (240, 186, 80)),
]


def seed_of(name: str) -> bytes:
    """Stable pseudo-random bytes for a file name."""
    return hashlib.sha256(name.encode("utf-8")).digest()


def mix(a, b, t: float):
    """Colour between a and b."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def gradient(size, top, bottom) -> Image.Image:
    """A vertical gradient."""
    width, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        column.putpixel((0, y), mix(top, bottom, y / max(1, height - 1)))
    return column.resize((width, height))


def finish_jpeg(image: Image.Image, size) -> bytes:
    """Shrink to the final size and encode, lowering quality until it fits MAX_BYTES."""
    image = image.resize(size, Image.LANCZOS)
    for quality in (82, 76, 70, 64, 58, 50):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        if buffer.tell() <= MAX_BYTES:
            if "--verbose" in sys.argv:
                print(f"  quality {quality}")
            return buffer.getvalue()
    raise SystemExit(f"cannot fit image in {MAX_BYTES} bytes")


def portrait(name: str) -> bytes:
    """A bust silhouette (head, neck, shoulders, collar) on a coloured background, 1600×2000."""
    seed = seed_of(name)
    top, bottom, figure, accent = PALETTES[seed[0] % len(PALETTES)]
    w, h = 600 * SCALE, 750 * SCALE
    image = gradient((w, h), mix(top, (255, 255, 255), 0.12), bottom)
    draw = ImageDraw.Draw(image)
    cx = w // 2 + (seed[1] % 41 - 20) * SCALE
    # soft halo behind the head
    halo = Image.new("L", (w, h), 0)
    ImageDraw.Draw(halo).ellipse((cx - 250 * SCALE, 90 * SCALE, cx + 250 * SCALE, 590 * SCALE), fill=70)
    halo = halo.filter(ImageFilter.GaussianBlur(40 * SCALE))
    image.paste(Image.new("RGB", (w, h), mix(top, (255, 255, 255), 0.35)), (0, 0), halo)
    draw = ImageDraw.Draw(image)
    # concentric rings: a quiet, exhibition-like backdrop
    ring = mix(top, (255, 255, 255), 0.22)
    for r in range(170, 420, 46):
        draw.ellipse((cx - r * SCALE, 330 * SCALE - r * SCALE, cx + r * SCALE, 330 * SCALE + r * SCALE),
                     outline=ring, width=2 * SCALE)
    shade = mix(figure, bottom, 0.18)
    # shoulders and chest
    shoulder = 220 + seed[2] % 30
    draw.rounded_rectangle((cx - shoulder * SCALE, 560 * SCALE, cx + shoulder * SCALE, 900 * SCALE),
                           radius=150 * SCALE, fill=figure)
    # neck
    draw.rounded_rectangle((cx - 46 * SCALE, 400 * SCALE, cx + 46 * SCALE, 585 * SCALE), radius=30 * SCALE, fill=shade)
    # collar: a V of the accent colour (a work jacket)
    draw.polygon([(cx - 95 * SCALE, 565 * SCALE), (cx, 665 * SCALE), (cx + 95 * SCALE, 565 * SCALE),
                  (cx + 60 * SCALE, 560 * SCALE), (cx, 620 * SCALE), (cx - 60 * SCALE, 560 * SCALE)], fill=accent)
    # head
    hw, hh = 118 + seed[3] % 14, 148 + seed[4] % 14
    head_cy = 330
    draw.ellipse((cx - hw * SCALE, (head_cy - hh) * SCALE, cx + hw * SCALE, (head_cy + hh) * SCALE), fill=figure)
    style = seed[5] % 3
    if style == 0:  # safety helmet with a brim
        draw.pieslice((cx - (hw + 14) * SCALE, (head_cy - hh - 22) * SCALE, cx + (hw + 14) * SCALE, (head_cy + 40) * SCALE),
                      180, 360, fill=accent)
        draw.rounded_rectangle((cx - (hw + 34) * SCALE, (head_cy - 58) * SCALE, cx + (hw + 34) * SCALE, (head_cy - 38) * SCALE),
                               radius=10 * SCALE, fill=mix(accent, (0, 0, 0), 0.15))
        draw.rectangle((cx - 9 * SCALE, (head_cy - hh - 18) * SCALE, cx + 9 * SCALE, (head_cy - 60) * SCALE),
                       fill=mix(accent, (255, 255, 255), 0.25))
    elif style == 1:  # short hair
        draw.chord((cx - (hw + 6) * SCALE, (head_cy - hh - 8) * SCALE, cx + (hw + 6) * SCALE, (head_cy + 30) * SCALE),
                   185, 355, fill=mix(bottom, (0, 0, 0), 0.35))
    else:  # work cap
        draw.chord((cx - (hw + 4) * SCALE, (head_cy - hh - 14) * SCALE, cx + (hw + 4) * SCALE, (head_cy + 10) * SCALE),
                   180, 360, fill=mix(top, (0, 0, 0), 0.25))
        draw.rounded_rectangle((cx - 8 * SCALE, (head_cy - 58) * SCALE, cx + (hw + 70) * SCALE, (head_cy - 40) * SCALE),
                               radius=9 * SCALE, fill=mix(top, (0, 0, 0), 0.35))
    # a small badge on the chest
    bx, by = cx + (shoulder - 90) * SCALE, 700 * SCALE
    draw.ellipse((bx - 22 * SCALE, by - 22 * SCALE, bx + 22 * SCALE, by + 22 * SCALE), fill=accent)
    return finish_jpeg(image, (1600, 2000))


def gear(draw: ImageDraw.ImageDraw, cx, cy, radius, teeth, fill, hole, angle=0.0):
    """A gear: a toothed polygon with a hole."""
    points = []
    for i in range(teeth * 4):
        a = angle + 2 * math.pi * i / (teeth * 4)
        r = radius if (i % 4) in (0, 1) else radius * 0.82
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(points, fill=fill)
    draw.ellipse((cx - radius * 0.32, cy - radius * 0.32, cx + radius * 0.32, cy + radius * 0.32), fill=hole)


def banner(name: str) -> bytes:
    """An abstract studio banner: gradient, dot grid, gears and a light band, 1800×1200."""
    seed = seed_of(name)
    top, bottom, light, accent = PALETTES[seed[0] % len(PALETTES)]
    w, h = 1200 * SCALE, 800 * SCALE
    image = gradient((w, h), top, bottom)
    draw = ImageDraw.Draw(image)
    # a sparse dot grid (cheaper to compress than lines)
    dots = mix(top, (255, 255, 255), 0.16)
    step = (80 + seed[1] % 30) * SCALE
    for x in range(step // 2, w, step):
        for y in range(step // 2, h, step):
            draw.ellipse((x - 3 * SCALE, y - 3 * SCALE, x + 3 * SCALE, y + 3 * SCALE), fill=dots)
    # diagonal light band
    band = Image.new("L", (w, h), 0)
    offset = (seed[2] % 300) * SCALE
    ImageDraw.Draw(band).polygon([(offset + 300 * SCALE, 0), (offset + 620 * SCALE, 0),
                                  (offset + 320 * SCALE, h), (offset, h)], fill=60)
    band = band.filter(ImageFilter.GaussianBlur(30 * SCALE))
    image.paste(Image.new("RGB", (w, h), light), (0, 0), band)
    draw = ImageDraw.Draw(image)
    # gears
    big_x, big_y, big_r = (760 + seed[3] % 200) * SCALE, (380 + seed[4] % 120) * SCALE, (230 + seed[5] % 50) * SCALE
    gear(draw, big_x, big_y, big_r, 12 + seed[6] % 4, mix(light, top, 0.12), mix(top, bottom, 0.5), seed[7] / 40)
    small_r = big_r * 0.55
    sx = big_x - big_r - small_r * 0.78
    sy = big_y - big_r * 0.55
    gear(draw, sx, sy, small_r, 8, accent, mix(top, bottom, 0.4), seed[8] / 40)
    tiny_r = big_r * 0.34
    gear(draw, big_x + big_r * 0.95, big_y - big_r * 0.95, tiny_r, 7, mix(light, accent, 0.5),
         mix(top, bottom, 0.6), seed[9] / 40)
    # a "workbench" strip with tools-like marks along the bottom
    base_y = h - 130 * SCALE
    draw.rectangle((0, base_y, w, h), fill=mix(bottom, (0, 0, 0), 0.2))
    draw.rectangle((0, base_y, w, base_y + 10 * SCALE), fill=accent)
    for i in range(6 + seed[10] % 4):
        x = (80 + i * 150 + seed[11 + i] % 40) * SCALE
        height = (30 + seed[17 + i] % 50) * SCALE
        draw.rounded_rectangle((x, base_y + 40 * SCALE, x + 90 * SCALE, base_y + 40 * SCALE + height),
                               radius=8 * SCALE, fill=mix(light, bottom, 0.55))
    return finish_jpeg(image, (1800, 1200))


def share(name: str) -> bytes:
    """The hall's default share picture: the logo's hall outline, large, among gears on the theme red, 1200×630."""
    top, bottom, light, accent = PALETTES[0]
    w, h = 1200 * SCALE, 630 * SCALE
    image = gradient((w, h), top, bottom)
    draw = ImageDraw.Draw(image)
    dots = mix(top, (255, 255, 255), 0.14)
    for x in range(40 * SCALE, w, 80 * SCALE):
        for y in range(40 * SCALE, h, 80 * SCALE):
            draw.ellipse((x - 3 * SCALE, y - 3 * SCALE, x + 3 * SCALE, y + 3 * SCALE), fill=dots)
    gear(draw, 930 * SCALE, 250 * SCALE, 190 * SCALE, 12, mix(light, top, 0.15), mix(top, bottom, 0.5), 0.2)
    gear(draw, 1115 * SCALE, 470 * SCALE, 105 * SCALE, 9, accent, mix(top, bottom, 0.6), 0.5)
    # the logo's hall (M14 46h36 M18 46V26l14-10 14 10v20 M26 46V34h12v12 on a 64 grid), drawn 9× at (150, 60)
    unit, ox, oy = 9 * SCALE, 150 * SCALE, 60 * SCALE

    def at(x, y):
        return (ox + x * unit, oy + y * unit)

    stroke = 4 * unit
    for line in ([at(14, 46), at(50, 46)], [at(18, 46), at(18, 26), at(32, 16), at(46, 26), at(46, 46)],
                 [at(26, 46), at(26, 34), at(38, 34), at(38, 46)]):
        draw.line(line, fill=light, width=stroke, joint="curve")
    draw.rectangle((0, h - 24 * SCALE, w, h), fill=accent)
    return finish_jpeg(image, (1200, 630))


def logo(name: str) -> bytes:
    """A simple geometric mark (ring + shape) on a transparent background, 1600×1600 PNG."""
    seed = seed_of(name)
    top, bottom, light, accent = PALETTES[seed[0] % len(PALETTES)]
    w = 400 * SCALE
    image = Image.new("RGBA", (w, w), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = w / 2
    draw.ellipse((12 * SCALE, 12 * SCALE, w - 12 * SCALE, w - 12 * SCALE), fill=top + (255,))
    draw.ellipse((34 * SCALE, 34 * SCALE, w - 34 * SCALE, w - 34 * SCALE), outline=accent + (255,), width=10 * SCALE)
    kind = seed[1] % 4
    r = 110 * SCALE
    rot = (seed[2] % 90) * math.pi / 180
    if kind == 0:  # rotated square inside a square
        for k, colour in ((0, light), (1, accent)):
            rr = r * (1 - 0.42 * k)
            pts = [(c + rr * math.cos(rot + k * math.pi / 4 + i * math.pi / 2),
                    c + rr * math.sin(rot + k * math.pi / 4 + i * math.pi / 2)) for i in range(4)]
            draw.polygon(pts, fill=colour + (255,))
    elif kind == 1:  # three stacked chevrons
        for i in range(3):
            y = c - 70 * SCALE + i * 62 * SCALE
            draw.polygon([(c - r, y + 50 * SCALE), (c, y - 20 * SCALE), (c + r, y + 50 * SCALE),
                          (c + r, y + 82 * SCALE), (c, y + 12 * SCALE), (c - r, y + 82 * SCALE)],
                         fill=(light if i != 1 else accent) + (255,))
    elif kind == 2:  # gear with a spark
        gear(draw, c, c, r, 10, light + (255,), top + (255,), rot)
        draw.ellipse((c - 22 * SCALE, c - 22 * SCALE, c + 22 * SCALE, c + 22 * SCALE), fill=accent + (255,))
    else:  # a lightning-like zigzag in a circle
        draw.ellipse((c - r, c - r, c + r, c + r), fill=light + (255,))
        draw.polygon([(c + 20 * SCALE, c - 95 * SCALE), (c - 55 * SCALE, c + 12 * SCALE), (c - 2 * SCALE, c + 12 * SCALE),
                      (c - 25 * SCALE, c + 95 * SCALE), (c + 55 * SCALE, c - 15 * SCALE), (c + 4 * SCALE, c - 15 * SCALE)],
                     fill=accent + (255,))
    image = image.resize((1600, 1600), Image.LANCZOS)
    image = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    if buffer.tell() > MAX_BYTES:
        raise SystemExit(f"logo {name} is larger than {MAX_BYTES} bytes")
    return buffer.getvalue()


BODY_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")  # ![说明](images/x.jpg "图注") in a body


def front_matter(path: Path) -> dict:
    """The YAML between the first two --- lines of a content file."""
    text = path.read_text(encoding="utf-8-sig")
    parts = text.split("\n---", 1)
    if not text.startswith("---") or len(parts) < 2:
        return {}
    return yaml.safe_load(parts[0][3:]) or {}


def wanted() -> list[tuple[Path, str]]:
    """Every (image path, kind) named by the demo content, in a stable order."""
    jobs: dict[Path, str] = {}
    for folder, kind in (("workers", "portrait"), ("studios", "banner"), ("enterprises", "logo")):
        for md in sorted((CONTENT / folder).glob("*.md")):
            data = front_matter(md)
            paths = []
            if kind == "portrait" and data.get("photo"):
                paths.append(data["photo"])
            if kind == "banner":
                paths += [p.get("src") for p in data.get("photos") or [] if isinstance(p, dict) and p.get("src")]
            if kind == "logo" and data.get("logo"):
                paths.append(data["logo"])
            body = [(raw, "banner") for raw in BODY_IMAGE.findall(md.read_text(encoding="utf-8-sig").split("\n---", 1)[-1])]
            for raw, kind_of_this in [*((raw, kind) for raw in paths), *body]:
                target = (md.parent / str(raw)).resolve()
                if CONTENT.resolve() not in target.parents:
                    raise SystemExit(f"{md}: image path {raw} leaves content/")
                jobs[target] = kind_of_this
    shared = yaml.safe_load((ROOT / "site.yaml").read_text(encoding="utf-8")).get("share_image")
    if shared:
        jobs[(CONTENT / shared).resolve()] = "share"
    return sorted(jobs.items())


DRAW = {"portrait": portrait, "banner": banner, "logo": logo, "share": share}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only list the images, write nothing")
    args = parser.parse_args(argv)
    for target, kind in wanted():
        data = DRAW[kind](target.stem)
        shown = target.relative_to(ROOT)
        if args.check:
            print(f"{kind:8} {shown}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        print(f"{kind:8} {shown} {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
