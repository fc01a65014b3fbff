"""A crowd of real Socket.IO clients that reconnect by themselves, as the phone app and the
displays do, each sending the newest rev it holds; for reconnect storms."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import socketio

from tests.helpers.phone import new_id
from tests.helpers.server import ServerProcess


class Reconnecting:
    """One client on ``namespace`` that keeps the newest ``state`` it was sent and, when the
    connection goes, reconnects (every 0.5-2 s) with that state's rev in its auth."""

    def __init__(self, srv: ServerProcess, namespace: str, auth: dict[str, Any]) -> None:
        self.rev = 0
        self.cue: str | None = None
        self.connects = 0
        self.lock = threading.Lock()
        self.client = socketio.Client(
            reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2
        )
        self.client.on("state", self._state, namespace=namespace)
        self.client.on("connect", self._connected, namespace=namespace)
        self.client.connect(
            srv.url,
            namespaces=[namespace],
            auth=lambda: {**auth, "rev": self.rev},  # asked again on every reconnect
            transports=["websocket"],
            wait_timeout=10,
        )

    def _connected(self) -> None:
        with self.lock:
            self.connects += 1

    def _state(self, state: dict[str, Any]) -> None:
        with self.lock:
            self.rev = int(state["rev"])
            self.cue = state["cue"]["id"] if state.get("cue") else None


def crowd(srv: ServerProcess, phones: int, displays: int = 0) -> list[Reconnecting]:
    """``phones`` audience phones and ``displays`` displays, connected 16 at a time."""

    def one(k: int) -> Reconnecting:
        if k < displays:
            return Reconnecting(srv, "/display", {"key": srv.display_key, "name": f"d{k}"})
        return Reconnecting(srv, "/audience", {"code": srv.join_code, "device": new_id("phone")})

    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(phones + displays)))


def disperse(people: list[Reconnecting]) -> None:
    """Disconnects every client for good (no reconnect)."""
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda c: c.client.disconnect(), people))
