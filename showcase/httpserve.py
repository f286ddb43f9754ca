"""A small static file server for one built folder, bound to the local machine only.

Serves files under the folder and nothing else (no listings, no path or link leading out of it),
answers a missing file with the folder's 404.html, asks browsers not to cache pages (a rebuilt
folder is picked up at once) and reports each request path to an optional callback.  The folder
is looked up by name on every request, so a build swapped into place is served immediately.
"""
from __future__ import annotations

import functools
import http.server
import ipaddress
import sys
import threading
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """GET/HEAD of files inside one folder; everything else is refused."""

    on_request: Callable[[str], None] | None = None
    not_found = "404.html"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        """Stay quiet: a kiosk runs for weeks and its log is for problems."""

    def translate_path(self, path: str) -> str:
        """The file for a URL path, or an empty string when it would lead outside the folder."""
        candidate = Path(super().translate_path(path))
        folder = Path(self.directory).resolve()
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return ""
        return str(resolved) if resolved.is_relative_to(folder) else ""

    def list_directory(self, path):
        """No folder listings: a folder without index.html is not found."""
        self.send_error(404)
        return None

    def send_head(self):
        """Report the request, refuse paths outside the folder, then serve as usual."""
        if self.on_request is not None:
            self.on_request(unquote(urlsplit(self.path).path))
        if not self.translate_path(self.path):
            self.send_error(404)
            return None
        return super().send_head()

    def end_headers(self):
        """Pages and data are revalidated on every load; nothing is sniffed."""
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        """A missing file gets the site's own 404.html when it has one."""
        page = Path(self.directory) / self.not_found
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class LocalServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server that refuses to listen anywhere but the local machine."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, folder: Path, port: int = 0, host: str = "127.0.0.1", on_request=None, not_found: str = "404.html"):
        if host not in LOCAL_HOSTS and not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"只在本机地址上提供服务，不能用 {host}。")
        handler = type("Handler", (StaticHandler,), {"on_request": staticmethod(on_request) if on_request else None,
                                                     "not_found": not_found})
        super().__init__((host, port), functools.partial(handler, directory=str(folder)))
        self.thread: threading.Thread | None = None

    def handle_error(self, request, client_address):
        """A browser that drops a connection (page closed, reload) is normal, not an error to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """The server's base URL, ending with a slash."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "LocalServer":
        """Serve in a background thread; return self."""
        self.thread = threading.Thread(target=self.serve_forever, name="httpserve", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)
