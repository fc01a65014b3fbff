"""Several workers of one show: a private redis-server, `liveshow serve --workers`, and phones
that reach nginx from a loopback address of their own (nginx spreads phones by address).

redis-server and nginx come from Debian; a machine without them fails the scale-out test
with a message naming `make debian-packages` (CI installs them)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket

from tests.helpers import JOIN_CODE
from tests.helpers.phone import consent, new_id
from tests.helpers.server import ServerProcess, free_port, stop_process

PHONE_COOKIE = "liveshow_phone=1"  # what nginx sets on the phone app's pages


def need_debian_packages(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None and not Path(f"/usr/sbin/{n}").exists()]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not installed: `make debian-packages` installs them "
            "(as `make test` does on CI)",
            pytrace=False,
        )


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A redis-server child on a free port, no persistence; its URL once it answers PING."""
    need_debian_packages("redis-server")
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--daemonize", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    stop_process(proc)
    raise AssertionError("redis-server did not answer PING in 10 s")


def cluster_of(srv: ServerProcess) -> dict[str, Any]:
    """Where `serve --workers` put everything (its ``cluster.json``)."""
    return json.loads((srv.data / "cluster.json").read_text())  # type: ignore[no-any-return]


def phones_held(worker: str) -> int:
    """How many phone sockets one worker holds (asked on its own port)."""
    return int(requests.get(worker + "/internal/worker", timeout=5).json()["phones"])


class AddressPhone:
    """A phone on /audience over a raw websocket through nginx, from its own loopback
    ``address`` (127.x.y.z), carrying the phone cookie: answers pings, keeps every event,
    waits for acknowledgements."""

    def __init__(
        self,
        srv: ServerProcess,
        address: str,
        device: str | None = None,
        token: str | None = None,
        rev: int = 0,
    ) -> None:
        self.device = device or new_id("phone")
        self.token = token
        self.heard: dict[str, list[Any]] = defaultdict(list)
        self.acks: dict[int, Any] = {}
        self.changed = threading.Condition()
        self.next_id = 0
        sock = socket.create_connection(
            ("127.0.0.1", srv.port), timeout=10, source_address=(address, 0)
        )
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{srv.port}/socket.io/?EIO=4&transport=websocket",
            socket=sock,
            cookie=PHONE_COOKIE,
            origin=srv.url,
            timeout=10,
        )
        assert self.ws.recv().startswith("0{")
        auth = {"code": JOIN_CODE, "device": self.device, "rev": rev}
        if token:
            auth["token"] = token
        self.ws.send("40/audience," + json.dumps(auth))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait(lambda: self.heard.get("connected") or self.heard.get("refused"), "a connect")
        assert not self.heard.get("refused"), self.heard["refused"]

    def _read(self) -> None:
        while True:
            try:
                frame = self.ws.recv()
            except (OSError, websocket.WebSocketException):
                return
            if frame == "2":
                self.ws.send("3")
                continue
            with self.changed:
                self._hear(frame)
                self.changed.notify_all()

    def _hear(self, frame: str) -> None:
        if frame.startswith("40/audience,"):
            self.heard["connected"].append(frame)
        elif frame.startswith("44/audience,"):
            self.heard["refused"].append(frame)
        elif frame.startswith("42/audience,"):
            name, *data = json.loads(frame[len("42/audience,") :])
            self.heard[name].append(data[0] if data else None)
        elif frame.startswith("43/audience,"):
            rest = frame[len("43/audience,") :]
            split = rest.index("[")
            self.acks[int(rest[:split])] = json.loads(rest[split:])[0]

    def wait(self, check: Any, what: str, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not (value := check()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"phone {self.device}: no {what} in {timeout} s")
                self.changed.wait(left)
            return value

    def call(self, event: str, data: Any) -> Any:
        with self.changed:
            ack_id = self.next_id
            self.next_id += 1
        self.ws.send(f"42/audience,{ack_id}" + json.dumps([event, data]))
        return self.wait(lambda: self.acks.get(ack_id), f"answer to {event}")

    def join(self, handle: str) -> dict[str, Any]:
        ack = self.call("join", consent(handle))
        assert ack["ok"], ack
        self.token = ack["token"]
        return ack  # type: ignore[no-any-return]

    def states(self) -> list[dict[str, Any]]:
        with self.changed:
            return list(self.heard["state"])

    def wait_state(self, test: Any, what: str) -> dict[str, Any]:
        return self.wait(  # type: ignore[no-any-return]
            lambda: next((s for s in reversed(self.heard["state"]) if test(s)), None), what
        )

    def close(self) -> None:
        self.ws.close()
        self.reader.join(5)


def connect_counted(srv: ServerProcess, address: str, **phone: Any) -> tuple[AddressPhone, str]:
    """An AddressPhone from ``address`` and the worker its socket reached (the one whose
    phone count rose; connect one phone at a time)."""
    workers = cluster_of(srv)["workers"]
    before = {w: phones_held(w) for w in workers}
    made = AddressPhone(srv, address, **phone)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rose = [w for w in workers if phones_held(w) > before[w]]
        if rose:
            return made, rose[0]
        time.sleep(0.05)
    made.close()
    raise AssertionError(f"no worker counted the phone from {address}")
