"""Images: check every image field, plan its web copies, make them once, link them into the site.

``plan`` reads only image headers (and remembers them by file size and time, so an unchanged
photo is not even opened again) and decides every output file: widths from site.yaml that the
original can fill, WebP (and AVIF when asked) plus a JPEG fallback (PNG for transparency), a
square crop around the focal point for portraits, a 1200×630 JPEG share image.  File names carry
a hash of the source bytes and the settings.

``process`` makes the files that are not in the project's cache (``.cache/images/``) on every
core; each file is written to a temporary name and renamed, so a killed build never leaves a
half-written file under a final name.  ``publish`` links the files a build uses into the output
tree.  Files no build has used for ``KEEP_DAYS`` days are pruned from the cache.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, UnidentifiedImageError, features

from .content import Library
from .errors import OutputError, Report, quote
from .fsutil import content_file, missing_file_fix
from .imagecodec import EXTENSION, MAX_JPEG_PIXELS, MAX_PIXELS, MIME, READABLE_MODES, Job, Output, UnreadableMode, heif_support, make_files, open_image
from .markup import slugify
from .schema import ImageRef

VERSION = "v3"  # bump when the encoder changes, so old files are not reused
FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO", "AVIF", "HEIF"}
SQUARE_MAX = 960  # cards and leader thumbnails are never shown wider than 480 CSS pixels
SHARE_SIZE = (1200, 630)
PORTRAIT_FOCUS = (0.5, 0.3)  # faces sit in the upper third of a portrait
CENTRE = (0.5, 0.5)
KEEP_DAYS = 7
PROGRESS_FROM = 8  # show a progress bar when at least this many pictures need work


@dataclass(frozen=True)
class File:
    """One web copy of a picture: file name, pixel size and format."""

    name: str
    width: int
    height: int
    format: str

    @property
    def url(self) -> str:
        """Site-relative URL."""
        return "images/" + self.name

    @property
    def mime(self) -> str:
        """The MIME type for <source type>."""
        return MIME[self.format]


@dataclass(frozen=True)
class Rendition:
    """One crop of a picture (whole, square or share) at several widths in several formats."""

    box: tuple
    files: tuple
    formats: tuple  # best first; the last is the fallback every browser reads
    pad: bool = False

    def sized(self, kind: str) -> list[File]:
        """The files of one format, narrowest first."""
        return sorted((f for f in self.files if f.format == kind), key=lambda f: f.width)

    @property
    def largest(self) -> File:
        """The widest fallback file."""
        return self.sized(self.formats[-1])[-1]


@dataclass(frozen=True)
class Header:
    """What the planner knows of a source file without decoding it."""

    size: int
    mtime: int
    digest: str
    width: int  # upright
    height: int
    format: str
    alpha: bool


@dataclass(frozen=True)
class Picture:
    """One image of the content and every web copy made of it."""

    source: Path
    path: str
    where: tuple  # (entry file, line, field label) of the first entry that names it
    header: Header
    full: Rendition
    square: Rendition | None
    share: File
    share_box: tuple
    quality: int
    placeholder: str = ""

    @property
    def url(self) -> str:
        """URL of the widest fallback file (for templates that want one plain <img>)."""
        return self.full.largest.url

    @property
    def width(self) -> int:
        """Width of the widest copy."""
        return self.full.largest.width

    @property
    def height(self) -> int:
        """Height of the widest copy."""
        return self.full.largest.height

    @property
    def thumbnail(self) -> File:
        """The smallest fallback copy, square for a portrait (search results, kiosk lists)."""
        rendition = self.square or self.full
        return rendition.sized(rendition.formats[-1])[0]

    @property
    def files(self) -> list[File]:
        """Every file made of this picture."""
        return [*self.full.files, *(self.square.files if self.square else ()), self.share]


# --------------------------------------------------------------------------- plan

def plan(library: Library, report: Report) -> dict[str, Picture]:
    """Check every image an entry names and decide its web copies; content path → Picture."""
    site = library.site
    settings = site.images
    cache = Cache(site.root)
    formats = _formats(settings, report)
    pictures: dict[str, Picture] = {}

    def add(ref: ImageRef, source: str, slugs: dict, focus: tuple | None) -> Picture | None:
        """Check one named image and plan its copies, once per path."""
        if ref.path in pictures:
            return None
        checked = _check(site.content_dir, ref, source, report, cache)
        if checked is None:
            return None
        path, header = checked
        stem = Path(ref.path).stem
        name = (slugs.get(stem) or slugify(stem))[:40] or "image"
        picture = design(header, settings, formats, name, focus)
        picture = pictures[ref.path] = replace(picture, source=path, path=ref.path,
                                               where=(source, ref.line, ref.label))
        return picture

    if site.share_image and (picture := add(site.share_image, "site.yaml", {}, None)):
        _warn_if_small_share(picture, site.share_image, report)
    for entry in library.all():
        collection = site.collection(entry.collection)
        main = entry.data.get(collection.image_field) if collection and collection.image_field else None
        focus = _focus(entry, report)
        for ref in entry.image_refs():
            if picture := add(ref, entry.source, entry.slugs, focus if ref is main else None):
                _warn_if_small(picture, settings.widths, ref, entry.source, report)
    return pictures


def _formats(settings, report: Report) -> tuple:
    """The modern formats to offer before the fallback: WebP, and AVIF when asked and available."""
    if settings.avif and not features.check("avif"):
        report.warn("site.yaml", settings.line, "images.avif", "这台电脑上的 Pillow 不支持 AVIF，本次只生成 WebP 和 JPEG/PNG。",
                    "把 images.avif 改成 false，或安装带 AVIF 支持的 Pillow。")
    return ("AVIF", "WEBP") if settings.avif and features.check("avif") else ("WEBP",)


def _focus(entry, report: Report) -> tuple | None:
    """The focal point an entry gives for its main picture ([x, y], each 0 to 1), or None."""
    value = entry.data.get("focus")
    if value is None:
        return None
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in value):
        return (float(value[0]), float(value[1]))
    report.error(entry.source, entry.lines.get("focus", 0), "照片焦点", f"照片焦点应该是两个 0 到 1 之间的数，这里是{quote(value)}。",
                 "写成 focus: [0.5, 0.3]：第一个数是从左到右的位置，第二个是从上到下的位置（0.5 为正中）。")
    return None


def design(header: Header, settings, formats: tuple, name: str, focus: tuple | None) -> Picture:
    """Every web copy of a picture: widths that fit, formats, square crop and share image; pure."""
    w, h = header.width, header.height
    fallback = "PNG" if header.alpha else "JPEG"
    kinds = formats + (fallback,)
    tag = _short_hash(f"{header.digest}-{VERSION}-q{settings.quality}-{focus}")
    stem = f"{name}-{tag}"
    full = _rendition(stem, "", (0, 0, w, h), fit_widths(w, settings.widths), kinds)
    square = None
    if h > w:
        box = crop_box(w, h, 1.0, focus or PORTRAIT_FOCUS)
        widths = fit_widths(w, [c for c in settings.widths if c <= SQUARE_MAX] or [min(settings.widths)])
        square = _rendition(stem, "sq", box, widths, kinds)
    if header.alpha:
        share_box = (0, 0, w, h)
        share = File(f"{stem}-share.jpg", *SHARE_SIZE, "JPEG")
    else:
        share_box = crop_box(w, h, SHARE_SIZE[0] / SHARE_SIZE[1], focus or (PORTRAIT_FOCUS if h > w else CENTRE))
        box_w = share_box[2] - share_box[0]
        share_w = min(SHARE_SIZE[0], box_w)
        share = File(f"{stem}-share.jpg", share_w, round(share_w * SHARE_SIZE[1] / SHARE_SIZE[0]), "JPEG")
    return Picture(Path(), "", (), header, full, square, share, share_box, settings.quality)


def _rendition(stem: str, prefix: str, box: tuple, widths: list[int], kinds: tuple) -> Rendition:
    """The files of one crop: every width in every format."""
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    files = tuple(File(f"{stem}-{prefix}{width}.{EXTENSION[kind]}", width, max(1, round(width * box_h / box_w)), kind)
                  for kind in kinds for width in widths)
    return Rendition(box, files, kinds)


def fit_widths(available: int, configured) -> list[int]:
    """The configured widths an original of this width can fill, plus its own width when it falls short."""
    fits = [w for w in sorted(configured) if w <= available]
    if available < max(configured) and available not in fits:
        fits.append(available)
    return fits


def crop_box(width: int, height: int, aspect: float, focus: tuple) -> tuple:
    """The largest box of the given aspect (width/height) inside the image, centred on focus as far as it can be."""
    if width / height > aspect:
        box_w, box_h = round(height * aspect), height
    else:
        box_w, box_h = width, round(width / aspect)
    left = min(max(round(focus[0] * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focus[1] * height - box_h / 2), 0), height - box_h)
    return (left, top, left + box_w, top + box_h)


def _short_hash(text: str) -> str:
    """Ten hex digits of a SHA-256."""
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _warn_if_small(picture: Picture, configured, ref: ImageRef, source: str, report: Report) -> None:
    """Warn that an original narrower than the widest configured width is used at its own size."""
    widest = max(configured)
    if picture.header.width >= widest:
        return
    made = "、".join(str(w) for w in sorted({f.width for f in picture.full.files}))
    report.warn(source, ref.line, ref.label,
                f"图片{quote('content/' + ref.path)}只有 {picture.header.width} 像素宽，比设置的最大宽度 {widest} 像素小："
                f"只生成 {made} 像素宽的版本（不放大），在大屏幕上可能不够清晰。",
                f"换一张至少 {widest} 像素宽的原图；或在 site.yaml 的 images.widths 里去掉用不到的宽度。")


def _warn_if_small_share(picture: Picture, ref: ImageRef, report: Report) -> None:
    """Warn that the default share picture is smaller than a share card (1200×630)."""
    width, height = picture.header.width, picture.header.height
    if width < SHARE_SIZE[0] or height < SHARE_SIZE[1]:
        report.warn("site.yaml", ref.line, "share_image",
                    f"分享图{quote('content/' + ref.path)}只有 {width}×{height} 像素，比分享卡片的 {SHARE_SIZE[0]}×{SHARE_SIZE[1]} 小，在卡片上可能不清晰。",
                    f"换一张至少 {SHARE_SIZE[0]}×{SHARE_SIZE[1]} 像素的横图。")


def _check(content_dir: Path, ref: ImageRef, source: str, report: Report, cache: "Cache") -> tuple[Path, Header] | None:
    """Check one image file and read its header: (its file, header), or None after reporting what is wrong."""
    path = content_file(content_dir, ref.path)
    shown = quote(f"content/{ref.path}")
    if path is None:
        report.error(source, ref.line, ref.label, f"图片{shown}指向 content 文件夹以外。", "把图片放进 content 文件夹，再写相对路径。")
        return None
    if not path.is_file():
        report.error(source, ref.line, ref.label, f"找不到图片{shown}。",
                     missing_file_fix(content_dir, path, source, "（包括 .jpg/.png 扩展名和大小写）"))
        return None
    try:
        return path, cache.header(path)
    except BadImage as exc:
        report.error(source, ref.line, ref.label, f"{shown}{exc.found}", exc.fix)
    except OSError as exc:
        report.error(source, ref.line, ref.label, f"{shown}无法读取（{exc.strerror or exc}）。", "检查文件是否被其他程序占用，或重新复制一份。")
    return None


class BadImage(Exception):
    """A source image that cannot be used: what is wrong (found) and how to fix it."""

    def __init__(self, found: str, fix: str):
        super().__init__(found)
        self.found = found
        self.fix = fix


def read_header(path: Path, stat: os.stat_result) -> Header:
    """Open a source image (headers only), refuse what cannot be used, hash its bytes."""
    if stat.st_size == 0:
        raise BadImage(*_unreadable(path, None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with open_image(path) as image:
                kind, (width, height), mode = image.format, image.size, image.mode
                orientation = image.getexif().get(0x0112, 1) if kind in ("JPEG", "MPO", "TIFF", "WEBP") else 1
                frames = image.n_frames if kind in ("GIF", "PNG", "WEBP", "AVIF") and getattr(image, "is_animated", False) else 1
                alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
        except Image.DecompressionBombError:
            raise BadImage(*too_many_pixels(None, MAX_JPEG_PIXELS)) from None
        except (UnidentifiedImageError, ValueError, SyntaxError, EOFError) as exc:
            raise BadImage(*_unreadable(path, exc)) from None
        except OSError as exc:
            if isinstance(exc, (PermissionError, FileNotFoundError)):
                raise
            raise BadImage(*_unreadable(path, exc)) from None
    if kind not in FORMATS:
        raise BadImage(f"是 {kind} 格式，网页不支持。", "另存为 JPG 或 PNG。")
    limit = MAX_JPEG_PIXELS if kind in ("JPEG", "MPO") else MAX_PIXELS
    if width * height > limit:
        raise BadImage(*too_many_pixels((width, height), limit))
    if frames > 1:
        raise BadImage(f"是动图（{frames} 帧），展厅只用静态图片。", "用看图软件把想展示的那一帧另存为 JPG 或 PNG；要展示动态过程请用视频链接。")
    if mode not in READABLE_MODES:
        raise BadImage(f"的颜色模式是 {mode}，无法转换成网页图片。", "用看图软件或 Photoshop 另存为普通 RGB 颜色的 JPG 或 PNG。")
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return Header(stat.st_size, stat.st_mtime_ns, _file_hash(path), width, height, kind, alpha)


def too_many_pixels(size: tuple | None, limit: int) -> tuple[str, str]:
    """What is wrong with an image too large to make web copies of, and what to do about it."""
    shown = f"{size[0]}×{size[1]}，" if size else ""
    return (f"像素太多（{shown}超过 {limit // 10_000} 万像素），可能是超大扫描件或拼接的全景图。",
            "用看图软件缩小到 8000 像素宽以内再用。")


def _file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unreadable(path: Path, exc: Exception | None) -> tuple[str, str]:
    """What is wrong with an image Pillow cannot open, and what to do about it."""
    suffix = path.suffix.lower()
    if suffix in (".heic", ".heif"):
        if not heif_support():
            return "是苹果手机的 HEIC 格式，这台电脑缺少读取它的 pillow-heif。", "运行 python -m pip install pillow-heif 后再生成；或在手机的“照片”里把它导出为 JPG 再用。"
        return "是 HEIC 格式的照片（苹果手机拍的），但读不出来，可能没有传完整。", "从手机重新传一次原图；仍然不行，就在手机的“照片”里把它导出为 JPG 再用。"
    if suffix == ".svg":
        return "是 SVG 矢量图，这个字段需要照片类图片。", "另存为 PNG（标志）或 JPG（照片）后再用。"
    if exc is None:
        return "是空文件（0 字节），不是能识别的图片。", "重新复制原图；复制时不要中断。"
    return "不是能识别的图片，或文件已损坏。", "换成 JPG 或 PNG 格式的原图；只改扩展名不会改变格式。"


# --------------------------------------------------------------------------- cache

class Cache:
    """The project's image cache: finished files under their final names, and an index.

    The index remembers each source's header by size and modification time, each source's
    placeholder colour, and the day each file was last used (for pruning).
    """

    def __init__(self, root: Path):
        self.dir = root / ".cache" / "images"
        self.index_path = self.dir / "index.json"
        try:
            index = json.loads(self.index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        if not isinstance(index, dict) or index.get("version") != VERSION:
            index = {}
        self.sources: dict = index.get("sources", {})
        self.colours: dict = index.get("colours", {})
        self.used: dict = index.get("used", {})

    def header(self, path: Path) -> Header:
        """A source's header, from the index when its size and time are unchanged."""
        stat = path.stat()
        known = self.sources.get(str(path))
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return Header(*known)
        header = read_header(path, stat)
        self.sources[str(path)] = list(vars(header).values())
        return header

    def has(self, name: str) -> bool:
        """True when a finished file of this name is in the cache."""
        return (self.dir / name).is_file()

    @contextmanager
    def store(self, name: str):
        """A temporary path to write a file to, renamed to its name once written: a killed build leaves no half file."""
        temporary = self.dir / f".{name}.{os.getpid()}-{threading.get_ident()}.tmp"
        try:
            yield temporary
            os.replace(temporary, self.dir / name)
        finally:
            temporary.unlink(missing_ok=True)

    def write_index(self, pictures: list[Picture]) -> None:
        """Store headers of this build's sources, colours and use days, atomically."""
        today = int(time.time() // 86400)
        for picture in pictures:
            for file in picture.files:
                self.used[file.name] = today
        index = {"version": VERSION, "sources": self.sources, "colours": self.colours, "used": self.used}
        with self.store("index.json") as path:
            path.write_text(json.dumps(index, ensure_ascii=False, sort_keys=True), encoding="utf-8")

    def prune(self, keep: set) -> int:
        """Delete files no build has used for KEEP_DAYS days, and temporary files of killed builds."""
        today = int(time.time() // 86400)
        removed = 0
        for path in self.dir.iterdir():
            name = path.name
            if name == "index.json" or name in keep:
                continue
            stale_temp = name.endswith(".tmp") and time.time() - path.stat().st_mtime > 3600
            if stale_temp or (not name.endswith(".tmp") and today - self.used.get(name, 0) > KEEP_DAYS):
                path.unlink(missing_ok=True)
                self.used.pop(name, None)
                removed += 1
        return removed


# --------------------------------------------------------------------------- process

def process(pictures: dict[str, Picture], root: Path, report: Report, cores: int | None = None) -> dict[str, Picture]:
    """Make every file not yet in the cache, on all cores; return the pictures with placeholders."""
    cache = Cache(root)
    try:
        cache.dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法建立图片缓存文件夹 {cache.dir}（{exc.strerror}）。检查项目文件夹的权限和磁盘空间后再试。") from None
    for picture in pictures.values():
        cache.sources[str(picture.source)] = list(vars(picture.header).values())
    todo = []
    for path, picture in sorted(pictures.items()):
        missing = [f for f in picture.files if not cache.has(f.name)]
        if missing or picture.header.digest not in cache.colours:
            todo.append((path, _job(picture, missing or picture.files[:1])))
    failed = _run(todo, cache, report, pictures, cores or os.cpu_count() or 1)
    done = {path: replace(p, placeholder=cache.colours.get(p.header.digest, "")) for path, p in pictures.items() if path not in failed}
    keep = {f.name for p in pictures.values() for f in p.files}
    try:
        cache.prune(keep)
        cache.write_index(list(done.values()))
    except OSError as exc:
        raise OutputError(f"无法写入图片缓存 {cache.dir}（{exc.strerror}）。检查磁盘空间和文件夹权限后再试。") from None
    return done


def _job(picture: Picture, files: list[File]) -> Job:
    """The codec's job for the files still missing."""
    outputs = []
    for file in files:
        if file is picture.share:
            outputs.append(Output(file.name, picture.share_box, file.width, file.height, "JPEG", pad=picture.header.alpha))
            continue
        rendition = picture.full if file in picture.full.files else picture.square
        outputs.append(Output(file.name, rendition.box, file.width, file.height, file.format))
    return Job(picture.source, picture.header.width, picture.header.height, picture.quality, tuple(outputs))


def _run(todo: list, cache: Cache, report: Report, pictures: dict, cores: int) -> set:
    """Run the jobs on a pool of threads (Pillow releases the GIL); report failures; return their paths."""
    failed = set()
    if not todo:
        return failed
    bar = Progress(len(todo))
    with ThreadPoolExecutor(max_workers=min(cores, len(todo))) as pool:
        futures = {pool.submit(make_files, job, cache.store): (path, job) for path, job in todo}
        for future in as_completed(futures):
            path, job = futures[future]
            try:
                cache.colours[pictures[path].header.digest] = future.result()
            except Exception as exc:  # noqa: BLE001 - any decoder failure becomes a message
                failed.add(path)
                _report_failure(pictures[path], exc, report)
            bar.step()
    bar.close()
    return failed


def _report_failure(picture: Picture, exc: Exception, report: Report) -> None:
    """A Chinese explanation of why a picture could not be made."""
    source, line, label = picture.where
    shown = quote(f"content/{picture.path}")
    text = str(exc)
    if isinstance(exc, UnreadableMode):
        found, fix = f"{shown}的颜色模式是 {text}，无法转换成网页图片。", "用看图软件或 Photoshop 另存为普通 RGB 颜色的 JPG 或 PNG。"
    elif "truncated" in text or "broken data stream" in text or isinstance(exc, (EOFError, SyntaxError)):
        found, fix = f"{shown}不完整（文件只有一部分，可能没有复制或下载完）。", "从相机、手机或原始邮件里重新复制这张原图。"
    elif isinstance(exc, Image.DecompressionBombError):
        found, fix = too_many_pixels(None, MAX_PIXELS)
        found = f"{shown}{found}"
    elif isinstance(exc, MemoryError):
        found, fix = f"{shown}太大，内存不够处理。", "缩小到 8000 像素宽以内再用。"
    elif isinstance(exc, OSError) and exc.errno is not None:
        found, fix = f"{shown}处理时无法读写（{exc.strerror}）。", "检查磁盘空间和 .cache 文件夹的权限后再试。"
    else:
        found, fix = f"{shown}已损坏，无法解码（{type(exc).__name__}: {text[:80]}）。", "换一张完整的 JPG 或 PNG 原图。"
    report.error(source, line, label, found, fix)


class Progress:
    """A one-line progress bar on a terminal; silent when output is not a terminal or the work is small."""

    def __init__(self, total: int, stream=None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.shown = total >= PROGRESS_FROM and getattr(self.stream, "isatty", lambda: False)()

    def step(self) -> None:
        """One more picture finished."""
        self.done += 1
        if self.shown:
            filled = self.done * 30 // self.total
            self.stream.write(f"\r处理图片 [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        """Clear the bar."""
        if self.shown:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


# --------------------------------------------------------------------------- publish

def publish(pictures: dict[str, Picture], root: Path, tree) -> int:
    """Link (or copy) every file of every picture from the cache into the output tree; return the picture count."""
    cache_dir = root / ".cache" / "images"
    seen: set[str] = set()
    folder_made = False
    for _, picture in sorted(pictures.items()):
        for file in picture.files:
            if file.name in seen:
                continue
            seen.add(file.name)
            target = tree.path(file.url)
            if not folder_made:
                target.parent.mkdir(parents=True, exist_ok=True)
                folder_made = True
            try:
                os.link(cache_dir / file.name, target)
            except OSError:
                shutil.copyfile(cache_dir / file.name, target)
    return len(pictures)
