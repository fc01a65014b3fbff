"""Fixtures: in-process app and socket test clients; a real server process; a real browser."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from liveshow.show.demo import DEMO_SHOW, ensure_demo_media

CREW_PASSWORD = "test-crew-password"
DISPLAY_KEY = "test-display-key"
JOIN_CODE = "testjoin"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def demo_show() -> Path:
    """The bundled demo show, with its media generated (once, offline)."""
    ensure_demo_media()
    return DEMO_SHOW


@pytest.fixture
def text_show(tmp_path: Path) -> Path:
    """A small show with no media files: quick to load."""
    path = tmp_path / "show.yaml"
    path.write_text("""\
title: Test show
min_go_interval: 1.0
cues:
  - {id: welcome, kind: title, title: Welcome}
  - {id: story, kind: record, title: Story, text: "Once upon a time", duration: 2,
     credits: [{name: Ana, role: writer}]}
  - {id: dark, kind: blackout}
  - {id: roll, kind: credits, title: Thanks}
""")
    return path


def make_app(data: Path, show: Path, **extra: Any) -> Any:
    from liveshow.app import create_app
    config = {"data": str(data), "show": str(show), "crew_password": CREW_PASSWORD,
              "display_key": DISPLAY_KEY, "join_code": JOIN_CODE, "async_mode": "threading",
              **extra}
    app = create_app(config)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(tmp_path: Path, text_show: Path) -> Any:
    return make_app(tmp_path / "data", text_show)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def crew(app: Any) -> Any:
    from liveshow.extensions import socketio
    c = socketio.test_client(app, namespace="/crew", auth={"password": CREW_PASSWORD})
    assert c.is_connected("/crew")
    yield c
    c.disconnect(namespace="/crew")


@pytest.fixture
def display(app: Any) -> Any:
    from liveshow.extensions import socketio
    c = socketio.test_client(app, namespace="/display",
                             auth={"key": DISPLAY_KEY, "name": "main", "rev": 0})
    assert c.is_connected("/display")
    yield c
    c.disconnect(namespace="/display")


@pytest.fixture
def phone(app: Any) -> Any:
    from liveshow.extensions import socketio
    c = socketio.test_client(app, namespace="/audience",
                             auth={"code": JOIN_CODE, "device": "phone-device-0001", "rev": 0})
    assert c.is_connected("/audience")
    yield c
    c.disconnect(namespace="/audience")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    """A real `liveshow serve` in its own process."""
    data: Path
    show: Path | None
    async_mode: str = "eventlet"
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    password = CREW_PASSWORD
    display_key = DISPLAY_KEY
    join_code = JOIN_CODE

    def start(self, timeout: float = 30.0) -> "ServerProcess":
        env = {**os.environ, "LIVESHOW_CREW_PASSWORD": CREW_PASSWORD,
               "LIVESHOW_DISPLAY_KEY": DISPLAY_KEY, "LIVESHOW_JOIN_CODE": JOIN_CODE,
               "LIVESHOW_DATA": str(self.data), "LIVESHOW_ASYNC_MODE": self.async_mode,
               "LIVESHOW_HOST": "127.0.0.1", "LIVESHOW_PORT": str(self.port),
               "PYTHONUNBUFFERED": "1", **self.extra_env}
        args = [sys.executable, "-m", "liveshow", "serve"]
        if self.show is not None:
            args += ["--show", str(self.show)]
        log = open(self.data.parent / f"server-{self.port}.log", "ab")
        self.data.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: "
                                   f"{self.log_text()[-2000:]}")
            try:
                if requests.get(self.url + "/api/state", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout} s: {self.log_text()[-2000:]}")

    def log_text(self) -> str:
        path = self.data.parent / f"server-{self.port}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def state(self) -> dict[str, Any]:
        return requests.get(self.url + "/api/state", timeout=5).json()  # type: ignore


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[ServerProcess] = []

    def start(show: Path | None, data: Path | None = None, **kwargs: Any) -> ServerProcess:
        srv = ServerProcess(data=data or tmp_path / "data", show=show, **kwargs).start()
        started.append(srv)
        return srv
    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def server(server_factory: Any, demo_show: Path) -> ServerProcess:
    """A real eventlet server running the demo show."""
    return server_factory(demo_show)  # type: ignore[no-any-return]


def sio_client(srv: ServerProcess, namespace: str, auth: dict[str, Any]) -> Any:
    import socketio
    client = socketio.Client(reconnection=False)
    client.connect(srv.url, namespaces=[namespace], auth=auth, transports=["websocket"],
                   wait_timeout=10)
    return client


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--autoplay-policy=no-user-gesture-required", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-gpu", "--disable-quic"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desk-sized page (1440x900); any JavaScript error on it fails the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def crew_login(page: Any, srv: ServerProcess) -> None:
    page.goto(srv.url + "/crew/login")
    page.fill("#password", CREW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(srv.url + "/crew")
