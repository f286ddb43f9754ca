"""Live preview: build, serve the output on localhost, rebuild on every save, reload the browser.

``serve`` builds once, then serves the output folder with Tornado (which livereload brings) and
the livereload.js client that comes with livereload.  watchdog reports every change under content/,
templates/, assets/ and to site.yaml as it happens (inotify, FSEvents, Windows change notices);
once no change has come for QUIET_SECONDS (editors save several times, photos arrive by the
folder), it rebuilds once — incrementally — and tells every open page to reload.  When the content is invalid the previous
output stays, and every HTML page served carries an overlay listing each problem (file, line,
Chinese message, fix); when the content is fixed, pages reload to the fixed site by themselves.
Nothing outside the output folder is ever served.
"""
from __future__ import annotations

import html
import json
import mimetypes
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from .errors import ConfigError, ContentError, OutputError, Problem, ShowcaseError, UsageError, listed

QUIET_SECONDS = 0.08
LIVERELOAD_JS = Path(__import__("livereload").__file__).parent / "vendors" / "livereload.js"
RELOAD_SCRIPT = ('<script src="/livereload.js?port={port}"></script>')
for _type, _suffix in (("image/avif", ".avif"), ("image/webp", ".webp"), ("image/svg+xml", ".svg"),
                       ("text/javascript", ".js"), ("text/css", ".css"), ("application/xml", ".xml")):
    mimetypes.add_type(_type, _suffix)


@dataclass
class Preview:
    """The state the server shows: the last build's problems and the output folder."""

    root: Path
    options: dict
    output: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False
    changed_at: float | None = None
    clients: set = field(default_factory=set)
    observer: object = None
    saved: set = field(default_factory=set)  # input files saved since the last rebuild
    state: object = None  # the last full build's state in memory, for live edits (live.py)

    def is_input(self, path: str) -> bool:
        """True for site.yaml and files under content/, templates/ and assets/ (not the output or caches)."""
        try:
            parts = Path(path).resolve().relative_to(self.root).parts
        except ValueError:
            return False
        return parts == ("site.yaml",) or (len(parts) > 1 and parts[0] in ("content", "templates", "assets"))

    def rebuild(self) -> str:
        """Apply the saved files as a live edit, or build (incrementally); return a one-line summary for the terminal."""
        saved, self.saved = self.saved, set()
        if self.state is not None and saved and not self.failed:
            line = self._live_edit(saved)
            if line:
                return line
        return self._build()

    def _live_edit(self, saved: set) -> str:
        """Apply a text-only edit to the last build in memory ('' when a full build is needed)."""
        from .live import apply

        try:
            done = apply(self.state, saved)
        except Exception:  # anything unexpected: the full build below finds and reports it
            done = None
        if done is None:
            return ""
        return f"已更新：重新读取 {done.entries} 个条目，重新生成 {done.pages} 个页面（保存到可以刷新：{done.seconds:.2f} 秒）"

    def _build(self) -> str:
        """Build (incrementally), remember the outcome and return a one-line summary for the terminal."""
        from .cli import summary
        from .pipeline import build

        started = time.perf_counter()
        self.state = None
        try:
            result = build(self.root, keep_state=True, **self.options)
        except (ConfigError, ContentError) as exc:
            self.failed, self.problems = True, list(exc.args[0].problems)
            return f"内容有 {exc.args[0].counts()[0]} 个错误：浏览器里的每个页面都会列出来；改好保存后自动刷新。"
        except (OutputError, UsageError, ShowcaseError) as exc:
            self.failed, self.problems = True, [Problem("output", 0, "", str(exc), "按提示处理后保存任意文件，会再生成一次。")]
            return f"没有生成：{exc}"
        except Exception as exc:  # the server must outlive any bug: show it, keep serving the last output
            self.failed = True
            self.problems = [Problem("展厅程序", 0, "", f"内部错误：{type(exc).__name__}: {exc}",
                                     "这不是您的内容的问题。请把这句话报告给维护者；改动内容后会再试。")]
            return f"内部错误：{type(exc).__name__}: {exc}"
        self.failed, self.problems = False, list(result.report.warnings)
        self.output, self.state = result.output, result.state
        if self.state is not None:
            from .live import prepare

            prepare(self.state)
        line = summary(result)
        return f"{line[: line.find('打开')]}（保存到可以刷新：{time.perf_counter() - started:.2f} 秒）"

    def overlay(self) -> str:
        """The error list shown over every page while the content is invalid ('' when it is fine)."""
        if not self.failed:
            return ""
        items = "".join(
            f'<li style="margin:0 0 .8em;list-style:none">…{html.escape(p)}</li>' if isinstance(p, str) else
            f'<li style="margin:0 0 .8em"><b>{html.escape(p.where())}</b><br>问题：{html.escape(p.found)}'
            f"<br>改法：{html.escape(p.fix)}</li>" for p in listed([p for p in self.problems if not p.warning]))
        return ('<div id="showcase-errors" role="alert" style="position:fixed;inset:0;z-index:2147483647;overflow:auto;'
                'background:rgba(30,0,0,.93);color:#fff;font:18px/1.6 system-ui,sans-serif;padding:2em">'
                '<h2 style="margin-top:0;color:#fff">内容有错误，网站还没有更新</h2>'
                '<p>下面每一条都写明了文件、行号和改法。改好保存后，这个页面会自动刷新。</p>'
                f'<ol style="padding-left:1.5em">{items}</ol></div>')


