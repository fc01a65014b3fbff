"""gevent's WSGI server (pywsgi, with gevent-websocket's handler, as Flask-SocketIO runs it)
with the limits eventlet's has (``limits``): a capped share of the connections per address
at accept, a deadline for each request's head and one for its body."""

from __future__ import annotations

from typing import Any

import gevent
from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler

from .limits import (
    LISTEN_BACKLOG,
    AddressLimits,
    DeadlineFile,
    body_allowance,
    host_of,
    limits_of,
    refuse,
)


class GuardedHandler(WebSocketHandler):  # type: ignore[misc]
    """A connection's requests, each head within ``header_timeout`` (the idle wait before
    it on a kept-alive connection included) and each body within its allowance."""

    server: GuardedServer
    _head_timer: gevent.Timeout | None = None

    def handle_one_request(self) -> Any:
        timer = self._head_timer = gevent.Timeout.start_new(self.server.header_timeout)
        try:
            return super().handle_one_request()
        except gevent.Timeout as exc:
            if exc is not timer:
                raise
            self.close_connection = True
            return None  # handle() closes the connection
        finally:
            timer.close()

    def get_environ(self) -> dict[str, Any]:
        if self._head_timer is not None:
            self._head_timer.close()  # the head is in; the application's time is its own
        environ: dict[str, Any] = super().get_environ()
        body = self.wsgi_input
        if body is not None:
            allowance = body_allowance(self.server.body_timeout, self.content_length or 0)
            body.rfile = DeadlineFile(self, body.rfile, allowance, gevent.Timeout)
        return environ


class GuardedServer(pywsgi.WSGIServer):  # type: ignore[misc]
    """pywsgi's server, refusing at accept (a reset) what ``limits`` does not admit; each
    connection gives its address's place back when it ends."""

    handler_class = GuardedHandler

    def __init__(self, listener: Any, app: Any, values: dict[str, Any]) -> None:
        super().__init__(listener, app, log=None, backlog=LISTEN_BACKLOG)
        self.limits: AddressLimits = limits_of(values)
        self.header_timeout: float = values["header_timeout"]
        self.body_timeout: float = values["body_timeout"]

    def do_read(self) -> Any:
        while True:
            accepted = super().do_read()
            if accepted is None or self.limits.admit(host_of(accepted[1])):
                return accepted
            refuse(accepted[0])

    def handle(self, sock: Any, address: Any) -> None:
        try:
            super().handle(sock, address)
        finally:
            self.limits.release(host_of(address))


def serve(app: Any, values: dict[str, Any]) -> None:
    GuardedServer((values["host"], values["port"]), app, values).serve_forever()
