"""Crew sockets end with their session. A /crew socket is authenticated once, when it
connects: logging its session out (or "log out everywhere") must disconnect it at once, or
a dashboard left open on a borrowed laptop could still GO. Real server, real python-socketio
clients, and the dashboard's "Log out everywhere" button in chromium."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import requests
import socketio
from playwright.sync_api import Browser, Page, expect

from tests.helpers.crew import Crew, crew_login
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show

LIVE = "connection connection-connected"  # the dashboard's connection indicator, connected


@pytest.fixture(scope="module")
def srv(
    module_server_factory: Callable[..., ServerProcess], tmp_path_factory: pytest.TempPathFactory
) -> ServerProcess:
    """One server for the module: each test logs in its own sessions and opens its own
    sockets (closed after it), so a logout, even everywhere, ends only what came before."""
    return module_server_factory(write_show(tmp_path_factory.mktemp("show"), ONE_CUE_SHOW))


def crew_cookie(srv: ServerProcess) -> str:
    """A crew member logging in with the password: their browser's session cookie."""
    http = requests.Session()
    answer = http.post(
        srv.url + "/crew/login", data={"password": srv.password}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    return str(http.cookies["session"])


def post_logout(srv: ServerProcess, cookie: str, origin: str | None = None, **form: str) -> int:
    headers = {"Origin": origin} if origin else {}
    answer = requests.post(
        srv.url + "/crew/logout",
        cookies={"session": cookie},
        data=form,
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    return answer.status_code


class Dashboard:
    """A dashboard's /crew socket, opened on a session cookie (no password), that notes the
    moment the server disconnects it."""

    def __init__(self, srv: ServerProcess, cookie: str) -> None:
        self.gone = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("disconnect", lambda *reason: self.gone.set(), namespace="/crew")
        self.client.connect(
            srv.url,
            namespaces=["/crew"],
            headers={"Cookie": f"session={cookie}"},
            transports=["websocket"],
            wait_timeout=10,
        )

    def goto(self, cue: str) -> bool:
        ack = self.client.call("goto", {"cue": cue}, namespace="/crew", timeout=10)
        return isinstance(ack, dict) and bool(ack.get("ok"))

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def dashboards() -> Iterator[Callable[[ServerProcess, str], Dashboard]]:
    opened: list[Dashboard] = []

    def open_(srv: ServerProcess, cookie: str) -> Dashboard:
        opened.append(Dashboard(srv, cookie))
        return opened[-1]

    yield open_
    for dashboard in opened:
        dashboard.close()


def connects_with(srv: ServerProcess, cookie: str) -> bool:
    """Can a new /crew socket open on this cookie?"""
    try:
        Dashboard(srv, cookie).close()
    except socketio.exceptions.ConnectionError:
        return False
    return True


def test_logout_disconnects_that_sessions_sockets_at_once(
    srv: ServerProcess, dashboards: Callable[[ServerProcess, str], Dashboard]
) -> None:
    mine, theirs = crew_cookie(srv), crew_cookie(srv)
    tabs = [dashboards(srv, mine), dashboards(srv, mine)]  # two tabs on one session
    other = dashboards(srv, theirs)
    desk = Crew(srv)  # a tool on the password, not on a session
    try:
        assert all(tab.goto("a") for tab in tabs)
        assert post_logout(srv, mine) == 302
        for tab in tabs:
            assert tab.gone.wait(5), "a socket of the logged-out session stayed connected"
        assert not connects_with(srv, mine), "the old cookie opened a crew socket again"
        assert not other.gone.is_set() and other.goto("a"), "another session's socket ended"
        desk.command("goto", {"cue": "a"})
    finally:
        desk.close()


def test_log_out_everywhere_disconnects_every_crew_socket(
    srv: ServerProcess, dashboards: Callable[[ServerProcess, str], Dashboard]
) -> None:
    first, second = crew_cookie(srv), crew_cookie(srv)
    sockets = [dashboards(srv, first), dashboards(srv, second)]
    desk = Crew(srv)
    desk_gone = threading.Event()
    desk.client.on("disconnect", lambda *reason: desk_gone.set(), namespace="/crew")
    try:
        assert post_logout(srv, first, everywhere="1") == 302
        for socket in sockets:
            assert socket.gone.wait(5), "a crew socket stayed connected"
        assert desk_gone.wait(5), "a password-authenticated crew socket stayed connected"
        assert not connects_with(srv, first) and not connects_with(srv, second)
        Crew(srv).close()  # the password still opens a new one
    finally:
        if not desk_gone.is_set():
            desk.close()


def test_a_cross_site_log_out_everywhere_is_refused_and_ends_nothing(
    srv: ServerProcess, dashboards: Callable[[ServerProcess, str], Dashboard]
) -> None:
    cookie = crew_cookie(srv)
    dashboard = dashboards(srv, cookie)
    assert post_logout(srv, cookie, origin="https://evil.example", everywhere="1") == 403
    assert not dashboard.gone.wait(1.0)
    assert dashboard.goto("a") and connects_with(srv, cookie)


def test_log_out_everywhere_needs_a_live_crew_session(
    srv: ServerProcess, dashboards: Callable[[ServerProcess, str], Dashboard]
) -> None:
    """The logout route needs no login (anyone may end their own session): without one,
    "everywhere" is refused, so nobody on the venue Wi-Fi can drop the crew mid-show."""
    cookie, spent = crew_cookie(srv), crew_cookie(srv)
    dashboard = dashboards(srv, cookie)
    assert post_logout(srv, spent) == 302
    assert post_logout(srv, spent, everywhere="1") == 403  # a logged-out cookie
    answer = requests.post(srv.url + "/crew/logout", data={"everywhere": "1"}, timeout=10)
    assert answer.status_code == 403  # no cookie at all
    assert not dashboard.gone.wait(1.0)
    assert dashboard.goto("a") and connects_with(srv, cookie)


def test_the_dashboards_log_out_everywhere_button_sends_every_dashboard_to_login(
    srv: ServerProcess, page: Page, browser: Browser
) -> None:
    other_context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        other = other_context.new_page()
        for dashboard in (page, other):
            crew_login(dashboard, srv)
            expect(dashboard.locator("#connection")).to_have_class(LIVE)

        page.get_by_role("button", name="Log out everywhere").click()
        expect(page.locator("#confirm-dialog")).to_be_visible()
        page.locator("#confirm-ok").click()

        # polled, not awaited as one navigation: the other dashboard may start one (its
        # socket dropped) that the redirect to the login page then aborts
        expect(page).to_have_url(srv.url + "/crew/login", timeout=10_000)
        expect(other).to_have_url(srv.url + "/crew/login", timeout=10_000)
        other.goto(srv.url + "/crew")
        assert other.url == srv.url + "/crew/login", "the other browser's cookie still works"
    finally:
        other_context.close()


def test_cancelling_log_out_everywhere_logs_nobody_out(srv: ServerProcess, page: Page) -> None:
    crew_login(page, srv)
    page.get_by_role("button", name="Log out everywhere").click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    expect(page.locator("#connection")).to_have_class(LIVE)
    assert page.url == srv.url + "/crew"
