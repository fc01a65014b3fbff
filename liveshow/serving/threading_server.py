"""The threading mode's server (werkzeug's threaded WSGI server, as Flask-SocketIO runs it)
with the limits eventlet's has (``limits``): a capped share of the connections per address
at accept, a deadline for each request's head and one for its body.

A thread blocked in a read cannot be interrupted, so the deadlines are socket timeouts: each
read the connection's buffered file makes waits at most what is left of the deadline."""

from __future__ import annotations

import io
import socket
import time
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .limits import (
    LISTEN_BACKLOG,
    AddressLimits,
    BodyTimeout,
    body_allowance,
    host_of,
    limits_of,
    refuse,
)


class DeadlineSocket(io.RawIOBase):
    """A connection's socket, read with one deadline for the whole of a request's head or
    body (a client trickling a byte at a time still runs out of time). Past the head's
    deadline a read raises ``TimeoutError`` (the HTTP handler closes the connection), past
    the body's, ``BodyTimeout`` (408 to the application)."""

    def __init__(self, sock: socket.socket, handler: GuardedRequestHandler) -> None:
        self._sock = sock
        self._handler = handler
        self._deadline: float | None = None
        self._body = False

    def start(self, seconds: float, body: bool) -> None:
        self._deadline, self._body = time.monotonic() + seconds, body

    def stop(self) -> None:
        self._deadline = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._sock.fileno() < 0:  # a websocket that ended closed it: the end, not a fault
            self._handler.close_connection = True
            return 0
        if self._deadline is None:
            return self._sock.recv_into(buffer)
        self._sock.settimeout(max(self._deadline - time.monotonic(), 0.001))
        try:
            return self._sock.recv_into(buffer)
        except TimeoutError:
            self._handler.close_connection = True
            if self._body:
                raise BodyTimeout("the request body arrived too slowly") from None
            raise
        finally:
            self._sock.settimeout(None)  # a websocket reads the socket itself, untimed


class GuardedRequestHandler(WSGIRequestHandler):
    server: GuardedServer
    reader: DeadlineSocket

    def setup(self) -> None:
        super().setup()
        self.reader = DeadlineSocket(self.connection, self)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        self.reader.start(self.server.header_timeout, body=False)
        super().handle_one_request()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.reader.stop()  # the head is in
        return parsed

    def make_environ(self) -> Any:
        environ = super().make_environ()
        declared = str(environ.get("CONTENT_LENGTH") or "0")
        length = int(declared) if declared.isdigit() else 0
        if length or environ.get("wsgi.input_terminated"):
            self.reader.start(body_allowance(self.server.body_timeout, length), body=True)
        return environ

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass  # no access log, as under eventlet and gevent


class GuardedServer(ThreadedWSGIServer):
    """werkzeug's threaded server, refusing at accept (a reset) what ``limits`` does not
    admit; each connection's thread gives its address's place back when it ends."""

    request_queue_size = LISTEN_BACKLOG

    def __init__(self, app: Any, values: dict[str, Any]) -> None:
        self.limits: AddressLimits = limits_of(values)
        self.header_timeout: float = values["header_timeout"]
        self.body_timeout: float = values["body_timeout"]
        super().__init__(values["host"], values["port"], app, GuardedRequestHandler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        if self.limits.admit(host_of(client_address)):
            return True
        refuse(request)
        return False

    def shutdown_request(self, request: Any) -> None:
        if request.fileno() != -1:  # not one refuse() closed already
            super().shutdown_request(request)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.limits.release(host_of(client_address))


def serve(app: Any, values: dict[str, Any]) -> None:
    GuardedServer(app, values).serve_forever()
