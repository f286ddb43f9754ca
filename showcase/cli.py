"""The command line: arguments, messages in Chinese, exit codes.

Exit codes: 0 success · 1 content or site.yaml invalid (nothing written) · 2 usage error
(including a wrong --output or --base-url) · 3 unexpected internal error (one line, where to report it).
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from .errors import COMMAND_LINE, ConfigError, ContentError, OutputError, Report, ShowcaseError, UsageError
from .pipeline import build

ISSUES_URL = "项目 README 里“报告问题”一节所写的地址"
DESCRIPTION = """展厅 showcase：把 content/ 里的 YAML + Markdown 文件生成产改成果展厅网站。
Builds the 产改成果展厅 static site from the YAML + Markdown files in content/.

常用 / common:
  python build.py                 生成到 output/ · build into output/
  python build.py check           只检查不生成 · validate only, write nothing
  python build.py --output DIR    生成到别的文件夹 · build into DIR
  python build.py serve           边改边看：http://127.0.0.1:8000 · live preview
  python build.py new worker 艾子洋  新建一个条目文件 · scaffold a new entry
  python build.py search 子洋       像访客一样搜索已生成的网站 · search the built site as a visitor would
  python build.py --kiosk         生成展厅触摸屏版到 kiosk-output/ · build the kiosk edition
  python build.py kiosk           运行触摸屏：本机服务 + Chromium 全屏 · run the kiosk (server + Chromium)
"""
EPILOG = """退出码 / exit codes: 0 成功 success · 1 内容有错 content invalid · 2 命令用法错误 usage error · 3 内部错误 internal error · 141 读输出的程序提前关闭（如 | head） output closed early"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help layout with a bilingual usage line."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法 / usage: ")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in Chinese and English with exit code 2."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"命令用法错误 / usage error: {message}\n运行 python build.py --help 查看用法 / see --help.\n")


def make_parser() -> argparse.ArgumentParser:
    """The argument parser, with help in Chinese and English."""
    parser = _Parser(prog="python build.py", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=_Formatter, add_help=False)
    parser._positionals.title = "命令 / command"
    parser._optionals.title = "选项 / options"
    parser.add_argument("-h", "--help", action="help", help="显示帮助 / show this help")
    parser.add_argument("command", nargs="?", choices=["build", "check", "serve", "new", "search", "kiosk"], default="build",
                        help="build 生成网站（默认）/ build the site (default); check 只检查内容 / validate only; "
                             "serve 边改边看 / live preview; new 集合 名称 新建条目 / scaffold an entry; "
                             "search 词 像访客一样搜索 / search the built site; "
                             "kiosk 运行展厅触摸屏 / run the kiosk")
    parser.add_argument("names", nargs="*", metavar="…", help="new 的集合和名称，如 new worker 艾子洋；search 的词 / for new: collection and name; for search: words")
    parser.add_argument("--output", metavar="DIR", help="输出文件夹（默认 site.yaml 的 output）/ output folder (default: site.yaml output)")
    parser.add_argument("--base-url", metavar="URL", help="覆盖 site.yaml 的 base_url / override base_url in site.yaml")
    parser.add_argument("--strict", action="store_true", help="警告也算错误 / treat warnings as errors")
    parser.add_argument("--root", metavar="DIR", default=".", help="项目文件夹（默认当前文件夹）/ project folder (default: current)")
    parser.add_argument("--jobs", metavar="N", type=int, help="使用的 CPU 核数（默认全部）/ CPU cores to use (default: all)")
    parser.add_argument("--port", metavar="N", type=int,
                        help="serve 的端口（默认 8000）；kiosk 的端口（默认 site.yaml 的 kiosk.port）/ port for serve (default 8000) or kiosk")
    parser.add_argument("--host", metavar="HOST", default="127.0.0.1",
                        help="serve 绑定的地址（默认只本机 127.0.0.1）/ address for serve (default: this computer only)")
    parser.add_argument("--open", action="store_true", help="serve：启动后用默认浏览器打开预览 / serve: open the preview in the default browser")
    parser.add_argument("--clean", action="store_true",
                        help="不用上次生成留下的缓存，全部重新生成 / ignore the caches of earlier builds, rebuild everything")
    parser.add_argument("--kiosk", action="store_true", help="生成触摸屏版（到 site.yaml 的 kiosk.output）/ build the kiosk edition")
    parser.add_argument("--browser", metavar="CMD", help="kiosk：浏览器命令（默认 site.yaml 的 kiosk.browser 或 chromium）/ browser command")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = make_parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("已中断，output 文件夹保持原样。/ interrupted; output left as it was.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # whoever read the output stopped early (python build.py search 工作室 | more): nothing to report
        _discard_output()
        return 141  # as a shell reports a program a closed pipe ended
    except Exception as exc:  # the one place an unexpected error becomes one line
        where = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"内部错误（不是您的内容有问题）：{type(exc).__name__}: {exc} [{Path(where.filename).name}:{where.lineno}]。"
              f"output 文件夹保持原样。请把这一行报告到{ISSUES_URL}。", file=sys.stderr)
        return 3


