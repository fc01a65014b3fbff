"""/camera: camera agents report state and send previews and programme frames; the crew
commands them through the server (record, stop, snapshot, key on/off, backgrounds)."""

from __future__ import annotations

import enum
import hmac
import math
import re
import time
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace

from ..events import CameraPreview, CamerasChanged, CameraWatched
from ..extensions import runtime, socketio
from ..filming.cameras import CameraInfo, CameraState
from ..show.cues import ID_PATTERN, PromptKind, SubmissionStatus
from .acks import error, ok
from .fanout import CAMERA, tell

COMMAND_TIMEOUT = 4.0  # seconds: under the dashboard's 5 s, so the crew hears why
HEX = re.compile(r"^#[0-9a-f]{6}$")
MAX_FRAME = 2_000_000  # bytes: a 1080p JPEG is well under this
STATUS_FIELDS = {
    "fps": float,
    "dropped": int,
    "recording": bool,
    "keyed": bool,
    "source": str,
    "problem": str,
}
# Numbers an agent reports, checked finite and in range before anything is kept: a NaN
# would be sent to every dashboard, whose JSON parser cannot read it.
STATUS_RANGES = {"fps": (0.0, 1000.0), "dropped": (0.0, 2.0**53)}


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
        rt.cameras.connect(name, request.sid, request.remote_addr or "?")  # type: ignore
        tell(CamerasChanged())
        if rt.cameras.viewers.get(name, 0) > 0:
            tell(CameraWatched(name))

    def on_disconnect(self, reason: Any = None) -> None:
        if runtime().cameras.disconnect(request.sid) is not None:  # type: ignore[attr-defined]
            tell(CamerasChanged())

    def on_status(self, data: Any = None) -> dict[str, Any]:
        info = runtime().cameras.by_sid(request.sid)  # type: ignore[attr-defined]
        if info is None or not isinstance(data, dict):
            return error("status needs an object")
        try:
            info.state = CameraState(data.get("state", info.state))
        except ValueError:
            return error(f"state must be one of {', '.join(s.value for s in CameraState)}")
        for field, (low, high) in STATUS_RANGES.items():
            value = data.get(field)
            if value is not None and not (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
                and low <= value <= high
            ):
                return error(f"'{field}' must be a number from {low:g} to {high:g}")
        was_recording = info.recording
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
        if info.recording and not was_recording:
            info.recording_since = info.updated_at
        elif not info.recording:
            info.recording_since = None
        tell(CamerasChanged())
        return ok()

    def on_preview(self, data: Any = None) -> None:
        info = runtime().cameras.by_sid(request.sid)  # type: ignore[attr-defined]
        if info is None or not _jpeg(data):
            return
        runtime().cameras.previews[info.name] = data
        tell(CameraPreview(info.name, data))

    def on_frame(self, data: Any = None) -> None:
        info = runtime().cameras.by_sid(request.sid)  # type: ignore[attr-defined]
        if info is not None and _jpeg(data):
            runtime().cameras.put_frame(info.name, data)


def _reported_backgrounds(info: CameraInfo, ids: Any, period: Any) -> None:
    """What the agent keys behind the performer, as it says (an older agent says nothing)."""
    if isinstance(ids, list) and len(ids) <= 50:
        if all(isinstance(i, str) and ID_PATTERN.match(i) for i in ids):
            info.backgrounds = list(ids)
    if isinstance(period, (int, float)) and not isinstance(period, bool) and 0 <= period <= 600:
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
    except TimeoutError:
        return error(f"camera {camera!r} did not answer")
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


EVERY_CAMERA = (CameraAction.RECORD, CameraAction.STOP)  # what "*" may ask
SHOWN = (SubmissionStatus.APPROVED.value, SubmissionStatus.FEATURED.value)
PICTURES = (PromptKind.PHOTO.value, PromptKind.DRAWING.value)


def crew_camera_action(args: dict[str, Any]) -> dict[str, Any]:
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
        settings = args.get("settings")
        return command(
            camera,
            "key",
            on=args["on"],
            settings=_key_settings(settings if isinstance(settings, dict) else {}),
        )
    if action is CameraAction.BACKGROUND:
        return _backgrounds(camera, args)
    if action is CameraAction.SNAPSHOT:
        return _snapshot(camera, args.get("prompt"))
    return command(camera, action.value)


def _key_settings(raw: dict[str, Any]) -> dict[str, float | str | None]:
    out: dict[str, float | str | None] = {}
    for name, low in (("similarity", 0.0), ("smoothness", 0.01), ("spill", 0.0)):
        value = raw.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= 1:
            out[name] = float(value)
    if raw.get("screen") in ("green", "blue"):
        out["screen"] = raw["screen"]
    colour = raw.get("key_colour")  # "#rrggbb" picked from the preview; null: sample it
    if (colour is None and "key_colour" in raw) or (isinstance(colour, str) and HEX.match(colour)):
        out["key_colour"] = colour
    return out


def _backgrounds(camera: str, args: dict[str, Any]) -> dict[str, Any]:
    """Approved audience pictures behind the performer: one, or a cycle."""
    rt = runtime()
    ids = args.get("submissions")
    if not isinstance(ids, list) or not ids or len(ids) > 50:
        return error('background needs {"submissions": [1 to 50 submission ids]}')
    images = []
    for sub_id in ids:
        row = rt.submissions.get(sub_id)
        if row is None or row["status"] not in SHOWN or row["kind"] not in PICTURES:
            return error(f"{sub_id!r} is not an approved photo or drawing")
        images.append({"submission": row["id"], "url": f"/media/{row['media_sha256']}"})
    period = args.get("period", 8.0)
    if isinstance(period, bool) or not isinstance(period, (int, float)) or not 1 <= period <= 600:
        return error("'period' must be 1 to 600 seconds")
    return command(camera, "background", images=images, period=float(period))


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
