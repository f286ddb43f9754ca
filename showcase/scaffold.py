"""python build.py new worker 艾子洋: a new entry file with every field of its collection, explained.

The file is named after the entry (as publicists name their files) and gets the slug a build would
derive from that name, written out so the page keeps its address if the name is later changed.
Every field appears with its Chinese label, whether it must be filled, its allowed values and an
example; fields left empty are simply absent to the build, so ``check`` lists exactly what a
required field still needs.  An existing file is never overwritten.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from .config import Collection, Site, load_site
from .errors import Report, did_you_mean
from .markup import slugify
from .schema import Field

TYPE_HINTS = {
    "text": "文字", "markdown": "文字（可用 Markdown）", "integer": "整数，如 12", "number": "数字，如 3.5",
    "year": "年份，如 2020", "date": "日期，如 2024-05-01（也可写 2024、2024-05 或 2024年5月1日）",
    "bool": "填 true（是）或 false（否）", "url": "网址，以 https:// 开头", "image": "图片路径，相对本文件，如 images/照片.jpg",
    "ref": "另一个条目的文件名或名称", "enum": "从可选值里选一个",
}
SAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
WINDOWS_DEVICES = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.IGNORECASE)  # names Windows keeps for devices
MAX_NAME = 60  # characters: content/<collection>/<name>.md stays well inside Windows' 260-character paths


def new_entry(root: Path, names: list[str]) -> int:
    """Write content/<collection>/<name>.md; return the exit code (0 written, 1 refused, 2 usage)."""
    report = Report()
    site = load_site(root, report, None, None)
    if site is None:
        print(report.format(), file=sys.stderr)
        return 1
    if len(names) != 2:
        kinds = "、".join(c.name for c in site.collections)
        print(f"命令用法错误：请写集合和名称，如 python build.py new worker 艾子洋。可用的集合：{kinds}。", file=sys.stderr)
        return 2
    collection = find_collection(site, names[0])
    if collection is None:
        guess = did_you_mean(names[0], [c.name for c in site.collections], {c.name: c.label for c in site.collections})
        kinds = "、".join(f"{c.name}（{c.label}）" for c in site.collections)
        print(f"命令用法错误：没有叫「{names[0]}」的集合。" + (f"您是不是想写 {guess}？" if guess else "") + f"可用的集合：{kinds}。",
              file=sys.stderr)
        return 2
    title = unicodedata.normalize("NFC", names[1].strip())
    title = title[:-3].rstrip() if title.lower().endswith(".md") else title  # 李四.md names the file 李四.md
    problem = name_problem(title, names[1])
    if problem:
        print(f"命令用法错误：{problem}", file=sys.stderr)
        return 2
    slug = slugify(title)
    folder = site.content_dir / collection.folder
    path = folder / f"{title}.md"
    taken = _slug_owner(folder, slug)
    if path.exists() or taken is not None:
        where = path if path.exists() else taken
        print(f"没有新建：{where.relative_to(root)} 已经存在（网址名 {slug} 已被占用）。为免覆盖已有内容，什么也没写。"
              "要新建同名的条目，请换个名称，如加上单位：新建后可在文件里改 name。", file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(entry_text(site, collection, title, slug), encoding="utf-8", newline="\n")
    url = collection.url.replace("{slug}", slug)
    print(f"已新建 {path.relative_to(root)}（网址 {url}）。用记事本或 VS Code 打开，按注释填写；"
          "运行 python build.py check 可以看到还有哪些必填字段没填。")
    return 0


def name_problem(title: str, typed: str) -> str | None:
    """Why a name cannot be a file name on Windows or here (None when it can)."""
    if not slugify(title) or SAFE_NAME.search(title):
        return f"「{typed}」不能用作文件名。去掉其中的 \\ / : * ? \" < > | 等符号再试。"
    if WINDOWS_DEVICES.fullmatch(title):
        return f"「{typed}」是 Windows 留给设备的名字，不能用作文件名。换个名称，如加上单位或姓名。"
    if len(title) > MAX_NAME:
        return f"名称有 {len(title)} 个字，太长了，不便用作文件名（最多 {MAX_NAME} 个字）。写个短些的名称，完整的名称新建后写进文件里的 name。"
    if title.endswith("."):
        return f"「{typed}」以句点结尾，Windows 会把句点去掉。去掉句点再试。"
    return None


def find_collection(site: Site, word: str) -> Collection | None:
    """The collection a word names: workers, worker, 劳模工匠 or 劳模."""
    word = word.strip().lower()
    for collection in site.collections:
        names = {collection.name, collection.name.rstrip("s"), collection.label, collection.item_label}
        if word in {n.lower() for n in names if n}:
            return collection
    return None


def _slug_owner(folder: Path, slug: str) -> Path | None:
    """An existing entry file in folder that gets the same slug, if any."""
    if not folder.is_dir():
        return None
    for path in folder.rglob("*.md"):
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4000]
        except OSError:
            continue
        explicit = re.search(r"^slug:\s*(\S+)\s*$", head, re.MULTILINE)
        if slugify(explicit.group(1) if explicit else unicodedata.normalize("NFC", path.stem)) == slug:
            return path
    return None


def entry_text(site: Site, collection: Collection, title: str, slug: str) -> str:
    """The text of a new entry file: front matter with every field explained, then the body."""
    lines = ["---", f"# 新的{collection.item_label or collection.label}。每个字段的含义写在它上面的 # 注释里；",
             "# 冒号后面要有一个空格，冒号和空格都用英文（半角）的。没有的信息留空即可，必填的不能空。",
             f"slug: {slug}    # 网址名：页面地址里的这一段。建好后最好别改，别人收藏的链接才不会失效。"]
    for spec in collection.fields:
        lines.extend(_field_lines(spec, site, title if spec.name == collection.title_field else "", ""))
    lines += ["# 正文写在下面这行 --- 之后：空一行是新的一段，## 开头的一行是小标题，", "# 插图单独写一行：![图片说明](images/照片.jpg)。", "---", ""]
    return "\n".join(lines)


def _field_lines(spec: Field, site: Site, value: str, indent: str) -> list[str]:
    """The comment and the key line of one field (and, for lists of records, an example record)."""
    need = "必填" if spec.required else "选填"
    hint = "" if spec.help and spec.type in ("text", "image", "ref") else _hint(spec, site)
    lines = [f"{indent}# {spec.label}（{need}）：" + "。".join(part for part in (hint, spec.help) if part)]
    if spec.type == "list" and spec.item is not None and spec.item.type == "object":
        lines.append(f"{indent}{spec.name}:")
        lines.append(f"{indent}#   照下面的样子写，每项以“- ”开头；删掉每行开头的 # 即可生效：")
        for number, sub in enumerate(spec.item.fields):
            lead = "- " if number == 0 else "  "
            example = _example(sub)
            lines.append(f"{indent}#   {lead}{sub.name}: {example}    # {sub.label}（{'必填' if sub.required else '选填'}）")
        return lines
    if spec.type == "object":
        lines.append(f"{indent}{spec.name}:")
        for sub in spec.fields:
            lines.extend(_field_lines(sub, site, "", indent + "  "))
        return lines
    lines.append(f"{indent}{spec.name}: {value}".rstrip())
    return lines


def _hint(spec: Field, site: Site) -> str:
    """What a field takes, in words."""
    if spec.type == "enum" and spec.choices:
        return "从这些里选一个：" + "、".join(map(str, spec.choices))
    if spec.type == "ref" and spec.to:
        target = site.collection(spec.to)
        return f"{target.label if target else spec.to}条目的文件名或名称"
    if spec.type == "list":
        item = spec.item
        if item is not None and item.type not in ("object",):
            return f"可写多个，每个一行，以“- ”开头（{TYPE_HINTS.get(item.type, '文字')}）"
        return "可写多项"
    return TYPE_HINTS.get(spec.type, "文字")


def _example(spec: Field) -> str:
    """An example value for a field of a record, from its help text or its type."""
    if spec.help:
        found = re.search(r"如\s*(\S+)", spec.help)
        if found:
            return found.group(1)
    if spec.choices:
        return str(spec.choices[0])
    return {"year": "2020", "date": "2024-05-01", "url": "https://", "integer": "1"}.get(spec.type, "")
