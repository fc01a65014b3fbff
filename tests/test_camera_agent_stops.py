"""A camera agent told to stop (SIGTERM: the demo ending, the crew's laptop shutting down)
ends, also when its server is gone: one whose server had never answered, or went away,
ran on for good (seen: a dozen demo agents left capturing after their demos ended)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers import CAMERA_KEY
from tests.helpers.agent import start_agent
from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.shows import CAMERA_SHOW, write_show
from tests.helpers.waiting import wait_until


def stopped_in_time(agent: subprocess.Popen[bytes]) -> int | None:
    """SIGTERM, then the exit code within 30 s (None: it ran on; it is then killed)."""
    agent.send_signal(signal.SIGTERM)
    try:
        return agent.wait(30)
    except subprocess.TimeoutExpired:
        agent.kill()
        agent.wait(5)
        return None


def test_an_agent_whose_server_never_answered_stops_when_told(
    server_factory: Any, tmp_path: Path
) -> None:
    srv: ServerProcess = server_factory(
        write_show(tmp_path, CAMERA_SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )
    srv.stop()  # its address, with nothing listening there any more
    agent = start_agent(srv, tmp_path)
    log = tmp_path / "agent.log"
    wait_until(lambda: "capture loop started" in log.read_text(errors="replace"), 60, "the agent")
    assert stopped_in_time(agent) is not None, "the agent ran on after SIGTERM"


def test_an_agent_whose_server_went_away_stops_when_told(
    server_factory: Any, tmp_path: Path
) -> None:
    srv: ServerProcess = server_factory(
        write_show(tmp_path, CAMERA_SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )
    agent = start_agent(srv, tmp_path)
    crew = Crew(srv)
    try:
        crew.wait(lambda: (crew.camera_status().get("fps") or 0) > 0, 30, "the camera")
    finally:
        crew.close()
    srv.stop()  # the agent is now reconnecting
    assert stopped_in_time(agent) is not None, "the agent ran on after SIGTERM"
