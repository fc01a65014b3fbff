"""M3: crew sessions can be revoked. Logout ends that session (its cookie no longer works
over HTTP or the socket), "log out everywhere" ends them all, a new crew password ends them
all; sessions last a show day, not a month; behind https, cookies are Secure with HSTS."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import socketio

from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show


@pytest.fixture
def srv(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """A server of the test's own (the test restarts it)."""
    return server_factory(write_show(tmp_path, ONE_CUE_SHOW))


@pytest.fixture(scope="module")
def shared_srv(
    module_server_factory: Callable[..., ServerProcess], tmp_path_factory: pytest.TempPathFactory
) -> ServerProcess:
    """One server for the tests that log in sessions of their own: a logout, even
    everywhere, ends only sessions that came before."""
    return module_server_factory(write_show(tmp_path_factory.mktemp("show"), ONE_CUE_SHOW))


def login(srv: ServerProcess) -> str:
    """Logs in with the password; returns the session cookie's value."""
    http = requests.Session()
    answer = http.post(
        srv.url + "/crew/login",
        data={"password": srv.password},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return str(http.cookies["session"])


def dashboard_with(srv: ServerProcess, cookie: str) -> bool:
    """Does this cookie open the dashboard (rather than redirect to the login page)?"""
    answer = requests.get(
        srv.url + "/crew", cookies={"session": cookie}, allow_redirects=False, timeout=10
    )
    return answer.status_code == 200


def socket_with(srv: ServerProcess, cookie: str) -> bool:
    client = socketio.Client(reconnection=False)
    try:
        client.connect(
            srv.url,
            namespaces=["/crew"],
            headers={"Cookie": f"session={cookie}"},
            transports=["websocket"],
            wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        return False
    client.disconnect()
    return True


def logout(srv: ServerProcess, cookie: str, **form: str) -> None:
    answer = requests.post(
        srv.url + "/crew/logout",
        cookies={"session": cookie},
        data=form,
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text


def test_a_logged_out_cookie_no_longer_works(shared_srv: ServerProcess) -> None:
    srv = shared_srv
    cookie, other = login(srv), login(srv)
    assert dashboard_with(srv, cookie) and socket_with(srv, cookie)
    logout(srv, cookie)
    assert not dashboard_with(srv, cookie)
    assert not socket_with(srv, cookie)
    assert dashboard_with(srv, other), "only that session ended"


def test_log_out_everywhere_ends_every_session(shared_srv: ServerProcess) -> None:
    srv = shared_srv
    first, second = login(srv), login(srv)
    logout(srv, first, everywhere="1")
    assert not dashboard_with(srv, first) and not dashboard_with(srv, second)
    assert not socket_with(srv, second)


def test_a_session_survives_a_restart_but_not_a_new_password(srv: ServerProcess) -> None:
    cookie = login(srv)
    srv.stop()
    srv.start()
    assert dashboard_with(srv, cookie), "a restarted show keeps its crew logged in"
    srv.stop()
    srv.extra_env["LIVESHOW_CREW_PASSWORD"] = "a-new-password-for-tonight"
    srv.start()
    assert not dashboard_with(srv, cookie)
    assert not socket_with(srv, cookie)


def test_a_session_lasts_a_show_day(shared_srv: ServerProcess) -> None:
    srv = shared_srv
    answer = requests.post(
        srv.url + "/crew/login", data={"password": srv.password}, allow_redirects=False, timeout=10
    )
    cookie = next(c for c in answer.cookies if c.name == "session")
    assert cookie.expires is not None
    import time

    assert cookie.expires - time.time() <= 24 * 3600
    assert not cookie.secure


def test_behind_https_cookies_are_secure_with_hsts(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(write_show(tmp_path, ONE_CUE_SHOW), extra_env={"LIVESHOW_HTTPS": "1"})
    answer = requests.post(
        srv.url + "/crew/login", data={"password": srv.password}, allow_redirects=False, timeout=10
    )
    assert "Secure" in answer.headers["Set-Cookie"]
    assert "max-age=" in answer.headers["Strict-Transport-Security"]
