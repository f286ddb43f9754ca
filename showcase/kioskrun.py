"""python build.py kiosk: serve the kiosk edition on 127.0.0.1 and keep Chromium showing it.

The launcher starts the browser full screen with the flags an unattended touch screen needs, in
its own profile folder whose crash flags it clears before every start (so no "restore pages?"
bubble), restarts the browser whenever it exits, and restarts it too when the page's heartbeat
stops: every kiosk page fetches ``kiosk-version.json`` from this server every few seconds, and a
dead or hung renderer does not end the browser process.  A new build swapped into the folder is
served at once; the pages notice the new version and reload at the next attract loop.
"""
from __future__ import annotations

import functools
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from .config import KIOSK_OPTIONS, Kiosk, load_site
from .errors import ConfigError, Report, UsageError
from .httpserve import LocalServer
from .kiosk import VERSION_FILE

BROWSERS = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
FLAGS = ("--kiosk", "--no-first-run", "--noerrdialogs", "--hide-crash-restore-bubble", "--disable-pinch",
         "--overscroll-history-navigation=0", "--pull-to-refresh=0", "--autoplay-policy=no-user-gesture-required",
         "--disable-features=TranslateUI", "--accept-lang=zh-CN", "--disable-component-update",
         "--check-for-update-interval=31536000", "--disable-session-crashed-bubble", "--no-default-browser-check",
         "--password-store=basic")
FAST_EXIT = 10.0      # a browser that lives shorter than this is restarted after a growing pause
LONGEST_PAUSE = 30.0


@functools.cache  # asked twice per start (ready, then run): say a broken site.yaml once
def _site(root: Path, output: str | None, base_url: str | None):
    """The kiosk edition's settings; raise ConfigError with the report when site.yaml is wrong.

    An unattended kiosk must not go dark because an update broke site.yaml: when the last kiosk
    build is still there, it goes on showing that one with the default settings, and says why.
    """
    report = Report()
    site = load_site(root, report, output, base_url, kiosk=True)
    if site is not None:
        return site
    folder = root / (output or KIOSK_OPTIONS["output"][1])
    if not (folder / "index.html").is_file() or not (folder / VERSION_FILE).is_file():
        raise ConfigError(report)
    print(report.format() + f"site.yaml 有错误：继续播放上一次生成的触摸屏版（{folder}），设置用默认值。"
          "改好后运行 python build.py --kiosk，触摸屏会在下一次轮播时换上新版。", file=sys.stderr, flush=True)
    defaults = {name: default for name, (_, default, _) in KIOSK_OPTIONS.items()}
    return SimpleNamespace(output=folder, kiosk=Kiosk(**{**defaults, "output": folder}))


def ready(root: Path, output: str | None = None, base_url: str | None = None) -> bool:
    """True when the kiosk edition has been built (else the command builds it first)."""
    return (_site(root, output, base_url).output / "index.html").is_file()


def browser_command(browser: str, url: str, profile: Path) -> list[str]:
    """The command line that shows url full screen in a kiosk browser with its own profile."""
    words = shlex.split(browser) if browser else []
    if not words:
        found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
        if found is None:
            raise UsageError("找不到 Chromium 浏览器。Debian/Ubuntu 上运行 sudo apt-get install chromium，"
                             "或在 site.yaml 的 kiosk.browser（或 --browser）里写浏览器的完整路径。")
        words = [found]
    return [*words, *FLAGS, f"--user-data-dir={profile}", f"--app={url}"]


def clear_crash_flags(profile: Path) -> None:
    """Mark the last session as ended cleanly and drop stale locks, so Chromium starts without complaint."""
    for name in ("SingletonLock", "SingletonSocket", "SingletonCookie"):
        lock = profile / name
        if lock.is_symlink() or lock.exists():
            lock.unlink(missing_ok=True)
    prefs = profile / "Default" / "Preferences"
    if prefs.is_file():
        try:
            data = json.loads(prefs.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            prefs.unlink(missing_ok=True)  # a torn file after a power cut: Chromium makes a new one
            return
        section = data.setdefault("profile", {})
        section["exit_type"] = "Normal"
        section["exited_cleanly"] = True
        temporary = prefs.with_name("Preferences.kiosk-tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, prefs)


def profile_folder() -> Path:
    """The browser profile used only by the kiosk (under the user's cache folder)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "showcase-kiosk" / "chromium"


class Heartbeat:
    """When the page last asked for kiosk-version.json (monotonic seconds)."""

    def __init__(self):
        self.last = 0.0

    def seen(self, path: str) -> None:
        """Record a request; the version poll is the page's heartbeat."""
        if path.endswith("/" + VERSION_FILE):
            self.last = time.monotonic()


def _stop(process: subprocess.Popen) -> None:
    """End the browser we started and its children (its own process group)."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _watch(process: subprocess.Popen, beat: Heartbeat, timeout: float, stopping: threading.Event, say) -> bool:
    """Wait until the browser exits, its page stops beating, or we are told to stop; True to restart."""
    started = time.monotonic()
    announced = False
    while not stopping.wait(0.5):
        if not announced and beat.last > started:
            announced = True
            say("页面已打开，心跳正常。")
        code = process.poll()
        if code is not None:
            say(f"浏览器退出了（退出码 {code}），马上重新启动。")
            return True
        silent = time.monotonic() - max(started, beat.last)
        if silent > timeout:
            say(f"页面已有 {silent:.0f} 秒没有心跳（页面崩溃或卡住），重新启动浏览器。")
            _stop(process)
            return True
    _stop(process)
    return False


def run(root: Path, output: str | None = None, base_url: str | None = None, browser: str | None = None,
        port: int | None = None, say=None) -> int:
    """Serve the kiosk folder and keep the browser running until SIGTERM or Ctrl+C; return the exit code."""
    say = say or (lambda text: print(text, flush=True))
    site = _site(root, output, base_url)
    beat = Heartbeat()
    try:
        server = LocalServer(site.output, port if port is not None else site.kiosk.port, on_request=beat.seen).start()
    except OSError as exc:
        raise UsageError(f"无法在 127.0.0.1 的端口 {port or site.kiosk.port} 上提供服务（{exc.strerror}）："
                         "可能已有一个触摸屏在运行。换一个端口（--port 或 kiosk.port）。") from None
    profile = profile_folder()
    profile.mkdir(parents=True, exist_ok=True)
    command = browser_command(browser or site.kiosk.browser, server.url, profile)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in command:
        say("注意：不要用 root 运行触摸屏，Chromium 会拒绝启动。请用普通用户运行（见 docs/kiosk.md）。")
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    say(f"触摸屏版：{site.output} → {server.url}（只在本机）。按 Ctrl+C 结束。")
    pause = 1.0
    try:
        while not stopping.is_set():
            clear_crash_flags(profile)
            began = time.monotonic()
            try:
                process = subprocess.Popen(command, start_new_session=True, stdin=subprocess.DEVNULL)
            except OSError as exc:
                raise UsageError(f"无法启动浏览器 {command[0]}（{exc.strerror}）。检查 kiosk.browser 或 --browser。") from None
            say(f"已启动浏览器（进程 {process.pid}）。")
            if not _watch(process, beat, site.kiosk.heartbeat_timeout, stopping, say):
                break
            pause = min(pause * 2, LONGEST_PAUSE) if time.monotonic() - began < FAST_EXIT else 1.0
            stopping.wait(pause)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    say("触摸屏已结束。")
    return 0
