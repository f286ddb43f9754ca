"""Benchmark the image pipeline over a folder of photos: time cold and warm, memory, bytes, SSIM.

Usage (from the project folder):

    python bench/images.py                      # ../shared/photos, widths 480/960/1600, WebP + JPEG
    python bench/images.py PHOTOS --widths 480,960,1600 --quality 80 --avif

It makes a throw-away project in a temporary folder whose one collection has an entry per
photo, then builds it twice with the real pipeline (``showcase.pipeline.build``), each build in
a fresh process, with ``clean=True`` so the page and entry caches of incremental builds do not
skip the image stages (the image cache is used either way):

* cold  — empty image cache: every photo decoded and encoded;
* warm  — nothing changed: the cache answers, no photo may be decoded.

It prints wall seconds (whole build and the image stages), peak memory (max RSS of the build
process), how many photos were decoded, mean bytes per format and width against the
originals, and the SSIM (luma, 11×11 Gaussian window) of each web copy against a float Lanczos
resize of the upright, sRGB original.  SSIM needs numpy and scipy (``pip install numpy scipy``).
Nothing here is a test: it prints figures.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PHOTOS = ROOT.parent / "shared" / "photos"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif"}

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from showcase import images, pipeline
decoded = []
original = images.make_files
def counting(job, store):
    decoded.append(job.source.name)
    return original(job, store)
images.make_files = counting
start = time.perf_counter()
result = pipeline.build(Path(sys.argv[2]), output=sys.argv[3], clean=True)  # pages and entries afresh: time the image stages
wall = time.perf_counter() - start
t = result.timings
print(json.dumps({"wall": wall, "images": t["images.plan"] + t["images.process"] + t["images+assets"],
                  "plan": t["images.plan"], "process": t["images.process"], "publish": t["images+assets"],
                  "decoded": len(decoded), "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "pictures": result.images}))
"""

SITE = """title: 图片基准
base_url: https://example.org/
images:
  widths: [{widths}]
  quality: {quality}
  avif: {avif}
collections:
  photos:
    label: 照片
    fields:
      name: {{label: 名称, type: text, required: true}}
      photo: {{label: 照片, type: image, required: true}}
      photo_alt: {{label: 照片说明, type: text, required: true}}
"""


def make_project(photos: list[Path], folder: Path, widths: list[int], quality: int, avif: bool) -> Path:
    """A minimal project with one entry per photo (photos are hard-linked or copied in)."""
    project = folder / "project"
    (project / "content/photos/images").mkdir(parents=True)
    for name in ("templates", "assets"):
        shutil.copytree(ROOT / name, project / name)
    (project / "site.yaml").write_text(SITE.format(widths=", ".join(map(str, widths)), quality=quality,
                                                   avif="true" if avif else "false"), encoding="utf-8")
    for photo in photos:
        target = project / "content/photos/images" / photo.name
        try:
            os.link(photo, target)
        except OSError:
            shutil.copyfile(photo, target)
        (project / f"content/photos/{photo.stem}.md").write_text(
            f"---\nname: {photo.stem}\nphoto: images/{photo.name}\nphoto_alt: 测试照片 {photo.stem}\n---\n", encoding="utf-8")
    return project


