"""Benchmark: clean-build wall time and peak memory for synthetic halls of 1,000 and 10,000 workers.

Usage: python bench/build.py [--sizes 1000 10000] [--runs 3] [--keep DIR] [--no-disk]

Each hall has N workers, N/10 studios and N/20 enterprises, every body about 800 Chinese
characters in several paragraphs, and one shared portrait (so the figure is about pages, not
image encoding, which bench/images.py measures).  Prints, per size: the best and median wall
time of --runs clean builds into a RAM-backed folder (/dev/shm: the tool's own work), one clean
build into the temp folder on disk (what a user on this machine waits), the largest single
process's peak RSS, and, from one more (untimed) build, the peak of the summed proportional set
size (PSS) of the whole process tree sampled every 10 ms, which counts memory shared by forked
workers once.  It also times a
bare loop that creates as many folders and files as the site has, on disk, so the file system's
share can be seen.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = ("产业工人 队伍建设 改革 劳模 工匠 创新 工作室 技能 大师 培养 师徒 带教 专利 成果 企业 职工 竞赛 班组长 "
         "培训 质量 安全 效益 攻关 工艺 设备 调试 维修 检修 电网 车间 生产线 岗位 练兵 比武 传承 精神 奋斗 青年 "
         "骨干 技师 高级技师 首席 示范 基地 联盟 服务 保障 权益 待遇 成长 成才 平台 机制 模式 品牌").split()
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
REGIONS = ["吉林长春", "江苏仪征", "重庆南岸", "浙江宁波", "广东广州", "山东青岛", "河南郑州", "湖北武汉", "四川成都", "辽宁沈阳"]
INDUSTRIES = ["轨道交通装备制造", "汽车制造", "电力", "化工", "建筑施工", "有色金属", "机械制造", "纺织", "电子信息", "能源"]
LEVELS = ["高级工", "技师", "高级技师", "首席技师", "特级技师"]
HONOURS = ["全国劳动模范", "全国五一劳动奖章", "全国技术能手", "省级劳动模范", "省五一劳动奖章", "巴渝工匠", "浙江工匠", "齐鲁首席技师"]


def paragraph(rng: random.Random, chars: int) -> str:
    """A paragraph of about chars Chinese characters, wrapped at 40 like an editor would."""
    text = ""
    while len(text) < chars:
        text += "".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))) + rng.choice("，，，。")
    text = text[:chars].rstrip("，") + "。"
    return "\n".join(text[i:i + 40] for i in range(0, len(text), 40))


def body(rng: random.Random) -> str:
    """About 800 characters in four paragraphs with a heading and a little emphasis."""
    parts = [paragraph(rng, 200) for _ in range(4)]
    parts[1] = "## 创新成果\n\n" + parts[1]
    parts[2] = parts[2].replace("。", "，**成效明显**。", 1)
    return "\n\n".join(parts) + "\n"


def make_hall(root: Path, workers: int, seed: int = 7) -> None:
    """Write a synthetic hall with the repo's site.yaml, templates and assets into root."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    for name in ("site.yaml", "templates", "assets"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)
    content = root / "content"
    for folder in ("workers", "studios", "enterprises", "pages", "images"):
        (content / folder).mkdir(parents=True, exist_ok=True)
    from PIL import Image

    Image.new("RGB", (600, 750), (166, 27, 27)).save(content / "images" / "portrait.jpg", quality=80)
    shutil.copyfile(REPO / "content/images/share.jpg", content / "images" / "share.jpg")  # site.yaml's share_image
    n_ent, n_studio = max(1, workers // 20), max(1, workers // 10)
    for i in range(n_ent):
        (content / "enterprises" / f"e{i:05d}.md").write_text(
            f"---\nname: 示范企业{i:05d}有限公司\nregion: {rng.choice(REGIONS)}\nindustry: {rng.choice(INDUSTRIES)}\n"
            f"pilot: 省级试点\nsummary: 第{i}家产改试点企业。\ndate: 2024-{i % 12 + 1:02d}\n"
            f"sources:\n  - title: 报道{i}\n    publisher: 工人日报\n---\n{body(rng)}", encoding="utf-8")
    for i in range(n_studio):
        (content / "studios" / f"s{i:05d}.md").write_text(
            f"---\nname: 第{i:05d}号劳模创新工作室\nkind: 劳模创新工作室\nlevel: 省级\nleader: w{i * 10:05d}\n"
            f"enterprise: e{i % n_ent:05d}\nfounded: 20{10 + i % 14}\nfigures:\n  patents: {rng.randint(1, 120)}\n"
            f"  trained: {rng.randint(10, 500)}\nsummary: 工作室{i}。\ndate: 2023-{i % 12 + 1:02d}-01\n"
            f"sources:\n  - title: 报道{i}\n    publisher: 工人日报\n---\n{body(rng)}", encoding="utf-8")
    for i in range(workers):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        honours = "".join(f"  - name: {h}\n    year: {rng.randint(2005, 2024)}\n    level: 省部级\n" for h in rng.sample(HONOURS, rng.randint(0, 2)))
        (content / "workers" / f"w{i:05d}.md").write_text(
            f"---\nname: {name}\nphoto: ../images/portrait.jpg\nphoto_alt: {name}的示意头像\nposition: 班组长\n"
            f"enterprise: e{i % n_ent:05d}\nstudio: s{(i // 10) % n_studio:05d}\nregion: {rng.choice(REGIONS)}\n"
            f"industry: {rng.choice(INDUSTRIES)}\nskill_level: {rng.choice(LEVELS)}\n"
            + (f"honours:\n{honours}" if honours else "")
            + f"summary: {name}是一名{rng.choice(LEVELS)}。\ndate: 20{10 + i % 15}-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n"
            f"sources:\n  - title: 报道{i}\n    publisher: 工人日报\n---\n{body(rng)}", encoding="utf-8")
    for zone in ("workers", "studios", "enterprises"):
        (content / "pages" / f"zone-{zone}.md").write_text(f"---\ntitle: {zone}\n---\n导语。\n", encoding="utf-8")


def tree_pss(pid: int) -> int:
    """Summed PSS in bytes of pid and all its descendants."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pids.extend(int(p) for p in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def timed_build(root: Path, out: Path, sample: bool = False) -> tuple[float, int, int]:
    """One clean build (--clean: no caches) in a subprocess: wall seconds, largest process peak RSS, peak tree PSS.

    Reading /proc/*/smaps_rollup every 10 ms costs CPU the build would otherwise have, so the
    tree's PSS is only sampled when sample is true; time such a run separately.
    """
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root), "--output", str(out), "--clean"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sampler() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_pss(process.pid))
            time.sleep(0.01)

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stop.set()
    if sample:
        thread.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}):\n{stderr.decode()[-3000:]}")
    return wall, usage.ru_maxrss * 1024, peak


def bare_writes(folder: Path, pages: int) -> float:
    """Seconds a plain loop takes to create pages folders with one 8 KB file each under folder."""
    data = b"x" * 8192
    start = time.perf_counter()
    for n in range(pages):
        page = folder / f"p{n:06d}"
        page.mkdir(parents=True)
        (page / "index.html").write_bytes(data)
    seconds = time.perf_counter() - start
    shutil.rmtree(folder)
    return seconds


def main() -> None:
    """Generate halls and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate halls here and keep them")
    parser.add_argument("--no-disk", action="store_true", help="skip the build and the bare loop on disk")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="showcase-bench-"))
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    ram_out = Path(tempfile.mkdtemp(prefix="showcase-bench-out-", dir=ram))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; RAM folder {ram}, disk folder {base}")
    print(f"{'workers':>8} {'files':>7} {'pages':>7} {'RAM best s':>11} {'RAM median s':>13} {'disk s':>7} "
          f"{'bare disk writes s':>19} {'max RSS MB':>11} {'tree PSS MB':>12}")
    try:
        for size in args.sizes:
            root = base / f"hall-{size}"
            if not root.exists():
                make_hall(root, size)
            files = sum(1 for _ in (root / "content").rglob("*.md"))
            runs = [timed_build(root, ram_out / f"out-{size}") for _ in range(args.runs)]
            runs.append(timed_build(root, ram_out / f"out-{size}", sample=True))
            pages = sum(1 for _ in (ram_out / f"out-{size}").rglob("*.html"))
            shutil.rmtree(ram_out / f"out-{size}")
            disk = bare = float("nan")
            if not args.no_disk:
                disk = timed_build(root, base / f"out-{size}")[0]
                shutil.rmtree(base / f"out-{size}")
                bare = bare_writes(base / f"bare-{size}", pages)
            walls = sorted(r[0] for r in runs[: args.runs])  # the sampled run is not timed
            print(f"{size:>8} {files:>7} {pages:>7} {walls[0]:>11.2f} {walls[len(walls) // 2]:>13.2f} {disk:>7.2f} "
                  f"{bare:>19.2f} {max(r[1] for r in runs) / 2**20:>11.0f} {max(r[2] for r in runs) / 2**20:>12.0f}")
    finally:
        shutil.rmtree(ram_out, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
