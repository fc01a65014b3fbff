"""HTTP API: public state, media (with range requests), QR codes, crew exports and checks."""

from __future__ import annotations

import hmac
import sqlite3
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from werkzeug.exceptions import InternalServerError

from ..audience import intake, joining, results
from ..audience.devices import AudienceError
from ..extensions import runtime
from ..realtime.fanout import tell
from ..realtime.guard import disk_full, failure_message
from ..show.editing import export_text
from .auth import crew_required, is_crew

bp = Blueprint("api", __name__)


@bp.get("/api/state")
def state() -> Any:
    """The whole public state for the crew and displays (``?key=`` or ``Authorization:
    Bearer`` with the display key); anyone else gets what a phone is told: no join URL,
    no next cue, no wall."""
    rt = runtime()
    public = rt.public_state()
    header = request.headers.get("Authorization", "")
    key = header[7:] if header.startswith("Bearer ") else request.args.get("key", "")
    if is_crew() or hmac.compare_digest(key.encode(), rt.settings["display_key"].encode()):
        return jsonify(public)
    return jsonify(anonymous_state(public))


HIDDEN = ("join_url", "next", "pending_cue")  # the room's door, and what comes next


def anonymous_state(public: dict[str, Any]) -> dict[str, Any]:
    """What anyone may read: what is on stage (a poll's bars, a cloud's words, a record's
    media), without the join URL, the cues to come or the wall's submissions."""
    out = {k: v for k, v in public.items() if k not in HIDDEN}
    if isinstance(out.get("cue"), dict) and "wall" in out["cue"]:
        out["cue"] = {k: v for k, v in out["cue"].items() if k != "wall"}
    return out


@bp.get("/media/<sha256>")
def media(sha256: str) -> Any:
    rt = runtime()
    path = rt.media.path_for(sha256)
    info = rt.media.info(sha256)
    if path is None or info is None:
        return {"error": "no such media"}, 404
    response = send_file(path, mimetype=info["mime"], conditional=True, etag=sha256, max_age=86400)
    response.headers["Accept-Ranges"] = "bytes"
    return response


@bp.get("/qr/join.svg")
def join_qr() -> Response:
    svg = joining.qr_svg(joining.join_url(runtime().settings))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.post("/api/submissions")
def submissions() -> Any:
    """A photo, drawing or recording from a phone (text and votes come over /audience)."""
    rt = runtime()
    header = request.headers.get("Authorization", "")
    device = rt.audience.by_token(header[7:] if header.startswith("Bearer ") else None)
    if device is None:
        return {"error": "join the show first: this upload has no valid audience token"}, 401
    if not (
        rt.limiter.allow("upload-ip", request.remote_addr or "?")
        and rt.limiter.allow("upload-device", device["id"])
    ):
        return (
            {"error": "too many uploads from this phone: wait a minute"},
            429,
            {"Retry-After": "10"},
        )
    # The body is received first (spooled to disk past 512 KB; a body slower than its
    # allowance is dropped, see body_timeout), so a phone trickling its upload holds no
    # slot. Then a few uploads are parsed and decoded at a time, in worker threads; the
    # rest wait their turn instead of all decoding at once while a cue needs broadcasting.
    body = intake.receive(
        request.stream,
        request.mimetype,
        request.mimetype_params,
        request.max_form_memory_size,
        request.max_form_parts,
    )
    try:
        answer = rt.submissions.submit_upload(device, body, rt.offload, rt.upload_slots)
    except AudienceError as exc:
        if exc.status == 503:  # the show's trouble (ffmpeg could not run): kept, sent again
            return {"error": str(exc), "retry": True}, 503, {"Retry-After": "5"}
        return {"error": str(exc)}, exc.status
    for event in answer.events:
        tell(event)
    return answer.body, answer.status


@bp.app_errorhandler(413)
def too_large(exc: Exception) -> Any:
    return {"error": "the upload is too big"}, 413


@bp.app_errorhandler(sqlite3.Error)
def not_saved(exc: sqlite3.Error) -> Any:
    """A database that cannot write (a full disk): 503, which phones and agents retry, in
    JSON like every other refusal (the traceback goes to the log)."""
    current_app.logger.error("%s %s failed", request.method, request.path, exc_info=exc)
    body = {"error": failure_message(exc), "retry": True}
    return body, 503, {"Retry-After": "5"}


@bp.app_errorhandler(500)
def failed(exc: InternalServerError) -> Any:
    """Any other failure inside the server, in JSON: a file that could not be written for
    want of space is a 503 like the database's (retried); anything else a 500 that says
    what failed (also retried: phones and agents keep the work). Flask has logged it."""
    cause = exc.original_exception or exc
    if disk_full(cause):
        body = {"error": failure_message(cause), "retry": True}
        return body, 503, {"Retry-After": "5"}
    return {"error": failure_message(cause), "retry": True}, 500


@bp.get("/crew/show.yaml")
@crew_required
def export_show() -> Response:
    rt = runtime()
    text = export_text(rt.engine)
    return Response(
        text,
        mimetype="application/x-yaml",
        headers={"Content-Disposition": 'attachment; filename="show.yaml"'},
    )


@bp.get("/crew/results.csv")
@crew_required
def export_results() -> Response:
    """The night's answers and counted votes, for a spreadsheet."""
    return Response(
        results.as_csv(runtime().store.db),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="results.csv"'},
    )


@bp.get("/api/preflight")
@crew_required
def preflight_report() -> Any:
    return {"problems": runtime().preflight()}


@bp.get("/api/events")
@crew_required
def events() -> Any:
    try:
        since = int(request.args.get("since", "0"))
    except ValueError:
        return {"error": "'since' must be a whole number (a rev)"}, 400
    return {"events": runtime().store.events_since(since)}
