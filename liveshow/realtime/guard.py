"""What every client message passes before a handler sees it, and what every message out
must be.

Out: strict JSON (no bare ``NaN``/``Infinity``, which browsers' ``JSON.parse`` and so the
Socket.IO client cannot read: one would make every dashboard and display reconnect in a
loop). In: a packet too deeply nested to decode becomes an event the guard refuses with an
acknowledgement, instead of being dropped without one.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import sqlite3
from typing import Any

import flask
from flask_socketio import ConnectionRefusedError
from socketio.packet import ACK

from ..audience.limits import Limit, RateLimiter
from .acks import error

log = logging.getLogger(__name__)

UNREADABLE = "\x00unreadable"  # the event name a packet that could not be decoded becomes


def strict_dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` with ``allow_nan=False``. A non-finite number that slipped past the
    checks at the entries is logged and sent as null rather than breaking every screen."""
    kwargs.pop("allow_nan", None)
    try:
        return json.dumps(obj, allow_nan=False, **kwargs)
    except ValueError:
        log.error("a non-finite number on its way out was sent as null")
        return json.dumps(finite_only(obj), allow_nan=False, **kwargs)


def finite_only(obj: Any) -> Any:
    """A copy of ``obj`` with every NaN and Infinity replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_only(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_only(v) for v in obj]
    return obj


def safe_loads(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that turns a nesting too deep for the decoder into ValueError (a
    RecursionError would escape every ``except ValueError`` on the way up)."""
    try:
        return json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


class PacketJSON:
    """The json module python-socketio encodes and decodes packets with."""

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return strict_dumps(obj, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        try:
            return json.loads(text, **kwargs)
        except RecursionError:
            # an event the guard answers (when the packet asked for an acknowledgement);
            # a ValueError is left alone: Engine.IO relies on it ("probe" is not JSON)
            return [UNREADABLE, "the message is nested too deeply"]


# ---- the guard in front of every namespace's handlers -----------------------------------

# Client events named like Socket.IO's own would reach on_connect/on_disconnect: a display
# would vanish from the crew's list while connected, a connect would re-run authentication.
RESERVED = frozenset({"connect", "disconnect", "connect_error", "message", UNREADABLE})

# Events a second per connection (rate, burst), every namespace: the handlers add their own
# per-device limits for phones. A camera sends ~10 previews and up to 30 programme frames a
# second; the crew may click fast; a display reports and pings now and then.
EVENT_LIMITS = {
    "/camera": Limit(rate=200.0, burst=400),
    "/crew": Limit(rate=100.0, burst=300),
    "/display": Limit(rate=10.0, burst=40),
    "/audience": Limit(rate=10.0, burst=40),
}
DEFAULT_LIMIT = Limit(rate=10.0, burst=40)


def install(server: Any, sessions_per_address: int) -> None:
    """Put the guard in front of ``server``'s (a python-socketio Server) event handling:
    a malformed, reserved, over-long or too-frequent event is refused with an error
    acknowledgement (when it asked for one) and never reaches a handler; and cap the
    Engine.IO sessions one address holds (a polling session holds no connection, so the
    cap at accept does not see it), whatever namespace they join, or none."""
    if getattr(server, "_liveshow_guarded", False):
        return
    _cap_sessions(server, sessions_per_address)
    limiter = RateLimiter({ns: limit for ns, limit in EVENT_LIMITS.items()} | {"*": DEFAULT_LIMIT})
    handle = server._handle_event

    def guarded(eio_sid: str, namespace: str | None, ack_id: int | None, data: Any) -> Any:
        namespace = namespace or "/"
        refusal = refusal_of(data)
        handlers = server.namespace_handlers.get(namespace)
        if refusal is None and handlers is not None and not hasattr(handlers, f"on_{data[0]}"):
            refusal = error(f"{namespace} has no event {data[0][:40]!r}")
        if refusal is None:
            sid = server.manager.sid_from_eio_sid(eio_sid, namespace) or eio_sid
            bucket = namespace if namespace in EVENT_LIMITS else "*"
            if not limiter.allow(bucket, f"{namespace} {sid}"):
                refusal = error("slow down: too many messages on this connection", retry=True)
        if refusal is None:
            return handle(eio_sid, namespace, ack_id, data)
        if ack_id is not None:
            server._send_packet(
                eio_sid,
                server.packet_class(ACK, namespace=namespace, id=ack_id, data=[refusal]),
            )
        return None

    server._handle_event = guarded
    server._liveshow_guarded = True


def refusal_of(data: Any) -> dict[str, Any] | None:
    """Why an event packet's ``data`` ([name, *arguments]) is refused, or None."""
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        return error("an event needs a name")
    name = data[0]
    if name == UNREADABLE:
        return error(str(data[1]) if len(data) > 1 else "the message could not be read")
    if name in RESERVED:
        return error(f"{name!r} is a reserved name, not an event")
    if len(data) > 2:
        return error(f"{name!r} takes one argument (an object), not {len(data) - 1}")
    return None


def _cap_sessions(server: Any, per_address: int) -> None:
    held: dict[str, int] = {}
    address_of: dict[str, str] = {}
    on_connect = server.eio.handlers["connect"]
    on_disconnect = server.eio.handlers["disconnect"]

    def connect(eio_sid: str, environ: dict[str, Any], *args: Any) -> Any:
        address = str(environ.get("REMOTE_ADDR") or "?")
        if held.get(address, 0) >= per_address:
            return False  # Engine.IO answers 401
        held[address] = held.get(address, 0) + 1
        address_of[eio_sid] = address
        return on_connect(eio_sid, environ, *args)

    def disconnect(eio_sid: str, *args: Any) -> Any:
        address = address_of.pop(eio_sid, None)
        if address is not None:
            left = held.get(address, 1) - 1
            if left > 0:
                held[address] = left
            else:
                held.pop(address, None)
        return on_disconnect(eio_sid, *args)

    server.eio.on("connect", connect)
    server.eio.on("disconnect", disconnect)


def failed_event(exc: Exception) -> dict[str, Any]:
    """Flask-SocketIO's handler for an event whose handler raised (``on_error_default``): the
    traceback goes to the log and the client gets an acknowledgement it can act on (a phone
    keeps its work queued and sends it again), instead of none. A database that cannot write
    (a full disk) is the case met on a show night. A connection whose check raised is
    refused, never let in unchecked."""
    event = getattr(flask.request, "event", None) or {}
    name = event.get("message") if isinstance(event, dict) else None
    namespace = getattr(flask.request, "namespace", None)
    log.error("%s %r failed", namespace, name, exc_info=exc)
    message = failure_message(exc)
    if name == "connect":
        raise ConnectionRefusedError(message, {"retry": True})
    return error(message, retry=True)


# A file write refused for want of space (EFBIG: a file-size limit, as the tests set one).
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL


def failure_message(exc: BaseException) -> str:
    """What a client is told of a request that failed inside the server (socket or HTTP)."""
    if isinstance(exc, sqlite3.Error):
        return f"the show could not save it ({exc}): try again"
    if disk_full(exc):
        assert isinstance(exc, OSError)
        return f"the show could not save it (its disk is full: {exc.strerror}): try again"
    # what went wrong is in the server's log; phones are not shown its insides
    return "the show hit a problem on its side (it is in the server's log): try again"
