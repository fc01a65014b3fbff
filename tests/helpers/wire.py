"""A websocket client read frame by frame off a plain TCP socket: it can offer
permessage-deflate (websocket-client cannot), stop reading to fill the server's buffers,
and stay silent to pings, which is what the wire tests need to look at."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
import zlib
from typing import Any

from tests.helpers.server import ServerProcess


class WireClient:
    def __init__(
        self,
        srv: ServerProcess,
        namespace: str,
        auth: dict[str, Any],
        extensions: str | None = None,
        receive_buffer: int | None = None,
    ) -> None:
        self.sock = socket.socket()
        if receive_buffer is not None:  # before connect, so the window starts small
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(15)
        self.sock.connect(("127.0.0.1", srv.port))
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            f"Host: 127.0.0.1:{srv.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Origin: {srv.url}",
        ]
        if extensions:
            lines.append(f"Sec-WebSocket-Extensions: {extensions}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        head = self._until(b"\r\n\r\n").decode()
        assert head.startswith("HTTP/1.1 101"), head
        self.headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(":") for line in head.split("\r\n")[1:])
        }
        self.compressed_frames = 0
        self.open = json.loads(self.recv()[1:])  # Engine.IO OPEN: sid, pingInterval...
        self.namespace = namespace
        self.send(f"40{namespace}," + json.dumps(auth))

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def recv(self) -> str:
        """The next text message (one frame: the server does not fragment)."""
        first, second = self._take(2)
        assert first & 0x80, "a fragmented frame"
        size = second & 0x7F
        if size == 126:
            size = struct.unpack("!H", self._take(2))[0]
        elif size == 127:
            size = struct.unpack("!Q", self._take(8))[0]
        body = self._take(size)
        if first & 0x40:  # compressed, each message on its own (server_no_context_takeover)
            self.compressed_frames += 1
            body = zlib.decompressobj(-15).decompress(body + b"\x00\x00\xff\xff")
        if first & 0x0F == 0x8:
            raise ConnectionError("the server sent a close frame")
        assert first & 0x0F == 0x1, f"opcode {first & 0x0F}"
        return body.decode()

    def send(self, text: str) -> None:
        data, mask = text.encode(), os.urandom(4)
        size = len(data)
        head = (
            struct.pack("!BB", 0x81, 0x80 | size)
            if size < 126
            else (struct.pack("!BBH", 0x81, 0x80 | 126, size))
        )
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + masked)

    def events(
        self, name: str, until: Any, answer_pings: bool = True, timeout: float = 15.0
    ) -> list[Any]:
        """Every ``name`` event's data in order, until ``until(data)`` is true for one."""
        prefix = f'42{self.namespace},["{name}",'
        seen: list[Any] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.recv()
            if message == "2" and answer_pings:
                self.send("3")
            elif message.startswith(prefix):
                seen.append(json.loads(message[len(f"42{self.namespace},") :])[1])
                if until(seen[-1]):
                    return seen
        raise AssertionError(f"no {name} event passed the test in {timeout} s")

    def closed_within(self, seconds: float) -> bool:
        """Reads (never answering a ping) until the server closes the connection."""
        deadline = time.monotonic() + seconds
        self.sock.settimeout(0.5)
        while time.monotonic() < deadline:
            try:
                self.recv()
            except TimeoutError:
                continue
            except (ConnectionError, OSError):
                return True
        return False

    def close(self) -> None:
        self.sock.close()
