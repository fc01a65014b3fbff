"""HTTP API: public state, media (with range requests), QR codes, crew exports and checks."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file

from . import joining
from .app import runtime
from .crew_auth import crew_required
from .editing import export_text
from .preflight import preflight

bp = Blueprint("api", __name__)


@bp.get("/api/state")
def state() -> Any:
    return jsonify(runtime().public_state())


@bp.get("/media/<sha256>")
def media(sha256: str) -> Any:
    rt = runtime()
    path = rt.media.path_for(sha256)
    info = rt.media.info(sha256)
    if path is None or info is None:
        return {"error": "no such media"}, 404
    response = send_file(path, mimetype=info["mime"], conditional=True, etag=sha256,
                         max_age=86400)
    response.headers["Accept-Ranges"] = "bytes"
    return response


@bp.get("/qr/join.svg")
def join_qr() -> Response:
    svg = joining.qr_svg(joining.join_url(runtime().settings))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.post("/api/submissions")
def submissions() -> Any:
    # Audience submissions arrive with the participation feature (prompts); until a prompt
    # cue exists there is nothing a submission could answer.
    return {"error": "no prompt is open: this server has no audience prompts yet"}, 409


@bp.get("/crew/show.yaml")
@crew_required
def export_show() -> Response:
    rt = runtime()
    text = export_text(rt.engine)
    return Response(text, mimetype="application/x-yaml", headers={
        "Content-Disposition": 'attachment; filename="show.yaml"'})


@bp.get("/api/preflight")
@crew_required
def preflight_report() -> Any:
    rt = runtime()
    return {"problems": [p.to_json() for p in preflight(rt.engine, rt.displays.names())]}


@bp.get("/api/events")
@crew_required
def events() -> Any:
    try:
        since = int(request.args.get("since", "0"))
    except ValueError:
        return {"error": "'since' must be a whole number (a rev)"}, 400
    return {"events": runtime().store.events_since(since)}