def serve(root: Path, host: str, port: int, options: dict, open_browser: bool = False) -> int:
    """Build, serve and watch until Ctrl-C (opening the preview in the default browser if asked); return the exit code."""
    import logging

    import tornado.ioloop
    import tornado.web

    for name in ("tornado.access", "tornado.application", "tornado.general"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # the terminal is for the publicist
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C stops the preview even if started where it was ignored
    preview = Preview(root.resolve(), options)
    preview.observer = _watch(preview)  # before the first build, so that no save is missed
    print(preview.rebuild(), flush=True)
    if preview.output is None:
        preview.output = _output_folder(preview)
    app = tornado.web.Application(_handlers(preview, port), compress_response=False)
    try:
        app.listen(port, address=host)
    except OSError as exc:
        preview.observer.stop()
        print(f"命令用法错误：无法在 {host}:{port} 上启动预览（{exc.strerror}）。端口可能已被占用，换一个：--port {port + 1}", file=sys.stderr)
        return 2
    url = f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}/"
    print(f"预览地址：{url} （保存文件后自动刷新；按 Ctrl+C 停止）", flush=True)
    if open_browser:
        threading.Thread(target=_open_browser, args=(url,), daemon=True).start()
    tornado.ioloop.PeriodicCallback(lambda: _rebuild_when_quiet(preview), QUIET_SECONDS * 1000 / 4).start()
    try:
        tornado.ioloop.IOLoop.current().start()
    except KeyboardInterrupt:
        print("预览已停止。", flush=True)
    finally:
        preview.observer.stop()
    return 0


def _open_browser(url: str) -> None:
    """Open url in the default browser (on a thread: a browser command may not return until it closes)."""
    import webbrowser

    if not webbrowser.open(url):
        print("没能自动打开浏览器：请手动用浏览器打开上面的预览地址。", flush=True)


def _watch(preview: Preview):
    """Start watchdog on the inputs (not the output or caches, whose folders come and go)."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class Inputs(FileSystemEventHandler):
        """Notes the time of the last change to an input file."""

        def on_any_event(self, event) -> None:
            if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
                return
            paths = [os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
            inputs = [path for path in paths if preview.is_input(path)]
            if inputs:
                preview.saved.update(inputs if not event.is_directory else [str(preview.root / "content")])
                preview.changed_at = time.monotonic()

    observer = Observer()
    observer.daemon = True
    handler = Inputs()
    observer.schedule(handler, str(preview.root), recursive=False)  # site.yaml; content/ appearing
    for name in ("content", "templates", "assets"):
        if (preview.root / name).is_dir():
            observer.schedule(handler, str(preview.root / name), recursive=True)
    observer.start()
    return observer


def _output_folder(preview: Preview) -> Path:
    """Where the site is when the first build failed: site.yaml's output (maybe from an earlier build)."""
    from .config import load_site
    from .errors import Report

    site = load_site(preview.root, Report(), preview.options.get("output"), None)
    return site.output if site is not None else preview.root / "output"


