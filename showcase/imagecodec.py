"""Pillow work on one picture: decode once, turn upright, convert to sRGB, crop, resize, encode.

``make_files`` is given a ``Job`` (a source file and the files to make from it) and writes each
file where a ``store`` context manager says (a temporary path it renames when the file is
complete); it knows nothing of pages, entries or caches.  Files are written straight to disk
because Pillow then releases the GIL while encoding a JPEG too, so threads run in parallel.  No metadata
survives: every output is a new image whose ``info`` is empty, so Pillow writes no EXIF, GPS,
XMP, IPTC, comment, thumbnail or colour profile.
"""
from __future__ import annotations

import functools
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager

from PIL import Image, ImageCms, ImageFile, ImageOps

MAX_PIXELS = 80_000_000  # the most pixels decoded at once
# A JPEG is decoded scaled down (libjpeg's draft: 1/2, 1/4, 1/8), so the 108- and 200-megapixel
# photos of phones' high-resolution modes fit in MAX_PIXELS once decoded.
MAX_JPEG_PIXELS = 260_000_000
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS // 2  # Pillow itself refuses twice this when opening
ImageFile.LOAD_TRUNCATED_IMAGES = False
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
AVIF_OFFSET = 23
MIME = {"AVIF": "image/avif", "WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSION = {"AVIF": "avif", "WEBP": "webp", "JPEG": "jpg", "PNG": "png"}
# Modes a picture may arrive in; everything else is refused with a clear message.
READABLE_MODES = {"1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr",
                  "I", "I;16", "I;16L", "I;16B", "I;16N", "F"}


@dataclass(frozen=True)
class Output:
    """One file to make: a crop of the upright source, its pixel size and format."""

    name: str
    box: tuple
    width: int
    height: int
    format: str
    pad: bool = False  # fit the whole box on a white canvas instead of filling it (transparent logos)


@dataclass(frozen=True)
class Job:
    """A source image and every file to make from it."""

    source: Path
    width: int  # upright size of the original
    height: int
    quality: int
    outputs: tuple


class UnreadableMode(Exception):
    """The image's colour mode cannot be turned into a web image."""


def open_image(path: Path) -> Image.Image:
    """Image.open, for iPhone HEIC photos too (pillow-heif, 30 ms to load, is loaded when a file needs it)."""
    with open(path, "rb") as handle:
        start = handle.read(12)
    if start[4:8] == b"ftyp":  # an ISO media file: HEIC, HEIF or AVIF
        heif_support()
    return Image.open(path)


@functools.cache
def heif_support() -> bool:
    """Teach Pillow to open HEIC and HEIF files (decoded upright; EXIF orientation then reads 1);
    False where pillow-heif is not installed (it has no wheel for 32-bit Windows)."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def make_files(job: Job, store: Callable[[str], ContextManager[Path]]) -> str:
    """Decode job.source once and save every output; return a placeholder colour (#rrggbb) or ''."""
    image = decode(job)
    colour = placeholder(image)
    same_pixels: dict[tuple, list[Output]] = {}
    for output in job.outputs:
        same_pixels.setdefault((output.box, output.width, output.height, output.pad), []).append(output)
    whole = (0, 0, job.width, job.height)
    copies = [(image.width / job.width, image.height / job.height, image)]  # whole-picture copies: x and y scale, pixels
    for key in sorted(same_pixels, key=lambda k: -k[1] / (k[0][2] - k[0][0])):
        first = same_pixels[key][0]
        pixels = render(copies, first)
        if first.box == whole and not first.pad:
            copies.append((first.width / job.width, first.height / job.height, pixels))
        for output in same_pixels[key]:
            with store(output.name) as path:
                encode(pixels, output.format, job.quality, path)
    return colour


def decode(job: Job) -> Image.Image:
    """Open, decode (JPEG drafted down to the largest size needed), turn upright, convert to sRGB."""
    need_w = max(o.width * job.width / max(1, o.box[2] - o.box[0]) for o in job.outputs)
    need_h = max(o.height * job.height / max(1, o.box[3] - o.box[1]) for o in job.outputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with open_image(job.source) as image:
            orientation = image.getexif().get(0x0112, 1)
            stored = (need_h, need_w) if orientation in (5, 6, 7, 8) else (need_w, need_h)
            if image.format in ("JPEG", "MPO"):  # phones often save MPO: a JPEG with a second picture
                image.draft(None, (int(stored[0]) + 1, int(stored[1]) + 1))
            if image.width * image.height > MAX_PIXELS:  # a huge JPEG that its crops need nearly whole
                raise Image.DecompressionBombError(f"{image.width}×{image.height}")
            image.load()
            upright = ImageOps.exif_transpose(image) if orientation != 1 else image
            return to_srgb(upright, image.info.get("icc_profile"))


def to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """RGB or RGBA pixels in sRGB, from any mode Pillow reads (CMYK, 16-bit, palette, grey)."""
    if image.mode not in READABLE_MODES:
        raise UnreadableMode(image.mode)
    if image.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N"):
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif image.mode == "F":
        scale = 255.0 if image.getextrema()[1] <= 1.0 else 1.0
        image = image.point(lambda v: v * scale).convert("L")
    alpha = None
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info) \
            or "transparency" in image.info:
        image = image.convert("RGBA")
        alpha = image.getchannel("A")
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    colour = _apply_profile(image, profile)
    if colour.mode != "RGB":
        colour = colour.convert("RGB")
    if alpha is not None and alpha.getextrema()[0] < 255:
        colour.putalpha(alpha)
    return colour


def _apply_profile(image: Image.Image, profile: bytes | None) -> Image.Image:
    """Convert pixels from an embedded colour profile to sRGB; unchanged when there is none or it is broken."""
    if not profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB") or image
    except (OSError, ValueError, ImageCms.PyCMSError):
        return image


def placeholder(image: Image.Image) -> str:
    """The average colour of an opaque image as #rrggbb; '' for a transparent one."""
    if image.mode != "RGB":
        return ""
    small = image.reduce(max(1, min(image.size) // 16)) if min(image.size) > 32 else image
    r, g, b = small.resize((1, 1), Image.BOX).getpixel((0, 0))
    return f"#{r:02x}{g:02x}{b:02x}"


def render(copies: list, output: Output) -> Image.Image:
    """Cut the output's box out of the best copy of the picture and resize it.

    The copy is the smallest whole-picture copy made so far that is still 1.3 times as large as
    the output needs (or the decoded image): much less work than the full decode, no visible loss.
    """
    needed = output.width / (output.box[2] - output.box[0])
    fitting = [copy for copy in copies if copy[0] >= 1.3 * needed]
    sx, sy, source = min(fitting, key=lambda copy: copy[0]) if fitting else copies[0]
    box = (output.box[0] * sx, output.box[1] * sy, min(source.width, output.box[2] * sx), min(source.height, output.box[3] * sy))
    if output.pad:
        return _padded(source, box, output)
    if box == (0, 0, source.width, source.height) and source.size == (output.width, output.height):
        return source
    return source.resize((output.width, output.height), Image.LANCZOS, box=box, reducing_gap=2.0)


def _padded(image: Image.Image, box: tuple, output: Output) -> Image.Image:
    """The whole box fitted, centred, on a white canvas of the output's size."""
    scale = min(1.0, output.width / (box[2] - box[0]), output.height / (box[3] - box[1]))
    inner = (max(1, round((box[2] - box[0]) * scale)), max(1, round((box[3] - box[1]) * scale)))
    fitted = image.resize(inner, Image.LANCZOS, box=box, reducing_gap=2.0)
    canvas = Image.new("RGB", (output.width, output.height), (255, 255, 255))
    where = ((output.width - inner[0]) // 2, (output.height - inner[1]) // 2)
    canvas.paste(fitted, where, fitted if fitted.mode == "RGBA" else None)
    return canvas


def _on_white(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white (JPEG has no alpha)."""
    canvas = Image.new("RGB", image.size, (255, 255, 255))
    canvas.paste(image, (0, 0), image)
    return canvas


def encode(image: Image.Image, kind: str, quality: int, path: Path) -> None:
    """Encode into the file at path, without any metadata."""
    image.info = {}
    if kind == "JPEG":
        (_on_white(image) if image.mode == "RGBA" else image).save(path, "JPEG", quality=quality, optimize=True)
    elif kind == "WEBP":
        image.save(path, "WEBP", quality=quality, method=2)
    elif kind == "AVIF":  # AVIF's scale differs: its quality 60 matches WebP's 83 in SSIM at ¾ of the bytes
        image.save(path, "AVIF", quality=max(1, quality - AVIF_OFFSET), speed=7)
    else:
        image.save(path, "PNG", optimize=True)
