"""What one address may hold, and how long a request may take to arrive: the policy every
server (eventlet, gevent, threading) applies in its own way.

Imported after the monkey-patching only (it imports werkzeug).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from werkzeug.exceptions import RequestTimeout

FEW = 4  # an address holding fewer connections than this (a crew laptop, a projector) ...
RESERVE = 64  # ... may use these connections past max_connections
MIN_BODY_RATE = 16 * 1024  # bytes a second a request body must average, after the grace
LISTEN_BACKLOG = 1024


class AddressLimits:
    """Connections open per address: a cap per address, a total, and a reserve so an
    address with only a few connections (the crew, the projectors) is never starved.
    ``admit`` runs in the accept loop and ``release`` where each connection ends: under the
    threading mode those are different threads, so both take a lock (a read-modify-write of
    the counts between two threads lost updates, and the counts drifted for good)."""

    def __init__(self, total: int, per_address: int, reserve: int = RESERVE) -> None:
        self.total = total
        self.per_address = per_address
        self.reserve = reserve
        self.held: dict[str, int] = {}
        self.open = 0
        self.refused = 0
        self.lock = threading.Lock()

    @property
    def pool_size(self) -> int:
        return self.total + self.reserve + 16  # slack: a released greenlet ends a moment later

    def admit(self, address: str) -> bool:
        with self.lock:
            held = self.held.get(address, 0)
            room = self.total if held >= FEW else self.total + self.reserve
            if held >= self.per_address or self.open >= room:
                self.refused += 1
                return False
            self.held[address] = held + 1
            self.open += 1
            return True

    def release(self, address: str) -> None:
        with self.lock:
            self.open -= 1
            left = self.held.get(address, 1) - 1
            if left > 0:
                self.held[address] = left
            else:
                self.held.pop(address, None)


def limits_of(values: dict[str, Any]) -> AddressLimits:
    return AddressLimits(values["max_connections"], values["max_connections_per_address"])


def host_of(address: Any) -> str:
    return str(address[0]) if isinstance(address, tuple) else str(address)


def refuse(conn: Any) -> None:
    """Closes an accepted connection with a reset, not a FIN: nothing lingers in TIME_WAIT
    for the refused."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    conn.close()


def body_allowance(body_timeout: float, length: int) -> float:
    """Seconds a body of ``length`` bytes may take: the grace plus its time at
    MIN_BODY_RATE."""
    return body_timeout + length / MIN_BODY_RATE


class HeadTimeout(Exception):
    """A request's line and headers did not arrive in time."""


class BodyTimeout(RequestTimeout, OSError):
    """A request body arrived too slowly: 408 to the app (werkzeug answers it), an OSError
    to the server (it closes the connection)."""


Limit = Callable[[float, BaseException], AbstractContextManager[Any]]


class DeadlineFile:
    """A request body's file with one deadline for all its reads: a body trickled a byte at
    a time cannot hold its connection (or an upload slot) for longer than its allowance.
    ``limit(seconds, error)`` is the green server's timeout (eventlet's or gevent's
    ``Timeout``); ``handler.close_connection`` is set when the deadline passes."""

    def __init__(self, handler: Any, raw: Any, allowance: float, limit: Limit) -> None:
        self._handler = handler
        self._raw = raw
        self._limit = limit
        self._deadline = time.monotonic() + allowance
        self._expired = False

    def _call(self, method: str, *args: Any) -> Any:
        if self._expired:
            return b""
        # Past the deadline a read still gets bytes that already arrived (a body waiting in
        # the kernel's buffer is not slow); only a read that has to wait for more fails.
        left = max(self._deadline - time.monotonic(), 0.001)
        try:
            with self._limit(left, BodyTimeout("the request body arrived too slowly")):
                return getattr(self._raw, method)(*args)
        except BodyTimeout:
            self._expired = True
            self._handler.close_connection = True
            raise

    def read(self, *args: Any) -> Any:
        return self._call("read", *args)

    def readline(self, *args: Any) -> Any:
        return self._call("readline", *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)
