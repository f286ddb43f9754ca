"""images: every picture leaves the build upright, sized, named by content, and without metadata."""
from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

SHARED_PHOTO = Path(__file__).resolve().parents[2] / "shared" / "photos" / "bridge.jpg"


def large_photo() -> bytes:
    """A real 4352×2448 camera photo from ../shared/photos, or a generated one of that size."""
    if SHARED_PHOTO.is_file():
        return SHARED_PHOTO.read_bytes()
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((4352, 2448)).convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def camera_jpeg() -> bytes:
    """A 2000×1200 JPEG stored sideways (Orientation 6) with GPS, camera model and a comment."""
    image = Image.new("RGB", (2000, 1200), (200, 40, 40))
    image.paste((20, 20, 200), (0, 0, 400, 1200))  # a blue band on the stored left = the top once upright
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (39.0, 54.0, 27.0), "E", (116.0, 23.0, 49.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"shot at home", quality=90)
    return buffer.getvalue()


def built_picture(out: Path, page: str) -> tuple[Image.Image, str]:
    """The first <img> of a built page, opened, and its tag."""
    html = (out / page).read_text(encoding="utf-8")
    tag = re.search(r'<img[^>]+src="([^"]+/images/[^"]+)"[^>]*>', html)
    path = (out / page).parent / tag.group(1)
    return Image.open(path.resolve()), tag.group(0)


def test_photos_are_upright_sized_and_stripped(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files["content/workers/images/ai-ziyang.jpg"] = camera_jpeg()
    out = build_project(make_project(files))
    image, tag = built_picture(out, "workers/ai-ziyang/index.html")
    assert image.size == (1200, 2000)  # turned upright; already within 1600 px wide
    assert image.width <= 1600 and image.height > image.width
    assert f'width="{image.width}"' in tag and f'height="{image.height}"' in tag
    assert len(image.getexif()) == 0
    assert "comment" not in image.info and "exif" not in image.info and "xmp" not in image.info
    raw = (out / "images").glob("*.jpg")
    for path in raw:
        data = path.read_bytes()
        assert b"PhoneModel" not in data and b"shot at home" not in data and b"Exif" not in data
    top = image.convert("RGB").getpixel((image.width // 2, 5))
    assert top[2] > 150 and top[0] < 100  # the blue band is at the top: the photo was turned upright


def test_transparent_png_stays_png_with_alpha(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    logo = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    logo.paste((166, 27, 27, 255), (50, 50, 250, 250))
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")
    files["content/enterprises/logo.png"] = buffer.getvalue()
    files["content/enterprises/中车长客.md"] = files["content/enterprises/中车长客.md"].replace(
        "summary:", "logo: logo.png\nlogo_alt: 示意标志\nsummary:")
    out = build_project(make_project(files))
    image, _ = built_picture(out, "enterprises/zhongchezhangke/index.html")
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((5, 5))[3] == 0 and image.getpixel((150, 150))[3] == 255


def test_output_names_follow_content_and_large_photos_shrink(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files["content/workers/images/ai-ziyang.jpg"] = large_photo()
    root = make_project(files)
    first = build_project(root)
    image, _ = built_picture(first, "workers/ai-ziyang/index.html")
    assert image.width == 1600 and abs(image.height - round(2448 * 1600 / 4352)) <= 1
    names = sorted(p.name for p in (first / "images").iterdir())
    assert names == sorted(p.name for p in (build_project(root) / "images").iterdir())
    (root / "content/workers/images/ai-ziyang.jpg").write_bytes(camera_jpeg())
    assert sorted(p.name for p in (build_project(root) / "images").iterdir()) != names
