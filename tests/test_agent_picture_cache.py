"""The camera agent keeps the key preview's pictures between slider moves, but only the
current preview's: a night of previews over different pictures must not pile up decoded
images in the camera machine's memory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from liveshow.agent.camera import CameraAgent
from tests.helpers.samples import jpeg


class Pictures(BaseHTTPRequestHandler):
    """Any /media/<name> is a small real JPEG; the paths asked for are counted."""

    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Pictures.asked.append(self.path)
        body = jpeg(64, 48)
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pictures)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_key_preview_keeps_only_the_current_previews_pictures(server_url: str) -> None:
    agent: Any = SimpleNamespace(_pictures={}, config=SimpleNamespace(server=server_url))
    download = CameraAgent._download

    def preview(*names: str) -> list[tuple[str, Any]]:
        items = [{"submission": n, "url": f"/media/{n}"} for n in names]
        return download(agent, items, cache=True)

    Pictures.asked.clear()
    assert [s for s, _ in preview("a", "b")] == ["a", "b"]
    assert [s for s, _ in preview("a", "b")] == ["a", "b"]  # a slider moved: no download
    assert Pictures.asked == ["/media/a", "/media/b"]
    for n in range(20):  # the crew tries other pictures all night
        preview(f"p{n}", f"q{n}")
    assert sorted(agent._pictures) == ["/media/p19", "/media/q19"]
