"""L6: upload names are exactly 64 lowercase hex digits (no trailing newline), a chunked PUT
(no Content-Length) leaves nothing behind, and abandoned partial uploads are cleaned up."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import socketio

from tests.helpers import CAMERA_KEY
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show

CAMERA = {"Authorization": f"Bearer {CAMERA_KEY}"}
DATA = b"some bytes of a take"
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def srv(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """A server of the test's own (the test restarts it)."""
    return server_factory(
        write_show(tmp_path, ONE_CUE_SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )


@pytest.fixture(scope="module")
def shared_srv(
    module_server_factory: Callable[..., ServerProcess], tmp_path_factory: pytest.TempPathFactory
) -> ServerProcess:
    """One server for the tests whose refusals leave nothing behind (each checks that)."""
    show = write_show(tmp_path_factory.mktemp("show"), ONE_CUE_SHOW)
    return module_server_factory(show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})


def test_a_name_with_a_trailing_newline_is_refused(shared_srv: ServerProcess) -> None:
    srv = shared_srv
    answer = requests.put(
        f"{srv.url}/api/media/{SHA}%0a",
        data=DATA[:4],
        headers={**CAMERA, "Content-Range": f"bytes 0-3/{len(DATA)}"},
        timeout=10,
    )
    assert answer.status_code == 400, answer.text
    head = requests.head(f"{srv.url}/api/media/{SHA}%0a", headers=CAMERA, timeout=10)
    assert head.status_code == 400
    assert not [p.name for p in (srv.data / "uploads").iterdir() if "\n" in p.name]


def test_a_chunked_put_is_refused_and_leaves_no_part(shared_srv: ServerProcess) -> None:
    srv = shared_srv
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(
            (
                f"PUT /api/media/{SHA} HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: Bearer {CAMERA_KEY}\r\n"
                f"Content-Range: bytes 0-{len(DATA) - 1}/{len(DATA)}\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                f"{len(DATA):x}\r\n"
            ).encode()
            + DATA
            + b"\r\n0\r\n\r\n"
        )
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 411"), answer[:100]
    assert not list((srv.data / "uploads").glob("*.part"))


def test_an_abandoned_partial_upload_is_removed(srv: ServerProcess) -> None:
    put = requests.put(
        f"{srv.url}/api/media/{SHA}",
        data=DATA[:4],
        headers={**CAMERA, "Content-Range": f"bytes 0-3/{len(DATA)}"},
        timeout=10,
    )
    assert put.status_code == 202
    part = srv.data / "uploads" / f"{SHA}.part"
    fresh = srv.data / "uploads" / f"{'0' * 64}.part"  # another, recent one
    fresh.write_bytes(b"x")
    srv.stop()
    three_days_ago = time.time() - 3 * 24 * 3600
    os.utime(part, (three_days_ago, three_days_ago))
    srv.start()
    assert not part.exists() and fresh.exists()
    head = requests.head(f"{srv.url}/api/media/{SHA}", headers=CAMERA, timeout=10)
    assert head.headers["Upload-Offset"] == "0" and "Upload-Length" not in head.headers


def test_ids_with_a_trailing_newline_are_refused_everywhere(shared_srv: ServerProcess) -> None:
    """The same "$" slip in every id pattern: devices, displays, cameras."""
    srv = shared_srv
    refused = 0
    for namespace, auth in (
        ("/audience", {"code": srv.join_code, "device": "phone-device-0001\n"}),
        ("/display", {"key": srv.display_key, "name": "main\n"}),
        ("/camera", {"key": CAMERA_KEY, "camera": "cam1\n"}),
    ):
        client = socketio.Client(reconnection=False)
        try:
            client.connect(
                srv.url,
                namespaces=[namespace],
                auth=auth,
                transports=["websocket"],
                wait_timeout=10,
            )
        except socketio.exceptions.ConnectionError:
            refused += 1
        else:
            client.disconnect()
    assert refused == 3
