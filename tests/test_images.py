"""images: every picture leaves the build upright, sized, stripped, as <picture> with srcset, cached."""
from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from conftest import BUILD_PY, REPO, run_build
from showcase import images, imagecodec, pipeline
from showcase.config import ImageSettings
from showcase.errors import ContentError

SHARED_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"
WORKER_PAGE = "workers/ai-ziyang/index.html"
PHOTO = "content/workers/images/ai-ziyang.jpg"


# --------------------------------------------------------------------------- sample images

def shared_photo(name: str, size: tuple) -> bytes:
    """A real camera photo from ../shared/photos, or a generated one of that size where the folder is absent."""
    path = SHARED_PHOTOS / name
    if path.is_file():
        return path.read_bytes()
    buffer = io.BytesIO()
    gradient = Image.radial_gradient("L").resize(size)
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient.rotate(90))).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def camera_jpeg(width: int = 2000, height: int = 1200) -> bytes:
    """A JPEG stored sideways (Orientation 6) with GPS, camera model, XMP, an ICC profile and a comment."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((20, 20, 200), (0, 0, width // 5, height))  # a blue band on the stored left = the top once upright
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (39.0, 54.0, 27.0), "E", (116.0, 23.0, 49.0)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description GPSLatitude="39,54.45N"/></rdf:RDF></x:xmpmeta>'
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"shot at home", quality=90, icc_profile=srgb, xmp=xmp)
    return buffer.getvalue()


def camera_heic(width: int = 2000, height: int = 1200) -> bytes:
    """An iPhone-style HEIC of camera_jpeg's picture: stored sideways with a rotation box (irot), GPS and camera in EXIF."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    with Image.open(io.BytesIO(camera_jpeg(width, height))) as photo:
        buffer = io.BytesIO()
        photo.save(buffer, "HEIF", exif=photo.getexif().tobytes(), quality=90)
    data = buffer.getvalue()
    assert data[4:12] == b"ftypheic" and b"irot" in data and b"PhoneModel X" in data
    return data


