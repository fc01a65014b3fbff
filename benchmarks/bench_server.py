"""Start a real `liveshow serve` for a benchmark: every secret is "bench", 127.0.0.1 only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests


def start_server(folder: Path, show: str, port: int, **env_extra: str) -> subprocess.Popen[bytes]:
    """Write ``show`` to FOLDER/show.yaml, serve it, return once /api/state answers."""
    (folder / "show.yaml").write_text(show)
    env = {
        **os.environ,
        "LIVESHOW_CREW_PASSWORD": "bench",
        "LIVESHOW_DISPLAY_KEY": "bench",
        "LIVESHOW_JOIN_CODE": "bench",
        "LIVESHOW_CAMERA_KEY": "bench",
        "LIVESHOW_DATA": str(folder / "data"),
        "LIVESHOW_HOST": "127.0.0.1",
        "LIVESHOW_PORT": str(port),
        # every simulated phone comes from 127.0.0.1: lift the per-address cap
        "LIVESHOW_MAX_CONNECTIONS_PER_ADDRESS": "10000",
        **env_extra,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "liveshow", "serve", "--show", str(folder / "show.yaml")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/state", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")
