"""Socket.IO: one namespace class per surface (``crew``, ``display``, ``audience``,
``camera``), the fan-out table (``fanout``) and the show clock (``clock``). Handlers parse,
call a plain function, and acknowledge with :func:`ok` or :func:`error`."""

from __future__ import annotations

from flask_socketio import SocketIO

from .audience import AudienceNamespace
from .camera import CameraNamespace
from .crew import CrewNamespace
from .display import DisplayNamespace

_registered: set[int] = set()


def register_namespaces(socketio: SocketIO) -> None:
    """Namespaces are registered once per SocketIO object; init_app re-binds them per app."""
    if id(socketio) in _registered:
        return
    socketio.on_namespace(CrewNamespace("/crew"))
    socketio.on_namespace(DisplayNamespace("/display"))
    socketio.on_namespace(AudienceNamespace("/audience"))
    socketio.on_namespace(CameraNamespace("/camera"))
    _registered.add(id(socketio))


__all__ = ["register_namespaces"]
