"""Takes reach the server whole or not at all: resumable, hash-checked uploads; take records
with provenance; replay cues; the /camera namespace and the crew's camera commands."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio as sio

from liveshow.extensions import socketio
from tests.helpers import CAMERA_KEY, CREW_PASSWORD, DISPLAY_KEY
from tests.helpers.app import make_app
from tests.helpers.phone import Phone
from tests.helpers.samples import jpeg

SHOW = """\
title: Filming
cues:
  - {id: ask-photo, kind: prompt, prompt: {kind: photo, question: "Something blue"}}
  - {id: wall, kind: wall, source: ask-photo}
  - {id: live, kind: camera, camera: cam1, keyed: true}
  - {id: replay, kind: replay}
  - {id: replay-cam2, kind: replay, camera: cam2}
"""


@pytest.fixture
def clip(demo_show: Path) -> bytes:
    return (demo_show.parent / "demo" / "tide-pools.mp4").read_bytes()


@pytest.fixture
def show_file(tmp_path: Path) -> Path:
    path = tmp_path / "filming.yaml"
    path.write_text(SHOW)
    return path


@pytest.fixture
def film_app(tmp_path: Path, show_file: Path) -> Any:
    return make_app(tmp_path / "data", show_file, camera_key=CAMERA_KEY)


@pytest.fixture
def http(film_app: Any) -> Any:
    return film_app.test_client()


AUTH = {"Authorization": f"Bearer {CAMERA_KEY}"}


def put(http: Any, sha: str, data: bytes, start: int, total: int) -> Any:
    return http.put(
        f"/api/media/{sha}",
        data=data,
        headers={**AUTH, "Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}"},
    )


def upload(http: Any, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    assert put(http, sha, data, 0, len(data)).status_code == 201
    return sha


def test_an_interrupted_upload_resumes_from_the_stored_offset(http: Any, clip: bytes) -> None:
    sha = hashlib.sha256(clip).hexdigest()
    head = http.head(f"/api/media/{sha}", headers=AUTH)
    assert head.status_code == 404 and head.headers["Upload-Offset"] == "0"
    first = put(http, sha, clip[:100_000], 0, len(clip))
    assert first.status_code == 202 and first.get_json()["offset"] == 100_000
    assert http.get(f"/media/{sha}").status_code == 404  # not visible while partial
    assert http.head(f"/api/media/{sha}", headers=AUTH).headers["Upload-Offset"] == "100000"
    wrong = put(http, sha, clip[50_000:60_000], 50_000, len(clip))
    assert wrong.status_code == 409 and wrong.headers["Upload-Offset"] == "100000"
    rest = put(http, sha, clip[100_000:], 100_000, len(clip))
    assert rest.status_code == 201
    served = http.get(f"/media/{sha}")
    assert served.status_code == 200 and served.data == clip and served.mimetype == "video/mp4"


def test_a_corrupted_upload_never_becomes_visible(http: Any, clip: bytes) -> None:
    sha = hashlib.sha256(clip).hexdigest()
    damaged = clip[:5000] + b"\x00" * 10 + clip[5010:]
    response = put(http, sha, damaged, 0, len(damaged))
    assert response.status_code == 422 and "does not match" in response.get_json()["error"]
    assert http.get(f"/media/{sha}").status_code == 404
    assert http.head(f"/api/media/{sha}", headers=AUTH).headers["Upload-Offset"] == "0"


@pytest.mark.parametrize(
    "headers, status",
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({**AUTH, "Content-Range": "bytes 0-9/5"}, 416),
        ({**AUTH, "Content-Range": "nonsense"}, 400),
    ],
)
def test_bad_upload_requests_are_refused(http: Any, headers: dict[str, str], status: int) -> None:
    sha = "ab" * 32
    assert http.put(f"/api/media/{sha}", data=b"0123456789", headers=headers).status_code == status
    assert http.put("/api/media/NOT-A-HASH", data=b"x", headers=AUTH).status_code == 400


def test_a_file_that_is_not_media_is_refused(http: Any) -> None:
    data = b"just some text, not a video" * 100
    response = put(http, hashlib.sha256(data).hexdigest(), data, 0, len(data))
    assert response.status_code == 415


def test_a_take_records_its_provenance_and_replays(film_app: Any, http: Any, clip: bytes) -> None:
    crew = socketio.test_client(film_app, namespace="/crew", auth={"password": CREW_PASSWORD})
    crew.emit("goto", {"cue": "ask-photo"}, namespace="/crew", callback=True)
    phone = Phone(film_app)
    phone.join("Drew")
    assert phone.upload(http, "bg-photo-0001", "ask-photo", "photo", jpeg()).status_code == 201
    raw = upload(http, clip)
    body = {
        "id": "take-000001",
        "camera": "cam1",
        "raw": raw,
        "duration": 8.0,
        "started_at": 1.0,
        "ended_at": 9.0,
        "backgrounds": [{"submission": "bg-photo-0001", "start": 0.0, "end": 4.0}],
    }
    first = http.post("/api/takes", json=body, headers=AUTH)
    assert first.status_code == 201
    assert first.get_json()["parents"][0]["handle"] == "Drew"
    assert http.post("/api/takes", json=body, headers=AUTH).status_code == 200
    changed = http.post("/api/takes", json={**body, "duration": 3.0}, headers=AUTH)
    assert changed.status_code == 409
    ack = crew.emit(
        "take_credit",
        {"take": "take-000001", "operator": "Sam", "performer": "Lee"},
        namespace="/crew",
        callback=True,
    )
    assert ack == {"ok": True, "take": "take-000001"}
    crew.emit("goto", {"cue": "replay"}, namespace="/crew", callback=True)
    cue = http.get(f"/api/state?key={DISPLAY_KEY}").get_json()["cue"]
    assert cue["take"]["id"] == "take-000001" and cue["media"]["url"] == f"/media/{raw}"
    assert cue["take"]["operator"] == "Sam" and cue["take"]["performer"] == "Lee"
    crew.emit("goto", {"cue": "replay-cam2"}, namespace="/crew", callback=True)
    assert (
        http.get(f"/api/state?key={DISPLAY_KEY}").get_json()["cue"]["take"] is None
    )  # no take from cam2


@pytest.mark.parametrize(
    "body, words",
    [
        ({"id": "take-000002", "camera": "cam1"}, "needs its 'raw'"),
        ({"id": "take-000002", "camera": "cam1", "raw": "ab" * 32}, "upload it first"),
        ({"id": "x", "camera": "cam1", "raw": "ab" * 32}, "'id'"),
        ({"id": "take-000002", "camera": "../x", "raw": "ab" * 32}, "camera"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_a_bad_take_is_refused(http: Any, body: Any, words: str) -> None:
    response = http.post("/api/takes", json=body, headers=AUTH)
    assert response.status_code in (400, 409) and words in response.get_json()["error"]
    assert http.post("/api/takes", json={}, headers={}).status_code == 401


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {"key": "wrong", "camera": "cam1"},
        {"key": CAMERA_KEY, "camera": "bad name"},
        {"key": DISPLAY_KEY, "camera": "cam1"},
    ],
)
def test_camera_namespace_needs_the_camera_key(film_app: Any, auth: Any) -> None:
    c = socketio.test_client(film_app, namespace="/camera", auth=auth)
    assert not c.is_connected("/camera")


def test_camera_status_and_previews_reach_the_crew(film_app: Any) -> None:
    crew = socketio.test_client(film_app, namespace="/crew", auth={"password": CREW_PASSWORD})
    cam = socketio.test_client(
        film_app, namespace="/camera", auth={"key": CAMERA_KEY, "camera": "cam1"}
    )
    assert cam.emit(
        "status",
        {"state": "lost", "problem": "stream ended", "fps": 0.0},
        namespace="/camera",
        callback=True,
    ) == {"ok": True}
    assert (
        cam.emit("status", {"state": "exploded"}, namespace="/camera", callback=True)["ok"] is False
    )
    cam.emit("status", {"state": "live", "recording": True}, namespace="/camera", callback=True)
    since = [m["args"][0]["cameras"] for m in crew.get_received("/crew") if m["name"] == "cameras"][
        -1
    ][0]["recording_since"]
    assert since is not None and abs(since - time.time()) < 60
    cam.emit("status", {"recording": True, "fps": 30.0}, namespace="/camera", callback=True)
    assert [m["args"][0]["cameras"] for m in crew.get_received("/crew") if m["name"] == "cameras"][
        -1
    ][0]["recording_since"] == since
    cam.emit("status", {"state": "lost", "recording": False}, namespace="/camera", callback=True)
    cam.emit("preview", jpeg(64, 48), namespace="/camera")
    cam.emit("preview", b"not a jpeg", namespace="/camera")
    got = crew.get_received("/crew")
    cameras = [m["args"][0]["cameras"] for m in got if m["name"] == "cameras"][-1]
    assert cameras[0]["state"] == "lost" and cameras[0]["problem"] == "stream ended"
    previews = [m for m in got if m["name"] == "preview"]
    assert len(previews) == 1 and previews[0]["args"][0]["camera"] == "cam1"
    cam.disconnect(namespace="/camera")
    cameras = [
        m["args"][0]["cameras"] for m in crew.get_received("/crew") if m["name"] == "cameras"
    ][-1]
    assert cameras[0]["state"] == "disconnected"


def test_crew_camera_commands_reach_a_real_agent_and_mjpeg_flows(
    server_factory: Any, show_file: Path, tmp_path: Path
) -> None:
    srv = server_factory(
        show_file, data=tmp_path / "cam-data", extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )
    agent = sio.Client(reconnection=False)
    commands: list[dict[str, Any]] = []
    frame = jpeg(320, 240)

    def on_command(data: dict[str, Any]) -> dict[str, Any]:
        commands.append(data)
        return {"ok": True, "recording": data["action"] == "record"}

    agent.on("command", on_command, namespace="/camera")
    agent.connect(
        srv.url,
        namespaces=["/camera"],
        transports=["websocket"],
        auth={"key": CAMERA_KEY, "camera": "cam1"},
    )
    crew = sio.Client(reconnection=False)
    crew.connect(
        srv.url, namespaces=["/crew"], transports=["websocket"], auth={"password": srv.password}
    )
    try:
        ack = crew.call(
            "camera", {"camera": "cam1", "action": "record"}, namespace="/crew", timeout=15
        )
        assert ack == {"ok": True, "recording": True}
        ack = crew.call("camera", {"camera": "*", "action": "stop"}, namespace="/crew", timeout=15)
        assert ack["ok"] and ack["cameras"]["cam1"]["ok"]
        missing = crew.call(
            "camera", {"camera": "cam9", "action": "record"}, namespace="/crew", timeout=15
        )
        assert missing["ok"] is False and "not connected" in missing["error"]

        stop = threading.Event()

        def feed() -> None:
            while not stop.is_set():
                agent.emit("frame", frame, namespace="/camera")
                time.sleep(0.04)

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        stream = requests.get(
            f"{srv.url}/camera/cam1/live.mjpg?key={srv.display_key}", stream=True, timeout=10
        )
        assert stream.headers["Content-Type"].startswith("multipart/x-mixed-replace")
        received = b""
        for chunk in stream.iter_content(8192):
            received += chunk
            if received.count(b"\xff\xd8\xff") >= 3:
                break
        stream.close()
        stop.set()
        assert frame in received
        assert any(c["action"] == "program" and c["on"] for c in commands)
        assert (
            requests.get(f"{srv.url}/camera/cam1/live.mjpg?key=wrong", timeout=5).status_code == 403
        )
    finally:
        agent.disconnect()
        crew.disconnect()


def test_the_credits_roll_credits_a_screened_take(film_app: Any, http: Any, clip: bytes) -> None:
    crew = socketio.test_client(film_app, namespace="/crew", auth={"password": CREW_PASSWORD})
    crew.emit("goto", {"cue": "ask-photo"}, namespace="/crew", callback=True)
    phone = Phone(film_app)
    phone.join("Drew")
    phone.upload(http, "bg-photo-0002", "ask-photo", "photo", jpeg())
    raw = upload(http, clip)
    http.post(
        "/api/takes",
        headers=AUTH,
        json={
            "id": "take-000009",
            "camera": "cam1",
            "raw": raw,
            "backgrounds": [{"submission": "bg-photo-0002", "start": 0, "end": 3}],
        },
    )
    crew.emit(
        "take_credit",
        {"take": "take-000009", "performer": "Lee", "operator": "Sam"},
        namespace="/crew",
        callback=True,
    )
    crew.emit("goto", {"cue": "replay"}, namespace="/crew", callback=True)
    from liveshow.state import credits_roll

    roll = credits_roll(film_app.extensions["liveshow"].engine)
    assert roll[-1]["credits"] == [
        {"name": "Lee", "role": "performer"},
        {"name": "Sam", "role": "camera"},
        {"name": "Drew", "role": "background (photo)"},
    ]


def test_a_replay_on_stage_keeps_the_take_chosen_at_go(
    film_app: Any, http: Any, clip: bytes, demo_show: Path
) -> None:
    crew = socketio.test_client(film_app, namespace="/crew", auth={"password": CREW_PASSWORD})
    first = upload(http, clip)
    http.post(
        "/api/takes", headers=AUTH, json={"id": "take-first1", "camera": "cam1", "raw": first}
    )
    crew.emit("goto", {"cue": "replay"}, namespace="/crew", callback=True)
    other = upload(http, (demo_show.parent / "demo" / "night-market.mp4").read_bytes())
    http.post(
        "/api/takes", headers=AUTH, json={"id": "take-second", "camera": "cam1", "raw": other}
    )
    assert (
        http.get(f"/api/state?key={DISPLAY_KEY}").get_json()["cue"]["take"]["id"] == "take-first1"
    )
    crew.emit("goto", {"cue": "replay"}, namespace="/crew", callback=True)  # GO again
    assert (
        http.get(f"/api/state?key={DISPLAY_KEY}").get_json()["cue"]["take"]["id"] == "take-second"
    )


def test_a_take_credit_can_be_cleared(film_app: Any, http: Any, clip: bytes) -> None:
    crew = socketio.test_client(film_app, namespace="/crew", auth={"password": CREW_PASSWORD})
    http.post(
        "/api/takes",
        headers=AUTH,
        json={"id": "take-clear01", "camera": "cam1", "raw": upload(http, clip)},
    )
    crew.emit(
        "take_credit",
        {"take": "take-clear01", "performer": "Lee"},
        namespace="/crew",
        callback=True,
    )
    ack = crew.emit(
        "take_credit", {"take": "take-clear01", "performer": ""}, namespace="/crew", callback=True
    )
    assert ack["ok"]
    assert film_app.extensions["liveshow"].takes.get("take-clear01")["performer"] is None
    bad = crew.emit(
        "take_credit",
        {"take": "take-clear01", "performer": ["x"]},
        namespace="/crew",
        callback=True,
    )
    assert bad["ok"] is False


def test_a_quiet_camera_stream_repeats_its_last_frame_so_gone_viewers_are_noticed() -> None:
    from liveshow.filming import cameras

    registry = cameras.CameraRegistry()
    registry.put_frame("cam1", b"\xff\xd8\xffFRAME")
    got = list(registry.frames("cam1", stop_after=cameras.KEEPALIVE * 2 + 0.5))
    assert got[0] == b"\xff\xd8\xffFRAME" and len(got) >= 2  # repeated while quiet
