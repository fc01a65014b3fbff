"""HTTP show control for button panels (Companion's generic HTTP module, a Stream Deck, a
script): ``POST /api/control/<action>`` and ``GET /api/control/status``, with
``Authorization: Bearer <LIVESHOW_CONTROL_TOKEN>``. Unset token: the API is off (404, as if
it were not there). No token: 401; a wrong one: 403. Bad input is a 4xx and changes nothing."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, request

from ..control.actions import ControlError, UnknownAction, perform, status
from ..extensions import runtime
from ..show.engine import CueError

bp = Blueprint("control", __name__)


def _refused() -> tuple[dict[str, str], int, dict[str, str]] | None:
    """None when the request carries the control token; else the answer to give."""
    token = runtime().settings.get("control_token")
    if not token:
        return {"error": "the control API is off: set LIVESHOW_CONTROL_TOKEN"}, 404, {}
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return (
            {"error": "the control API needs Authorization: Bearer <control token>"},
            401,
            {"WWW-Authenticate": 'Bearer realm="liveshow control"'},
        )
    if not hmac.compare_digest(header[7:].strip().encode(), str(token).encode()):
        return {"error": "wrong control token"}, 403, {}
    return None


@bp.post("/api/control/<action>")
def control(action: str) -> Any:
    refused = _refused()
    if refused is not None:
        return refused
    args = _arguments()
    if isinstance(args, str):
        return {"error": args}, 400
    rt = runtime()
    try:
        done = perform(rt.engine, rt.prompts, action, args, f"http:{request.remote_addr}")
    except UnknownAction as exc:
        return {"error": str(exc)}, 404
    except ControlError as exc:
        return {"error": str(exc)}, 400
    except CueError as exc:  # the show refused: nothing changed
        return {"error": str(exc), "rev": rt.engine.state.rev}, 409
    return {"ok": True, **done}


@bp.get("/api/control/status")
def control_status() -> Any:
    refused = _refused()
    if refused is not None:
        return refused
    rt = runtime()
    return status(rt.engine, rt.prompts)


def _arguments() -> dict[str, Any] | str:
    """A JSON object body (``{"cue": "intro"}``, ``{"on": true}``), or none; a panel that
    cannot send a body may put them in the query (``?cue=intro``, ``?on=1``)."""
    if request.get_data(cache=True):
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            return 'the body must be a JSON object, e.g. {"cue": "intro"}'
        return body
    args: dict[str, Any] = dict(request.args)
    if "on" in args:
        flag = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}
        if args["on"].lower() not in flag:
            return "on must be 1 or 0 (true or false)"
        args["on"] = flag[args["on"].lower()]
    return args
