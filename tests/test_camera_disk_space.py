"""A camera agent short of disk space for its takes, with a real agent and a real server: a
take is refused before it starts (the crew is told how much is free, and where), and a take
recording as the disk fills is stopped while it can still be finished, then delivered whole.
The dashboard's camera card shows the free space and the warning."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.helpers import CAMERA_KEY
from tests.helpers.agent import start_agent, stop_agent
from tests.helpers.crew import Crew, crew_login
from tests.helpers.samples import made_by_ffmpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show

SHOW = "title: Filming\ncues:\n  - {id: live, kind: camera, camera: cam1}\n"
MB = 1024 * 1024


@pytest.fixture
def srv(server_factory: Any, tmp_path: Path) -> ServerProcess:
    return server_factory(  # type: ignore[no-any-return]
        write_show(tmp_path, SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 24 MB filesystem (tmpfs) for the agent's takes: a disk that can fill."""
    folder = tmp_path / "takes"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def status(crew: Crew) -> dict[str, Any]:
    history = crew.camera_history()
    return history[-1] if history else {}


def test_a_take_is_refused_before_it_starts_when_the_agent_is_short_of_space(
    srv: ServerProcess, crew_of: Any, tmp_path: Path, browser: Any
) -> None:
    # No disk has a petabyte free: every take is short of space.
    agent = start_agent(srv, tmp_path, extra=("--min-free-mb", str(10**9)))
    crew: Crew = crew_of(srv)
    try:
        crew.wait(lambda: (status(crew).get("fps") or 0) > 0, 30, "the camera to send pictures")
        crew.wait(lambda: "before the next take" in (status(crew).get("problem") or ""), 10, "why")
        free = shutil.disk_usage(tmp_path / "takes").free
        assert abs(status(crew)["disk_free"] - free) < 0.05 * free
        refused = crew.camera("record")
        assert refused["ok"] is False, refused
        assert re.match(r"only \d+ MB free for takes", refused["error"]), refused
        assert str(tmp_path / "takes") in refused["error"]
        assert not list((tmp_path / "takes").glob("*.mp4")), "a take was started"

        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        try:
            crew_login(page, srv)
            page.click('#view-switch [data-view="cameras"]')
            card = page.locator('#cam-list .cam-card[data-camera="cam1"]')
            expect(card.locator(".cam-disk")).to_have_text(re.compile(r"^\d+(\.\d)? (GB|MB) free$"))
            expect(card.locator(".cam-disk")).to_have_class(re.compile(r"\blow-disk\b"))
            expect(card.locator(".cam-problem")).to_contain_text("free space before the next take")
        finally:
            page.context.close()
    finally:
        stop_agent(agent)


def noise_video(folder: Path, seconds: int = 12) -> Path:
    """A camera's picture that compresses badly (noise): a take of it fills a disk fast."""
    noise = f"nullsrc=s=640x360:r=30,geq=random(1)*255:128:128,trim=duration={seconds}"
    return made_by_ffmpeg(folder / "noise.mp4", noise, "-c:v", "mpeg4", "-q:v", "8")


def test_a_take_that_fills_the_disk_is_stopped_in_time_and_delivered_whole(
    srv: ServerProcess, crew_of: Any, tmp_path: Path, small_disk: Path
) -> None:
    """The take itself fills the disk (nothing else writes): it is stopped at half the 16 MB
    floor, with no room left to finish it by copying, so it is finished as it stands (a
    fragmented MP4 plays as it is), then uploaded and served."""
    source = noise_video(tmp_path)
    agent = start_agent(
        srv, tmp_path, source=str(source), extra=("--fps", "30", "--min-free-mb", "16")
    )
    crew: Crew = crew_of(srv)
    try:
        crew.wait(lambda: (status(crew).get("fps") or 0) > 0, 30, "the camera to send pictures")
        crew.wait(lambda: (status(crew).get("disk_free") or 0) > 16 * MB, 10, "its free space")
        assert not status(crew)["problem"]
        started = crew.camera("record")
        assert started["ok"], started
        crew.wait(lambda: status(crew).get("recording"), 10, "the take to record")
        crew.wait(lambda: not status(crew).get("recording"), 30, "the take to be stopped")
        assert status(crew)["problem"].startswith("the take was stopped: only"), status(crew)
        take = crew.wait(lambda: crew.takes(), 60, "the take to be delivered")[0]
        assert take["id"] == started["take"] and take["duration"] > 1
        video = requests.get(srv.url + take["media"]["url"], timeout=30)
        assert video.status_code == 200 and video.content[4:8] == b"ftyp"
        assert not list(small_disk.glob("*.partial.mp4")), "the take was left unfinished"
    finally:
        stop_agent(agent)
