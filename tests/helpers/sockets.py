"""A python-socketio client on one namespace of a real server that keeps every event it hears,
so a test can wait (bounded) for the one it needs instead of sleeping."""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import engineio
import socketio

from tests.helpers.server import ServerProcess


def connect(srv: ServerProcess, namespace: str, auth: dict[str, Any]) -> socketio.Client:
    """A bare client on ``namespace`` over websocket, as the browsers connect."""
    client = socketio.Client(reconnection=False)
    client.connect(
        srv.url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=10
    )
    return client


class _InOrderEngineIO(engineio.Client):
    """python-engineio's client hands each message to a new thread, so on a loaded machine
    two can be handled out of order: a binary event's attachment before its header (seen:
    python-socketio then fails to decode the JPEG as a packet, "invalid literal for int()
    ... b'\\xff'", and takes the next message for the attachment, losing both), or an older
    state after a newer one. Here one thread per client hands them on in arrival order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._courier: threading.Thread | None = None

    def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "message" and kwargs.get("run_async"):  # from the one reading thread
            if self._courier is None or not self._courier.is_alive():
                self._courier = threading.Thread(target=self._hand_on, daemon=True)
                self._courier.start()
            self._inbox.put(args)
            return None
        answer = super()._trigger_event(event, *args, **kwargs)
        if event == "disconnect":
            self._inbox.put(None)  # after the messages already in: they are still handed on
        return answer

    def _hand_on(self) -> None:
        while (args := self._inbox.get()) is not None:
            super()._trigger_event("message", *args)


class _InOrderClient(socketio.Client):
    def _engineio_client_class(self) -> type[engineio.Client]:
        return _InOrderEngineIO


class SocketClient:
    """Connects to ``namespace`` and records every event by name, in arrival order."""

    def __init__(self, srv: ServerProcess, namespace: str, auth: dict[str, Any]) -> None:
        self.srv = srv
        self.namespace = namespace
        self.heard: dict[str, list[Any]] = defaultdict(list)
        self.changed = threading.Condition()
        self.waiting: set[threading.Event] = set()  # calls waiting for their answer
        self.gone = False  # the connection ended
        self.client = _InOrderClient(reconnection=False)
        self.client.on("*", self._hear, namespace=namespace)
        self.client.on("disconnect", self._lost, namespace=namespace)
        self.client.connect(
            srv.url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=10
        )

    def _hear(self, event: str, data: Any = None) -> None:
        with self.changed:
            self.heard[event].append(data)
            self.changed.notify_all()

    def _lost(self, *reason: Any) -> None:
        """The connection ended: calls still waiting for an answer give up at once."""
        with self.changed:
            self.gone = True
            waiting = list(self.waiting)
        for done in waiting:
            done.set()

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
        """Sends ``event`` and returns the server's acknowledgement as it is (as
        ``socketio.Client.call`` does). If the connection ends first (a killed server), raises
        ConnectionError at once, not after waiting out ``timeout`` for an answer that cannot
        come (that wait cost a fault test 10 s a kill)."""
        done = threading.Event()
        answer: list[tuple[Any, ...]] = []

        def answered(*args: Any) -> None:
            answer.append(args)
            done.set()

        with self.changed:
            self.waiting.add(done)
        try:
            self.client.emit(event, data, namespace=self.namespace, callback=answered)
            with self.changed:
                if self.gone:
                    done.set()
            if not done.wait(timeout):
                raise socketio.exceptions.TimeoutError()
        finally:
            with self.changed:
                self.waiting.discard(done)
        if not answer:
            raise ConnectionError(f"the connection ended before {event!r} was answered")
        args = answer[0]
        return args if len(args) > 1 else args[0] if args else None

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
