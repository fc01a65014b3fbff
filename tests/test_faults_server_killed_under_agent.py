"""The server killed with SIGKILL under a camera agent: once while the agent records a take,
once while it uploads that take (a proxy lets half of the file through and holds the rest;
a network drop first makes the server keep a half, so the upload resumes from it).
The agent reconnects by itself after each restart, the take that was recording is still the
crew's to stop, and it arrives exactly once, whole (its SHA-256 matches the agent's file),
resumed from what the restarted server holds, with nothing left stuck: no part file or
upload row on the server, no manifest marked refused on the agent."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import requests

from tests.helpers.agent import start_agent, stop_agent
from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.stall import StallingProxy
from tests.helpers.waiting import wait_until


def test_a_server_killed_mid_take_and_mid_upload_gets_the_take_once_whole(
    camera_server: ServerProcess, crew_of: Any, tmp_path: Path
) -> None:
    srv = camera_server
    proxy = StallingProxy(srv.port)  # the agent reaches the server through it, socket too
    crew: Crew = crew_of(srv)
    agent = start_agent(srv, tmp_path, via=proxy.url)
    try:
        crew.wait(lambda: (h := crew.camera_history()) and h[-1]["fps"] > 0, 30, "the camera")
        take_id = crew.camera("record")["take"]
        time.sleep(1.5)  # what to record, not a wait
        srv.stop(signal.SIGKILL)  # mid-take
        srv.start()
        crew = crew_of(srv)
        crew.wait(
            lambda: (
                (h := crew.camera_history()) and h[-1]["state"] == "live" and h[-1]["recording"]
            ),
            30,
            "the agent back, still recording",
        )
        time.sleep(1.0)  # more to record after the restart, not a wait
        assert agent.poll() is None
        assert not srv.rows("select id from takes")

        proxy.armed.set()  # the take's first file stops halfway
        stopped = crew.camera("stop")
        assert stopped == {"ok": True, "take": take_id}, stopped
        wait_until(proxy.stalled.is_set, 60, "the upload to be halfway")
        (manifest_path,) = (tmp_path / "takes").glob("*.take.json")
        raw = json.loads(manifest_path.read_text())["files"]["raw"]
        part = srv.data / "uploads" / f"{raw['sha256']}.part"
        # The server writes a PUT's body in 1 MiB reads: of this half (a few hundred kB) it
        # has nothing on disk yet. A network drop makes it keep the half; the agent resumes
        # from there and that request stalls halfway too.
        first = proxy.let_through
        proxy.stalled.clear()
        proxy.armed.set()
        proxy.drop()
        wait_until(lambda: part.exists() and part.stat().st_size == first, 30, "the half kept")
        wait_until(proxy.stalled.is_set, 60, "the resumed upload to stall")
        srv.stop(signal.SIGKILL)  # mid-upload
        held = part.stat().st_size  # what the restarted server will say it has
        assert held == first > 0
        assert not srv.rows("select id from takes")
        # The thumbnail as a kill between its rename into the media folder and its media row
        # would leave it (a window too short to hit by chance): the file in place, its upload
        # row, no media row.
        thumb = json.loads(manifest_path.read_text())["files"]["thumb"]
        shutil.copyfile(thumb["path"], srv.data / "media" / thumb["sha256"])
        with contextlib.closing(sqlite3.connect(srv.data / "show.db")) as db, db:
            size = Path(thumb["path"]).stat().st_size
            db.execute(
                "insert into uploads (sha256, total, received, started_at) values (?, ?, 0, ?)",
                (thumb["sha256"], size, 0.0),
            )
        srv.start()

        wait_until(lambda: srv.rows("select id from takes"), 60, "the take")
        manifest = wait_until(
            lambda: (m := json.loads(manifest_path.read_text())).get("uploaded") and m,
            30,
            "the manifest marked uploaded",
        )
        assert agent.poll() is None, "the agent carried on by itself"
    finally:
        stop_agent(agent)
        proxy.close()
    (take,) = srv.rows("select * from takes")  # exactly once
    assert take["id"] == take_id
    assert take["raw_sha256"] == raw["sha256"] == manifest["files"]["raw"]["sha256"]
    assert take["thumb_sha256"] == thumb["sha256"]
    assert requests.get(f"{srv.url}/media/{thumb['sha256']}", timeout=30).ok
    on_disk = hashlib.sha256(Path(raw["path"]).read_bytes()).hexdigest()
    served = requests.get(f"{srv.url}/media/{raw['sha256']}", timeout=30).content
    assert on_disk == hashlib.sha256(served).hexdigest() == raw["sha256"]
    # the first PUT from 0, then only resumes from the kept half: before and after the kill
    puts = [r for r in proxy.ranges if r.endswith(f"/{len(served)}")]
    assert puts[0].startswith("bytes 0-") and len(puts) >= 3, (held, proxy.ranges)
    assert all(r.startswith(f"bytes {held}-") for r in puts[1:]), (held, proxy.ranges)
    assert not manifest.get("refused")
    assert not list((srv.data / "uploads").glob("*.part"))
    assert not srv.rows("select sha256 from uploads")
