"""A Socket.IO namespace over a bare websocket: frames exactly as a client sends them, so a
test can send what python-socketio's client would refuse to (reserved names, extra
arguments, JSON nested 10,000 deep) and read the raw acknowledgement.

Send NaN, Infinity and numbers past a float's range through here, never through
python-socketio's client: once a pytest worker has imported ``liveshow.realtime.guard``, the
packet JSON of every client in that process is the server's strict one, and a NaN goes out
as ``null``, so the test would check the wrong input (a two-worker CI run caught this)."""

from __future__ import annotations

import json
import time
from typing import Any

import websocket

from tests.helpers.server import ServerProcess


class RawSocket:
    def __init__(self, srv: ServerProcess, namespace: str, auth: dict[str, Any]) -> None:
        self.namespace = namespace
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{srv.port}/socket.io/?EIO=4&transport=websocket", timeout=10
        )
        assert self.ws.recv().startswith("0{")
        self.ws.send(f"40{namespace}," + json.dumps(auth))
        assert self.frame_starting(f"40{namespace},").startswith(f"40{namespace},{{")

    def frame_starting(self, prefix: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frame = self.ws.recv()
            if frame == "2":
                self.ws.send("3")
            elif isinstance(frame, str) and frame.startswith(prefix):
                return frame
        raise AssertionError(f"no frame starting {prefix!r}")

    def call_raw(self, ack_id: int, payload: str, timeout: float = 15.0) -> Any:
        """Sends ``42<ns>,<id><payload>`` and returns the acknowledgement's data."""
        self.ws.send(f"42{self.namespace},{ack_id}{payload}")
        frame = self.frame_starting(f"43{self.namespace},{ack_id}[", timeout)
        return json.loads(frame[len(f"43{self.namespace},{ack_id}") :])

    def close(self) -> None:
        self.ws.close()
