"""The show's own ffmpeg cannot run (it will not start, as on a machine out of processes or
memory, or it takes too long): the work it was asked to read is not the sender's fault, so
nothing is refused for good. A phone's recording is answered 503 (the phone keeps it and
sends it again); a camera's take keeps its uploaded file and finishes once ffmpeg runs."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.agent import start_agent, stop_agent
from tests.helpers.crew import Crew
from tests.helpers.phone import new_id
from tests.helpers.samples import made_by_ffmpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_prompt_show, write_show
from tests.helpers.waiting import wait_until

CAMERA = {"Authorization": f"Bearer {CAMERA_KEY}"}


def broken_ffmpeg(folder: Path) -> dict[str, str]:
    """The server's environment with an ffmpeg that exists but cannot be run."""
    exe = folder / "ffmpeg"
    exe.write_text("not a program\n")
    exe.chmod(0o644)
    return {"IMAGEIO_FFMPEG_EXE": str(exe)}


def sound(folder: Path) -> bytes:
    path = made_by_ffmpeg(folder / "sound.webm", "sine=f=440:d=2", "-c:a", "libopus", "-b:a", "24k")
    return path.read_bytes()


def test_a_recording_the_show_cannot_read_for_want_of_ffmpeg_is_a_503_not_damaged(
    server_factory: Callable[..., ServerProcess], tmp_path: Path, phone_of: Any
) -> None:
    srv = server_factory(write_prompt_show(tmp_path), extra_env=broken_ffmpeg(tmp_path))
    crew = Crew(srv)
    try:
        assert crew.call("goto", {"cue": "ask-sound"})["ok"]
    finally:
        crew.close()
    phone = phone_of(srv)
    sub_id = new_id()
    answer = requests.post(
        srv.url + "/api/submissions",
        headers={"Authorization": "Bearer " + phone.token},
        data={"id": sub_id, "prompt": "ask-sound", "kind": "audio"},
        files={"file": ("sound.webm", sound(tmp_path), "audio/webm")},
        timeout=30,
    )
    assert answer.status_code == 503, answer.text  # sending.js: 5xx is "try again later"
    assert answer.json()["retry"] is True and answer.headers["Retry-After"] == "5"
    assert "try again" in answer.json()["error"] and "damaged" not in answer.json()["error"]
    assert srv.rows("select id from submissions where id = ?", (sub_id,)) == []


def test_a_take_the_show_cannot_probe_keeps_its_file_and_finishes_once_ffmpeg_runs(
    server_factory: Callable[..., ServerProcess], tmp_path: Path, demo_show: Path
) -> None:
    take = (demo_show.parent / "demo" / "tide-pools.mp4").read_bytes()
    sha = hashlib.sha256(take).hexdigest()
    srv = server_factory(
        write_show(tmp_path, ONE_CUE_SHOW),
        extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY, **broken_ffmpeg(tmp_path)},
    )
    url = f"{srv.url}/api/media/{sha}"
    put = requests.put(
        url,
        data=take,
        headers={**CAMERA, "Content-Range": f"bytes 0-{len(take) - 1}/{len(take)}"},
        timeout=30,
    )
    assert put.status_code == 503 and put.json()["retry"] is True, put.text
    assert put.headers["Upload-Offset"] == str(len(take))  # all of it is kept
    assert put.headers["Retry-After"] == "5"
    head = requests.head(url, headers=CAMERA, timeout=30)
    assert head.status_code == 503, head.headers  # not complete, and not refused

    srv.stop()  # the machine recovers: the same server, with an ffmpeg that runs
    srv.extra_env = {"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    srv.start()
    head = requests.head(url, headers=CAMERA, timeout=30)
    assert head.status_code == 200, head.headers
    assert requests.get(f"{srv.url}/media/{sha}", timeout=10).content == take


def test_a_camera_agent_waits_out_a_server_that_cannot_probe_and_delivers_its_take(
    server_factory: Callable[..., ServerProcess], tmp_path: Path, crew_of: Any
) -> None:
    """The agent is told 503 at its upload and at its HEAD: it tries again later (it used to
    register the take anyway, be told the file was never uploaded, and give it up)."""
    show = write_show(tmp_path, "title: F\ncues:\n  - {id: live, kind: camera, camera: cam1}\n")
    srv = server_factory(
        show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY, **broken_ffmpeg(tmp_path)}
    )
    agent = start_agent(srv, tmp_path)  # its own ffmpeg runs
    try:
        crew: Crew = crew_of(srv)
        crew.wait(lambda: (crew.camera_history() or [{}])[-1].get("fps", 0) > 0, 30, "pictures")
        recording = crew.camera("record")
        assert recording["ok"], recording
        time.sleep(1.5)  # a short take
        take_id = crew.camera("stop")["take"]
        log = tmp_path / "agent.log"
        # a 503 to its PUT, then to its HEAD when it asks where to resume
        retried = re.compile(r"take upload failed, retrying in \d+ s: \S+ 503 ")
        wait_until(lambda: len(retried.findall(log.read_text())) >= 2, 30, "two 503s")
        srv.stop()
        srv.extra_env = {"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
        srv.start()
        crew = crew_of(srv)
        take = crew.wait(lambda: crew.takes(), 60, "the take to be delivered")[0]
        assert take["id"] == take_id
        assert "outbox refused" not in log.read_text()
    finally:
        stop_agent(agent)
