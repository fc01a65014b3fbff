"""The bytes on the wire for a light phone: an RFC 6455 websocket client over asyncio streams
(client frames masked, server frames read as they come), and one plain HTTP/1.1 POST.

Nothing here knows Socket.IO; ``phones`` speaks Engine.IO v4 / Socket.IO v5 on top."""

from __future__ import annotations

import asyncio
import base64
import os
import struct

TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class HandshakeError(Exception):
    """The server did not switch protocols (its status line is the message)."""


async def open_stream(
    host: str, port: int, source: str | None, timeout: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP connection from ``source`` (a loopback address such as 127.10.0.7), if given."""
    local = (source, 0) if source else None
    return await asyncio.wait_for(
        asyncio.open_connection(host, port, local_addr=local, limit=1 << 20), timeout
    )


async def websocket_upgrade(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int, path: str
) -> None:
    """Sends the upgrade request and reads the answer up to its blank line."""
    key = base64.b64encode(os.urandom(16)).decode()
    # LOADGEN_COOKIE: a cookie every phone sends, e.g. the phone cookie nginx sets on /join
    # (benchmarks/scale_out.py); inherited by the spawned client processes.
    cookie = os.environ.get("LOADGEN_COOKIE")
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 101 " not in status + " ":
        raise HandshakeError(status)


def mask(payload: bytes, key: bytes) -> bytes:
    """XOR with the 4-byte key, as one big integer operation (no per-byte Python loop)."""
    n = len(payload)
    if n == 0:
        return payload
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big")


def frame(payload: bytes, opcode: int = TEXT) -> bytes:
    """One final, masked client frame."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = os.urandom(4)
    return head + key + mask(payload, key)


async def read_message(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The next whole message (fragments joined) as (opcode, payload); control frames
    (ping, pong, close) come back on their own."""
    parts: list[bytes] = []
    first_opcode = None
    while True:
        b0, b1 = await reader.readexactly(2)
        opcode = b0 & 0x0F
        n = b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", await reader.readexactly(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", await reader.readexactly(8))
        key = await reader.readexactly(4) if b1 & 0x80 else None
        payload = await reader.readexactly(n) if n else b""
        if key:
            payload = mask(payload, key)
        if opcode >= 0x8:  # control frames may arrive between fragments
            return opcode, payload
        if first_opcode is None:
            first_opcode = opcode
        parts.append(payload)
        if b0 & 0x80:
            return first_opcode, b"".join(parts)


def multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes) -> tuple:
    """(body, content type) of a multipart/form-data request with one file."""
    boundary = "loadgen" + os.urandom(12).hex()
    chunks = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        chunks.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    chunks.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
    )
    chunks += [data, f"\r\n--{boundary}--\r\n".encode()]
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


async def post(
    host: str,
    port: int,
    source: str | None,
    path: str,
    body: bytes,
    content_type: str,
    headers: dict[str, str],
    timeout: float,
) -> tuple[int, bytes]:
    """One HTTP/1.1 POST on a fresh connection (Connection: close): (status, body)."""
    reader, writer = await open_stream(host, port, source, timeout)
    try:
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
            ).encode()
            + body
        )
        answer = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, rest = answer.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = 0
    return status, rest
