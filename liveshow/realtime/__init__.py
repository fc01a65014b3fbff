"""Socket.IO: one namespace class per surface, and the broadcast of every state change."""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask
from flask_socketio import SocketIO

from ..show import ShowEngine

PUBLIC_NAMESPACES = ("/display", "/audience")
_registered: set[int] = set()


def register_namespaces(socketio: SocketIO) -> None:
    """Namespaces are registered once per SocketIO object; init_app re-binds them per app."""
    if id(socketio) in _registered:
        return
    from .audience import AudienceNamespace
    from .crew import CrewNamespace
    from .display import DisplayNamespace
    socketio.on_namespace(CrewNamespace("/crew"))
    socketio.on_namespace(DisplayNamespace("/display"))
    socketio.on_namespace(AudienceNamespace("/audience"))
    _registered.add(id(socketio))


def emit_crew_state(app: Flask, to: str | None = None) -> None:
    from ..app import socketio
    rt = app.extensions["liveshow"]
    socketio.emit("state", rt.crew_state(), namespace="/crew", to=to)


def broadcaster(app: Flask) -> Callable[[ShowEngine], None]:
    """The engine listener: after each committed change, every client gets the new state."""
    from ..app import socketio

    def broadcast(engine: ShowEngine) -> None:
        public = app.extensions["liveshow"].public_state()
        for namespace in PUBLIC_NAMESPACES:
            socketio.emit("state", public, namespace=namespace)
        emit_crew_state(app)
    return broadcast


def ok(**extra: Any) -> dict[str, Any]:
    return {"ok": True, **extra}


def error(message: str) -> dict[str, Any]:
    return {"ok": False, "error": message}
