"""The show worker's side of the relay: what a phone on a phone worker does, run here.

The show worker is the one writer, so a phone's join, submission, reaction or withdrawal
is run by the same functions as on ``/audience`` (``realtime/phone_actions.py``), with the
same rate limits keyed by the phone's own address and device, and answered with the
acknowledgement the phone gets. Submissions keep their ids, so a relay that fails on the
way is retried by the phone and stored once (a repeat id gets the first answer).

Routes under ``/internal/`` exist only with a message queue, need the relay key (derived
from the show's secret key, which every worker reads from the shared data directory) and
are never proxied by nginx.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, abort, current_app, request

from ..audience.devices import AudienceError
from ..extensions import Runtime, runtime, socketio
from ..realtime import phone_actions
from ..realtime.acks import error, ok
from ..realtime.fanout import AUDIENCE
from ..state import audience_state

RELAY_HEADER = "X-Liveshow-Relay"

bp = Blueprint("scaleout", __name__)


def relay_key(secret_key: str) -> str:
    """What a phone worker shows the show worker: an HMAC of the show's secret key."""
    return hmac.new(secret_key.encode(), b"liveshow phone relay", hashlib.sha256).hexdigest()


def _check_key() -> None:
    expected = relay_key(current_app.config["SECRET_KEY"])
    if not hmac.compare_digest(request.headers.get(RELAY_HEADER, ""), expected):
        abort(403)


@bp.post("/internal/phones/<action>")
def phone_action(action: str) -> dict[str, Any]:
    _check_key()
    body = request.get_json(silent=True)
    if runtime().settings["show_worker"] or not isinstance(body, dict) or action not in ACTIONS:
        abort(404)  # a phone worker's show state is not the show's: only the show worker runs

    address = str(body.get("address") or "?")
    return ACTIONS[action](runtime(), address, body)


@bp.get("/internal/worker")
def worker_status() -> dict[str, Any]:
    """This worker's role and the phones it holds (for the test, the benchmark, an operator)."""
    phones = sum(1 for _ in socketio.server.manager.get_participants(AUDIENCE, None))
    role = "phones" if runtime().settings["show_worker"] else "show"
    return {"role": role, "phones": phones}


def connect(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
    """May this phone connect? The welcome and the current state if so."""
    given = body.get("auth")
    try:
        device, handle = phone_actions.admit(rt, address, given if isinstance(given, dict) else {})
    except AudienceError as exc:
        return error(str(exc))
    welcome = phone_actions.welcome(rt, device, handle)
    return ok(device=device, welcome=welcome, state=audience_state(rt.public_state()))


def join(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
    return phone_actions.join(rt, address, body.get("device"), body.get("data"))


def _as_joined(
    action: Callable[[Runtime, str, str | None, Any], dict[str, Any]],
) -> Callable[[Runtime, str, dict[str, Any]], dict[str, Any]]:
    """A relayed action of a phone that may have joined: ``joined`` names its device."""

    def run(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
        joined = body.get("joined")
        return action(rt, address, joined if isinstance(joined, str) else None, body.get("data"))

    return run


ACTIONS = {
    "connect": connect,
    "upvote": _as_joined(phone_actions.upvote),
    "questions": _as_joined(phone_actions.question_board),
    "join": join,
    "submit": _as_joined(phone_actions.submit),
    "react": _as_joined(phone_actions.react),
    "withdraw": _as_joined(phone_actions.withdraw_work),
}


def install(app: Flask) -> None:
    app.register_blueprint(bp)
