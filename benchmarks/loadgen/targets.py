"""The servers under test, each started in its own session (its process group is what
``procstat`` sums): liveshow (``liveshow serve``) and the Node reference
(``benchmarks/node_reference/server.mjs``). 127.0.0.1 only; every secret is "bench"."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .procstat import Group

ROOT = Path(__file__).resolve().parents[2]
NODE_SERVER = ROOT / "benchmarks" / "node_reference" / "server.mjs"

SHOW = """\
title: Full house bench
cues:
  - {id: a, kind: title, title: "Act one", subtitle: "The house is full"}
  - {id: b, kind: title, title: "Act two", subtitle: "The house is full"}
  - id: ask-vote
    kind: prompt
    title: Vote
    prompt:
      kind: vote
      question: "Which film should we shoot tonight?"
      options: ["The lighthouse cat", "Paper boats", "The umbrella lender"]
  - {id: ask-photo, kind: prompt, title: A photo, prompt: {kind: photo, question: Something blue}}
"""
VOTE_OPTIONS = ["The lighthouse cat", "Paper boats", "The umbrella lender"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Target:
    """A running server: its name ("liveshow" or "node"), port, process and log."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def group(self) -> Group:
        return Group(self.proc.pid)  # it leads its own session, so pgid == pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_listening(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {tail}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on {self.port} in {timeout} s")

    def stop(self) -> None:
        """SIGTERM to the group we started (the server and its own children), then SIGKILL."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        try:  # children the server left behind in its group
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def resolve(commit: str) -> str:
    """The full hash ``commit`` names now."""
    run = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", commit + "^{commit}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return run.stdout.strip()


def export_commit(commit: str, folder: Path) -> Path:
    """The ``liveshow`` package as it is at ``commit``, copied out of git into ``folder``
    (the checkout is left alone: others may be changing the server in it)."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "liveshow"], check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def start_liveshow(
    folder: Path,
    port: int | None = None,
    source: Path = ROOT,
    show: str = SHOW,
    **env_extra: str,
) -> Target:
    """``liveshow serve`` on the bench show (or ``show``), in its own session; returns once
    it listens. ``source`` is the directory holding the ``liveshow`` package to run (the
    checkout, or an ``export_commit``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "show.yaml").write_text(show)
    port = port or free_port()
    env = {
        **os.environ,
        "LIVESHOW_CREW_PASSWORD": "bench",
        "LIVESHOW_DISPLAY_KEY": "bench",
        "LIVESHOW_JOIN_CODE": "bench",
        "LIVESHOW_CAMERA_KEY": "bench",
        "LIVESHOW_DATA": str(folder / "data"),
        "LIVESHOW_HOST": "127.0.0.1",
        "LIVESHOW_PORT": str(port),
        # each phone has its own address, but keep the cap out of the way anyway
        "LIVESHOW_MAX_CONNECTIONS_PER_ADDRESS": "10000",
        "LIVESHOW_MAX_CONNECTIONS": "8000",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(source),
        **env_extra,
    }
    log = folder / f"liveshow-{port}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "liveshow", "serve", "--show", str(folder / "show.yaml")],
            env=env,
            cwd=source,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    target = Target("liveshow", port, proc, log, {"source": str(source)})
    target.wait_listening()
    return target


def start_node(
    folder: Path, sample: dict[str, Any], ping_interval_ms: int, port: int | None = None
) -> Target:
    """The Node reference server, sending states shaped and sized like ``sample``."""
    folder.mkdir(parents=True, exist_ok=True)
    sample_file = folder / "sample.json"
    sample_file.write_text(json.dumps(sample))
    port = port or free_port()
    log = folder / f"node-{port}.log"
    args = [
        "node",
        str(NODE_SERVER),
        "--port",
        str(port),
        "--sample",
        str(sample_file),
        "--ping-interval",
        str(ping_interval_ms),
        "--ping-timeout",
        str(ping_interval_ms),
    ]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    target = Target("node", port, proc, log, {"ping_interval_ms": ping_interval_ms})
    target.wait_listening()
    return target
