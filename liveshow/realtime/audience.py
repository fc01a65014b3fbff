"""/audience: phones join, answer text and vote prompts, and hear when they are on screen.

They receive the public state; they cannot change the show. Photos, drawings and
recordings go over HTTP (POST /api/submissions) instead. What each event does is in
``phone_actions`` (the show worker runs the same functions for a phone worker's phones).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room, rooms

from ..audience.devices import AudienceError
from ..extensions import runtime, socketio
from ..state import audience_state
from . import phone_actions
from .fanout import AUDIENCE, device_room

# sid -> device id, once the phone proved it holds the device's token (or just joined)
_joined: dict[str, str] = {}


def _address() -> str:
    return request.remote_addr or "?"


def _sid() -> str:
    return str(request.sid)  # type: ignore[attr-defined]


class AudienceNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        rt = runtime()
        try:
            device, handle = phone_actions.admit(
                rt, _address(), auth if isinstance(auth, dict) else {}
            )
        except AudienceError as exc:
            raise ConnectionRefusedError(str(exc)) from None
        join_room(device_room(device))
        if handle is not None:
            _joined[_sid()] = device
        emit("welcome", phone_actions.welcome(rt, device, handle))
        emit("state", audience_state(rt.public_state()))

    def on_disconnect(self, reason: Any = None) -> None:
        _joined.pop(_sid(), None)

    def on_join(self, data: Any = None) -> dict[str, Any]:
        device = _device_of_room()  # the device this connection was opened for
        answer = phone_actions.join(runtime(), _address(), device, data)
        if answer["ok"]:
            assert device is not None
            sid = _sid()
            _joined[sid] = device
            # The join commits off the event loop; a phone that disconnected meanwhile has
            # had its on_disconnect already, which found nothing to drop. Checked after the
            # entry is made, so a disconnect racing this (threading mode) drops it either way.
            if not socketio.server.manager.is_connected(sid, AUDIENCE):
                _joined.pop(sid, None)
        return answer

    def on_submit(self, data: Any = None) -> dict[str, Any]:
        return phone_actions.submit(runtime(), _address(), _joined.get(_sid()), data)

    def on_upvote(self, data: Any = None) -> dict[str, Any]:
        return phone_actions.upvote(runtime(), _address(), _joined.get(_sid()), data)

    def on_questions(self, data: Any = None) -> dict[str, Any]:
        return phone_actions.question_board(runtime(), _address(), _joined.get(_sid()), data)

    def on_react(self, data: Any = None) -> dict[str, Any]:
        return phone_actions.react(runtime(), _address(), _joined.get(_sid()), data)

    def on_withdraw(self, data: Any = None) -> dict[str, Any]:
        return phone_actions.withdraw_work(runtime(), _address(), _joined.get(_sid()), data)


def _device_of_room() -> str | None:
    """The device this connection was opened for (its room names it)."""
    prefix = device_room("")
    for room in rooms(namespace=AUDIENCE):
        if room.startswith(prefix):
            return str(room[len(prefix) :])
    return None
