"""Fixtures: the in-process app and its socket test clients; a real server process and the
crew, phones and displays that talk to it; a real browser. The helpers they are built from
live in ``tests/helpers/``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from liveshow.show.demo import DEMO_SHOW, ensure_demo_media
from tests.helpers import CAMERA_KEY, CREW_PASSWORD, DISPLAY_KEY, JOIN_CODE
from tests.helpers.app import make_app
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone, Phone
from tests.helpers.phone_page import phone_page_in
from tests.helpers.server import ServerProcess
from tests.helpers.shows import CAMERA_SHOW, TEXT_SHOW, write_prompt_show, write_show

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


@pytest.fixture
def joined_phone(app: Any) -> Phone:
    """A phone on the in-process app that has joined (as "Ana"), for uploads over HTTP."""
    p = Phone(app)
    assert p.join()["ok"]
    return p


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


@pytest.fixture(scope="module")
def module_server_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., ServerProcess]]:
    """Starts `liveshow serve` processes shared by the tests of a module (a start costs
    seconds); all are stopped after the module. Only for tests that read, or that first set
    what they check, so they pass in any order and alone."""
    started: list[ServerProcess] = []

    def start(show: Path | None, data: Path | None = None, **kwargs: Any) -> ServerProcess:
        data = data or tmp_path_factory.mktemp("module-server") / "data"
        srv = ServerProcess(data=data, show=show, **kwargs).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture(scope="module")
def module_server(
    module_server_factory: Callable[..., ServerProcess], demo_show: Path
) -> ServerProcess:
    """One real server running the demo show, shared by the tests of a module."""
    return module_server_factory(demo_show)


@pytest.fixture(scope="module")
def module_prompt_server(
    module_server_factory: Callable[..., ServerProcess], tmp_path_factory: pytest.TempPathFactory
) -> ServerProcess:
    """One prompt server (as `prompt_server`) shared by the tests of a module: for tests
    that look only at their own phones' work and GO to the prompt they use first."""
    return module_server_factory(  # with the profanity model, as the room has it
        write_prompt_show(tmp_path_factory.mktemp("prompt-show")),
        extra_env={"LIVESHOW_FLAG_TEXT": "true"},
    )


@pytest.fixture
def module_prompt_crew(
    module_prompt_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> Crew:
    """A crew socket of the test's own on the module's shared prompt server."""
    return crew_of(module_prompt_server)


@pytest.fixture
def prompt_server(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """A real server running a show with a prompt of every kind, a wall and a poll."""
    return server_factory(write_prompt_show(tmp_path))


@pytest.fixture
def camera_server(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """A real server whose show is one camera cue (cam1), taking agents with CAMERA_KEY."""
    return server_factory(
        write_show(tmp_path, CAMERA_SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )


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
    from playwright.sync_api import expect, sync_playwright

    # Every expect() waits up to 15 s, not Playwright's 5: a loaded CI machine can take
    # longer than 5 s to show what a quiet one shows at once (a bound, never a wait).
    expect.set_options(timeout=15_000)
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
    """Opens a display page (a 720p projector unless ``size`` says otherwise); any script
    error on it fails the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(srv: ServerProcess, name: str = "main", size: tuple[int, int] = (1280, 720)) -> Any:
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
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


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A phone-sized page of its own; script errors on it fail the test."""
    yield from phone_page_in(browser)
