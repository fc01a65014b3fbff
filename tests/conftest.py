"""Fixtures: the in-process app and its socket test clients; a real server process and the
crew, phones and displays that talk to it; a real browser. The helpers they are built from
live in ``tests/helpers/``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from liveshow.show.demo import DEMO_SHOW, ensure_demo_media
from tests.helpers import CREW_PASSWORD, DISPLAY_KEY, JOIN_CODE
from tests.helpers.app import make_app
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.server import ServerProcess
from tests.helpers.shows import TEXT_SHOW, write_prompt_show, write_show

CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "show(text): the show (YAML text) the `app` fixture loads instead of the "
        "small text show; on a test, or on a module as `pytestmark`",
    )


# ---- the in-process app -----------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_show() -> Path:
    """The bundled demo show, with its media generated (once, offline)."""
    ensure_demo_media()
    return DEMO_SHOW


@pytest.fixture
def text_show(tmp_path: Path) -> Path:
    """A small show with no media files: quick to load."""
    return write_show(tmp_path, TEXT_SHOW)


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The app in this process, on a fresh data folder, running the small text show or the
    show a `@pytest.mark.show(...)` names."""
    marker = request.node.get_closest_marker("show")
    show = (
        write_show(tmp_path, marker.args[0], "app-show.yaml")
        if marker
        else write_show(tmp_path, TEXT_SHOW)
    )
    return make_app(tmp_path / "data", show)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def _socket(app: Any, namespace: str, auth: dict[str, Any]) -> Iterator[Any]:
    from liveshow.extensions import socketio

    c = socketio.test_client(app, namespace=namespace, auth=auth)
    assert c.is_connected(namespace)
    yield c
    c.disconnect(namespace=namespace)


@pytest.fixture
def crew(app: Any) -> Iterator[Any]:
    yield from _socket(app, "/crew", {"password": CREW_PASSWORD})


@pytest.fixture
def display(app: Any) -> Iterator[Any]:
    yield from _socket(app, "/display", {"key": DISPLAY_KEY, "name": "main", "rev": 0})


@pytest.fixture
def phone(app: Any) -> Iterator[Any]:
    yield from _socket(
        app, "/audience", {"code": JOIN_CODE, "device": "phone-device-0001", "rev": 0}
    )


# ---- a real server process and its clients ----------------------------------------------
@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Starts `liveshow serve` processes; all are stopped after the test."""
    started: list[ServerProcess] = []

    def start(show: Path | None, data: Path | None = None, **kwargs: Any) -> ServerProcess:
        srv = ServerProcess(data=data or tmp_path / "data", show=show, **kwargs).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def server(server_factory: Callable[..., ServerProcess], demo_show: Path) -> ServerProcess:
    """A real eventlet server running the demo show."""
    return server_factory(demo_show)


@pytest.fixture
def prompt_server(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """A real server running a show with a prompt of every kind, a wall and a poll."""
    return server_factory(write_prompt_show(tmp_path))


@pytest.fixture
def prompt_crew(prompt_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]) -> Crew:
    """A crew socket on the prompt server."""
    return crew_of(prompt_server)


@pytest.fixture
def crew_of() -> Iterator[Callable[[ServerProcess], Crew]]:
    """Connects crew sockets to a real server; closed after the test."""
    crews: list[Crew] = []

    def make(srv: ServerProcess) -> Crew:
        crews.append(Crew(srv))
        return crews[-1]

    yield make
    for c in crews:
        c.close()


@pytest.fixture
def phone_of() -> Iterator[Callable[..., LivePhone]]:
    """Joins phones to a real server: ``phone_of(srv, "Ana")``; closed after the test."""
    phones: list[LivePhone] = []

    def make(srv: ServerProcess, handle: str = "Ana", device: str | None = None) -> LivePhone:
        phones.append(LivePhone(srv, handle, device))
        return phones[-1]

    yield make
    for p in phones:
        p.close()


# ---- a real browser ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--autoplay-policy=no-user-gesture-required",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-gpu",
                "--disable-quic",
            ],
        )
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


@pytest.fixture
def open_display(browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens a display page (a 720p projector); any script error on it fails the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(srv: ServerProcess, name: str = "main") -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{name}: {exc}"))
        page.goto(f"{srv.url}/display/{name}?key={srv.display_key}")
        page.wait_for_function("() => window.liveshowDisplay && window.liveshowDisplay.rev")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"script errors on the display page: {errors}"
