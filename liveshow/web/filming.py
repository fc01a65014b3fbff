"""HTTP for the filming half: resumable take uploads, take records, live camera pictures."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from ..events import CameraWatched
from ..extensions import Runtime, runtime
from ..filming.take_uploads import UploadError
from ..filming.takes import TakeError
from ..realtime.fanout import tell
from ..show.cues import ID_PATTERN
from .auth import crew_required, is_crew

bp = Blueprint("camera_api", __name__)
BOUNDARY = "liveshowframe"


def _camera_key_ok() -> bool:
    header = request.headers.get("Authorization", "")
    given = header[7:] if header.startswith("Bearer ") else ""
    return hmac.compare_digest(given.encode(), runtime().settings["camera_key"].encode())


def camera_required(view: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _camera_key_ok():
            return {"error": "camera key required (Authorization: Bearer <key>)"}, 401
        return view(*args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _headers(exc: UploadError) -> dict[str, str]:
    """Where to resume, and for a 503 (ffmpeg could not run: the part is kept) when to ask."""
    headers = {} if exc.offset is None else {"Upload-Offset": str(exc.offset)}
    return {**headers, **({"Retry-After": "5"} if exc.status == 503 else {})}


@bp.route("/api/media/<sha256>", methods=["HEAD"])
@camera_required
def upload_status(sha256: str) -> Any:
    try:
        rt = runtime()
        progress = rt.uploads.resume(sha256, rt.offload)
    except UploadError as exc:
        return Response(status=exc.status, headers=_headers(exc))
    headers = {"Upload-Offset": str(progress.offset)}
    if progress.total is not None:
        headers["Upload-Length"] = str(progress.total)
    return Response(status=200 if progress.complete else 404, headers=headers)


@bp.put("/api/media/<sha256>")
@camera_required
def upload_part(sha256: str) -> Any:
    try:
        rt = runtime()
        progress = rt.uploads.receive(
            sha256,
            request.headers.get("Content-Range"),
            request.content_length,
            request.stream,
            rt.offload,
        )
    except UploadError as exc:
        body = {"error": str(exc), **({"retry": True} if exc.status == 503 else {})}
        return body, exc.status, _headers(exc)
    status = 201 if progress.complete else 202
    return (
        {"sha256": sha256, "complete": progress.complete, "offset": progress.offset},
        status,
        {"Upload-Offset": str(progress.offset)},
    )


@bp.post("/api/takes")
@camera_required
def register_take() -> Any:
    rt = runtime()
    try:
        status, take = rt.takes.register(request.get_json(silent=True))
    except TakeError as exc:
        return {"error": str(exc)}, exc.status
    return rt.takes.public(take), status


@bp.get("/api/takes")
@crew_required
def list_takes() -> Any:
    return {"takes": runtime().takes.listing()}


@bp.get("/camera/<name>/live.mjpg")
def live(name: str) -> Any:
    """The camera's programme picture as MJPEG, for a projector's camera cue."""
    rt = runtime()
    key = request.args.get("key", "")
    if not (is_crew() or hmac.compare_digest(key.encode(), rt.settings["display_key"].encode())):
        return {"error": "display key or crew login required"}, 403
    if not ID_PATTERN.match(name):
        return {"error": "bad camera name"}, 400
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return Response(
        _mjpeg(app, rt, name),
        mimetype=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
        headers={"Cache-Control": "no-store"},
    )


def _mjpeg(app: Flask, rt: Runtime, name: str) -> Iterator[bytes]:
    # Runs after the view returned (no app context): everything it needs is passed in.
    rt.cameras.viewers[name] = rt.cameras.viewers.get(name, 0) + 1
    tell(CameraWatched(name), app)
    try:
        for jpeg in rt.cameras.frames(name):
            yield (
                (
                    f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: "
                    f"{len(jpeg)}\r\n\r\n"
                ).encode()
                + jpeg
                + b"\r\n"
            )
    finally:
        rt.cameras.viewers[name] -= 1
        tell(CameraWatched(name), app)


@bp.get("/camera/<name>/preview.jpg")
@crew_required
def preview(name: str) -> Any:
    jpeg = runtime().cameras.previews.get(name)
    if jpeg is None:
        return {"error": f"no preview from camera {name!r}"}, 404
    return Response(jpeg, mimetype="image/jpeg", headers={"Cache-Control": "no-store"})
