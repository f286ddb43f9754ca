"""docs/编辑指南.md quotes real error messages: the same mistakes in the demo hall print them today."""
from __future__ import annotations

import re
import shutil

from conftest import REPO, run_build

GUIDE = REPO / "docs" / "编辑指南.md"
MISTAKES = {  # the mistakes the guide's section 五 was made from
    "content/workers/冯德伦.md": lambda s: s.replace("position:", "position：", 1),
    "content/workers/张先志.md": lambda s: s.replace("industry:", "skill_level: 高级技术员\nindustry:", 1),
    "content/workers/马溢.md": lambda s: re.sub(r"enterprise: .*", "enterprise: 中车长春客车厂", s, count=1),
    "content/workers/李帅.md": lambda s: re.sub(r"photo: .*", "photo: images/li-shuai.JPG.jpg", s, count=1),
    "content/workers/舒磊.md": lambda s: re.sub(r"\ndate: .*", "\ndate: 2024年13月", s, count=1),
    "content/workers/鲍振宇.md": lambda s: re.sub(r"\nsummary: .*", "\nsummary:", s, count=1),
    "content/workers/赵鲁霖.md": lambda s: re.sub(r"honours:\n(  .*\n)+", "honours: 浙江工匠\n", s, count=1),
    "content/workers/张文博.md": lambda s: s.replace("quote: 后期", "quote: 他说: 后期", 1),
    "site.yaml": lambda s: s.replace('primary: "#a61b1b"', "primary: #c00000", 1),
}


def test_the_guides_error_messages_are_what_the_tool_prints(tmp_path):
    root = tmp_path / "hall"
    root.mkdir()
    shutil.copyfile(REPO / "site.yaml", root / "site.yaml")
    for name in ("content", "templates", "assets"):
        shutil.copytree(REPO / name, root / name)
    for relative, mistake in MISTAKES.items():
        path = root / relative
        path.write_text(mistake(path.read_text(encoding="utf-8")), encoding="utf-8")
    gbk = root / "content/workers/艾子洋.md"
    gbk.write_bytes(gbk.read_text(encoding="utf-8").encode("gb18030"))
    proc = run_build(root, "check")
    assert proc.returncode == 1
    quoted = re.findall(r"^\[(错误|警告)\] (.+)\n\s+问题：(.+)\n\s+改法：(.+)$", GUIDE.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(quoted) == 10
    for kind, where, found, fix in quoted:
        assert f"[{kind}] {where}\n   问题：{found}\n   改法：{fix}" in proc.stderr, where
