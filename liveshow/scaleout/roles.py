"""Which part this process plays: one process (no message queue), the show worker, or a
phone worker (``LIVESHOW_SHOW_WORKER`` set); the app factory asks here what to register."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import settings
from ..realtime import register_namespaces
from . import owner, relay
from .queue import socketio_options

_registered: set[int] = set()


def phones_only(values: dict[str, Any]) -> bool:
    return bool(values.get("show_worker"))


def namespaces(socketio: SocketIO, values: dict[str, Any]) -> None:
    """Every namespace, or on a phone worker the relaying ``/audience`` (once per process)."""
    if not phones_only(values):
        register_namespaces(socketio)
    elif id(socketio) not in _registered:
        relay.register(socketio)
        _registered.add(id(socketio))


def queue_options(values: dict[str, Any]) -> dict[str, Any]:
    """The message queue for ``SocketIO.init_app``, on a channel of this show's own."""
    channel = hashlib.sha256(str(settings.data_dir(values)).encode()).hexdigest()[:16]
    return socketio_options(values, channel)


def install(app: Flask, values: dict[str, Any]) -> None:
    """After ``init_app``: the proxy's addresses, the relay routes, a phone worker's limits."""
    if values.get("trust_proxy"):
        # nginx sets X-Forwarded-For to the phone's address (replacing any the phone sent)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    if not values.get("message_queue"):
        return
    owner.install(app)
    if phones_only(values):
        app.config["LIVESHOW_SHOW_WORKER"] = str(values["show_worker"]).rstrip("/")
        app.before_request(_phone_sockets_only)


def _phone_sockets_only() -> Any:
    """A phone worker's show state is not the show's: its pages and API stay shut (nginx
    sends every HTTP request to the show worker)."""
    if not request.path.startswith("/internal/"):
        return {"error": "this worker holds phone sockets only: ask the show worker"}, 404
    return None
