"""Light phones: Engine.IO v4 / Socket.IO v5 by hand over ``wire``'s websocket, many to a
process, each from its own loopback address.

Why not python-socketio's AsyncClient: measured on this machine (BENCHMARKS.md, "A full
house"), 1,000 of them cost several times the CPU of these to connect and to hold; with two
client processes beside the server on 2 cores, the clients' own cost would be what we
measure. A phone here does only what the audience app does on the wire: connects to
/audience with ``{"code", "device", "rev"}``, answers every Engine.IO ping, keeps the
newest ``state`` it was sent (its rev and cue id, with a ``time.monotonic()`` stamp:
system-wide on Linux, so comparable between processes), joins, votes, uploads a photo.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from . import wire

Stamp = Callable[["Phone"], float | None]


def source_address(index: int) -> str:
    """Phone ``index``'s own loopback address (Linux routes all of 127/8 to lo)."""
    return f"127.{10 + index // 62500}.{index // 250 % 250}.{index % 250 + 1}"


class Phone:
    """One phone's connection to a namespace (``/audience`` by default)."""

    def __init__(self, fleet: Fleet, index: int, namespace: str = "/audience") -> None:
        self.fleet = fleet
        self.index = index
        self.device = f"loadgen-phone-{index:08d}"
        self.address = source_address(index)
        self.namespace = namespace
        self.prefix = f"42{namespace},"
        self.ack_prefix = f"43{namespace},"
        self.writer: asyncio.StreamWriter | None = None
        self.connected = False
        self.token: str | None = None
        self.rev = 0
        self.rev_at: float | None = None  # first state of this rev on this connection
        self.cue: str | None = None
        self.cue_at: float | None = None  # when the cue on stage last changed, for this phone
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_ack = 0
        self.task: asyncio.Task[None] | None = None
        self.error: str | None = None

    async def connect(self, auth: dict[str, Any], timeout: float = 30.0) -> bool:
        """Opens the websocket and the namespace; True once the server accepted it."""
        fleet = self.fleet
        self.connected = False
        self.rev_at = None
        self.error = None
        try:
            reader, writer = await wire.open_stream(fleet.host, fleet.port, self.address, timeout)
            self.writer = writer
            await asyncio.wait_for(
                wire.websocket_upgrade(
                    reader, writer, fleet.host, fleet.port, "/socket.io/?EIO=4&transport=websocket"
                ),
                timeout,
            )
            opcode, payload = await asyncio.wait_for(wire.read_message(reader), timeout)
            if not payload.startswith(b"0{"):
                raise wire.HandshakeError(f"no Engine.IO open: {payload[:80]!r}")
            opened: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self.task = asyncio.create_task(self._read(reader, opened))
            self.send(f"40{self.namespace}," + json.dumps(auth))
            self.connected = await asyncio.wait_for(opened, timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, wire.HandshakeError) as e:
            self.error = f"{type(e).__name__}: {e}"[:200]
            self.drop()
        return self.connected

    def send(self, text: str) -> None:
        if self.writer is not None and not self.writer.is_closing():
            self.writer.write(wire.frame(text.encode()))

    async def call(self, event: str, data: Any, timeout: float = 30.0) -> Any:
        """Emits ``event`` with an ack id and returns the acknowledgement's first argument."""
        self.next_ack += 1
        ack_id = self.next_ack
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = future
        self.send(f"{self.prefix}{ack_id}" + json.dumps([event, data]))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.acks.pop(ack_id, None)

    def drop(self) -> None:
        """Closes the TCP connection at once, as a phone losing the Wi-Fi would (no goodbye)."""
        self.connected = False
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()
        self.task = None

    async def _read(self, reader: asyncio.StreamReader, opened: asyncio.Future[bool]) -> None:
        try:
            while True:
                opcode, payload = await wire.read_message(reader)
                if opcode == wire.PING:
                    if self.writer is not None:
                        self.writer.write(wire.frame(payload, wire.PONG))
                elif opcode == wire.CLOSE:
                    break
                elif opcode == wire.TEXT:
                    self._packet(payload.decode(), opened)
        except (OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            raise
        finally:
            if not opened.done():
                opened.set_result(False)
            self.connected = False

    def _packet(self, text: str, opened: asyncio.Future[bool]) -> None:
        now = time.monotonic()
        if text == "2":  # Engine.IO ping from the server (v4): answer pong
            self.send("3")
        elif text.startswith(self.prefix):
            event, *args = json.loads(text[len(self.prefix) :])
            if event == "state" and args:
                self._state(args[0], now)
        elif text.startswith(self.ack_prefix):
            body = text[len(self.ack_prefix) :]
            digits = len(body) - len(body.lstrip("0123456789"))
            future = self.acks.get(int(body[:digits])) if digits else None
            if future is not None and not future.done():
                answer = json.loads(body[digits:])
                future.set_result(answer[0] if answer else None)
        elif text.startswith(f"40{self.namespace},"):
            if not opened.done():
                opened.set_result(True)
        elif text.startswith(f"44{self.namespace},"):
            self.error = text[len(self.namespace) + 3 :][:200]
            if not opened.done():
                opened.set_result(False)
        elif text.startswith("1"):  # Engine.IO close
            self.drop()

    def _state(self, state: dict[str, Any], now: float) -> None:
        rev = int(state.get("rev") or 0)
        if rev != self.rev or self.rev_at is None:
            self.rev, self.rev_at = rev, now
        cue = state.get("cue")
        cue_id = cue.get("id") if isinstance(cue, dict) else None
        if cue_id != self.cue:
            self.cue, self.cue_at = cue_id, now
        self.fleet.heard(self)


class Fleet:
    """The phones of one client process, and a wait for a condition on all of them."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.phones: list[Phone] = []
        self._stamp: Stamp | None = None
        self._hits: set[int] = set()
        self._want = 0
        self._done = asyncio.Event()

    def heard(self, phone: Phone) -> None:
        if self._stamp is not None and phone.index not in self._hits:
            if self._stamp(phone) is not None:
                self._hits.add(phone.index)
                if len(self._hits) >= self._want:
                    self._done.set()

    async def wait_all(self, stamp: Stamp, timeout: float) -> list[float | None]:
        """Waits (at most ``timeout``) until ``stamp(phone)`` is a time for every phone;
        returns each phone's stamp (None: never)."""
        self._hits = {p.index for p in self.phones if stamp(p) is not None}
        self._want = len(self.phones)
        self._done.clear()
        self._stamp = stamp
        if len(self._hits) < self._want:
            try:
                await asyncio.wait_for(self._done.wait(), timeout)
            except TimeoutError:
                pass
        self._stamp = None
        return [stamp(p) for p in self.phones]
