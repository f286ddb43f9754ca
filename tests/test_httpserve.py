"""showcase.httpserve: the local static server the kiosk (and later `serve`) uses."""
from __future__ import annotations

import http.client
import os

import pytest

from showcase.httpserve import LocalServer


def get(server: LocalServer, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """Status, headers and body of a raw request path (sent exactly as given)."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture
def site(tmp_path):
    """A served folder with a page, a 404 page, a sub-folder without index.html and secrets beside it."""
    folder = tmp_path / "site"
    (folder / "docs").mkdir(parents=True)
    (folder / "index.html").write_text("<p>首页</p>", encoding="utf-8")
    (folder / "404.html").write_text("<p>没有这个页面</p>", encoding="utf-8")
    (folder / "docs" / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", folder / "link.txt")
    os.symlink(tmp_path, folder / "up")
    requests = []
    server = LocalServer(folder, on_request=requests.append).start()
    yield server, requests
    server.stop()


def test_serves_files_and_reports_each_request(site):
    server, requests = site
    status, headers, body = get(server, "/")
    assert status == 200 and body.decode() == "<p>首页</p>"
    assert headers["Cache-Control"] == "no-cache" and headers["X-Content-Type-Options"] == "nosniff"
    assert get(server, "/docs/a.txt")[2] == b"a"
    assert requests == ["/", "/docs/a.txt"]


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/docs/../../secret.txt", "/link.txt", "/up/secret.txt",
                                  "/docs/", "/nothing-here"])
def test_nothing_outside_the_folder_and_no_listings(site, path):
    """Paths leading out of the folder (also through symlinks), folder listings and missing files all get the 404 page."""
    server, _ = site
    status, _, body = get(server, path)
    assert status == 404 and body.decode() == "<p>没有这个页面</p>", (path, status, body[:80])


def test_only_get_and_head(site):
    server, _ = site
    assert get(server, "/", "HEAD")[0] == 200
    assert get(server, "/", "POST")[0] == 501
    assert get(server, "/index.html", "PUT")[0] == 501


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_refuses_to_listen_beyond_this_machine(tmp_path, host):
    with pytest.raises(ValueError, match="只在本机地址上提供服务"):
        LocalServer(tmp_path, host=host)