def portrait_with_bands(width: int = 1600, height: int = 2400) -> bytes:
    """A portrait: a red top quarter, a green bottom quarter, grey between."""
    image = Image.new("RGB", (width, height), (128, 128, 128))
    image.paste((220, 20, 20), (0, 0, width, height // 4))
    image.paste((20, 200, 20), (0, height * 3 // 4, width, height))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png(image: Image.Image, **options) -> bytes:
    """PNG bytes of an image."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def with_logo(files: dict, data: bytes, name: str = "logo.png") -> dict:
    """The tiny hall with an enterprise logo."""
    files = dict(files)
    files[f"content/enterprises/{name}"] = data
    files["content/enterprises/中车长客.md"] = files["content/enterprises/中车长客.md"].replace(
        "summary:", f"logo: {name}\nlogo_alt: 示意标志\nsummary:")
    return files


# --------------------------------------------------------------------------- reading a built page

def pictures_of(out: Path, page: str) -> list[str]:
    """Every <picture>…</picture> of a built page."""
    return re.findall(r"<picture>.*?</picture>", (out / page).read_text(encoding="utf-8"), re.S)


def srcset(tag: str, kind: str) -> dict[int, Path]:
    """width → file of one format's srcset in a <picture> (relative to the site root)."""
    if kind in ("jpg", "png"):
        found = re.search(r'<img[^>]* srcset="([^"]+)"', tag)
    else:
        found = re.search(rf'<source type="image/{kind}" srcset="([^"]+)"', tag)
    result = {}
    for part in found.group(1).split(", "):
        url, width = part.rsplit(" ", 1)
        result[int(width[:-1])] = Path(re.sub(r"^(\.\./)+|^\./", "", url))
    return result


def attribute(tag: str, name: str) -> str | None:
    """An attribute of the <img> in a <picture>."""
    found = re.search(rf'<img[^>]* {name}="([^"]*)"', tag)
    return found.group(1) if found else None


def no_metadata(path: Path) -> None:
    """Assert a web copy carries no EXIF, GPS, XMP, comment, thumbnail or colour profile."""
    data = path.read_bytes()
    for marker in (b"Exif", b"PhoneModel", b"PhoneMaker", b"shot at home", b"GPS", b"xmpmeta", b"ICC_PROFILE", b"iCCP"):
        assert marker not in data, (path.name, marker)
    with Image.open(path) as image:
        assert len(image.getexif()) == 0
        assert not {"exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp"} & set(image.info), (path.name, image.info.keys())


# --------------------------------------------------------------------------- pure planning

@pytest.mark.parametrize("available, configured, expected", [
    (4000, [480, 960, 1600], [480, 960, 1600]),
    (1600, [480, 960, 1600], [480, 960, 1600]),
    (1200, [480, 960, 1600], [480, 960, 1200]),
    (600, [1600, 480, 960], [480, 600]),
    (300, [480, 960, 1600], [300]),
])
def test_widths_never_exceed_the_original(available, configured, expected):
    assert images.fit_widths(available, configured) == expected


@pytest.mark.parametrize("size, aspect, focus, expected", [
    ((1000, 2000), 1.0, (0.5, 0.3), (0, 100, 1000, 1100)),
    ((1000, 2000), 1.0, (0.5, 0.0), (0, 0, 1000, 1000)),
    ((1000, 2000), 1.0, (0.5, 1.0), (0, 1000, 1000, 2000)),
    ((2000, 1000), 1.0, (0.9, 0.5), (1000, 0, 2000, 1000)),
    ((4000, 3000), 1200 / 630, (0.5, 0.5), (0, 450, 4000, 2550)),
])
def test_crop_box_follows_the_focus_and_stays_inside(size, aspect, focus, expected):
    assert images.crop_box(*size, aspect, focus) == expected


def test_names_change_with_bytes_and_settings_but_not_with_widths():
    header = images.Header(1, 1, "a" * 64, 3000, 2000, "JPEG", False)
    base = images.design(header, ImageSettings(), ("WEBP",), "x", None)
    names = {f.name for f in base.full.files}
    assert {f.name for f in images.design(header, ImageSettings(widths=(480, 960)), ("WEBP",), "x", None).full.files} < names
    assert not names & {f.name for f in images.design(header, ImageSettings(quality=60), ("WEBP",), "x", None).full.files}
    other = images.Header(1, 1, "b" * 64, 3000, 2000, "JPEG", False)
    assert not names & {f.name for f in images.design(other, ImageSettings(), ("WEBP",), "x", None).full.files}


def test_progress_bar_only_on_a_terminal():
    class Stream(io.StringIO):
        def __init__(self, tty):
            super().__init__()
            self.tty = tty

        def isatty(self):
            return self.tty

    for tty, expected in ((True, "处理图片"), (False, "")):
        stream = Stream(tty)
        bar = images.Progress(10, stream)
        for _ in range(10):
            bar.step()
        bar.close()
        assert (expected in stream.getvalue()) if expected else stream.getvalue() == ""
    assert "10/10" in stream.getvalue() or not stream.tty


# --------------------------------------------------------------------------- what a page gets

@pytest.mark.parametrize("name, make", [("ai-ziyang.jpg", camera_jpeg), ("IMG_0042.HEIC", camera_heic)])
def test_camera_photo_is_upright_stripped_and_offered_in_every_width_and_format(name, make, make_project, tiny_hall):
    files = dict(tiny_hall)
    files[f"content/workers/images/{name}"] = make()
    files["content/workers/艾子洋.md"] = files["content/workers/艾子洋.md"].replace("images/ai-ziyang.jpg", f"images/{name}")
    root = make_project(files)
    proc = run_build(root, "--output", str(root / "out"))
    assert proc.returncode == 0, proc.stderr
    out = root / "out"
    # 1200 px wide once upright: never upscaled to 1600, and the publicist is told so
    assert "只有 1200 像素宽，比设置的最大宽度 1600 像素小：只生成 480、960、1200 像素宽的版本（不放大）" in proc.stdout + proc.stderr
    tag = pictures_of(out, WORKER_PAGE)[0]
    webp, jpeg = srcset(tag, "webp"), srcset(tag, "jpg")
    assert sorted(webp) == sorted(jpeg) == [480, 960, 1200]
    assert attribute(tag, "width") == "1200" and attribute(tag, "height") == "2000"
    assert attribute(tag, "alt") == "艾子洋在调试车间的示意照片"
    assert attribute(tag, "loading") == "eager" and attribute(tag, "decoding") == "async"
    assert re.fullmatch(r"background-color:#[0-9a-f]{6}", attribute(tag, "style"))
    assert attribute(tag, "sizes")
    for width, relative in [*webp.items(), *jpeg.items()]:
        with Image.open(out / relative) as image:
            assert image.format == ("WEBP" if relative.suffix == ".webp" else "JPEG")
            assert image.size == (width, round(width * 2000 / 1200))
            top = image.convert("RGB").getpixel((image.width // 2, 3))
            assert top[2] > 150 and top[0] < 100  # the blue band is at the top: turned upright
        no_metadata(out / relative)
    for path in (out / "images").iterdir():
        no_metadata(path)


def test_a_photo_in_the_body_is_upright_stripped_and_offered_in_every_width(make_project, tiny_hall):
    files = dict(tiny_hall)
    files["content/workers/images/车间里.jpg"] = camera_jpeg()
    files["content/workers/艾子洋.md"] = files["content/workers/艾子洋.md"].replace(
        "第二段正文。", "第二段正文。\n\n![艾子洋在车间里调试转向架](images/车间里.jpg)")
    root = make_project(files)
    proc = run_build(root, "--output", str(root / "out"))
    assert proc.returncode == 0, proc.stderr
    out = root / "out"
    prose = (out / WORKER_PAGE).read_text(encoding="utf-8").split('<div class="prose">')[1].split("</div>")[0]
    assert "车间里.jpg" not in prose  # the original, with its GPS, is neither linked nor published
    tag = pictures_of(out, WORKER_PAGE)[1]
    assert tag in prose
    assert attribute(tag, "alt") == "艾子洋在车间里调试转向架" and attribute(tag, "loading") == "lazy"
    assert attribute(tag, "sizes") == "(min-width: 48em) 42em, 100vw"
    webp, jpeg = srcset(tag, "webp"), srcset(tag, "jpg")
    assert sorted(webp) == sorted(jpeg) == [480, 960, 1200]
    for width, relative in [*webp.items(), *jpeg.items()]:
        assert relative.name.startswith("chejianli-")  # named by the pinyin of 车间里
        with Image.open(out / relative) as image:
            assert image.size == (width, round(width * 2000 / 1200))  # turned upright
        no_metadata(out / relative)
    assert not list(out.rglob("*.jpg.jpg")) and not [p for p in out.rglob("*") if "车间" in p.name]


def test_a_photo_whose_file_name_holds_a_percent_escape_is_found_as_written(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files.pop(PHOTO)
    files["content/workers/images/艾子洋%20100%25.jpg"] = camera_jpeg()  # saved from a web page with its address's name
    files["content/workers/艾子洋.md"] = files["content/workers/艾子洋.md"].replace(
        "photo: images/ai-ziyang.jpg", "photo: images/艾子洋%20100%25.jpg").replace(
        "第二段正文。", "第二段正文。\n\n![艾子洋在车间里](images/艾子洋%20100%25.jpg)")
    out = build_project(make_project(files))
    for tag in pictures_of(out, WORKER_PAGE)[:2]:  # the portrait, the body's picture
        for relative in [*srcset(tag, "webp").values(), *srcset(tag, "jpg").values()]:
            assert relative.name.startswith("aiziyang-100-")
            no_metadata(out / relative)


def test_a_body_picture_with_a_title_alone_in_its_paragraph_is_a_figure_with_that_caption(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files["content/workers/艾子洋.md"] = files["content/workers/艾子洋.md"].replace(
        "第二段正文。", '第二段正文。\n\n![艾子洋在调试车间](images/ai-ziyang.jpg "2020年，艾子洋在调试车间 <一线>")\n\n'
                      '文中的小图 ![示意](images/ai-ziyang.jpg "不是图注") 不单独成段。')
    out = build_project(make_project(files))
    prose = (out / WORKER_PAGE).read_text(encoding="utf-8").split('<div class="prose">')[1].split("</div>")[0]
    figure = re.search(r'<figure class="prose-figure">(<picture>.*?</picture>)<figcaption>(.*?)</figcaption></figure>', prose)
    assert figure and figure.group(2) == "2020年，艾子洋在调试车间 &lt;一线&gt;"
    assert attribute(figure.group(1), "alt") == "艾子洋在调试车间"
    assert re.search(r"<p>文中的小图 <picture>.*?</picture> 不单独成段。</p>", prose) and "不是图注" not in prose


def test_large_photo_gets_the_configured_widths_and_a_share_image(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files[PHOTO] = shared_photo("bridge.jpg", (4352, 2448))
    out = build_project(make_project(files))
    tag = pictures_of(out, WORKER_PAGE)[0]
    webp = srcset(tag, "webp")
    assert sorted(webp) == [480, 960, 1600]
    with Image.open(out / webp[1600]) as image:
        assert image.size == (1600, round(2448 * 1600 / 4352))
    page = (out / WORKER_PAGE).read_text(encoding="utf-8")
    share = re.search(r'<meta property="og:image" content="https://example\.org/zhanting/(images/[^"]+\.jpg)">', page).group(1)
    assert '<meta property="og:image:width" content="1200">' in page and '<meta property="og:image:height" content="630">' in page
    with Image.open(out / share) as image:
        assert image.format == "JPEG" and image.size == (1200, 630)
    no_metadata(out / share)


def og_image(out: Path, page: str) -> str | None:
    """The share image a page names (its path in the output), or None."""
    found = re.search(r'<meta property="og:image" content="https://example\.org/zhanting/([^"]+)">',
                      (out / page).read_text(encoding="utf-8"))
    return found.group(1) if found else None


def test_pages_without_a_picture_share_the_site_share_image(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files["content/images/share.jpg"] = camera_jpeg(2400, 1300)  # sideways, with GPS and camera
    out = build_project(make_project(files))
    shared = og_image(out, "index.html")
    assert shared.startswith("images/share-") and shared.endswith("-share.jpg")
    assert og_image(out, "workers/index.html") == og_image(out, "404.html") == shared
    assert og_image(out, WORKER_PAGE).startswith("images/ai-ziyang-")  # a page with its own picture keeps it
    with Image.open(out / shared) as image:
        assert image.format == "JPEG" and image.size == (1200, 630)
        top = image.convert("RGB").getpixel((600, 3))
        assert top[2] > 150 and top[0] < 100  # the crop comes from the upright picture (blue band on top)
    no_metadata(out / shared)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:image:width" content="1200">' in home and '<meta property="og:image:height" content="630">' in home


def without_share_image(root: Path) -> Path:
    """Take share_image out of a project's site.yaml, so that its worker's photo is the only picture; return root."""
    site = root / "site.yaml"
    site.write_text(re.sub(r"share_image: .*\n", "", site.read_text(encoding="utf-8")), encoding="utf-8")
    return root


def test_without_a_share_image_an_svg_logo_is_never_a_share_card(make_project, tiny_hall, build_project):
    root = without_share_image(make_project(tiny_hall))
    site = root / "site.yaml"
    text = site.read_text(encoding="utf-8")
    out = build_project(root)
    assert "og:image" not in (out / "index.html").read_text(encoding="utf-8")  # apps show no SVG on a card
    assert og_image(out, WORKER_PAGE).startswith("images/ai-ziyang-")
    (root / "assets/logo.png").write_bytes(png(Image.new("RGB", (400, 400), (166, 27, 27))))
    site.write_text(text.replace("logo: assets/logo.svg", "logo: assets/logo.png"), encoding="utf-8")
    assert og_image(build_project(root), "index.html") == "assets/logo.png"


def test_a_missing_share_image_is_an_error_on_its_site_yaml_line(make_project, tiny_hall):
    files = dict(tiny_hall)
    del files["content/images/share.jpg"]
    root = make_project(files)
    line = next(n for n, text in enumerate((root / "site.yaml").read_text(encoding="utf-8").split("\n"), 1) if text.startswith("share_image:"))
    proc = run_build(root)
    assert proc.returncode == 1, proc.stderr
    assert f"site.yaml 第 {line} 行 · 分享图" in proc.stderr and "找不到图片「content/images/share.jpg」" in proc.stderr


def test_a_small_share_image_is_warned(make_project, tiny_hall):
    files = dict(tiny_hall)
    files["content/images/share.jpg"] = portrait_with_bands(600, 315)
    proc = run_build(make_project(files), "--strict")
    assert proc.returncode == 1
    assert "分享图「content/images/share.jpg」只有 600×315 像素，比分享卡片的 1200×630 小" in proc.stderr


def test_portrait_cards_are_square_around_the_focal_point(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files[PHOTO] = portrait_with_bands()
    plain = build_project(make_project(files))
    files["content/workers/艾子洋.md"] = files["content/workers/艾子洋.md"].replace("position:", "focus: [0.5, 0.95]\nposition:")
    focused = build_project(make_project(files))
    red, grey, green = (220, 20, 20), (128, 128, 128), (20, 200, 20)
    for out, (top, bottom) in ((plain, (red, grey)), (focused, (grey, green))):
        card = next(t for t in pictures_of(out, "workers/index.html") if "card-img" in t)
        files_ = srcset(card, "webp")
        assert attribute(card, "width") == attribute(card, "height")
        with Image.open(out / files_[max(files_)]) as image:
            assert image.width == image.height
            rgb = image.convert("RGB")
            for y, expected in ((image.height // 10, top), (image.height * 9 // 10, bottom)):
                colour = rgb.getpixel((image.width // 2, y))
                assert all(abs(a - b) < 40 for a, b in zip(colour, expected)), (y, colour)
        # the page of the worker itself shows the whole portrait
        whole = pictures_of(out, WORKER_PAGE)[0]
        assert attribute(whole, "height") == "2400" and attribute(whole, "width") == "1600"


def test_a_wrong_focus_is_an_error_with_its_line(make_project, tiny_hall):
    files = dict(tiny_hall)
    files["content/workers/艾子洋.md"] = files["content/workers/艾子洋.md"].replace("position:", "focus: [0.5, 3]\nposition:")
    root = make_project(files)
    proc = run_build(root)
    assert proc.returncode == 1
    assert "content/workers/艾子洋.md 第 6 行 · 照片焦点" in proc.stderr and "两个 0 到 1 之间的数" in proc.stderr


def test_transparent_logo_stays_transparent_and_its_share_image_is_padded(make_project, tiny_hall, build_project):
    logo = Image.new("RGBA", (1600, 1600), (0, 0, 0, 0))
    logo.paste((166, 27, 27, 255), (400, 400, 1200, 1200))
    out = build_project(make_project(with_logo(tiny_hall, png(logo))))
    tag = pictures_of(out, "enterprises/zhongchezhangke/index.html")[0]
    assert attribute(tag, "style") is None  # no placeholder colour behind a transparent logo
    for kind in ("png", "webp"):
        for relative in srcset(tag, kind).values():
            with Image.open(out / relative) as image:
                assert image.mode == "RGBA"
                assert image.getpixel((5, 5))[3] == 0 and image.getpixel((image.width // 2, image.height // 2))[3] == 255
    page = (out / "enterprises/zhongchezhangke/index.html").read_text(encoding="utf-8")
    share = re.search(r'og:image" content="https://example\.org/zhanting/(images/[^"]+)"', page).group(1)
    with Image.open(out / share) as image:
        assert image.size == (1200, 630) and image.mode == "RGB"
        assert image.getpixel((5, 5)) == (255, 255, 255)
        centre = image.getpixel((600, 315))
        assert centre[0] > 140 and centre[1] < 60


@pytest.mark.parametrize("make, expected", [
    (lambda: Image.new("CMYK", (1600, 1000), (0, 255, 255, 0)), (255, 0, 0)),  # CMYK red
    (lambda: Image.new("I;16", (1600, 1000), 40000), (156, 156, 156)),  # 16-bit grey
    (lambda: Image.new("RGB", (1600, 1000), (30, 120, 200)).quantize(4), (30, 120, 200)),  # palette
    (lambda: Image.new("LA", (1600, 1000), (90, 255)), (90, 90, 90)),  # grey with (opaque) alpha
])
def test_colour_modes_are_turned_into_srgb(make, expected, make_project, tiny_hall, build_project):
    image = make()
    buffer = io.BytesIO()
    image.save(buffer, "TIFF" if image.mode == "CMYK" else "PNG")
    name = "odd.tif" if image.mode == "CMYK" else "odd.png"
    out = build_project(make_project(with_logo(tiny_hall, buffer.getvalue(), name)))
    tag = pictures_of(out, "enterprises/zhongchezhangke/index.html")[0]
    webp = srcset(tag, "webp")
    with Image.open(out / webp[max(webp)]) as made:
        pixel = made.convert("RGB").getpixel((10, 10))
        assert made.width == 1600
    assert all(abs(a - b) <= 12 for a, b in zip(pixel, expected)), pixel


def test_only_the_first_picture_of_a_page_loads_eagerly(demo_site):
    for page in ("index.html", "workers/index.html", "studios/zhangyi-laomo/index.html", WORKER_PAGE):
        tags = pictures_of(demo_site, page)
        assert tags, page
        loading = [attribute(t, "loading") for t in tags]
        assert loading[0] == "eager" and set(loading[1:]) <= {"lazy"}, (page, loading)
        for tag in tags:
            assert '<source type="image/webp"' in tag and attribute(tag, "decoding") == "async"
            assert attribute(tag, "width") and attribute(tag, "height") and attribute(tag, "alt") is not None


def test_avif_is_offered_when_site_yaml_asks(make_project, tiny_hall, build_project):
    root = make_project(tiny_hall)
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("avif: false", "avif: true"), encoding="utf-8")
    out = build_project(root)
    tag = pictures_of(out, WORKER_PAGE)[0]
    assert tag.index('type="image/avif"') < tag.index('type="image/webp"')
    for relative in srcset(tag, "avif").values():
        with Image.open(out / relative) as image:
            assert image.format == "AVIF"


def test_real_photos_are_stripped_and_sized(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files[PHOTO] = shared_photo("friends.jpg", (2056, 3088))
    out = build_project(make_project(files))
    tag = pictures_of(out, WORKER_PAGE)[0]
    for width, relative in srcset(tag, "jpg").items():
        with Image.open(out / relative) as image:
            assert image.width == width and abs(image.height - width * 3088 / 2056) <= 1
        no_metadata(out / relative)


# --------------------------------------------------------------------------- the cache

def counted_build(root: Path, monkeypatch, output: str = "output") -> list[str]:
    """Build in this process; return the sources the codec decoded."""
    decoded: list[str] = []
    real = images.make_files

    def counting(job, store):
        decoded.append(job.source.name)
        return real(job, store)

    monkeypatch.setattr(images, "make_files", counting)
    pipeline.build(root, output=output, clean=True)  # clean: the image stages run even when no input changed
    return decoded


def test_rebuild_decodes_nothing_and_a_changed_photo_replaces_its_files(make_project, tiny_hall, monkeypatch):
    files = dict(tiny_hall)
    files[PHOTO] = portrait_with_bands()
    root = without_share_image(make_project(files))
    assert counted_build(root, monkeypatch) == ["ai-ziyang.jpg"]
    first = sorted(p.name for p in (root / "output/images").iterdir())
    cached = {p.name: p.stat().st_mtime_ns for p in (root / ".cache/images").iterdir()}
    assert counted_build(root, monkeypatch) == []
    assert sorted(p.name for p in (root / "output/images").iterdir()) == first
    assert {p.name: p.stat().st_mtime_ns for p in (root / ".cache/images").iterdir() if p.name != "index.json"} == \
        {k: v for k, v in cached.items() if k != "index.json"}
    (root / PHOTO).write_bytes(camera_jpeg(2400, 1800))
    assert counted_build(root, monkeypatch) == ["ai-ziyang.jpg"]
    now = sorted(p.name for p in (root / "output/images").iterdir())
    assert not set(now) & set(first)  # the page uses only the new files, and the output holds nothing else
    # after KEEP_DAYS without use, the old photo's files leave the cache too
    index_path = root / ".cache/images/index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index["used"] = {name: day - images.KEEP_DAYS - 1 if name in first else day for name, day in index["used"].items()}
    index_path.write_text(json.dumps(index), encoding="utf-8")
    counted_build(root, monkeypatch)
    left = {p.name for p in (root / ".cache/images").iterdir()}
    assert not left & set(first) and set(now) <= left


def test_a_build_stopped_while_encoding_leaves_no_file_that_counts_as_done(make_project, tiny_hall, monkeypatch):
    files = dict(tiny_hall)
    files[PHOTO] = shared_photo("bridge.jpg", (4352, 2448))
    root = without_share_image(make_project(files))
    calls = []
    real = imagecodec.encode

    def dying(image, kind, quality, path):
        calls.append(kind)
        if len(calls) == 3:
            path.write_bytes(b"half a fil")  # the third file is half written when
            raise KeyboardInterrupt  # the publicist presses Ctrl+C (or the machine stops)
        return real(image, kind, quality, path)

    monkeypatch.setattr(imagecodec, "encode", dying)
    with pytest.raises((KeyboardInterrupt, ContentError)):
        pipeline.build(root, output="output", jobs=1)
    monkeypatch.setattr(imagecodec, "encode", real)
    assert not (root / "output").exists()
    done_before = {p.name for p in (root / ".cache/images").iterdir() if not p.name.startswith(".")}
    assert len(done_before) == 2  # two finished files; the third never got its final name
    pipeline.build(root, output="output")
    for path in (root / "output/images").iterdir():
        with Image.open(path) as image:
            image.load()


def test_a_killed_build_never_leaves_a_half_written_file(make_project, tiny_hall):
    files = dict(tiny_hall)
    for n in range(6):
        files[f"content/workers/images/p{n}.jpg"] = camera_jpeg(3000 + 40 * n, 2000)
        files[f"content/workers/p{n}.md"] = files["content/workers/艾子洋.md"].replace(
            "slug: ai-ziyang", f"slug: p{n}").replace("images/ai-ziyang.jpg", f"images/p{n}.jpg").replace("name: 艾子洋", f"name: 工匠{n}")
    root = make_project(files)
    process = subprocess.Popen([sys.executable, str(BUILD_PY), "--root", str(root)], cwd=str(REPO),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    cache = root / ".cache/images"
    while time.time() < deadline and not (cache.is_dir() and len(list(cache.glob("*.webp"))) >= 3):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    for path in cache.iterdir():
        if not path.name.startswith(".") and path.name != "index.json":
            with Image.open(path) as image:
                image.load()  # every file under a final name is complete
    proc = run_build(root)
    assert proc.returncode == 0, proc.stderr
    for path in (root / "output/images").iterdir():
        with Image.open(path) as image:
            image.load()


# --------------------------------------------------------------------------- bad images

def test_bad_images_are_all_explained_together(make_project, tiny_hall):
    files = dict(tiny_hall)
    good = camera_jpeg()
    frames = [Image.new("RGB", (64, 64), (80 * n, 40, 200 - 60 * n)) for n in range(3)]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    bomb = io.BytesIO()
    Image.new("1", (10_000, 9_000)).save(bomb, "PNG")
    lab = io.BytesIO()
    Image.new("LAB", (64, 64), (50, 0, 0)).save(lab, "TIFF")
    panorama = io.BytesIO()  # 81 million pixels, decoded whole for its 630-pixel-high share image
    Image.new("L", (65_000, 1_250), 90).save(panorama, "JPEG", quality=30)
    bad = {
        "truncated.jpg": good[: len(good) // 2],
        "empty.jpg": b"",
        "text.jpg": "这不是图片".encode(),
        "animated.gif": animated.getvalue(),
        "bomb.png": bomb.getvalue(),
        "lab.tif": lab.getvalue(),
        "panorama.jpg": panorama.getvalue(),
    }
    text = files["content/workers/艾子洋.md"]
    for n, (name, data) in enumerate(bad.items()):
        files[f"content/workers/images/{name}"] = data
        files[f"content/workers/w{n}.md"] = text.replace("slug: ai-ziyang", f"slug: w{n}").replace(
            "images/ai-ziyang.jpg", f"images/{name}").replace("name: 艾子洋", f"name: 工匠{n}")
    files["content/workers/艾子洋.md"] = text.replace("industry: 轨道交通装备制造\n", "")  # a content error too
    root = make_project(files)
    started = time.time()
    proc = run_build(root)
    assert time.time() - started < 60
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    err = proc.stderr
    assert "content/workers/艾子洋.md 第 1 行 · 行业" in err
    expected = {
        "truncated.jpg": "不完整（文件只有一部分",
        "empty.jpg": "是空文件（0 字节）",
        "text.jpg": "不是能识别的图片",
        "animated.gif": "是动图（3 帧）",
        "bomb.png": "「content/workers/images/bomb.png」像素太多（10000×9000，超过 8000 万像素）",
        "lab.tif": "的颜色模式是 LAB，无法转换成网页图片",
        "panorama.jpg": "「content/workers/images/panorama.jpg」像素太多（超过 8000 万像素）",
    }
    for n, (name, words) in enumerate(expected.items()):
        block = re.search(rf"\d+\. \[错误\] content/workers/w{n}\.md 第 4 行 · 照片\n   问题：(.*)\n", err)
        assert block, (name, err)
        assert f"「content/workers/images/{name}」" in block.group(1) and words in block.group(1), block.group(1)


def test_wrong_image_settings_are_explained(make_project, tiny_hall):
    root = make_project(tiny_hall)
    site = root / "site.yaml"
    text = site.read_text(encoding="utf-8")
    text = text.replace("widths: [480, 960, 1600]", "widths: [480, 九百六]").replace("quality: 83 ", "quality: 120").replace("avif: false", "avif: false\n  width: 3")
    site.write_text(text, encoding="utf-8")
    proc = run_build(root)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line = next(n for n, text in enumerate(text.split("\n"), 1) if "widths:" in text)
    assert f"site.yaml 第 {line} 行 · images.widths\n   问题：图片宽度「九百六」不是 16 到 8000 之间的整数。" in proc.stderr
    assert f"site.yaml 第 {line + 1} 行 · images.quality\n   问题：压缩质量 120 不在 1 到 100 之间。" in proc.stderr
    assert "images.width\n   问题：不认识的设置「width」。\n   改法：您是不是想写「widths」？" in proc.stderr


def test_a_phone_browser_fetches_a_small_webp_and_the_page_does_not_shift(demo_site, served, chromium):
    """A 390 px phone at 3× gets WebP copies no wider than it needs, of the shape its width/height reserved."""
    from conftest import page_url

    base = served(demo_site)
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(page_url(base, WORKER_PAGE), wait_until="load")
        page.wait_for_function("[...document.images].filter(i => i.closest('picture') && i.loading === 'eager').every(i => i.complete)")
        portrait = page.evaluate("(() => { const i = document.querySelector('.portrait img');"
                                 " return [i.currentSrc, i.naturalWidth, i.naturalHeight,"
                                 " +i.getAttribute('width') / +i.getAttribute('height')]; })()")
        assert portrait[0].endswith(".webp") and 0 < portrait[1] <= 960, portrait  # 15rem × 3 = 720 px → the 960 copy
        assert abs(portrait[1] / portrait[2] - portrait[3]) < 0.01  # the space reserved before loading is the image's shape
        page.goto(page_url(base, "workers/"), wait_until="load")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function("[...document.querySelectorAll('.card-img')].filter(i => i.tagName === 'IMG').every(i => i.complete)")
        cards = page.evaluate("[...document.querySelectorAll('img.card-img')].map(i => [i.currentSrc, i.naturalWidth, i.naturalHeight])")
        assert cards and all(src.endswith(".webp") and "-sq" in src and w == h <= 960 for src, w, h in cards), cards
    finally:
        context.close()


def test_a_108_megapixel_phone_photo_is_scaled_down_not_refused(make_project, tiny_hall, build_project):
    image = Image.new("RGB", (12_000, 9_000), (128, 128, 128))
    image.paste((20, 20, 200), (0, 0, 12_000, 2_000))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=30)
    del image
    files = dict(tiny_hall)
    files[PHOTO] = buffer.getvalue()
    out = build_project(make_project(files))
    tag = pictures_of(out, WORKER_PAGE)[0]
    assert attribute(tag, "width") == "1600" and attribute(tag, "height") == "1200"
    for width, relative in srcset(tag, "jpg").items():
        with Image.open(out / relative) as copy:
            assert copy.size == (width, width * 3 // 4)
            assert copy.convert("RGB").getpixel((width // 2, 3))[2] > 150


def test_a_phone_mpo_photo_is_not_taken_for_an_animation(make_project, tiny_hall, build_project):
    first, second = Image.new("RGB", (1800, 2400), (200, 40, 40)), Image.new("RGB", (1800, 2400), (20, 20, 200))
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    files = dict(tiny_hall)
    files[PHOTO] = buffer.getvalue()
    out = build_project(make_project(files))
    webp = srcset(pictures_of(out, WORKER_PAGE)[0], "webp")
    with Image.open(out / webp[1600]) as image:
        assert image.size == (1600, 2133) and image.convert("RGB").getpixel((800, 1000))[0] > 150  # the main picture
