"""H1: idle connections must not take the server down. One address opening a pile of
half-sent requests gets a capped share of the connections, its idle ones are dropped after
the header timeout, a trickled body after the body timeout, and the crew (from another
address) still gets its dashboard. Under every async mode: eventlet's, gevent's and the
threading mode's servers each apply the same limits (liveshow/serving)."""

from __future__ import annotations

import resource
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.helpers.server import ServerProcess
from tests.helpers.shows import TEXT_SHOW, write_show
from tests.helpers.waiting import wait_until

HALF_REQUESTS = 1_100  # over the server's max_connections below, from one address
MAX_CONNECTIONS = 1_000
ASYNC_MODES = ["eventlet", "gevent", "threading"]
TRICKLED_BODY = 8 * 1024  # declared; 0.5 s + 8 KB at 16 KB/s = 1 s allowed


@pytest.fixture(params=ASYNC_MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def room(tmp_path: Path) -> Iterator[list[socket.socket]]:
    """Sockets a test opens; all closed after it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < HALF_REQUESTS + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, HALF_REQUESTS + 500), hard))
    opened: list[socket.socket] = []
    yield opened
    for s in opened:
        s.close()


def half_request(srv: ServerProcess, source: str = "127.0.0.1") -> socket.socket:
    """A socket that sent half a request line and then nothing (or was reset at once)."""
    s = socket.socket()
    s.settimeout(5)
    s.bind((source, 0))
    try:
        s.connect(("127.0.0.1", srv.port))
        s.sendall(b"GET /crew/lo")
    except ConnectionResetError:
        pass  # refused at once: closed_by_server() sees it
    return s


def from_address(source: str) -> requests.Session:
    """An HTTP client whose connections come from ``source`` (another loopback address)."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter()
    adapter.init_poolmanager(1, 1, source_address=(source, 0))
    session.mount("http://", adapter)
    return session


def closed_by_server(s: socket.socket) -> bool:
    """True once the server closed ``s`` (whatever it answered first)."""
    try:
        s.setblocking(False)
        while s.recv(4096):
            pass
        return True
    except BlockingIOError:
        return False
    except OSError:  # reset, or never connected
        return True


def test_half_requests_from_one_address_leave_room_for_the_crew(
    server_factory: Callable[..., ServerProcess],
    tmp_path: Path,
    room: list[socket.socket],
    mode: str,
) -> None:
    srv = server_factory(
        write_show(tmp_path, TEXT_SHOW),
        async_mode=mode,
        extra_env={"LIVESHOW_MAX_CONNECTIONS": str(MAX_CONNECTIONS)},
    )
    for _ in range(HALF_REQUESTS):
        room.append(half_request(srv))
    crew_laptop = from_address("127.0.0.2")
    page = crew_laptop.get(srv.url + "/crew/login", timeout=10)
    assert page.status_code == 200 and "password" in page.text
    assert crew_laptop.get(srv.url + "/api/state", timeout=10).ok
    # the one address was held to its share: most of its half-requests were shut at once
    refused = wait_until(
        lambda: sum(closed_by_server(s) for s in room) >= HALF_REQUESTS - 300,
        timeout=20,
        what="the server to refuse connections over the per-address cap",
    )
    assert refused


def test_slow_heads_and_bodies_are_dropped_at_their_deadlines(
    server_factory: Callable[..., ServerProcess],
    tmp_path: Path,
    room: list[socket.socket],
    mode: str,
) -> None:
    """The header timeout is a deadline for the whole head, not per byte received; the body
    timeout one for the whole body (plus its time at 16 KB/s)."""
    srv = server_factory(
        write_show(tmp_path, TEXT_SHOW),
        async_mode=mode,
        extra_env={"LIVESHOW_HEADER_TIMEOUT": "0.5", "LIVESHOW_BODY_TIMEOUT": "0.5"},
    )
    half = half_request(srv)
    idle = socket.create_connection(("127.0.0.1", srv.port), timeout=5)  # keep-alive, silent
    trickler = half_request(srv)
    body = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    body.sendall(
        (
            "POST /crew/login HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{srv.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {TRICKLED_BODY}\r\n\r\npassword="
        ).encode()
    )
    room.extend([half, idle, trickler, body])

    def trickle_until_closed() -> bool:
        try:
            trickler.sendall(b"g")
            body.sendall(b"x")
        except OSError:
            pass
        return all(closed_by_server(s) for s in (half, idle, trickler))

    wait_until(trickle_until_closed, timeout=10, what="the slow request heads dropped")

    def trickle_body() -> bool:  # a byte at a time: only a deadline for the whole body ends it
        try:
            body.sendall(b"x")
        except OSError:
            pass
        return closed_by_server(body)

    wait_until(trickle_body, timeout=30, what="the trickled body dropped")
    assert requests.get(srv.url + "/crew/login", timeout=10).ok  # and the server still serves
