"""/crew: the dashboard drives the show. Every event is acknowledged {"ok": ...}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room

from ..audience.devices import AudienceError
from ..extensions import runtime
from ..filming.takes import TakeError
from ..filming.transitions import set_transition
from ..show import editing
from ..show.engine import CueError, ShowEngine
from ..web.auth import crew_session_room, password_attempt
from .acks import error, ok
from .camera import crew_camera_action, stop_key_previews
from .sync import crew_sync_retry


def _args(data: Any, *required: str) -> dict[str, Any]:
    if data is None and not required:
        return {}
    if not isinstance(data, dict):
        raise CueError(
            "expected an object of fields" + (f" with {', '.join(required)}" if required else "")
        )
    missing = [name for name in required if name not in data]
    if missing:
        raise CueError(f"missing field(s): {', '.join(missing)}")
    return data


def _act(
    action: Callable[[dict[str, Any]], dict[str, Any] | None], data: Any, *required: str
) -> dict[str, Any]:
    """Check the event's fields, run the action, and turn the outcome into an ack."""
    try:
        return ok(**(action(_args(data, *required)) or {}))
    except CueError as exc:
        return error(str(exc))


def _moderate(args: dict[str, Any]) -> dict[str, Any]:
    try:
        row = runtime().submissions.moderate(args["submission"], args["action"], "crew")
    except AudienceError as exc:
        raise CueError(str(exc)) from None
    return {"status": row["status"]}


def _rotate_join_code(args: dict[str, Any]) -> dict[str, Any]:
    rt = runtime()
    rt.rotate_join_code()
    return {"join_url": rt.join_url()}


def _take_credit(args: dict[str, Any]) -> dict[str, Any]:
    rt = runtime()
    try:
        take = rt.takes.credit(args["take"], args.get("operator"), args.get("performer"))
    except TakeError as exc:
        raise CueError(str(exc)) from None
    return {"take": take["id"]}


def _prompt_close(args: dict[str, Any]) -> dict[str, Any]:
    rt = runtime()
    closed = rt.prompts.close()
    if closed is None:
        raise CueError("no prompt is open")
    return {"prompt": closed}


def _preflight(args: dict[str, Any]) -> dict[str, Any]:
    return {"problems": runtime().preflight()}


def _save(args: dict[str, Any]) -> dict[str, Any]:
    rt = runtime()
    return {"path": str(editing.save_show(rt.engine, rt.data_dir / "show.yaml"))}


class CrewNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        given = auth.get("password") if isinstance(auth, dict) else None
        room = crew_session_room()
        if room is not None:  # logging that session out disconnects this socket
            join_room(room)
        else:
            refused = password_attempt(given, request.remote_addr or "?")
            if refused is not None:
                raise ConnectionRefusedError(refused)
        rt = runtime()
        emit("state", rt.crew_state())
        emit("submissions", {"items": rt.submissions.queue()})
        emit("cameras", {"cameras": rt.cameras.listing()})
        emit("takes", {"takes": rt.takes.listing()})

    def on_go(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: {"cue": engine().go().id}, data)

    def on_back(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: {"cue": engine().back().id}, data)

    def on_goto(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: {"cue": engine().goto(a["cue"], at=a.get("at")).id}, data, "cue")

    def on_stop_cue(self, data: Any = None) -> dict[str, Any]:
        return _act(
            lambda a: {"cue": a["cue"], "stopped": engine().stop_cue(a["cue"])}, data, "cue"
        )

    def on_blackout(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: engine().set_blackout(a["on"]), data, "on")

    def on_volume(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: engine().set_volume(a["level"]), data, "level")

    def on_panic(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: engine().panic(), data)

    def on_pause(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: engine().pause(), data)

    def on_resume(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: engine().resume(), data)

    def on_mode(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: engine().set_mode(a["mode"]), data, "mode")

    def on_cue_add(self, data: Any = None) -> dict[str, Any]:
        return _act(
            lambda a: {"cue": editing.add_cue(engine(), a["cue"], a.get("after"))}, data, "cue"
        )

    def on_cue_update(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: editing.update_cue(engine(), a["id"], a["cue"]), data, "id", "cue")

    def on_cue_move(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: editing.move_cue(engine(), a["id"], a["to"]), data, "id", "to")

    def on_cue_delete(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: editing.delete_cue(engine(), a["id"]), data, "id")

    def on_show_import(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: editing.import_show(engine(), a["text"]), data, "text")

    def on_show_export(self, data: Any = None) -> dict[str, Any]:
        return _act(lambda a: {"text": editing.export_text(engine())}, data)

    def on_show_save(self, data: Any = None) -> dict[str, Any]:
        return _act(_save, data)

    def on_preflight(self, data: Any = None) -> dict[str, Any]:
        return _act(_preflight, data)

    def on_moderate(self, data: Any = None) -> dict[str, Any]:
        return _act(_moderate, data, "submission", "action")

    def on_join_rotate(self, data: Any = None) -> dict[str, Any]:
        return _act(_rotate_join_code, data)

    def on_camera(self, data: Any = None) -> dict[str, Any]:
        if not isinstance(data, dict):
            return error('camera needs {"camera", "action"}')
        return crew_camera_action(data, request.sid)  # type: ignore[attr-defined]

    def on_camera_transition(self, data: Any = None) -> dict[str, Any]:
        return _act(
            lambda a: set_transition(engine(), a["cue"], a["transition"], a.get("seconds", 0)),
            data,
            "cue",
            "transition",
        )

    def on_disconnect(self, reason: Any = None) -> None:
        stop_key_previews(request.sid)  # type: ignore[attr-defined]

    def on_take_credit(self, data: Any = None) -> dict[str, Any]:
        return _act(_take_credit, data, "take")

    def on_sync_retry(self, data: Any = None) -> dict[str, Any]:
        return crew_sync_retry(data)

    def on_prompt_close(self, data: Any = None) -> dict[str, Any]:
        return _act(_prompt_close, data)


def engine() -> ShowEngine:
    return runtime().engine
