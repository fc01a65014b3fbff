"""OSC over real UDP on 127.0.0.x: a peer that sends packets (as QLab, a desk or Companion
would) and keeps every message it receives (replies, and what the server tells its
targets), so a test waits (bounded) for the one it needs."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def osc_packet(address: str, *args: Any) -> bytes:
    builder = OscMessageBuilder(address=address)
    for arg in args:
        builder.add_arg(arg)
    return bytes(builder.build().dgram)


class OscPeer:
    """A UDP socket bound to ``host`` (any free port) that sends and keeps what it hears."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.heard: list[tuple[str, list[Any]]] = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        while self.running:
            try:
                data, _ = self.sock.recvfrom(65535)
            except OSError:
                continue
            try:
                found = OscPacket(data).messages
            except Exception:
                continue
            for timed in found:
                with self.lock:
                    self.heard.append((timed.message.address, list(timed.message.params)))

    def send(self, port: int, address: str, *args: Any) -> None:
        self.sock.sendto(osc_packet(address, *args), ("127.0.0.1", port))

    def send_raw(self, port: int, data: bytes) -> None:
        self.sock.sendto(data, ("127.0.0.1", port))

    def messages(self, address: str | None = None) -> list[tuple[str, list[Any]]]:
        with self.lock:
            return [m for m in self.heard if address is None or m[0] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10.0) -> list[list[Any]]:
        """The arguments of the first ``count`` messages to ``address``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [args for a, args in self.messages() if a == address]
            if len(found) >= count:
                return found[:count]
            time.sleep(0.02)
        raise AssertionError(f"no {count}x {address} within {timeout} s; heard {self.messages()}")

    def reply(self, address: str, timeout: float = 10.0) -> dict[str, Any]:
        """The newest QLab-style reply to ``address``, as its JSON."""
        self.wait_for("/reply" + address, timeout=timeout)
        return json.loads(self.messages("/reply" + address)[-1][1][0])  # type: ignore[no-any-return]

    def forget(self) -> None:
        with self.lock:
            self.heard.clear()

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()
