"""M1: uploads trickled a byte at a time must not hold the upload slots. A body is received
before it takes a processing slot, and a body slower than its allowance is dropped."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_prompt_show
from tests.helpers.waiting import wait_until

BOUNDARY = "trickle"


def trickled_upload(srv: ServerProcess, token: str, length: int) -> socket.socket:
    """A photo upload whose headers and first bytes arrive, and then nothing more."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    head = (
        "POST /api/submissions HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{srv.port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {length}\r\n\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    s.sendall(head.encode() + b"\xff\xd8\xff" + b"\0" * 1000)
    return s


def answered_or_closed(s: socket.socket) -> bytes | None:
    """What the server sent back (b"" when it just closed), or None while it waits."""
    try:
        s.setblocking(False)
        return s.recv(4096)
    except BlockingIOError:
        return None
    except OSError:
        return b""


@pytest.fixture
def tricklers() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for s in opened:
        s.close()


def test_two_trickled_uploads_do_not_hold_every_upload_slot(
    server_factory: Callable[..., ServerProcess],
    tmp_path: Path,
    crew_of: Callable[[ServerProcess], Crew],
    phone_of: Callable[..., LivePhone],
    tricklers: list[socket.socket],
) -> None:
    srv = server_factory(
        write_prompt_show(tmp_path),
        extra_env={"LIVESHOW_UPLOAD_WORKERS": "2", "LIVESHOW_BODY_TIMEOUT": "0.5"},
    )
    crew_of(srv).goto("ask-photo")
    slow = [phone_of(srv, f"Slow{i}") for i in range(2)]
    for phone in slow:
        tricklers.append(trickled_upload(srv, phone.token, 64 * 1024))
    honest = phone_of(srv, "Ana")
    sub = honest.photo("ask-photo", jpeg())  # asserts 201 (requests gives up after 30 s)
    assert srv.rows("select id from submissions where id = ?", (sub,))
    # and the trickled ones were dropped once their allowance (0.5 s + 64 KB at 16 KB/s) ran
    # out, with nothing stored
    answers = [
        wait_until(
            lambda s=s: answered_or_closed(s) is not None or None,  # type: ignore[misc]
            timeout=30,
            what="the trickled upload dropped",
        )
        for s in tricklers
    ]
    assert answers and srv.rows("select count(*) from submissions")[0][0] == 1
