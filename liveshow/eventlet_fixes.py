"""A fix for eventlet's websocket server, applied when `liveshow serve` runs on eventlet.

eventlet (0.41) unmasks every incoming websocket frame one byte at a time in Python. A
camera agent sending 720p JPEG frames (~130 KB) at 20 fps then keeps the event loop busy
unmasking: /api/state took 8 s and clients were dropped. XOR-ing the frame as one big
integer does the same work in C.
"""

from __future__ import annotations

from typing import Any


def apply_mask(data: Any, mask: Any, length: int | None = None, offset: int = 0) -> bytes:
    """Same contract as eventlet.websocket.RFC6455WebSocket._apply_mask, fast."""
    if length is None:
        length = len(data)
    chunk = bytes(data[:length])
    if not chunk:
        return b""
    key = bytes(mask[(offset + i) % 4] for i in range(4))
    stream = (key * (len(chunk) // 4 + 1))[: len(chunk)]
    mixed = int.from_bytes(chunk, "little") ^ int.from_bytes(stream, "little")
    return mixed.to_bytes(len(chunk), "little")


def install() -> None:
    from eventlet import websocket

    websocket.RFC6455WebSocket._apply_mask = staticmethod(apply_mask)  # type: ignore
