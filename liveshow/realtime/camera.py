"""/camera: camera agents report state and send previews and programme frames; the crew
commands them through the server (record, stop, snapshot, key on/off, backgrounds, a key
preview), and each agent is told its tally light."""

from __future__ import annotations

import enum
import hmac
import time
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, emit
from socketio import exceptions as socketio_errors

from ..events import (
    CameraKeyPreview,
    CameraPreview,
    CamerasChanged,
    CameraWatched,
    KeyPreviewChanged,
)
from ..extensions import runtime, socketio
from ..filming.cameras import CameraInfo, CameraState
from ..filming.key_settings import KeySettingsError, checked_key_settings
from ..filming.tally import on_air, tally_message
from ..show.cues import ID_PATTERN, PromptKind, SubmissionStatus
from ..show.finite import finite_in
from .acks import error, ok
from .fanout import CAMERA, tell

COMMAND_TIMEOUT = 4.0  # seconds: under the dashboard's 5 s, so the crew hears why
MAX_FRAME = 2_000_000  # bytes: a 1080p JPEG is well under this
STATUS_FIELDS = {
    "fps": float,
    "dropped": int,
    "recording": bool,
    "keyed": bool,
    "source": str,
    "problem": str,
    "disk_free": int,
}
# Numbers an agent reports, checked finite and in range before anything is kept: a NaN
# would be sent to every dashboard, whose JSON parser cannot read it. ``recording_for``
# (seconds the take has recorded, a day at most) is not kept: it places recording_since.
STATUS_RANGES = {
    "fps": (0.0, 1000.0),
    "dropped": (0.0, 2.0**53),
    "disk_free": (0.0, 2.0**53),
    "recording_for": (0.0, 86400.0),
}


class CameraNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        rt = runtime()
        auth = auth if isinstance(auth, dict) else {}
        key, name = auth.get("key"), auth.get("camera")
        expected = rt.settings["camera_key"]
        if not isinstance(key, str) or not hmac.compare_digest(key.encode(), expected.encode()):
            raise ConnectionRefusedError("wrong camera key")
        if not isinstance(name, str) or not ID_PATTERN.match(name):
            raise ConnectionRefusedError("camera name must be letters, digits, - and _")
        taken = rt.cameras.get(name)
        if taken is not None and taken.sid is not None:
            raise ConnectionRefusedError(
                f"a camera named {name!r} is already connected from "
                f"{taken.address}: give this one another --name"
            )
        info = rt.cameras.connect(name, request.sid, request.remote_addr or "?")  # type: ignore
        # Its tally light, at once: after a reconnect (or a server restart) too.
        message = tally_message(name, on_air(rt.engine), rt.cameras.previewing)
        info.tally = message["tally"]
        emit("tally", message)
        tell(CamerasChanged())
        if rt.cameras.viewers.get(name, 0) > 0:
            tell(CameraWatched(name))

    def on_disconnect(self, reason: Any = None) -> None:
        info = runtime().cameras.disconnect(request.sid)  # type: ignore[attr-defined]
        if info is not None:
            # its key preview ends with it (the agent drops it too); a dashboard still
            # previewing asks again once the camera is back
            runtime().cameras.previewing.pop(info.name, None)
            info.tally = "off"
            tell(CamerasChanged())

    def on_status(self, data: Any = None) -> dict[str, Any]:
        info = runtime().cameras.by_sid(request.sid)  # type: ignore[attr-defined]
        if info is None or not isinstance(data, dict):
            return error("status needs an object")
        try:
            state = CameraState(data.get("state", info.state))
        except ValueError:
            return error(f"state must be one of {', '.join(s.value for s in CameraState)}")
        for field, (low, high) in STATUS_RANGES.items():
            value = data.get(field)
            if value is not None and not finite_in(value, low, high):
                return error(f"'{field}' must be a number from {low:g} to {high:g}")
        info.state, was_recording = state, info.recording
        for field, kind in STATUS_FIELDS.items():
            value = data.get(field)
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if (
                value is not None
                and isinstance(value, kind)
                and not (kind is not bool and isinstance(value, bool))
            ):
                setattr(info, field, value if not isinstance(value, str) else value[:300])
        _reported_backgrounds(info, data.get("backgrounds"), data.get("background_period"))
        info.updated_at = time.time()
        _recording_since(info, was_recording, data.get("recording_for"))
        tell(CamerasChanged())
        return ok()

    def on_preview(self, data: Any = None) -> None:
        info = runtime().cameras.by_sid(request.sid)  # type: ignore[attr-defined]
        if info is None or not _jpeg(data):
            return
        runtime().cameras.previews[info.name] = data
        tell(CameraPreview(info.name, data))

    def on_key_preview(self, data: Any = None) -> None:
        info = runtime().cameras.by_sid(request.sid)  # type: ignore[attr-defined]
        crew = runtime().cameras.previewing.get(info.name) if info is not None else None
        if info is not None and crew is not None and _jpeg(data):
            tell(CameraKeyPreview(info.name, data, crew))

    def on_frame(self, data: Any = None) -> None:
        info = runtime().cameras.by_sid(request.sid)  # type: ignore[attr-defined]
        if info is not None and _jpeg(data):
            runtime().cameras.put_frame(info.name, data)