def run_build(project: Path, output: Path) -> dict:
    """One build in a fresh Python process; its figures."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(project), str(output)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sizes(output: Path, originals: list[Path]) -> dict:
    """Mean bytes per (format, width) of the whole-picture copies."""
    pattern = re.compile(r"-(\d+)\.(webp|jpg|png|avif)$")
    table: dict = {}
    for path in (output / "images").iterdir():
        match = pattern.search(path.name)
        if match:
            table.setdefault((match.group(2), int(match.group(1))), []).append(path.stat().st_size)
    original = sum(p.stat().st_size for p in originals) / len(originals)
    return {"original": original, "copies": {key: (sum(v) / len(v), len(v)) for key, v in sorted(table.items())}}


def ssim_table(output: Path, photos: list[Path]) -> dict:
    """Mean SSIM per (format, width) against a float Lanczos resize of the original."""
    try:
        import numpy as np
        from scipy.ndimage import gaussian_filter
    except ImportError:
        return {}
    from PIL import Image, ImageOps

    sys.path.insert(0, str(ROOT))
    from showcase.imagecodec import open_image, to_srgb

    def luma(image: Image.Image) -> "np.ndarray":
        rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
        return rgb @ np.array([0.299, 0.587, 0.114])

    def ssim(a: "np.ndarray", b: "np.ndarray") -> float:
        c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
        mu_a, mu_b = gaussian_filter(a, 1.5, truncate=3.5), gaussian_filter(b, 1.5, truncate=3.5)
        var_a = gaussian_filter(a * a, 1.5, truncate=3.5) - mu_a ** 2
        var_b = gaussian_filter(b * b, 1.5, truncate=3.5) - mu_b ** 2
        cov = gaussian_filter(a * b, 1.5, truncate=3.5) - mu_a * mu_b
        value = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
        return float(value.mean())

    pattern = re.compile(r"^(.*)-[0-9a-f]{10}-(\d+)\.(webp|jpg|png|avif)$")
    by_stem: dict = {}
    for path in (output / "images").iterdir():
        match = pattern.match(path.name)
        if match:
            by_stem.setdefault(match.group(1), []).append((path, match.group(3), int(match.group(2))))
    table: dict = {}
    for photo in photos:
        copies = by_stem.get(re.sub(r"[^a-z0-9-]+", "-", photo.stem.lower()).strip("-"), [])
        if not copies:
            continue
        with open_image(photo) as opened:
            opened.load()
            original = to_srgb(ImageOps.exif_transpose(opened), opened.info.get("icc_profile")).convert("RGB")
        bands = [band.convert("F") for band in original.split()]
        for path, kind, width in copies:
            with Image.open(path) as copy:
                copy.load()
                size = copy.size
                resized = [np.asarray(b.resize(size, Image.LANCZOS), dtype=np.float64) for b in bands]
                ref_luma = resized[0] * 0.299 + resized[1] * 0.587 + resized[2] * 0.114
                table.setdefault((kind, width), []).append(ssim(luma(copy), ref_luma))
    return {key: sum(v) / len(v) for key, v in sorted(table.items())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("photos", nargs="?", default=str(DEFAULT_PHOTOS), help="folder of photos (default ../shared/photos)")
    parser.add_argument("--widths", default="480,960,1600")
    parser.add_argument("--quality", type=int, default=83)
    parser.add_argument("--avif", action="store_true")
    parser.add_argument("--no-ssim", action="store_true", help="skip the (slow) SSIM measurement")
    args = parser.parse_args(argv)
    folder = Path(args.photos)
    photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES) if folder.is_dir() else []
    if not photos:
        raise SystemExit(f"no photos in {folder}")
    widths = [int(w) for w in args.widths.split(",")]
    with tempfile.TemporaryDirectory(prefix="showcase-bench-images-") as temp:
        project = make_project(photos, Path(temp), widths, args.quality, args.avif)
        cold = run_build(project, Path(temp) / "out-cold")
        warm = run_build(project, Path(temp) / "out-warm")
        print(f"{len(photos)} photos from {folder} ({sum(p.stat().st_size for p in photos) / 1e6:.1f} MB), "
              f"widths {widths}, quality {args.quality}, {'AVIF + ' if args.avif else ''}WebP + JPEG, "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
        for name, run in (("cold", cold), ("warm", warm)):
            print(f"{name}: build {run['wall']:.2f} s wall, image stages {run['images']:.3f} s "
                  f"(plan {run['plan']:.3f}, process {run['process']:.3f}, publish+assets {run['publish']:.3f}), "
                  f"{run['images'] / len(photos):.3f} s per photo, CPU {run['cpu']:.2f} s, {run['decoded']} decoded, peak RSS {run['rss_mb']:.0f} MB")
        table = sizes(Path(temp) / "out-cold", photos)
        quality = {} if args.no_ssim else ssim_table(Path(temp) / "out-cold", photos)
        print(f"original: mean {table['original'] / 1000:.0f} KB")
        print(f"{'format':>6} {'width':>6} {'files':>5} {'mean KB':>8} {'% of orig':>9} {'SSIM':>6}")
        for (kind, width), (mean, count) in table["copies"].items():
            score = quality.get((kind, width))
            print(f"{kind:>6} {width:>6} {count:>5} {mean / 1000:>8.1f} {100 * mean / table['original']:>8.1f}% "
                  f"{'–' if score is None else f'{score:.4f}':>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