def _discard_output() -> None:
    """Send what is still buffered for the closed output nowhere, so that exiting raises nothing more."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # an output without a file behind it (a test's)
        pass


def _run(args) -> int:
    """Build or check, print problems and the summary line."""
    root = Path(args.root)
    if not (root / "site.yaml").exists():
        print(f"命令用法错误：{root.resolve()} 里没有 site.yaml。请在展厅项目文件夹里运行，或用 --root 指定。", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print("命令用法错误：--jobs 至少为 1。", file=sys.stderr)
        return 2
    if args.names and args.command not in ("new", "search"):
        print(f"命令用法错误：多余的参数 {' '.join(args.names)}。运行 python build.py --help 查看用法。", file=sys.stderr)
        return 2
    if args.command == "serve":
        from .serve import serve

        options = {"output": args.output, "base_url": args.base_url, "strict": args.strict, "jobs": args.jobs}
        return serve(root, args.host, args.port or 8000, options, args.open)
    if args.command == "new":
        from .scaffold import new_entry

        return new_entry(root, args.names)
    if args.command == "search":
        return _search(root, args.output, args.names)
    kiosk = args.kiosk or args.command == "kiosk"
    if args.command == "kiosk":
        from . import kioskrun  # only here: a plain build does not load the kiosk's modules
    try:
        if args.command == "kiosk" and kioskrun.ready(root, args.output, args.base_url):
            return kioskrun.run(root, args.output, args.base_url, args.browser, args.port)
        result = build(root, args.output, args.base_url, args.strict, args.jobs, write=args.command != "check",
                       clean=args.clean, kiosk=kiosk)
    except (ConfigError, ContentError) as exc:
        report: Report = exc.args[0]
        print(report.format(args.strict), file=sys.stderr)
        print("没有生成：请按上面的提示改正后再运行。output 文件夹保持原样。", file=sys.stderr)
        return 2 if all(p.path == COMMAND_LINE for p in report.errors) and report.errors else 1
    except OutputError as exc:
        print(f"没有生成：{exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"命令用法错误：{exc}", file=sys.stderr)
        return 2
    except ShowcaseError as exc:
        print(f"没有生成：{exc}", file=sys.stderr)
        return 1
    report = result.report
    if report.warnings:
        print(report.format(), file=sys.stderr)
    if args.command == "check":
        print(f"检查通过：没有错误，{report.counts()[1]} 个警告。")
        if result.reminder:
            print(result.reminder)
        return 0
    print(summary(result))
    if args.command == "kiosk":
        return kioskrun.run(root, args.output, args.base_url, args.browser, args.port)
    return 0


def _search(root: Path, output: str | None, words: list[str]) -> int:
    """Search the built site's index with the page's own rules and print what a visitor would see."""
    from .config import load_site
    from .search import read_index, search

    site = load_site(root, Report(), output, None)
    folder = site.output if site is not None else root / (output or "output")
    try:
        index = read_index(folder)
    except (OSError, ValueError, KeyError):
        print(f"{folder} 里没有能用的搜索索引（还没有生成，或是旧版本的展厅生成的）：先运行 python build.py 生成网站，再搜索。",
              file=sys.stderr)
        return 1
    query = " ".join(words)
    result = search(index, query)
    by_url = {entry[0]: entry for entry in index["entries"]}
    kinds = index["facets"][0].get("labels") or index["facets"][0]["values"]
    print(f"搜索「{query}」：找到 {len(result.urls)} 个展项。" if query else f"展厅共有 {len(result.urls)} 个展项。")
    for number, url in enumerate(result.urls[:SEARCH_SHOWN], start=1):
        entry = by_url[url]
        print(f"{number:>3}. {entry[1]} · {kinds[entry[2]]} · {url}")
    if len(result.urls) > SEARCH_SHOWN:
        print(f"     ……另有 {len(result.urls) - SEARCH_SHOWN} 个")
    for facet in index["facets"]:
        counts = result.counts.get(facet["name"], {})
        if counts:
            names = dict(zip(facet["values"], facet.get("labels", facet["values"])))
            shown = sorted(counts.items(), key=lambda item: -item[1])
            print(f"  {facet['label']}：" + "、".join(f"{names.get(v, v)} {n}" for v, n in shown))
    return 0


SEARCH_SHOWN = 20


def summary(result) -> str:
    """The last line of a build: what was made, how long it took, where to look."""
    warnings = result.report.counts()[1]
    where = f"打开 {result.output / 'index.html'} 查看。"
    if result.unchanged:
        return f"没有变化：上次生成之后内容、模板和设置都没有改动，用时 {result.seconds:.2f} 秒，{warnings} 个警告。{where}"
    redone = f"（其中 {result.rendered} 个重新生成）" if result.rendered < result.pages else ""
    files = f"，{result.attachments} 个附件" if result.attachments else ""
    return (f"完成：{result.pages} 个页面{redone}，{result.images} 张图片{files}，{warnings} 个警告，"
            f"用时 {result.seconds:.2f} 秒。{where}")
