"""A camera agent killed with SIGKILL mid-take, and again mid-upload (the server holding
half of the take's file): after each restart the agent carries on, and the take arrives
exactly once, whole (its SHA-256 matches the agent's file), with nothing left stuck: no
part file or upload row on the server, no manifest marked refused on the agent."""

from __future__ import annotations

import hashlib
import json
import signal
import time
from pathlib import Path
from typing import Any

import requests

from tests.helpers.agent import start_agent, stop_agent
from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.stall import StallingProxy
from tests.helpers.waiting import wait_until


def test_an_agent_killed_mid_take_and_mid_upload_delivers_the_take_once_whole(
    camera_server: ServerProcess, crew_of: Any, tmp_path: Path
) -> None:
    srv = camera_server
    proxy = StallingProxy(srv.port)
    crew: Crew = crew_of(srv)
    agent = start_agent(srv, tmp_path)
    try:
        crew.wait(lambda: (h := crew.camera_history()) and h[-1]["fps"] > 0, 30, "the camera")
        assert crew.camera("record")["ok"]
        time.sleep(2.0)  # what to record, not a wait
        agent.send_signal(signal.SIGKILL)  # mid-take: nothing finalised
        agent.wait(10)
        assert not srv.rows("select id from takes")

        proxy.armed.set()  # the recovered take's first file stops halfway
        agent = start_agent(srv, tmp_path, via=proxy.url)
        wait_until(proxy.stalled.is_set, 60, "the upload to be halfway")
        agent.send_signal(signal.SIGKILL)  # mid-upload
        agent.wait(10)
        (manifest_path,) = (tmp_path / "takes").glob("*.take.json")
        raw = json.loads(manifest_path.read_text())["files"]["raw"]
        part = srv.data / "uploads" / f"{raw['sha256']}.part"
        held = proxy.let_through
        assert held > 0
        wait_until(lambda: part.exists() and part.stat().st_size == held, 30, "the half held")
        assert not srv.rows("select id from takes")

        agent = start_agent(srv, tmp_path, via=proxy.url)
        wait_until(lambda: srv.rows("select id from takes"), 60, "the take")
        manifest = wait_until(
            lambda: (m := json.loads(manifest_path.read_text())).get("uploaded") and m,
            30,
            "the manifest marked uploaded",
        )
    finally:
        stop_agent(agent)
        proxy.close()
    (take,) = srv.rows("select * from takes")  # exactly once
    assert take["raw_sha256"] == raw["sha256"] == manifest["files"]["raw"]["sha256"]
    on_disk = hashlib.sha256(Path(raw["path"]).read_bytes()).hexdigest()
    served = requests.get(f"{srv.url}/media/{raw['sha256']}", timeout=30).content
    assert on_disk == hashlib.sha256(served).hexdigest() == raw["sha256"]
    resumed = [r for r in proxy.ranges if r.endswith(f"/{len(served)}")]
    assert any(r.startswith(f"bytes {held}-") for r in resumed), (held, proxy.ranges)
    assert not manifest.get("refused")
    assert not list((srv.data / "uploads").glob("*.part"))
    assert not srv.rows("select sha256 from uploads")