def _recording_since(info: CameraInfo, was_recording: bool, recording_for: Any) -> None:
    """When the take began, on the server's clock. The agent says how long it has recorded
    (checked in range already), so a take's age survives a reconnect or a server restart;
    an older agent does not, and the take is then dated from its first status here."""
    if not info.recording:
        info.recording_since = None
    elif recording_for is not None:
        info.recording_since = info.updated_at - float(recording_for)
    elif not was_recording:
        info.recording_since = info.updated_at


def _reported_backgrounds(info: CameraInfo, ids: Any, period: Any) -> None:
    """What the agent keys behind the performer, as it says (an older agent says nothing)."""
    if isinstance(ids, list) and len(ids) <= 50:
        if all(isinstance(i, str) and ID_PATTERN.match(i) for i in ids):
            info.backgrounds = list(ids)
    if finite_in(period, 0, 600):
        info.background_period = float(period)


def _jpeg(data: Any) -> bool:
    return isinstance(data, bytes) and 0 < len(data) <= MAX_FRAME and data[:3] == b"\xff\xd8\xff"


def command(camera: str, action: str, **fields: Any) -> dict[str, Any]:
    """Send one command to a connected agent and wait for its answer."""
    info = runtime().cameras.get(camera)
    if info is None or info.sid is None:
        return error(f"camera {camera!r} is not connected")
    try:
        answer = socketio.call(
            "command",
            {"action": action, **fields},
            to=info.sid,
            namespace=CAMERA,
            timeout=COMMAND_TIMEOUT,
        )
    except (TimeoutError, socketio_errors.TimeoutError):  # python-socketio's has no text
        return error(f"camera {camera!r} did not answer in {COMMAND_TIMEOUT:.0f} s")
    except Exception as exc:  # the agent went away mid-call
        return error(f"camera {camera!r}: {exc}")
    return answer if isinstance(answer, dict) else error(f"camera {camera!r}: bad answer")


class CameraAction(str, enum.Enum):
    """What the crew can ask of a camera (the `camera` event's ``action``)."""

    RECORD = "record"
    STOP = "stop"
    KEY = "key"
    BACKGROUND = "background"
    SNAPSHOT = "snapshot"
    PREVIEW = "preview"  # the key preview: trial settings and backgrounds, not on air


EVERY_CAMERA = (CameraAction.RECORD, CameraAction.STOP)  # what "*" may ask
SHOWN = (SubmissionStatus.APPROVED.value, SubmissionStatus.FEATURED.value)
PICTURES = (PromptKind.PHOTO.value, PromptKind.DRAWING.value)


def crew_camera_action(args: dict[str, Any], crew: str) -> dict[str, Any]:
    """The crew's `camera` event: one camera, or "*" for all (record/stop)."""
    rt = runtime()
    camera = args.get("camera")
    try:
        action = CameraAction(args.get("action"))
    except ValueError:
        return error(f"action must be one of {', '.join(a.value for a in CameraAction)}")
    if camera == "*":
        if action not in EVERY_CAMERA:
            return error("only record and stop can go to every camera at once")
        answers = {c.name: command(c.name, action.value) for c in rt.cameras.connected()}
        if not answers:
            return error("no camera is connected")
        failed = [f"{name}: {a.get('error')}" for name, a in answers.items() if not a.get("ok")]
        if failed:
            return {
                **error("not every camera obeyed (" + "; ".join(failed) + ")"),
                "cameras": answers,
            }
        return ok(cameras=answers)
    if not isinstance(camera, str):
        return error("'camera' must be a camera name or \"*\"")
    if action is CameraAction.KEY:
        if not isinstance(args.get("on"), bool):
            return error('key needs {"on": true|false} (and optional "settings")')
        try:  # as strict as the key preview's: a bad setting is refused, never dropped
            settings = checked_key_settings(args.get("settings"))
        except KeySettingsError as exc:
            return error(str(exc))
        return command(camera, "key", on=args["on"], settings=settings)
    if action is CameraAction.BACKGROUND:
        return _backgrounds(camera, args)
    if action is CameraAction.SNAPSHOT:
        return _snapshot(camera, args.get("prompt"))
    if action is CameraAction.PREVIEW:
        return _key_preview(camera, args, crew)
    return command(camera, action.value)


def _backgrounds(camera: str, args: dict[str, Any]) -> dict[str, Any]:
    """Approved audience pictures behind the performer: one, or a cycle."""
    try:
        images, period = _pictures(args)
    except ValueError as exc:
        return error(str(exc))
    return command(camera, "background", images=images, period=period)


