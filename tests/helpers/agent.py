"""A real camera agent process (`liveshow camera`), started against a real server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.helpers import CAMERA_KEY
from tests.helpers.server import ServerProcess


def start_agent(
    srv: ServerProcess, folder: Path, source: str = "synthetic", extra: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    """Starts `liveshow camera` as cam1 (640x360 at 15 fps), keeping takes in
    ``folder``/takes and its log in ``folder``/agent.log."""
    with open(folder / "agent.log", "ab") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "liveshow",
                "camera",
                "--server",
                srv.url,
                "--key",
                CAMERA_KEY,
                "--name",
                "cam1",
                "--source",
                source,
                "--width",
                "640",
                "--height",
                "360",
                "--fps",
                "15",
                "--takes",
                str(folder / "takes"),
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def stop_agent(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the agent finalises a take in progress), then a kill if it hangs."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
