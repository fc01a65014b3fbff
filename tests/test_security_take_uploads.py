"""M2: a take upload can never get stuck for good. A server killed after the last byte was
written (while it hashed) finishes the file when the agent asks again; two requests for the
same file at once cannot both append (the second is told to resume from the offset)."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show
from tests.helpers.waiting import wait_until

CAMERA = {"Authorization": f"Bearer {CAMERA_KEY}"}


@pytest.fixture
def srv(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    return server_factory(
        write_show(tmp_path, ONE_CUE_SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )


@pytest.fixture
def clip(demo_show: Path) -> bytes:
    return (demo_show.parent / "demo" / "tide-pools.mp4").read_bytes()


def put(srv: ServerProcess, sha: str, data: bytes, start: int, total: int) -> requests.Response:
    return requests.put(
        f"{srv.url}/api/media/{sha}",
        data=data,
        headers={**CAMERA, "Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}"},
        timeout=30,
    )


def test_a_server_killed_while_hashing_the_last_chunk_finishes_the_file(
    srv: ServerProcess, clip: bytes
) -> None:
    sha = hashlib.sha256(clip).hexdigest()
    assert put(srv, sha, clip[:-1], 0, len(clip)).status_code == 202
    srv.stop()
    # the last byte was written and fsync'd; the server died while hashing
    with (srv.data / "uploads" / f"{sha}.part").open("ab") as part:
        part.write(clip[-1:])
    srv.start()
    head = requests.head(f"{srv.url}/api/media/{sha}", headers=CAMERA, timeout=30)
    assert head.status_code == 200, head.headers
    assert requests.get(f"{srv.url}/media/{sha}", timeout=10).content == clip


def test_a_put_of_the_last_byte_again_finishes_a_full_part_too(
    srv: ServerProcess, clip: bytes
) -> None:
    sha = hashlib.sha256(clip).hexdigest()
    assert put(srv, sha, clip[:-1], 0, len(clip)).status_code == 202
    srv.stop()
    with (srv.data / "uploads" / f"{sha}.part").open("ab") as part:
        part.write(clip[-1:])
    srv.start()
    again = put(srv, sha, clip[-1:], len(clip) - 1, len(clip))
    assert again.status_code == 201, again.text
    assert requests.get(f"{srv.url}/media/{sha}", timeout=10).content == clip


def test_overlapping_puts_of_one_file_cannot_both_append(srv: ServerProcess, clip: bytes) -> None:
    sha = hashlib.sha256(clip).hexdigest()
    first = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    first.sendall(
        (
            f"PUT /api/media/{sha} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {CAMERA_KEY}\r\n"
            f"Content-Range: bytes 0-{len(clip) - 1}/{len(clip)}\r\n"
            f"Content-Length: {len(clip)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + clip[: len(clip) // 2]
    )
    wait_until(
        lambda: srv.rows("select sha256 from uploads"), what="the first PUT to start appending"
    )
    second = put(srv, sha, clip, 0, len(clip))  # the whole file again, at once
    assert second.status_code == 409, second.text
    first.sendall(clip[len(clip) // 2 :])
    answer = b""
    while chunk := first.recv(65536):
        answer += chunk
    first.close()
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    assert requests.get(f"{srv.url}/media/{sha}", timeout=10).content == clip
    assert not list((srv.data / "uploads").glob("*.part"))
