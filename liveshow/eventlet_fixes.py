"""A fix for eventlet's websocket server, applied when `liveshow serve` runs on eventlet.

eventlet (0.41) unmasks every incoming websocket frame one byte at a time in Python. A
camera agent sending 720p JPEG frames (~130 KB) at 20 fps then keeps the event loop busy
unmasking: /api/state took 8 s and clients were dropped. XOR-ing the frame as one big
integer does the same work in C.
"""

from __future__ import annotations

from typing import Any

from .serving.limits import (
    AddressLimits,
    BodyTimeout,
    DeadlineFile,
    HeadTimeout,
    body_allowance,
    host_of,
    limits_of,
    refuse,
)


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
    negotiate = websocket.WebSocketWSGI._negotiate_permessage_deflate
    websocket.WebSocketWSGI._negotiate_permessage_deflate = (  # type: ignore[method-assign]
        lambda self, extensions: deflate_terms(negotiate(self, extensions))
    )


# permessage-deflate, as browsers offer it ("permessage-deflate; client_max_window_bits"):
CLIENT_WINDOW_BITS = 10  # a phone sends pongs and short answers: a 1 KB window, not 32 KB


def deflate_terms(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """Our side of the compression a client offered. ``server_no_context_takeover`` (a
    server may always ask for it, RFC 7692 7.1.1.1): every message is compressed on its own,
    so one compressed broadcast frame fits every phone (realtime/wire.py). A client that
    lets us choose its window gets a small one: the server keeps a decompressor per
    connection, with a 32 KB window at the default."""
    if config is None:
        return None
    config["server_no_context_takeover"] = True
    if config.get("client_max_window_bits", 0) > CLIENT_WINDOW_BITS:
        config["client_max_window_bits"] = CLIENT_WINDOW_BITS
    return config


# ---- limits on what one address can hold (eventlet's WSGI server has none) --------------

CONNECTION_BUFFER = 2048  # bytes: each connection's read and write buffers (GuardedProtocol)


class GuardedListener:
    """The listening socket, refusing (closing at once) what ``limits`` does not admit, so
    eventlet's accept loop never blocks on a full pool."""

    def __init__(self, sock: Any, limits: AddressLimits) -> None:
        self._sock = sock
        self.limits = limits

    def accept(self) -> tuple[Any, Any]:
        while True:
            conn, address = self._sock.accept()
            if self.limits.admit(host_of(address)):
                return conn, address
            refuse(conn)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def guarded_protocol(limits: AddressLimits, header_timeout: float, body_timeout: float) -> type:
    """eventlet's HttpProtocol with a deadline for each request's head (request line and
    headers, and the idle wait before them on a kept-alive connection) and for its body
    (``body_timeout`` plus the time the body takes at MIN_BODY_RATE); each connection gives
    its address's place back to ``limits`` when it ends."""
    from eventlet import Timeout, wsgi

    class GuardedProtocol(wsgi.HttpProtocol):  # type: ignore[misc]
        _head_timer: Any = None
        # The request's buffered files live as long as the connection, and a websocket (every
        # phone) never uses them after its handshake: 8 KB + 16 KB each was ~25 KB a phone.
        # eventlet flushes after every write, so a bigger buffer saved no system calls.
        rbufsize = wbufsize = CONNECTION_BUFFER

        def __init__(self, conn_state: Any, server: Any) -> None:
            try:
                super().__init__(conn_state, server)
            except (HeadTimeout, BodyTimeout):
                pass  # the connection is closed by the server loop
            finally:
                limits.release(host_of(conn_state[0]))

        def handle_one_request(self) -> None:
            self._head_timer = Timeout(header_timeout, HeadTimeout())
            try:
                super().handle_one_request()
            finally:
                self._head_timer.cancel()

        def parse_request(self) -> bool:
            try:
                return bool(super().parse_request())
            finally:
                self._head_timer.cancel()

        def get_environ(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().get_environ()
            body = environ.get("wsgi.input")
            if body is not None and hasattr(body, "rfile"):
                allowance = body_allowance(body_timeout, body.content_length or 0)
                body.rfile = DeadlineFile(self, body.rfile, allowance, Timeout)
            return environ

    return GuardedProtocol


def serve(listener: Any, app: Any, values: dict[str, Any]) -> None:
    """eventlet's WSGI server on ``listener`` with our limits: a capped share of the
    connections per address (with room kept for the crew), head and body deadlines."""
    from eventlet import wsgi

    limits = limits_of(values)
    wsgi.server(
        GuardedListener(listener, limits),
        app,
        max_size=limits.pool_size,
        protocol=guarded_protocol(limits, values["header_timeout"], values["body_timeout"]),
        log_output=False,
    )
