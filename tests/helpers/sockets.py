"""A python-socketio client on one namespace of a real server that keeps every event it hears,
so a test can wait (bounded) for the one it needs instead of sleeping."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import socketio

from tests.helpers.server import ServerProcess


def connect(srv: ServerProcess, namespace: str, auth: dict[str, Any]) -> socketio.Client:
    """A bare client on ``namespace`` over websocket, as the browsers connect."""
    client = socketio.Client(reconnection=False)
    client.connect(
        srv.url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=10
    )
    return client


class SocketClient:
    """Connects to ``namespace`` and records every event by name, in arrival order."""

    def __init__(self, srv: ServerProcess, namespace: str, auth: dict[str, Any]) -> None:
        self.srv = srv
        self.namespace = namespace
        self.heard: dict[str, list[Any]] = defaultdict(list)
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._hear, namespace=namespace)
        self.client.connect(
            srv.url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=10
        )

    def _hear(self, event: str, data: Any = None) -> None:
        with self.changed:
            self.heard[event].append(data)
            self.changed.notify_all()

    def events(self, name: str) -> list[Any]:
        """Every payload of ``name`` heard so far, oldest first (a copy)."""
        with self.changed:
            return list(self.heard[name])

    def latest(self, name: str) -> Any:
        with self.changed:
            return self.heard[name][-1] if self.heard[name] else None

    def wait(self, check: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
        """Waits (woken by each event) until ``check()`` is truthy and returns it."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not (value := check()):
                left = deadline - time.monotonic()
                if left <= 0:
                    heard = {k: v[-2:] for k, v in self.heard.items()}
                    raise AssertionError(
                        f"timed out after {timeout} s waiting for "
                        f"{what or check}; last heard: {heard}"
                    )
                self.changed.wait(left)
            return value

    def wait_for(
        self, name: str, test: Callable[[Any], Any] = bool, timeout: float = 10.0, what: str = ""
    ) -> Any:
        """The newest ``name`` payload that passes ``test``, waiting for one if need be."""

        def newest() -> Any:
            return next((d for d in reversed(self.heard[name]) if test(d)), None)

        return self.wait(newest, timeout, what or f"a {name!r} event")

    def call(self, event: str, data: Any = None, timeout: float = 10.0) -> Any:
        """Sends ``event`` and returns the server's acknowledgement as it is."""
        return self.client.call(event, data, namespace=self.namespace, timeout=timeout)

    def close(self) -> None:
        self.client.disconnect()


class Display(SocketClient):
    """A display's socket (no browser): what the projector would be told."""

    def __init__(self, srv: ServerProcess, name: str = "main", rev: int = 0) -> None:
        super().__init__(srv, "/display", {"key": srv.display_key, "name": name, "rev": rev})

    def wait_state(
        self, test: Callable[[dict[str, Any]], Any], what: str = "", timeout: float = 10.0
    ) -> dict[str, Any]:
        return self.wait_for("state", test, timeout, what)  # type: ignore[no-any-return]


def cue_is(cue_id: str) -> Callable[[dict[str, Any]], bool]:
    """A test for a ``state``: is ``cue_id`` the cue on stage?"""
    return lambda s: bool(s["cue"]) and s["cue"]["id"] == cue_id
