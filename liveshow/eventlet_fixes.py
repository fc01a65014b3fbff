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

FEW = 4  # an address holding fewer connections than this (a crew laptop, a projector) ...
RESERVE = 64  # ... may use these connections past max_connections
MIN_BODY_RATE = 16 * 1024  # bytes a second a request body must average, after the grace
CONNECTION_BUFFER = 2048  # bytes: each connection's read and write buffers (GuardedProtocol)


class AddressLimits:
    """Connections open per address: a cap per address, a total, and a reserve so an
    address with only a few connections (the crew, the projectors) is never starved."""

    def __init__(self, total: int, per_address: int, reserve: int = RESERVE) -> None:
        self.total = total
        self.per_address = per_address
        self.reserve = reserve
        self.held: dict[str, int] = {}
        self.open = 0
        self.refused = 0

    @property
    def pool_size(self) -> int:
        return self.total + self.reserve + 16  # slack: a released greenlet ends a moment later

    def admit(self, address: str) -> bool:
        held = self.held.get(address, 0)
        room = self.total if held >= FEW else self.total + self.reserve
        if held >= self.per_address or self.open >= room:
            self.refused += 1
            return False
        self.held[address] = held + 1
        self.open += 1
        return True

    def release(self, address: str) -> None:
        self.open -= 1
        left = self.held.get(address, 1) - 1
        if left > 0:
            self.held[address] = left
        else:
            self.held.pop(address, None)


class GuardedListener:
    """The listening socket, refusing (closing at once) what ``limits`` does not admit, so
    eventlet's accept loop never blocks on a full pool."""

    def __init__(self, sock: Any, limits: AddressLimits) -> None:
        self._sock = sock
        self.limits = limits

    def accept(self) -> tuple[Any, Any]:
        import socket
        import struct

        while True:
            conn, address = self._sock.accept()
            if self.limits.admit(_host(address)):
                return conn, address
            try:  # a reset, not a FIN: nothing lingers in TIME_WAIT for the refused
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            conn.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _host(address: Any) -> str:
    return str(address[0]) if isinstance(address, tuple) else str(address)


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
                limits.release(_host(conn_state[0]))

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
                length = body.content_length or 0
                body.rfile = _DeadlineFile(self, body.rfile, body_timeout + length / MIN_BODY_RATE)
            return environ

    return GuardedProtocol


class HeadTimeout(Exception):
    """A request's line and headers did not arrive in time."""


def _body_timeout_error() -> type[Exception]:
    from werkzeug.exceptions import RequestTimeout

    class _BodyTimeout(RequestTimeout, OSError):  # type: ignore[misc]
        """408 to the app (werkzeug answers it); an OSError to eventlet (it closes)."""

    return _BodyTimeout


BodyTimeout = _body_timeout_error()


class _DeadlineFile:
    """A request body's file with one deadline for all its reads: a body trickled a byte at
    a time cannot hold its connection (or an upload slot) for longer than its allowance."""

    def __init__(self, protocol: Any, raw: Any, allowance: float) -> None:
        import time

        self._protocol = protocol
        self._raw = raw
        self._clock = time.monotonic
        self._deadline = time.monotonic() + allowance
        self._expired = False

    def _call(self, method: str, *args: Any) -> Any:
        from eventlet import Timeout

        if self._expired:
            return b""
        # Past the deadline a read still gets bytes that already arrived (a body waiting in
        # the kernel's buffer is not slow); only a read that has to wait for more fails.
        left = max(self._deadline - self._clock(), 0.001)
        try:
            with Timeout(left, BodyTimeout("the request body arrived too slowly")):
                return getattr(self._raw, method)(*args)
        except BodyTimeout:
            self._expired = True
            self._protocol.close_connection = 1
            raise

    def read(self, *args: Any) -> Any:
        return self._call("read", *args)

    def readline(self, *args: Any) -> Any:
        return self._call("readline", *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def serve(listener: Any, app: Any, values: dict[str, Any]) -> None:
    """eventlet's WSGI server on ``listener`` with our limits: a capped share of the
    connections per address (with room kept for the crew), head and body deadlines."""
    from eventlet import wsgi

    limits = AddressLimits(values["max_connections"], values["max_connections_per_address"])
    wsgi.server(
        GuardedListener(listener, limits),
        app,
        max_size=limits.pool_size,
        protocol=guarded_protocol(limits, values["header_timeout"], values["body_timeout"]),
        log_output=False,
    )