def _rebuild_when_quiet(preview: Preview) -> None:
    """Rebuild once the inputs have stopped changing for QUIET_SECONDS, then reload every open page."""
    if not all(emitter.is_alive() for emitter in preview.observer.emitters):
        preview.observer.stop()  # a watch thread died (say, a folder vanished mid-scan): watch afresh, rebuild
        preview.observer = _watch(preview)
        preview.state = None  # changes may have been missed: a full build
        preview.changed_at = time.monotonic() - QUIET_SECONDS
    changed = preview.changed_at
    if changed is None or time.monotonic() - changed < QUIET_SECONDS:
        return
    preview.changed_at = None
    print(preview.rebuild(), flush=True)
    for client in list(preview.clients):
        client.reload()


def _handlers(preview: Preview, port: int) -> list:
    """Tornado routes: the livereload protocol, its client script, and the site."""
    import tornado.web
    import tornado.websocket

    class Reload(tornado.websocket.WebSocketHandler):
        """The livereload protocol: answer hello, remember the page, tell it when to reload."""

        def check_origin(self, origin: str) -> bool:
            return urlparse(origin).hostname in ("127.0.0.1", "localhost", self.request.host.split(":")[0])

        def on_message(self, message) -> None:
            command = json.loads(message).get("command")
            if command == "hello":
                self.write_message({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
                                    "serverName": "showcase"})
            elif command == "info":
                preview.clients.add(self)

        def on_close(self) -> None:
            preview.clients.discard(self)

        def reload(self) -> None:
            try:
                self.write_message({"command": "reload", "path": "*", "liveCSS": False, "liveImg": False})
            except tornado.websocket.WebSocketClosedError:
                preview.clients.discard(self)

    class Client(tornado.web.RequestHandler):
        """livereload.js, from the livereload package."""

        def get(self) -> None:
            self.set_header("Content-Type", "text/javascript; charset=utf-8")
            self.write(LIVERELOAD_JS.read_bytes())

    class Site(tornado.web.StaticFileHandler):
        """The output folder; HTML pages get the reload script and, while content is invalid, the errors."""

        def initialize(self, **kwargs) -> None:
            super().initialize(path=str(preview.output), default_filename="index.html")

        def compute_etag(self):
            return None

        def should_return_304(self) -> bool:
            return False

        def set_extra_headers(self, path: str) -> None:
            self.set_header("Cache-Control", "no-store")

        def get_content(self, abspath, start=None, end=None):
            data = b"".join(super().get_content(abspath, start, end))
            return self._decorate(data) if abspath.endswith(".html") else data

        def get_content_size(self) -> int:
            if self.absolute_path.endswith(".html"):
                return len(self.get_content(self.absolute_path))
            return super().get_content_size()

        def _decorate(self, data: bytes) -> bytes:
            """Add the reload script and the error overlay to an HTML page."""
            extra = (RELOAD_SCRIPT.format(port=port) + preview.overlay()).encode("utf-8")
            at = data.rfind(b"</body>")
            return data[:at] + extra + data[at:] if at >= 0 else data + extra

        def write_error(self, status_code: int, **kwargs) -> None:
            missing = preview.output / "404.html"
            if status_code == 404 and missing.is_file():
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(self._decorate(missing.read_bytes()))
            else:
                self.finish(self._decorate(f"<!doctype html><meta charset=utf-8><title>{status_code}</title>"
                                           f"<p>{status_code}</p></body>".encode()))

    return [(r"/livereload", Reload), (r"/livereload\.js", Client), (r"/(.*)", Site)]
