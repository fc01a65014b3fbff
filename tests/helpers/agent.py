"""A real camera agent process (`liveshow camera`), started against a real server."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import CAMERA_KEY
from tests.helpers.server import ServerProcess


def start_agent(
    srv: ServerProcess,
    folder: Path,
    source: str = "synthetic",
    extra: tuple[str, ...] = (),
    via: str | None = None,
) -> subprocess.Popen[bytes]:
    """Starts `liveshow camera` as cam1 (640x360 at 15 fps), keeping takes in
    ``folder``/takes and its log in ``folder``/agent.log; ``via``: another URL to reach the
    server by (a proxy)."""
    with open(folder / "agent.log", "ab") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "liveshow",
                "camera",
                "--server",
                via or srv.url,
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
                # the tests' takes are MBs: a small CI disk must not refuse them (``extra``
                # may set another floor: the last one given counts)
                "--min-free-mb",
                "50",
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


@contextlib.contextmanager
def filming(folder: Path, show: str) -> Iterator[tuple[ServerProcess, subprocess.Popen[bytes]]]:
    """A real server running ``show`` (YAML text) with a real synthetic camera agent cam1
    connected: for a module's worth of tests (an agent takes seconds to start)."""
    path = folder / "show.yaml"
    path.write_text(show)
    srv = ServerProcess(
        data=folder / "data", show=path, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    ).start()
    agent = start_agent(srv, folder)
    try:
        yield srv, agent
    finally:
        stop_agent(agent)
        srv.stop()