def _pictures(args: dict[str, Any]) -> tuple[list[dict[str, Any]], float]:
    """The approved photos/drawings ``submissions`` names, and the cycle ``period``."""
    rt = runtime()
    ids = args.get("submissions")
    if not isinstance(ids, list) or not ids or len(ids) > 50:
        raise ValueError('background needs {"submissions": [1 to 50 submission ids]}')
    images = []
    for sub_id in ids:
        row = rt.submissions.get(sub_id) if isinstance(sub_id, str) else None
        if row is None or row["status"] not in SHOWN or row["kind"] not in PICTURES:
            raise ValueError(f"{sub_id!r} is not an approved photo or drawing")
        images.append({"submission": row["id"], "url": f"/media/{row['media_sha256']}"})
    period = args.get("period", 8.0)
    if not finite_in(period, 1, 600):
        raise ValueError("'period' must be 1 to 600 seconds")
    return images, float(period)


def _key_preview(camera: str, args: dict[str, Any], crew: str) -> dict[str, Any]:
    """The crew's key preview: the agent keys its real frames with these settings over
    these pictures (or the programme's) beside the programme, and answers with the first
    keyed picture; frames follow as `key_preview` to this dashboard until it turns it off.
    Everything is checked before the camera is asked: bad input changes nothing."""
    rt = runtime()
    on = args.get("on")
    if not isinstance(on, bool):
        return error('preview needs {"on": true|false} (and "settings", "submissions")')
    info = rt.cameras.get(camera)
    if info is None or info.sid is None:
        return error(f"camera {camera!r} is not connected")
    if not on:
        owner = rt.cameras.previewing.get(camera)
        if owner is not None and owner != crew:
            # another dashboard took the preview over: this one's is already over, and
            # its "off" must not end the other's
            return ok(note="another dashboard is previewing this camera now; it goes on there")
        _count_preview_command(camera)
        answer = command(camera, "preview", on=False)
        if rt.cameras.previewing.pop(camera, None) is not None:
            tell(KeyPreviewChanged())
        return answer
    try:
        settings = checked_key_settings(args.get("settings"))
        images, period = _pictures(args) if args.get("submissions") is not None else (None, 0.0)
    except ValueError as exc:  # KeySettingsError is one
        return error(str(exc))
    asked = info.sid
    sent = _count_preview_command(camera)
    answer = command(camera, "preview", on=True, settings=settings, images=images, period=period)
    if answer.get("ok"):
        # The dashboard (or the camera) may have gone while the agent keyed its first
        # picture: then nobody would ever turn this preview off, and its tally stays green.
        now = rt.cameras.get(camera)
        if now is None or now.sid != asked:
            return error(f"camera {camera!r} went away during the key preview")
        if rt.cameras.preview_commands.get(camera) != sent:
            # another dashboard turned it off (the agent has stopped) or on (its own answer
            # records it) while this one waited for the first picture
            return error("another dashboard changed this camera's key preview meanwhile")
        if not socketio.server.manager.is_connected(crew, "/crew"):
            _end_agent_preview(asked)
            return error("the key preview ended: its dashboard went away")
        rt.cameras.previewing[camera] = crew
        tell(KeyPreviewChanged())
    return answer


def stop_key_previews(crew: str) -> None:
    """A dashboard went away: the key previews it held stop (and their tally lights)."""
    rt = runtime()
    ended = [name for name, sid in rt.cameras.previewing.items() if sid == crew]
    for name in ended:
        del rt.cameras.previewing[name]
        info = rt.cameras.get(name)
        if info is not None and info.sid is not None:
            # a later command: another dashboard's "on" waiting for its first picture is
            # stopped by it, and must not be recorded when its answer comes
            _count_preview_command(name)
            _end_agent_preview(info.sid)
    if ended:
        tell(KeyPreviewChanged())


def _count_preview_command(camera: str) -> int:
    """Count a key preview command (on or off) sent to ``camera``; the new count. An "on"
    answered after a later command was sent does not own the preview."""
    commands = runtime().cameras.preview_commands
    commands[camera] = commands.get(camera, 0) + 1
    return commands[camera]


def _end_agent_preview(agent: str) -> None:
    socketio.emit("command", {"action": "preview", "on": False}, to=agent, namespace=CAMERA)


def _snapshot(camera: str, prompt: Any) -> dict[str, Any]:
    """A still from a camera goes to a photo prompt's wall, approved, credited to the camera."""
    rt = runtime()
    target = prompt if isinstance(prompt, str) else (rt.prompts.current() or {}).get("id")
    cue = rt.engine.cue(target) if isinstance(target, str) else None
    if cue is None or cue.prompt is None or cue.prompt.kind.value not in PICTURES:
        return error(
            'a snapshot goes to a photo prompt\'s wall: open one, or name it with {"prompt"}'
        )
    answer = command(camera, "snapshot")
    if not answer.get("ok") or not isinstance(answer.get("jpeg"), bytes):
        return answer if not answer.get("ok") else error("the camera sent no picture")
    row = rt.submissions.add_snapshot(camera, cue.id, answer["jpeg"], rt.offload)
    return ok(submission=row["id"])
