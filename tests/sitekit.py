"""A small valid site written into a temporary folder, for whole-site validation tests."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

from showcase import cli

REPO = Path(__file__).resolve().parent.parent

WORKER = """\
---
name: 艾子洋
slug: ai-ziyang
photo: a.jpg
photo_alt: 示意头像
position: 调试二班高级技师
enterprise: 中车长客
studio: aizy-studio
region: 吉林长春
industry: 轨道交通装备制造
skill_level: 高级技师
honours:
  - name: 中车资深技能专家
    year: 2020
    level: 企业级
quote: 畅通渠道了，我们工人干活更有劲头。
summary: 37岁的高级技师。
date: 2024
sources:
  - title: 向“新”前行
    publisher: 吉林
---
第一段中文
"""

STUDIO = """\
---
name: 艾子洋国家级技能大师工作室
slug: aizy-studio
kind: 国家级技能大师工作室
level: 国家级
leader: ai-ziyang
enterprise: 中车长春轨道客车股份有限公司
summary: 工作室
figures:
  patents: 3
---
正文
"""

ENTERPRISE = """\
---
name: 中车长春轨道客车股份有限公司
region: 吉林长春
industry: 轨道交通装备制造
summary: 企业。
---
正文
"""

FILES = {
    "content/workers/艾子洋.md": WORKER,
    "content/studios/s.md": STUDIO,
    "content/enterprises/中车长客.md": ENTERPRISE,
    "content/pages/zone-workers.md": "---\ntitle: workers\n---\n导语\n",
    "content/pages/zone-studios.md": "---\ntitle: studios\n---\n导语\n",
    "content/pages/zone-enterprises.md": "---\ntitle: enterprises\n---\n导语\n",
    "content/data/numbers.yaml": "- value: 648\n  unit: 个\n  caption: 创新工作室\n  source: 向新前行\n",
    "content/data/timeline.yaml": "- date: 2017\n  title: 改革方案\n  source: x\n  entries: [workers/ai-ziyang]\n",
}


def jpeg_bytes() -> bytes:
    """A tiny real JPEG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1600), (200, 30, 30)).save(buffer, "JPEG")  # as wide as the widest image width: no warning
    return buffer.getvalue()


def make_site(root: Path) -> Path:
    """Write the repository's site.yaml, templates and assets plus a tiny valid content tree into root."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    for relative, text in FILES.items():
        write(root, relative, text)
    (root / "content/workers/a.jpg").write_bytes(jpeg_bytes())
    shutil.copytree(REPO / "content/images", root / "content/images")  # site.yaml's share_image
    return root


def write(root: Path, relative: str, text: str | bytes) -> Path:
    """Write a text (UTF-8) or bytes file under root."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def worker(**changes: str | None) -> str:
    """The worker file with some front-matter lines replaced (value None removes the key)."""
    lines = WORKER.split("\n")
    for key, value in changes.items():
        index = next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)
        if index is None:
            lines.insert(lines.index("---", 1), f"{key}: {value}")
        elif value is None:
            del lines[index]
        else:
            lines[index] = f"{key}: {value}"
    return "\n".join(lines)


def run(capsys, root: Path, *args: str) -> tuple[int, str, str]:
    """Run the command line on root; return (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = cli.main(["--root", str(root), "--jobs", "1", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(folder: Path) -> dict:
    """Every file under folder and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def problems(err: str) -> list[str]:
    """The numbered problem blocks of a report, each as one string."""
    blocks, current = [], None
    for line in err.splitlines():
        if line[:1].isdigit() and ". [" in line:
            current = [line]
            blocks.append(current)
        elif current is not None and line.startswith("   "):
            current.append(line.strip())
        else:
            current = None
    return ["\n".join(b) for b in blocks]
