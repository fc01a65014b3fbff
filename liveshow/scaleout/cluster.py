"""`liveshow serve --workers N`: the show worker, N-1 phone workers, nginx in front and (with
no ``LIVESHOW_MESSAGE_QUEUE``) a redis-server, each a child process of this one.

The show worker starts first and alone (it loads or resumes the show and writes the
database's first rows); phone workers start when it answers, without ``--show``, and only
read. Workers listen on free ports of 127.0.0.1; nginx listens where one process would
(``--host``/``--port``). ``<data>/cluster.json`` says where everything is. A worker that dies
stops the whole show (every phone would otherwise keep a dead worker): restart the command.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import click

from .. import settings
from ..settings import public_url
from ..show.demo import die_with_parent
from ..show.showfile import write_atomic
from . import nginx

START_TIMEOUT = 60.0
RESERVE = 64  # the crew's and projectors' room past max_connections (eventlet_fixes.RESERVE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A private redis-server on a free port of 127.0.0.1: no persistence, gone with us."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise click.ClickException(
            "redis-server is not installed (Debian: apt-get install redis-server); "
            "or set LIVESHOW_MESSAGE_QUEUE to a Redis you run"
        )
    port = free_port()
    args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    args += ["--daemonize", "no", "--dir", str(folder), "--logfile", str(folder / "redis.log")]
    proc = subprocess.Popen(args, preexec_fn=die_with_parent)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise click.ClickException("redis-server did not answer PING in 10 s")


def worker_env(values: dict[str, Any], **changes: Any) -> dict[str, str]:
    """The environment of one worker: every setting as this command has it, then
    ``changes`` (a value of None drops the setting)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESHOW_")}
    for setting in settings.SETTINGS:
        value = changes[setting.name] if setting.name in changes else values[setting.name]
        if value is not None:
            env[setting.env] = str(value)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wait_for(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"{what} exited with {proc.returncode} while starting")
        try:
            with urllib.request.urlopen(f"{url}/internal/worker", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise click.ClickException(f"{what} did not answer in {START_TIMEOUT:.0f} s")


class Cluster:
    """The child processes of one `serve --workers`, stopped together."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(args, env=env, preexec_fn=die_with_parent)
        self.children.append((name, proc))
        return proc

    def adopt(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        self.children.append((name, proc))

    def stop(self) -> None:
        """The last started first (nginx, phone workers, the show worker, redis)."""
        for _, proc in reversed(self.children):
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for _, proc in reversed(self.children):
            try:
                proc.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def watch(self) -> int:
        """Until a signal (0) or a child's death (1)."""
        stopping: list[int] = []
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda signum, frame: stopping.append(signum))
        while not stopping:
            for name, proc in self.children:
                if proc.poll() is not None:
                    click.echo(f"liveshow: {name} exited ({proc.returncode}): stopping", err=True)
                    return 1
            time.sleep(0.2)
        return 0


def serve_cluster(values: dict[str, Any]) -> int:
    """Run the show on ``values['workers']`` workers behind nginx until stopped."""
    count = values["workers"]
    data = settings.data_dir(values)
    folder = Path(tempfile.mkdtemp(prefix="liveshow-cluster-"))
    cluster = Cluster()
    try:
        return _run(cluster, values, count, data, folder)
    finally:
        cluster.stop()
        forget_where(data)
        shutil.rmtree(folder, ignore_errors=True)


def forget_where(data: Path) -> None:
    """Remove ``cluster.json`` once this command's cluster is gone (it names dead ports and a
    removed nginx folder), unless another run has written its own since."""
    path = data / "cluster.json"
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _run(cluster: Cluster, values: dict[str, Any], count: int, data: Path, folder: Path) -> int:
    queue = values["message_queue"]
    if not queue:
        proc, queue = start_redis(folder)
        cluster.adopt("redis-server", proc)
    ports = [free_port() for _ in range(count)]
    internal = [f"127.0.0.1:{port}" for port in ports]
    common = {
        "workers": 1,
        "host": "127.0.0.1",
        "message_queue": queue,
        "trust_proxy": True,
        "public_url": public_url(values),  # the address nginx answers at, not a worker's
        # nginx is one address to a worker: the cap per phone's address is nginx's
        "max_connections_per_address": values["max_connections"] + RESERVE,
    }
    command = [sys.executable, "-m", "liveshow", "serve"]
    show_url = f"http://{internal[0]}"
    show = cluster.spawn("the show worker", command, worker_env(values, port=ports[0], **common))
    wait_for(show_url, show, "the show worker")
    for number, port in enumerate(ports[1:], start=1):
        env = worker_env(values, port=port, show=None, show_worker=show_url, **common)
        proc = cluster.spawn(f"phone worker {number}", command, env)
        wait_for(f"http://127.0.0.1:{port}", proc, f"phone worker {number}")
    listen = f"{values['host']}:{values['port']}"
    text = nginx.config(
        folder / "nginx",
        listen,
        internal[0],
        internal,
        values["max_connections"] * count,
        values["max_connections_per_address"],
    )
    where = {
        "public": f"http://{listen}",
        "show_worker": show_url,
        "workers": [f"http://{w}" for w in internal],
        "message_queue": queue,
        "nginx": str(folder / "nginx" / "nginx.conf"),
        "pid": os.getpid(),
    }
    # written (whole, by rename) before nginx listens: whoever finds the public address
    # answering finds the file too
    write_atomic(data / "cluster.json", json.dumps(where, indent=2) + "\n")
    try:
        cluster.adopt("nginx", nginx.start(folder / "nginx", text, preexec_fn=die_with_parent))
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"liveshow: {count} workers behind nginx on {listen} (show worker {show_url}; "
        f"message queue {queue}; see {data / 'cluster.json'})"
    )
    return cluster.watch()
