"""Images: check every image field, then write a web copy with no metadata, upright and sized.

``plan`` reads only image headers (cheap) and decides every output name from a hash of the
source bytes and the settings; ``process`` does the Pillow work.  The previous build's output
is the cache: a file of the same hashed name there is complete (the output folder is only ever
swapped in whole) and is linked instead of re-encoded, so nothing is written outside the output
folder and a rebuild re-encodes nothing that did not change.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import io

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .content import Library, nested
from .errors import Report, quote
from .fsutil import inside
from .markup import slugify
from .schema import ImageRef

MAX_WIDTH = 1600
JPEG_QUALITY = 82
SETTINGS = f"w{MAX_WIDTH}-q{JPEG_QUALITY}-v2"
FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}
Image.MAX_IMAGE_PIXELS = 80_000_000
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class Picture:
    """One processed image: where it comes from, where it goes, its final size."""

    source: Path
    url: str
    width: int
    height: int
    digest: str


def _hash(path: Path) -> str:
    """A short hash of the file's bytes and the image settings."""
    digest = hashlib.sha256(SETTINGS.encode())
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def plan(library: Library, report: Report) -> dict[str, Picture]:
    """Check every image an entry names and decide its output; content path → Picture."""
    content_dir = library.site.content_dir
    pictures: dict[str, Picture] = {}
    for entry in library.all():
        for ref in nested(entry.data, ImageRef):
            if ref.path in pictures:
                continue
            picture = _plan_one(content_dir, ref, entry.source, report, entry.slugs)
            if picture:
                pictures[ref.path] = picture
    return pictures


def _plan_one(content_dir: Path, ref: ImageRef, source: str, report: Report, slugs: dict) -> Picture | None:
    """Check one image and work out its output name and size."""
    path = inside(content_dir, ref.path)
    shown = quote(f"content/{ref.path}")
    if path is None:
        report.error(source, ref.line, ref.label, f"图片{shown}指向 content 文件夹以外。", "把图片放进 content 文件夹，再写相对路径。")
        return None
    if not path.is_file():
        hint = _similar_file(path)
        report.error(source, ref.line, ref.label, f"找不到图片{shown}。",
                     (f"文件夹里有「{hint}」，是不是它？" if hint else "") + "检查文件名（包括 .jpg/.png 扩展名和大小写）和所在文件夹。")
        return None
    try:
        with Image.open(path) as image:
            kind = image.format
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1) if kind in ("JPEG", "MPO", "TIFF", "WEBP") else 1
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        found, fix = _unreadable(path, exc)
        report.error(source, ref.line, ref.label, f"{shown}{found}", fix)
        return None
    if kind not in FORMATS:
        report.error(source, ref.line, ref.label, f"{shown}是 {kind} 格式，网页不支持。", "另存为 JPG 或 PNG。")
        return None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    if width > MAX_WIDTH:
        height, width = round(height * MAX_WIDTH / width), MAX_WIDTH
    digest = _hash(path)
    ext = "png" if kind in ("PNG", "GIF") else "jpg"
    stem = Path(ref.path).stem
    name = (slugs.get(stem) or slugify(stem))[:40] or "image"
    return Picture(path, f"images/{name}-{digest[:10]}.{ext}", width, height, digest)


def _unreadable(path: Path, exc: Exception) -> tuple[str, str]:
    """What is wrong with an image Pillow cannot open, and what to do about it."""
    suffix = path.suffix.lower()
    if isinstance(exc, Image.DecompressionBombError):
        return "像素太多（超过 8000 万像素），可能是超大扫描件或恶意文件。", "缩小到 6000 像素宽以内再用。"
    if suffix in (".heic", ".heif"):
        return "是苹果手机的 HEIC 格式，网页用不了。", "在 iPhone“设置 → 相机 → 格式”里选“兼容性最佳”后重拍，或用“照片”应用导出为 JPG。"
    if suffix == ".svg":
        return "是 SVG 矢量图，这个字段需要照片类图片。", "另存为 PNG（标志）或 JPG（照片）后再用。"
    return "不是能识别的图片，或文件已损坏。", "换成 JPG 或 PNG 格式的原图；只改扩展名不会改变格式。"


def _similar_file(path: Path) -> str:
    """A file in the same folder whose name differs only in case or extension."""
    folder = path.parent
    if not folder.is_dir():
        return ""
    for candidate in sorted(folder.iterdir()):
        if candidate.stem.lower() == path.stem.lower() or candidate.name.lower() == path.name.lower():
            return candidate.name
    return ""


def process(pictures: dict[str, Picture], out_dir: Path, previous: Path, report: Report) -> int:
    """Write every planned picture into out_dir, reusing previous output; return the count."""
    done = 0
    for content_path, picture in sorted(pictures.items()):
        target = out_dir / picture.url
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            done += 1
            continue
        if _reuse(previous / picture.url, target):
            done += 1
            continue
        try:
            target.write_bytes(_encode(picture))
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            report.error(f"content/{content_path}", 0, "图片", f"图片无法处理（{exc}）。", "换一张完整的 JPG 或 PNG 照片。")
            continue
        done += 1
    return done


def _reuse(old: Path, target: Path) -> bool:
    """Link (or copy) a file the previous build made; False when there is none."""
    if not old.is_file():
        return False
    try:
        os.link(old, target)
    except OSError:
        shutil.copyfile(old, target)
    return True


def _encode(picture: Picture) -> bytes:
    """Decode, turn upright, convert to sRGB, shrink and re-encode without any metadata."""
    with Image.open(picture.source) as image:
        image.draft("RGB", (picture.width, picture.height))
        image = ImageOps.exif_transpose(image)
        png = picture.url.endswith(".png")
        profile = image.info.get("icc_profile")
        image = image.convert("RGBA" if png and _has_alpha(image) else "RGB")
        image = _to_srgb(image, profile)
        if image.width > picture.width:
            image = image.resize((picture.width, picture.height), Image.LANCZOS)
        image.info = {}  # Pillow would write comments, EXIF and profiles kept here back into the file
        buffer = io.BytesIO()
        if png:
            image.save(buffer, "PNG", optimize=True)
        else:
            image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        return buffer.getvalue()


def _to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """Convert pixels from an embedded colour profile to sRGB (the profile itself is not kept)."""
    if not profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, SRGB, outputMode=image.mode) or image
    except (OSError, ValueError, ImageCms.PyCMSError):
        return image


def _has_alpha(image: Image.Image) -> bool:
    """True when the image has transparency worth keeping."""
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
