"""/audience: phones join, answer text and vote prompts, and hear when they are on screen.

They receive the public state; they cannot change the show. Photos, drawings and
recordings go over HTTP (POST /api/submissions) instead.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room, rooms

from ..audience.devices import AudienceError
from ..audience.questions import Questions
from ..audience.terms import TERMS_TEXT, TERMS_VERSION
from ..audience.withdrawal import withdraw
from ..events import AudienceJoined, QuestionsChanged, Reacted
from ..extensions import runtime
from ..show.cues import PromptKind
from ..state import audience_state
from .acks import error, ok
from .fanout import AUDIENCE, device_room, tell

# sid -> device id, once the phone proved it holds the device's token (or just joined)
_joined: dict[str, str] = {}


REACTIONS = ("applause", "heart")


def _limited(kind: str, device: str | None) -> bool:
    rt = runtime()
    address = request.remote_addr or "?"
    if not rt.limiter.allow(f"{kind}-ip", address):
        return True
    return device is not None and not rt.limiter.allow(f"{kind}-device", device)


class AudienceNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        rt = runtime()
        auth = auth if isinstance(auth, dict) else {}
        code = auth.get("code")
        expected = rt.settings["join_code"]
        code_ok = isinstance(code, str) and hmac.compare_digest(code.encode(), expected.encode())
        known = rt.audience.by_token(auth.get("token"))
        # A phone that joined before the code was rotated keeps its place with its token.
        if not code_ok and (known is None or known["id"] != auth.get("device") or known["banned"]):
            raise ConnectionRefusedError("this join link has expired: scan the QR code again")
        if _limited("connect", None):
            raise ConnectionRefusedError("too many connections: wait a moment")
        try:
            device = rt.audience.check_device(auth.get("device"))
        except AudienceError as exc:
            raise ConnectionRefusedError(str(exc)) from None
        join_room(device_room(device))
        handle = None
        if known is not None and known["id"] == device and not known["banned"]:
            _joined[request.sid] = device  # type: ignore[attr-defined]
            handle = known["handle"]
        featured = rt.submissions.featured_for(device) if handle is not None else []
        emit(
            "welcome",
            {
                "joined": handle is not None,
                "handle": handle,
                "featured": featured,
                "terms": {"version": TERMS_VERSION, "text": TERMS_TEXT},
            },
        )
        emit("state", audience_state(rt.public_state()))

    def on_disconnect(self, reason: Any = None) -> None:
        _joined.pop(request.sid, None)  # type: ignore[attr-defined]

    def on_join(self, data: Any = None) -> dict[str, Any]:
        rt = runtime()
        if not isinstance(data, dict):
            return error("join needs {handle, consent}")
        device = _device_of_room()  # the device this connection was opened for
        if _limited("join", device):
            return error("too many attempts to join: wait a minute", retry=True)
        try:
            result = rt.audience.join(
                device,
                data.get("handle"),
                data.get("consent"),
                request.remote_addr or "?",
                rt.offload,
            )
        except AudienceError as exc:
            return error(str(exc))
        assert device is not None
        _joined[request.sid] = device  # type: ignore[attr-defined]
        tell(AudienceJoined())
        return ok(**result)

    def on_submit(self, data: Any = None) -> dict[str, Any]:
        rt = runtime()
        device_id = _joined.get(request.sid)  # type: ignore[attr-defined]
        if _limited("event", device_id):
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

    def on_upvote(self, data: Any = None) -> dict[str, Any]:
        """Q&A: upvote someone else's approved question, once per phone ({"up": false} takes
        it back). Rate-limited like votes."""
        device_id = _joined.get(request.sid)  # type: ignore[attr-defined]
        if _limited("event", device_id):
            return error("slow down: too many messages from this phone", retry=True)
        device = runtime().audience.device(device_id) if device_id is not None else None
        if device is None:
            return error("join the show first", retry=True)
        try:
            result = upvote(device, data)
        except AudienceError as exc:
            return error(str(exc))
        return ok(**result)

    def on_questions(self, data: Any = None) -> dict[str, Any]:
        """The open Q&A's board and the questions this phone upvotes (after a (re)connect)."""
        device_id = _joined.get(request.sid)  # type: ignore[attr-defined]
        if _limited("event", device_id):
            return error("slow down: too many messages from this phone", retry=True)
        prompt = data.get("prompt") if isinstance(data, dict) else None
        if not isinstance(prompt, str):
            return error('questions needs {"prompt": "<id>"}')
        rt = runtime()
        row = rt.prompts.get(prompt)
        if row is None or row["kind"] != PromptKind.QUESTION.value:
            return error("that prompt takes no questions")
        questions = Questions(rt.submissions)
        mine = questions.upvoted_by(device_id, prompt) if device_id is not None else []
        return ok(prompt=prompt, questions=questions.board(prompt), upvoted=mine)

    def on_react(self, data: Any = None) -> dict[str, Any]:
        """Applause or a heart, floated up the projector (rate-limited, never stored)."""
        device_id = _joined.get(request.sid)  # type: ignore[attr-defined]
        if device_id is None:
            return error("join the show first", retry=True)
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind not in REACTIONS:
            return error(f"'kind' must be one of {', '.join(REACTIONS)}")
        if _limited("react", device_id):
            return error("slow down: one reaction a second")
        tell(Reacted(kind))
        return ok()

    def on_withdraw(self, data: Any = None) -> dict[str, Any]:
        """Take back this phone's own work: off the wall and out of the outbox, or, if it
        was already sent, withdrawn from the catalogue too."""
        device_id = _joined.get(request.sid)  # type: ignore[attr-defined]
        if _limited("event", device_id):
            return error("slow down: too many messages from this phone", retry=True)
        if device_id is None:
            return error("join the show first", retry=True)
        return _withdraw(device_id, data)


def _withdraw(device_id: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("submission"), str):
        return error('withdraw needs {"submission": "<id>"}')
    try:
        row = withdraw(runtime().submissions, device_id, data["submission"])
    except AudienceError as exc:
        return error(str(exc))
    return ok(submission=row["id"], status=row["status"])


def upvote(device: dict[str, Any], data: Any) -> dict[str, Any]:
    """Apply an upvote (or its undoing) and tell the room; AudienceError when refused."""
    result = Questions(runtime().submissions).upvote(device, data)
    row = runtime().submissions.get(result["question"])
    if row is not None:
        tell(QuestionsChanged(str(row["prompt"])))
    return result


def _device_of_room() -> str | None:
    """The device this connection was opened for (its room names it)."""
    prefix = device_room("")
    for room in rooms(namespace=AUDIENCE):
        if room.startswith(prefix):
            return str(room[len(prefix) :])
    return None
