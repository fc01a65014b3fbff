"""What a phone may ask of the show, as plain functions: connect, join, submit, upvote, see
the Q&A board, react and withdraw.

Two callers run them: the ``/audience`` namespace (``realtime/audience.py``) for a phone
connected to this process, and the show worker's relay routes (``scaleout/owner.py``) for a
phone held by a phone worker. So a phone gets the same checks, the same rate limits (keyed
by its own address and device) and the same acknowledgement wherever it is connected.
``device_id`` is the device a connection has joined as (None before it joins).
"""

from __future__ import annotations

import hmac
from typing import Any

from ..audience.devices import AudienceError
from ..audience.joining import was_join_code
from ..audience.questions import Questions
from ..audience.terms import TERMS_TEXT, TERMS_VERSION
from ..audience.withdrawal import withdraw
from ..events import AudienceJoined, QuestionsChanged, Reacted
from ..extensions import Runtime
from ..show.cues import PromptKind
from .acks import error, ok
from .fanout import tell

REACTIONS = ("applause", "heart")
TOO_MANY_MESSAGES = "slow down: too many messages from this phone"


def limited(rt: Runtime, kind: str, address: str, device: str | None) -> bool:
    """Over the rate limit for ``kind``, by address or (when known) by device?"""
    if not rt.limiter.allow(f"{kind}-ip", address):
        return True
    return device is not None and not rt.limiter.allow(f"{kind}-device", device)


def admit(rt: Runtime, address: str, auth: dict[str, Any]) -> tuple[str, str | None]:
    """May this phone connect? Its device id, and its handle if it has joined before;
    AudienceError with the reason to show when refused."""
    code = auth.get("code")
    expected = rt.settings["join_code"]
    code_ok = isinstance(code, str) and hmac.compare_digest(code.encode(), expected.encode())
    known = rt.audience.by_token(auth.get("token"))
    # A phone that joined before the code was rotated keeps its place with its token.
    if not code_ok and (known is None or known["id"] != auth.get("device") or known["banned"]):
        if was_join_code(rt.store, code):
            raise AudienceError("this join link has expired: scan the QR code again")
        raise AudienceError("no show has this join code: check the code on the screen")
    if limited(rt, "connect", address, None):
        raise AudienceError("too many connections: wait a moment")
    device = rt.audience.check_device(auth.get("device"))
    if known is not None and known["id"] == device and not known["banned"]:
        return device, known["handle"]
    return device, None


def welcome(rt: Runtime, device: str, handle: str | None) -> dict[str, Any]:
    """The ``welcome`` a phone gets on connecting: joined or not, its work on screen, the terms."""
    return {
        "joined": handle is not None,
        "handle": handle,
        "featured": rt.submissions.featured_for(device) if handle is not None else [],
        "terms": {"version": TERMS_VERSION, "text": TERMS_TEXT},
    }


def join(rt: Runtime, address: str, device: str | None, data: Any) -> dict[str, Any]:
    """Join the show as ``device`` (the device the connection was opened for)."""
    if not isinstance(data, dict):
        return error("join needs {handle, consent}")
    if limited(rt, "join", address, device):
        return error("too many attempts to join: wait a minute", retry=True)
    try:
        result = rt.audience.join(
            device, data.get("handle"), data.get("consent"), address, rt.offload
        )
    except AudienceError as exc:
        return error(str(exc))
    tell(AudienceJoined())
    return ok(**result)


def submit(rt: Runtime, address: str, device_id: str | None, data: Any) -> dict[str, Any]:
    """A text answer, a vote or a question (photos, drawings and sounds go over HTTP)."""
    if limited(rt, "event", address, device_id):
        return error(TOO_MANY_MESSAGES, retry=True)
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


def upvote(rt: Runtime, address: str, device_id: str | None, data: Any) -> dict[str, Any]:
    """Q&A: upvote someone else's approved question, once per phone ({"up": false} takes it
    back), and tell the room. Rate-limited like votes."""
    if limited(rt, "event", address, device_id):
        return error(TOO_MANY_MESSAGES, retry=True)
    device = rt.audience.device(device_id) if isinstance(device_id, str) else None
    if device is None:
        return error("join the show first", retry=True)
    try:
        done = Questions(rt.submissions).upvote(device, data)
    except AudienceError as exc:
        return error(str(exc))
    tell(QuestionsChanged(done.prompt))
    return ok(question=done.question, votes=done.votes, up=done.up)


def question_board(rt: Runtime, address: str, device_id: str | None, data: Any) -> dict[str, Any]:
    """The open Q&A's board and the questions this phone upvotes (after a (re)connect)."""
    if limited(rt, "event", address, device_id):
        return error(TOO_MANY_MESSAGES, retry=True)
    prompt = data.get("prompt") if isinstance(data, dict) else None
    if not isinstance(prompt, str):
        return error('questions needs {"prompt": "<id>"}')
    row = rt.prompts.get(prompt)
    if row is None or row["kind"] != PromptKind.QUESTION.value:
        return error("that prompt takes no questions")
    questions = Questions(rt.submissions)
    mine = questions.upvoted_by(device_id, prompt) if isinstance(device_id, str) else []
    return ok(prompt=prompt, questions=questions.board(prompt), upvoted=mine)


def react(rt: Runtime, address: str, device_id: str | None, data: Any) -> dict[str, Any]:
    """Applause or a heart, floated up the projector (rate-limited, never stored)."""
    if device_id is None:
        return error("join the show first", retry=True)
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in REACTIONS:
        return error(f"'kind' must be one of {', '.join(REACTIONS)}")
    if limited(rt, "react", address, device_id):
        return error("slow down: one reaction a second")
    tell(Reacted(kind))
    return ok()


def withdraw_work(rt: Runtime, address: str, device_id: str | None, data: Any) -> dict[str, Any]:
    """Take back this phone's own work: off the wall and out of the outbox, or, if it was
    already sent, withdrawn from the catalogue too."""
    if limited(rt, "event", address, device_id):
        return error(TOO_MANY_MESSAGES, retry=True)
    if device_id is None:
        return error("join the show first", retry=True)
    if not isinstance(data, dict) or not isinstance(data.get("submission"), str):
        return error('withdraw needs {"submission": "<id>"}')
    try:
        row = withdraw(rt.submissions, device_id, data["submission"])
    except AudienceError as exc:
        return error(str(exc))
    return ok(submission=row["id"], status=row["status"])
