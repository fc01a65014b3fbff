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


REFRESH_DELAY = 0.25    # seconds: a burst of votes or joins becomes one update


def _soon(name: str, send: Callable[[Flask, Any], None]) -> None:
    """Run ``send`` once, REFRESH_DELAY from now, however often this is called meanwhile."""
    from ..app import socketio
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    rt = app.extensions["liveshow"]
    if name in rt.pending_refresh:
        return
    rt.pending_refresh.add(name)

    def later() -> None:
        socketio.sleep(REFRESH_DELAY)
        rt.pending_refresh.discard(name)
        with app.app_context():
            send(app, rt)
    socketio.start_background_task(later)


def refresh_displays_soon() -> None:
    """Displays and crew get the new state (poll bars move) once per burst of votes."""
    from ..app import socketio

    def send(app: Flask, rt: Any) -> None:
        socketio.emit("state", rt.public_state(), namespace="/display")
        emit_crew_state(app)
    _soon("state", send)


def refresh_stats_soon() -> None:
    """The crew gets fresh counts (joined, per prompt) once per burst."""
    from ..app import socketio
    _soon("stats", lambda app, rt: socketio.emit("stats", rt.submissions.stats(),
                                                 namespace="/crew"))


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
