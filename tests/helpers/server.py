"""A real `liveshow serve` in its own process, on a free port, and read access to its data."""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.helpers import CREW_PASSWORD, DISPLAY_KEY, JOIN_CODE

PORTS_PER_WORKER = 4000
FIRST_PORT = 20000  # below Linux's ephemeral range (32768-60999): see free_port


def free_port() -> int:
    """A TCP port nothing listens on right now, for a server a test starts.

    Not one the OS picks (bind to 0): those come from the ephemeral range that every
    outgoing connection also takes its port from, and between this check and the server's
    bind another pytest worker's server, or a client's connection, could take it (a test
    then talked to another test's server). So: a random free port from a range of this
    pytest-xdist worker's own, below the ephemeral range."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    low = FIRST_PORT + (index % 3) * PORTS_PER_WORKER
    for _ in range(200):
        port = random.randrange(low, low + PORTS_PER_WORKER)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {low} and {low + PORTS_PER_WORKER}")


def stop_process(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    """Signal a child we started, wait for it (killing it after 10 s), reap it."""
    if proc and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class ServerProcess:
    """A real `liveshow serve` in its own process."""

    data: Path
    show: Path | None
    async_mode: str = "eventlet"
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    password = CREW_PASSWORD
    display_key = DISPLAY_KEY
    join_code = JOIN_CODE

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data.parent / f"server-{self.port}.log"

    def start(self, timeout: float = 90.0) -> ServerProcess:
        """Starts the server and returns once it answers, failing after ``timeout`` s: a
        bound, not a wait (90 s: on a loaded 2-core machine a start took 15-26 s, and three
        tests failed at the 30 s this used to be)."""
        env = {
            **os.environ,
            "LIVESHOW_CREW_PASSWORD": CREW_PASSWORD,
            "LIVESHOW_DISPLAY_KEY": DISPLAY_KEY,
            "LIVESHOW_JOIN_CODE": JOIN_CODE,
            "LIVESHOW_DATA": str(self.data),
            "LIVESHOW_ASYNC_MODE": self.async_mode,
            "LIVESHOW_HOST": "127.0.0.1",
            "LIVESHOW_PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            # The profanity model is half of a start (benchmarks/server_start.py: 3.4 s with,
            # 1.7 s without); servers whose tests send phones' texts turn it back on
            # (module_prompt_server, the moderation and phone tests), as the room has it.
            "LIVESHOW_FLAG_TEXT": "false",
            **self.extra_env,
        }
        args = [sys.executable, "-m", "liveshow", "serve"]
        if self.show is not None:
            args += ["--show", str(self.show)]
        self.data.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}: {self.log_text()[-2000:]}"
                )
            try:
                if requests.get(self.url + "/api/state", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout} s: {self.log_text()[-2000:]}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        stop_process(self.proc, sig)

    def state(self) -> dict[str, Any]:
        """The whole public state, as a display sees it (with the display key)."""
        return requests.get(  # type: ignore[no-any-return]
            self.url + "/api/state", params={"key": self.display_key}, timeout=5
        ).json()

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Reads the server's database read-only, as an auditor (or Datasette) would."""
        db = sqlite3.connect(f"file:{self.data / 'show.db'}?mode=ro", uri=True, timeout=5)
        db.row_factory = sqlite3.Row
        try:
            return list(db.execute(sql, args))
        finally:
            db.close()
