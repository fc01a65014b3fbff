"""The show worker's side of the relay: what a phone on a phone worker does, run here.

The show worker is the one writer, so a phone's join, submission, reaction or withdrawal
is run by the same domain calls as on ``/audience`` (``realtime/audience.py``), with the
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
from typing import Any

from flask import Blueprint, Flask, abort, current_app, request

from ..audience.devices import AudienceError
from ..audience.questions import Questions
from ..audience.terms import TERMS_TEXT, TERMS_VERSION
from ..audience.withdrawal import withdraw
from ..events import AudienceJoined, Reacted
from ..extensions import Runtime, runtime, socketio
from ..realtime.acks import error, ok
from ..realtime.audience import REACTIONS, upvote
from ..realtime.fanout import AUDIENCE, tell
from ..show.cues import PromptKind
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


def _limited(rt: Runtime, kind: str, address: str, device: str | None) -> bool:
    if not rt.limiter.allow(f"{kind}-ip", address):
        return True
    return device is not None and not rt.limiter.allow(f"{kind}-device", device)


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
    auth: dict[str, Any] = given if isinstance(given, dict) else {}
    code = auth.get("code")
    expected = rt.settings["join_code"]
    code_ok = isinstance(code, str) and hmac.compare_digest(code.encode(), expected.encode())
    known = rt.audience.by_token(auth.get("token"))
    if not code_ok and (known is None or known["id"] != auth.get("device") or known["banned"]):
        return error("this join link has expired: scan the QR code again")
    if _limited(rt, "connect", address, None):
        return error("too many connections: wait a moment")
    try:
        device = rt.audience.check_device(auth.get("device"))
    except AudienceError as exc:
        return error(str(exc))
    handle = None
    if known is not None and known["id"] == device and not known["banned"]:
        handle = known["handle"]
    welcome = {
        "joined": handle is not None,
        "handle": handle,
        "featured": rt.submissions.featured_for(device) if handle is not None else [],
        "terms": {"version": TERMS_VERSION, "text": TERMS_TEXT},
    }
    return ok(device=device, welcome=welcome, state=audience_state(rt.public_state()))


def join(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
    data, device = body.get("data"), body.get("device")
    if not isinstance(data, dict):
        return error("join needs {handle, consent}")
    if _limited(rt, "join", address, device):
        return error("too many attempts to join: wait a minute", retry=True)
    try:
        result = rt.audience.join(
            device, data.get("handle"), data.get("consent"), address, rt.offload
        )
    except AudienceError as exc:
        return error(str(exc))
    tell(AudienceJoined())
    return ok(**result)


def submit(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
    data, device_id = body.get("data"), body.get("joined")
    if _limited(rt, "event", address, device_id):
        return error("slow down: too many messages from this phone", retry=True)
    if device_id is None:
        return error("join the show first (pick a name and accept the terms)", retry=True)
    if not isinstance(data, dict):
        return error("submit needs {id, prompt, kind, text|option}")
    device = rt.audience.device(device_id)
    if device is None:
        return error("join the show first", retry=True)
    try:
        kind = data.get("kind")
        if kind == PromptKind.TEXT.value:
            answer = rt.submissions.submit_text(device, data, offload=rt.offload)
        elif kind == PromptKind.VOTE.value:
            answer = rt.submissions.submit_vote(device, data, rt.offload)
        elif kind == PromptKind.QUESTION.value:
            answer = rt.submissions.submit_text(device, data, PromptKind.QUESTION, rt.offload)
        else:
            return error(
                "over this connection, 'kind' is text, vote or question; photos, "
                "drawings and sounds are uploaded to /api/submissions"
            )
    except AudienceError as exc:
        return error(str(exc))
    for event in answer.events:
        tell(event)
    return ok(**answer.body)


def react(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
    data, device_id = body.get("data"), body.get("joined")
    if device_id is None:
        return error("join the show first", retry=True)
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in REACTIONS:
        return error(f"'kind' must be one of {', '.join(REACTIONS)}")
    if _limited(rt, "react", address, device_id):
        return error("slow down: one reaction a second")
    tell(Reacted(kind))
    return ok()


def withdraw_work(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
    data, device_id = body.get("data"), body.get("joined")
    if _limited(rt, "event", address, device_id):
        return error("slow down: too many messages from this phone", retry=True)
    if device_id is None:
        return error("join the show first", retry=True)
    if not isinstance(data, dict) or not isinstance(data.get("submission"), str):
        return error('withdraw needs {"submission": "<id>"}')
    try:
        row = withdraw(rt.submissions, device_id, data["submission"])
    except AudienceError as exc:
        return error(str(exc))
    return ok(submission=row["id"], status=row["status"])


def upvote_question(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
    data, device_id = body.get("data"), body.get("joined")
    if _limited(rt, "event", address, device_id):
        return error("slow down: too many messages from this phone", retry=True)
    device = rt.audience.device(device_id) if isinstance(device_id, str) else None
    if device is None:
        return error("join the show first", retry=True)
    try:
        return ok(**upvote(device, data))
    except AudienceError as exc:
        return error(str(exc))


def question_board(rt: Runtime, address: str, body: dict[str, Any]) -> dict[str, Any]:
    data, device_id = body.get("data"), body.get("joined")
    prompt = data.get("prompt") if isinstance(data, dict) else None
    row = rt.prompts.get(prompt) if isinstance(prompt, str) else None
    if row is None or row["kind"] != PromptKind.QUESTION.value:
        return error("that prompt takes no questions")
    questions = Questions(rt.submissions)
    mine = questions.upvoted_by(device_id, row["id"]) if isinstance(device_id, str) else []
    return ok(prompt=row["id"], questions=questions.board(row["id"]), upvoted=mine)


ACTIONS = {
    "connect": connect,
    "upvote": upvote_question,
    "questions": question_board,
    "join": join,
    "submit": submit,
    "react": react,
    "withdraw": withdraw_work,
}


def install(app: Flask) -> None:
    app.register_blueprint(bp)
