"""A camera agent short of disk space for its takes, with a real agent and a real server: a
take is refused before it starts (the crew is told how much is free, and where), a take
recording as the disk fills is stopped while it can still be finished, then delivered whole,
and its files are then deleted from the camera (the server has them) so the next take can
start. Only a take the server confirms it holds is deleted. The dashboard's camera card shows
the free space and the warning."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from liveshow.agent.outbox import TakeOutbox, write_manifest
from tests.helpers import CAMERA_KEY, disk
from tests.helpers.agent import start_agent, stop_agent
from tests.helpers.crew import Crew, crew_login
from tests.helpers.samples import jpeg, made_by_ffmpeg
from tests.helpers.server import ServerProcess, free_port
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
    with disk.small_disk(tmp_path / "takes", 24) as folder:
        yield folder


def test_a_take_is_refused_before_it_starts_when_the_agent_is_short_of_space(
    srv: ServerProcess, crew_of: Any, tmp_path: Path, browser: Any
) -> None:
    # No disk has a petabyte free: every take is short of space.
    agent = start_agent(srv, tmp_path, extra=("--min-free-mb", str(10**9)))
    crew: Crew = crew_of(srv)
    try:
        crew.wait(
            lambda: (crew.camera_status().get("fps") or 0) > 0, 30, "the camera to send pictures"
        )
        crew.wait(
            lambda: "before the next take" in (crew.camera_status().get("problem") or ""), 10, "why"
        )
        free = shutil.disk_usage(tmp_path / "takes").free
        assert abs(crew.camera_status()["disk_free"] - free) < 0.05 * free
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


def noise_video(folder: Path, seconds: int = 40) -> Path:
    """A camera's picture that compresses badly (noise): a take of it fills a disk fast. Long
    enough that the disk, not the file's end, stops the take on a loaded machine too (one
    that drops frames writes less a second: seen with 12 s under load 10)."""
    noise = f"nullsrc=s=640x360:r=30,geq=random(1)*255:128:128,trim=duration={seconds}"
    return made_by_ffmpeg(folder / "noise.mp4", noise, "-c:v", "mpeg4", "-q:v", "8")


def test_a_take_that_fills_the_disk_is_stopped_in_time_delivered_whole_then_makes_room(
    srv: ServerProcess, crew_of: Any, tmp_path: Path, small_disk: Path
) -> None:
    """The take itself fills the disk (nothing else writes): it is stopped at half the 16 MB
    floor, with no room left to finish it by copying, so it is finished as it stands (a
    fragmented MP4 plays as it is), then uploaded and served; once the server has it, its
    files are deleted from the camera and the next take starts."""
    source = noise_video(tmp_path)
    agent = start_agent(
        srv, tmp_path, source=str(source), extra=("--fps", "30", "--min-free-mb", "16")
    )
    crew: Crew = crew_of(srv)
    try:
        crew.wait(
            lambda: (crew.camera_status().get("fps") or 0) > 0, 30, "the camera to send pictures"
        )
        crew.wait(
            lambda: (crew.camera_status().get("disk_free") or 0) > 16 * MB, 10, "its free space"
        )
        assert not crew.camera_status()["problem"]
        started = crew.camera("record")
        assert started["ok"], started
        crew.wait(lambda: crew.camera_status().get("recording"), 10, "the take to record")
        crew.wait(lambda: not crew.camera_status().get("recording"), 30, "the take to be stopped")
        assert crew.camera_status()["problem"].startswith("the take was stopped: only"), (
            crew.camera_status()
        )
        take = crew.wait(lambda: crew.takes(), 60, "the take to be delivered")[0]
        assert take["id"] == started["take"] and take["duration"] > 1
        video = requests.get(srv.url + take["media"]["url"], timeout=30)
        assert video.status_code == 200 and video.content[4:8] == b"ftyp"
        assert not list(small_disk.glob("*.partial.mp4")), "the take was left unfinished"

        # the server has every file: the camera deletes them, and is no longer short
        crew.wait(lambda: not crew.camera_status().get("problem"), 30, "the space to be freed")
        assert crew.camera_status()["disk_free"] > 16 * MB
        assert not list(small_disk.glob(f"{take['id']}*.mp4")), "the take's files are kept"
        manifest = json.loads((small_disk / f"{take['id']}.take.json").read_text())
        assert manifest["uploaded"] and manifest["pruned_at"], manifest
        assert requests.get(srv.url + take["media"]["url"], timeout=30).status_code == 200
        again = crew.camera("record")
        assert again["ok"], again
        assert crew.camera("stop")["ok"]
    finally:
        stop_agent(agent)


def test_only_takes_the_server_holds_are_deleted_oldest_first_and_only_as_many_as_needed(
    srv: ServerProcess, tmp_path: Path
) -> None:
    """The outbox's pruning against the real server: a take marked uploaded whose file the
    server lacks (a lost upload, another server) is kept; of two it holds, the older upload
    goes and the newer stays once enough is free. The free space is the one thing given to
    it (a figure that turns "enough" once the first file is gone)."""
    folder = tmp_path / "takes"
    folder.mkdir()
    outbox = TakeOutbox(folder, srv.url, CAMERA_KEY)
    takes = {}
    for n, (name, uploaded_at, send) in enumerate(
        [("lost", 100.0, False), ("older", 200.0, True), ("newer", 300.0, True)]
    ):
        image = folder / f"{name}.raw.jpg"
        image.write_bytes(jpeg(colour=(40 * n, 80, 20)))
        sha = hashlib.sha256(image.read_bytes()).hexdigest()
        if send:
            outbox.upload_file(image, sha)
        # as an agent started elsewhere with a relative --takes wrote it: found here by name
        files = {"raw": {"path": f"liveshow-takes/{image.name}", "sha256": sha}}
        manifest = {"id": name, "files": files, "uploaded": True, "uploaded_at": uploaded_at}
        write_manifest(folder / f"{name}.take.json", manifest)
        takes[name] = image
    older = takes["older"]
    # a server that cannot be reached (a dead port) confirms nothing: nothing is deleted
    unreachable = TakeOutbox(folder, f"http://127.0.0.1:{free_port()}", CAMERA_KEY)
    assert unreachable.prune(10, lambda: 0) == []
    assert all(image.exists() for image in takes.values())

    pruned = outbox.prune(10, lambda: 0 if older.exists() else 10)

    assert pruned == ["older"]
    assert not older.exists()
    assert takes["lost"].exists() and takes["newer"].exists()
    marked = {p.name.split(".")[0]: json.loads(p.read_text()) for p in folder.glob("*.json")}
    assert marked["older"].get("pruned_at")
    assert not marked["lost"].get("pruned_at") and not marked["newer"].get("pruned_at")
    # a second round with the room still short deletes the newer one, never the lost one
    assert outbox.prune(10, lambda: 0) == ["newer"]
    assert takes["lost"].exists()


def test_with_keep_uploaded_the_camera_deletes_nothing(
    srv: ServerProcess, crew_of: Any, tmp_path: Path
) -> None:
    """--keep-uploaded: a take the server has stays on the camera however short the space;
    the next take is refused, saying what is safe to delete."""
    folder = tmp_path / "takes"
    folder.mkdir()
    image = folder / "kept.raw.jpg"
    image.write_bytes(jpeg())
    sha = hashlib.sha256(image.read_bytes()).hexdigest()
    TakeOutbox(folder, srv.url, CAMERA_KEY).upload_file(image, sha)
    files = {"raw": {"path": str(image), "sha256": sha}}
    write_manifest(folder / "kept.take.json", {"id": "kept", "files": files, "uploaded": True})
    agent = start_agent(srv, tmp_path, extra=("--min-free-mb", str(10**9), "--keep-uploaded"))
    crew: Crew = crew_of(srv)
    try:
        crew.wait(
            lambda: (crew.camera_status().get("fps") or 0) > 0, 30, "the camera to send pictures"
        )
        refused = crew.camera("record")
        assert refused["ok"] is False and "says uploaded" in refused["error"], refused
        assert image.exists()
        assert "pruned_at" not in json.loads((folder / "kept.take.json").read_text())
    finally:
        stop_agent(agent)
