"""A real `liveshow camera` process against a real server: takes recorded, uploaded and
played in Chromium; a source lost mid-take keeps what was recorded; a dead agent never
stalls the server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np
import pytest
import requests
import socketio

from tests.conftest import ServerProcess

CAMERA_KEY = "agent-test-key"
SHOW = """\
title: Filming
cues:
  - {id: live, kind: camera, camera: cam1}
  - {id: replay, kind: replay}
"""


class Crew:
    def __init__(self, srv: ServerProcess) -> None:
        self.cameras: list[dict[str, Any]] = []
        self.takes: list[dict[str, Any]] = []
        self.lock = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("cameras", self._cameras, namespace="/crew")
        self.client.on("takes", self._takes, namespace="/crew")
        self.client.connect(srv.url, namespaces=["/crew"], transports=["websocket"],
                            auth={"password": srv.password})

    def _cameras(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.cameras.extend(c for c in data["cameras"] if c["name"] == "cam1")
            self.lock.notify_all()

    def _takes(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.takes = data["takes"]
            self.lock.notify_all()

    def wait(self, test: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while not test():
                left = deadline - time.monotonic()
                assert left > 0, f"timed out; cameras={self.cameras[-3:]} takes={self.takes}"
                self.lock.wait(left)

    def camera(self, action: str, **extra: Any) -> Any:
        return self.client.call("camera", {"camera": "cam1", "action": action, **extra},
                                namespace="/crew", timeout=30)


def start_agent(srv: ServerProcess, folder: Path, source: str = "synthetic",
                extra: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    log = open(folder / "agent.log", "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "liveshow", "camera", "--server", srv.url, "--key", CAMERA_KEY,
         "--name", "cam1", "--source", source, "--width", "640", "--height", "360",
         "--fps", "15", "--takes", str(folder / "takes"), *extra],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture
def filming(server_factory: Any, tmp_path: Path) -> ServerProcess:
    show = tmp_path / "filming.yaml"
    show.write_text(SHOW)
    return server_factory(show, data=tmp_path / "data",  # type: ignore[no-any-return]
                          extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})


def live(crew: Crew) -> Callable[[], bool]:
    return lambda: bool(crew.cameras) and crew.cameras[-1]["state"] == "live" \
        and crew.cameras[-1]["sid"] is None and crew.cameras[-1]["fps"] > 0


def test_a_take_is_recorded_uploaded_and_plays_in_chromium(filming: ServerProcess,
                                                           tmp_path: Path,
                                                           browser: Any) -> None:
    agent = start_agent(filming, tmp_path)
    crew = Crew(filming)
    try:
        crew.wait(live(crew))
        assert crew.camera("key", on=True)["ok"]
        assert crew.camera("record")["ok"]
        time.sleep(2.5)
        assert crew.camera("stop")["ok"]
        crew.wait(lambda: len(crew.takes) == 1)
        take = crew.takes[0]
        assert take["media"]["mime"] == "video/mp4" and 2.0 <= take["duration"] <= 3.5
        assert take["raw"]["url"] != take["media"]["url"]        # keyed: composite shown
        page = browser.new_page()
        page.goto(filming.url + "/api/state")
        played = page.evaluate("""async (url) => {
            const v = document.createElement('video');
            v.muted = true; v.src = url; document.body.appendChild(v);
            await new Promise((ok, bad) => { v.onloadedmetadata = ok; v.onerror = bad; });
            await v.play();
            const t0 = v.currentTime;
            await new Promise(r => setTimeout(r, 800));
            return {duration: v.duration, advanced: v.currentTime - t0, error: v.error};
        }""", filming.url + take["media"]["url"])
        page.close()
        assert played["error"] is None and played["duration"] > 2.0 and played["advanced"] > 0.3
    finally:
        crew.client.disconnect()
        stop(agent)


def test_a_source_lost_mid_take_keeps_the_recording_and_the_camera_comes_back(
        filming: ServerProcess, tmp_path: Path) -> None:
    clip = tmp_path / "stage.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), 15, (640, 360))
    for i in range(45):                                  # 3 s, then the "stream" ends
        frame = np.full((360, 640, 3), (40, 180, 40), np.uint8)
        cv2.circle(frame, (100 + i * 10, 180), 40, (60, 90, 200), -1)
        writer.write(frame)
    writer.release()
    agent = start_agent(filming, tmp_path, source=str(clip))
    crew = Crew(filming)
    try:
        crew.wait(live(crew))
        assert crew.camera("record")["ok"]
        crew.wait(lambda: any(c["state"] in ("lost", "retrying") for c in crew.cameras))
        crew.wait(lambda: len(crew.takes) == 1, timeout=40)
        take = crew.takes[0]
        assert 0.5 <= take["duration"] <= 3.5
        video = requests.get(filming.url + take["media"]["url"], timeout=10)
        assert video.status_code == 200 and video.headers["Content-Type"] == "video/mp4"
        lost_at = max(i for i, c in enumerate(crew.cameras) if c["state"] != "live")
        crew.wait(lambda: any(c["state"] == "live" for c in crew.cameras[lost_at:]))
    finally:
        crew.client.disconnect()
        stop(agent)


def test_an_agent_stopped_mid_take_finalises_and_delivers_it(filming: ServerProcess,
                                                             tmp_path: Path) -> None:
    agent = start_agent(filming, tmp_path)
    crew = Crew(filming)
    try:
        crew.wait(live(crew))
        assert crew.camera("record")["ok"]
        time.sleep(2.0)
        stop(agent)                                      # SIGTERM while recording
        assert agent.returncode == 0
        crew.wait(lambda: len(crew.takes) == 1, timeout=40)
        assert crew.takes[0]["duration"] >= 1.0
        crew.wait(lambda: crew.cameras[-1]["state"] == "disconnected")
    finally:
        crew.client.disconnect()
        stop(agent)


def test_a_dead_agent_never_stalls_the_server(filming: ServerProcess, tmp_path: Path) -> None:
    agent = start_agent(filming, tmp_path)
    crew = Crew(filming)
    try:
        crew.wait(live(crew))
        agent.kill()                                     # no goodbye at all
        agent.wait(5)
        answer = crew.camera("record")
        assert answer["ok"] is False and "not connected" in answer["error"]
        assert crew.client.call("go", namespace="/crew", timeout=5)["ok"]
    finally:
        crew.client.disconnect()
        stop(agent)


def test_a_take_cut_by_a_crash_is_recovered_and_delivered_on_restart(filming: ServerProcess,
                                                                     tmp_path: Path) -> None:
    agent = start_agent(filming, tmp_path)
    crew = Crew(filming)
    try:
        crew.wait(live(crew))
        assert crew.camera("record")["ok"]
        time.sleep(3.0)
        agent.kill()                                     # SIGKILL: no finalising
        agent.wait(5)
        assert not crew.takes
        agent = start_agent(filming, tmp_path)               # same takes folder
        crew.wait(lambda: len(crew.takes) == 1, timeout=40)
        assert crew.takes[0]["duration"] >= 0.5
        video = requests.get(filming.url + crew.takes[0]["media"]["url"], timeout=10)
        assert video.status_code == 200
    finally:
        crew.client.disconnect()
        stop(agent)
