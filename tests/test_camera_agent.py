"""A real `liveshow camera` process against a real server: takes recorded, uploaded and
played in Chromium; a source lost mid-take keeps what was recorded; a dead agent never
stalls the server."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.agent import start_agent, stop_agent
from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess

SHOW = """\
title: Filming
cues:
  - {id: live, kind: camera, camera: cam1}
  - {id: replay, kind: replay}
"""


@pytest.fixture
def filming(server_factory: Any, tmp_path: Path) -> ServerProcess:
    show = tmp_path / "filming.yaml"
    show.write_text(SHOW)
    return server_factory(
        show,
        data=tmp_path / "data",  # type: ignore[no-any-return]
        extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY},
    )


def live(crew: Crew) -> Callable[[], bool]:
    def is_live() -> bool:
        history = crew.camera_history()
        return (
            bool(history)
            and history[-1]["state"] == "live"
            and history[-1]["sid"] is None
            and history[-1]["fps"] > 0
        )

    return is_live


def takes_are(crew: Crew, count: int) -> Callable[[], list[dict[str, Any]]]:
    return lambda: len(takes := crew.takes()) == count and takes


def test_a_take_is_recorded_uploaded_and_plays_in_chromium(
    filming: ServerProcess, crew_of: Any, tmp_path: Path, browser: Any
) -> None:
    agent = start_agent(filming, tmp_path)
    crew = crew_of(filming)
    try:
        crew.wait(live(crew), 30, "the camera to go live")
        assert crew.camera("key", on=True)["ok"]
        asked = time.monotonic()
        assert crew.camera("record")["ok"]
        time.sleep(2.5)  # what to record, not a wait
        assert crew.camera("stop")["ok"]
        answered = time.monotonic()
        take = crew.wait(takes_are(crew, 1), 30, "the take")[0]
        # As long as it was recording: never longer than from asking to record to the stop's
        # answer (a frame of slack), however slow the machine.
        assert take["media"]["mime"] == "video/mp4"
        assert 2.0 <= take["duration"] <= answered - asked + 1 / 15
        assert take["raw"]["url"] != take["media"]["url"]  # keyed: composite shown
        page = browser.new_page()
        page.goto(filming.url + "/api/state")
        played = page.evaluate(
            """async (url) => {
            const v = document.createElement('video');
            v.muted = true; v.src = url; document.body.appendChild(v);
            await new Promise((ok, bad) => { v.onloadedmetadata = ok; v.onerror = bad; });
            await v.play();
            const t0 = v.currentTime;
            await new Promise(r => setTimeout(r, 800));
            return {duration: v.duration, advanced: v.currentTime - t0, error: v.error};
        }""",
            filming.url + take["media"]["url"],
        )
        page.close()
        assert played["error"] is None and played["duration"] > 2.0 and played["advanced"] > 0.3
    finally:
        stop_agent(agent)


def test_a_source_lost_mid_take_keeps_the_recording_and_the_camera_comes_back(
    filming: ServerProcess, crew_of: Any, tmp_path: Path
) -> None:
    clip = tmp_path / "stage.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), 15, (640, 360))
    for i in range(45):  # 3 s, then the "stream" ends
        frame = np.full((360, 640, 3), (40, 180, 40), np.uint8)
        cv2.circle(frame, (100 + i * 10, 180), 40, (60, 90, 200), -1)
        writer.write(frame)
    writer.release()
    agent = start_agent(filming, tmp_path, source=str(clip))
    crew = crew_of(filming)
    try:
        crew.wait(live(crew), 30, "the camera to go live")
        assert crew.camera("record")["ok"]
        crew.wait(
            lambda: any(c["state"] in ("lost", "retrying") for c in crew.camera_history()),
            30,
            "the source to be lost",
        )
        take = crew.wait(takes_are(crew, 1), 40, "the take")[0]
        assert 0.5 <= take["duration"] <= 3.5
        video = requests.get(filming.url + take["media"]["url"], timeout=10)
        assert video.status_code == 200 and video.headers["Content-Type"] == "video/mp4"
        history = crew.camera_history()
        lost_at = max(i for i, c in enumerate(history) if c["state"] != "live")
        crew.wait(
            lambda: any(c["state"] == "live" for c in crew.camera_history()[lost_at:]),
            30,
            "the camera to come back",
        )
    finally:
        stop_agent(agent)


def test_an_agent_stopped_mid_take_finalises_and_delivers_it(
    filming: ServerProcess, crew_of: Any, tmp_path: Path
) -> None:
    agent = start_agent(filming, tmp_path)
    crew = crew_of(filming)
    try:
        crew.wait(live(crew), 30, "the camera to go live")
        assert crew.camera("record")["ok"]
        time.sleep(2.0)
        stop_agent(agent)  # SIGTERM while recording
        assert agent.returncode == 0
        assert crew.wait(takes_are(crew, 1), 40, "the take")[0]["duration"] >= 1.0
        crew.wait(
            lambda: crew.camera_history()[-1]["state"] == "disconnected",
            30,
            "the camera to be disconnected",
        )
    finally:
        stop_agent(agent)


def test_a_dead_agent_never_stalls_the_server(
    filming: ServerProcess, crew_of: Any, tmp_path: Path
) -> None:
    agent = start_agent(filming, tmp_path)
    crew = crew_of(filming)
    try:
        crew.wait(live(crew), 30, "the camera to go live")
        agent.kill()  # no goodbye at all
        agent.wait(5)
        answer = crew.camera("record")
        assert answer["ok"] is False and "not connected" in answer["error"]
        assert crew.call("go", timeout=5)["ok"]
    finally:
        stop_agent(agent)


def test_a_take_cut_by_a_crash_is_recovered_and_delivered_on_restart(
    filming: ServerProcess, crew_of: Any, tmp_path: Path
) -> None:
    agent = start_agent(filming, tmp_path)
    crew = crew_of(filming)
    try:
        crew.wait(live(crew), 30, "the camera to go live")
        assert crew.camera("record")["ok"]
        time.sleep(3.0)
        agent.kill()  # SIGKILL: no finalising
        agent.wait(5)
        assert not crew.takes()
        agent = start_agent(filming, tmp_path)  # same takes folder
        (take,) = crew.wait(takes_are(crew, 1), 40, "the recovered take")
        assert take["duration"] >= 0.5
        video = requests.get(filming.url + take["media"]["url"], timeout=10)
        assert video.status_code == 200
    finally:
        stop_agent(agent)
