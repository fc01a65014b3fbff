"""Socket.IO: one namespace class per surface, and the broadcast of every state change."""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask, current_app
from flask_socketio import SocketIO

from ..show import ShowEngine
from ..snapshot import audience_state

_registered: set[int] = set()


def register_namespaces(socketio: SocketIO) -> None:
    """Namespaces are registered once per SocketIO object; init_app re-binds them per app."""
    if id(socketio) in _registered:
        return
    from .audience import AudienceNamespace
    from .camera import CameraNamespace
    from .crew import CrewNamespace
    from .display import DisplayNamespace
    socketio.on_namespace(CrewNamespace("/crew"))
    socketio.on_namespace(DisplayNamespace("/display"))
    socketio.on_namespace(AudienceNamespace("/audience"))
    socketio.on_namespace(CameraNamespace("/camera"))
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
        socketio.emit("state", public, namespace="/display")
        socketio.emit("state", audience_state(public), namespace="/audience")
        emit_crew_state(app)
    return broadcast


REFRESH_DELAY = 0.25    # seconds: votes and moderation coalesce into one display update


def refresh_displays_soon() -> None:
    """Send displays and crew the new state soon, once, however many votes arrive meanwhile."""
    from ..app import socketio
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    rt = app.extensions["liveshow"]
    if rt.refresh_pending:
        return
    rt.refresh_pending = True

    def refresh() -> None:
        socketio.sleep(REFRESH_DELAY)
        rt.refresh_pending = False
        with app.app_context():
            socketio.emit("state", rt.public_state(), namespace="/display")
            emit_crew_state(app)
    socketio.start_background_task(refresh)


def refresh_stats_soon() -> None:
    """Send the crew fresh counts (joined, per prompt) soon, once per burst."""
    from ..app import socketio
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    rt = app.extensions["liveshow"]
    if rt.stats_pending:
        return
    rt.stats_pending = True

    def send() -> None:
        socketio.sleep(REFRESH_DELAY)
        rt.stats_pending = False
        with app.app_context():
            socketio.emit("stats", rt.submissions.stats(), namespace="/crew")
    socketio.start_background_task(send)


def notify_new_submission(answer: Any) -> None:
    """Tell the crew about a new submission (moderation queue); votes move the poll bars."""
    from ..app import runtime, socketio
    from ..submissions import crew_item
    if answer.row is None:          # a repeat: nothing new
        return
    rt = runtime()
    refresh_stats_soon()
    if answer.row["kind"] == "vote":
        refresh_displays_soon()
        return
    socketio.emit("submission", crew_item(answer.row, rt.media), namespace="/crew")


def ok(**extra: Any) -> dict[str, Any]:
    return {"ok": True, **extra}


def error(message: str, retry: bool = False) -> dict[str, Any]:
    """A refusal. ``retry``: the same request may succeed later (rate limit, not joined yet),
    so a phone keeps the work queued instead of marking it rejected."""
    return {"ok": False, "error": message, **({"retry": True} if retry else {})}
