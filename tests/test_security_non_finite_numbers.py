"""H3: a NaN or an Infinity must never reach a screen. Browsers' JSON.parse (and so the
Socket.IO client) cannot read bare ``NaN``/``Infinity``: one stored in a take or a camera's
status would make the dashboard and displays reconnect in a loop. Every entry refuses
non-finite numbers, and everything sent out is strict JSON, even for a row already stored."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket

from tests.helpers import CAMERA_KEY
from tests.helpers.raw import RawSocket
from tests.helpers.server import ServerProcess

SHOW = "title: T\ncues:\n  - {id: a, kind: title, title: A}\n  - {id: replay, kind: replay}\n"
CAMERA = {"Authorization": f"Bearer {CAMERA_KEY}"}


def strict(text: str) -> Any:
    """Parses ``text`` as a browser would: NaN and Infinity are errors."""

    def refuse(name: str) -> None:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def srv(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """A server of the test's own (the test restarts it)."""
    show = tmp_path / "show.yaml"
    show.write_text(SHOW)
    return server_factory(show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})


@pytest.fixture(scope="module")
def shared_srv(
    module_server_factory: Callable[..., ServerProcess], tmp_path_factory: pytest.TempPathFactory
) -> ServerProcess:
    """One server for the tests whose refusals store nothing (each checks that)."""
    show = tmp_path_factory.mktemp("show") / "show.yaml"
    show.write_text(SHOW)
    return module_server_factory(show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})


def upload_clip(srv: ServerProcess, demo_show: Path) -> str:
    """A demo clip uploaded as a camera's raw take: its sha256."""
    clip = (demo_show.parent / "demo" / "tide-pools.mp4").read_bytes()
    sha = hashlib.sha256(clip).hexdigest()
    put = requests.put(
        f"{srv.url}/api/media/{sha}",
        data=clip,
        headers={**CAMERA, "Content-Range": f"bytes 0-{len(clip) - 1}/{len(clip)}"},
        timeout=30,
    )
    assert put.status_code == 201, put.text
    return sha


@pytest.fixture
def raw_sha(srv: ServerProcess, demo_show: Path) -> str:
    return upload_clip(srv, demo_show)


@pytest.fixture(scope="module")
def shared_raw_sha(shared_srv: ServerProcess, demo_show: Path) -> str:
    return upload_clip(shared_srv, demo_show)


def crew_http(srv: ServerProcess) -> requests.Session:
    session = requests.Session()
    session.post(srv.url + "/crew/login", data={"password": srv.password}, timeout=10)
    return session


def crew_takes_event(srv: ServerProcess) -> str:
    """The `takes` event as the dashboard's socket receives it: the raw text."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{srv.port}/socket.io/?EIO=4&transport=websocket", timeout=10
    )
    try:
        assert ws.recv().startswith("0{")
        ws.send("40/crew," + json.dumps({"password": srv.password}))
        for _ in range(50):
            frame = ws.recv()
            if frame == "2":
                ws.send("3")
            elif frame.startswith('42/crew,["takes"'):
                return str(frame[len("42/crew,") :])
    finally:
        ws.close()
    raise AssertionError("no takes event")


BAD_NUMBERS = [
    ("duration", "Infinity"),
    ("duration", "NaN"),
    ("duration", "-1"),
    ("started_at", "-Infinity"),
    ("ended_at", "NaN"),
    ("duration", "1" + "0" * 400),  # an int too big for a float: refused, not a 500
    ("ended_at", "-1" + "0" * 400),
    ("started_at", "1" + "0" * 400),  # no upper bound: float() of it raised, a 500
]


def test_a_take_with_a_non_finite_number_is_refused(
    shared_srv: ServerProcess, shared_raw_sha: str
) -> None:
    srv, raw_sha = shared_srv, shared_raw_sha
    for field, value in BAD_NUMBERS:
        body = (
            f'{{"id": "take-bad-0001", "camera": "cam1", "raw": "{raw_sha}", "{field}": {value}}}'
        )
        answer = requests.post(
            srv.url + "/api/takes",
            data=body,
            headers={**CAMERA, "Content-Type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 400, (field, value, answer.text)
        assert field in answer.json()["error"]
    assert not srv.rows("select id from takes")


def test_a_background_with_a_non_finite_time_is_refused(
    shared_srv: ServerProcess, shared_raw_sha: str
) -> None:
    srv, raw_sha = shared_srv, shared_raw_sha
    body = (
        f'{{"id": "take-bad-0002", "camera": "cam1", "raw": "{raw_sha}", '
        '"backgrounds": [{"submission": "x", "start": 0, "end": Infinity}]}'
    )
    answer = requests.post(
        srv.url + "/api/takes",
        data=body,
        headers={**CAMERA, "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400, answer.text
    assert "'end'" in answer.json()["error"], "refused for its number, before its lookup"


def test_a_camera_status_with_nan_fps_or_disk_space_is_refused(shared_srv: ServerProcess) -> None:
    """Sent as raw frames: python-socketio's client in this process may encode with the
    server's strict JSON (an in-process app sets it for the whole module) and send null."""
    srv = shared_srv
    camera = RawSocket(srv, "/camera", {"key": CAMERA_KEY, "camera": "cam1"})
    try:
        for n, fps in enumerate(("NaN", "Infinity", "-5.0", "1" + "0" * 400)):
            ack = camera.call_raw(n, f'["status", {{"state": "live", "fps": {fps}}}]')[0]
            assert not ack["ok"] and "fps" in ack["error"], ack
        for n, free in enumerate(("NaN", "-1", "1" + "0" * 400), start=4):
            ack = camera.call_raw(n, f'["status", {{"state": "live", "disk_free": {free}}}]')[0]
            assert not ack["ok"] and "disk_free" in ack["error"], ack
        ack = camera.call_raw(9, '["status", {"state": "live", "fps": 25.0, "dropped": 3}]')[0]
        assert ack["ok"], ack
    finally:
        camera.close()


def test_a_stored_infinite_take_is_sent_as_strict_json(
    srv: ServerProcess, raw_sha: str, tmp_path: Path
) -> None:
    """A row stored before the checks existed (or written by another tool) still cannot
    break a screen: the API and the socket send it as strict JSON."""
    ok = requests.post(
        srv.url + "/api/takes",
        json={"id": "take-good-001", "camera": "cam1", "raw": raw_sha, "duration": 2.0},
        headers=CAMERA,
        timeout=10,
    )
    assert ok.status_code == 201, ok.text
    srv.stop()
    db = sqlite3.connect(srv.data / "show.db")
    db.execute("update takes set duration = ?, started_at = ?", [float("inf"), float("nan")])
    db.commit()
    db.close()
    srv.start()
    takes = strict(crew_http(srv).get(srv.url + "/api/takes", timeout=10).text)["takes"]
    assert takes[0]["id"] == "take-good-001" and takes[0]["duration"] is None
    event = strict(crew_takes_event(srv))
    assert event[1]["takes"][0]["duration"] is None
