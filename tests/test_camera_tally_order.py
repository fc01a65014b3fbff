"""A camera agent's tally light follows the server's order, not the order its threads ran
in: python-socketio's client handles each message in a thread of its own, so on a quick cut
an "on air" and the "off" after it can be applied the wrong way round, leaving a red light
on a camera nobody sees. The server numbers its tally messages; the agent keeps the newest."""

from __future__ import annotations

from pathlib import Path

from liveshow.agent.camera import AgentConfig, CameraAgent
from tests.helpers import CAMERA_KEY
from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.sockets import SocketClient


def test_the_servers_tally_messages_are_numbered_in_the_order_they_are_sent(
    camera_server: ServerProcess,
) -> None:
    camera = SocketClient(camera_server, "/camera", {"key": CAMERA_KEY, "camera": "cam1"})
    crew = Crew(camera_server)
    try:
        camera.wait_for("tally")  # on connect
        cue = crew.wait_for("state")["cues"][0]["id"]
        assert crew.call("goto", {"cue": cue})["ok"]
        camera.wait_for("tally", lambda t: t["tally"] == "on_air")
        messages = list(camera.heard["tally"])
    finally:
        crew.close()
        camera.close()
    seqs = [m["seq"] for m in messages]
    assert len(seqs) >= 2 and seqs == sorted(set(seqs)), messages


def test_an_older_tally_handled_after_a_newer_one_does_not_relight_the_camera(
    tmp_path: Path,
) -> None:
    agent = CameraAgent(  # not run: only its tally handling
        AgentConfig(server="http://127.0.0.1:9", key="k", name="cam1", takes_dir=tmp_path)
    )
    agent.on_tally({"tally": "off", "cue": None, "seq": 8})  # the cut's "off", handled first
    agent.on_tally({"tally": "on_air", "cue": "live", "seq": 7})  # its "on air", late
    assert agent.tally == "off"
    agent.on_tally({"tally": "on_air", "cue": "live", "seq": 9})
    assert agent.tally == "on_air"
    agent.on_server_lost()  # a restarted server numbers from 1 again
    assert agent.tally == "unknown"
    agent.on_tally({"tally": "preview", "cue": None, "seq": 1})
    assert agent.tally == "preview"
    agent.on_tally({"tally": "on_air", "cue": "live"})  # an older server: no numbers
    assert agent.tally == "on_air"
