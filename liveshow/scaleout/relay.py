"""A phone worker's ``/audience``: phone sockets held here, what they do run by the show worker.

The namespace answers exactly as ``realtime/audience.py`` does (the same events, the same
acknowledgements), but every decision is the show worker's: a connect is checked there
(join code, device token, rate limits) and answered with its current state; a join,
submission, reaction or withdrawal is posted to it and its acknowledgement handed back.
Broadcasts from the show worker reach these phones through the message queue, into the
rooms joined here (``device:<id>`` for "featured" and "shown").

``/crew``, ``/display`` and ``/camera`` are refused with a reason: nginx sends them to the
show worker, so only a misrouted client (or one pointed at this worker's port) sees it.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, SocketIO, emit, join_room

from ..realtime.acks import error
from ..realtime.fanout import AUDIENCE, device_room
from .owner import RELAY_HEADER, relay_key
from .queue import ShowQueue

log = logging.getLogger("liveshow.relay")
RELAY_TIMEOUT = 15.0  # seconds: a submission's commit (fsync) on a loaded show worker
UNREACHABLE = "the show is not reachable right now: try again"

# sid -> device id, once the show worker said this phone has joined
_joined: dict[str, str] = {}
# sid -> the device this connection was opened for
_device: dict[str, str] = {}


def relay(action: str, body: dict[str, Any]) -> dict[str, Any]:
    """Post ``body`` (with the phone's address) to the show worker; its answer, or a
    retryable error when it cannot be reached (the phone keeps the work and resends it)."""
    url = f"{current_app.config['LIVESHOW_SHOW_WORKER']}/internal/phones/{action}"
    payload = json.dumps({**body, "address": request.remote_addr or "?"}).encode()
    call = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            RELAY_HEADER: relay_key(current_app.config["SECRET_KEY"]),
        },
    )
    try:
        with urllib.request.urlopen(call, timeout=RELAY_TIMEOUT) as answer:
            result = json.loads(answer.read())
    except (OSError, urllib.error.URLError, ValueError) as exc:
        log.warning("relay %s to the show worker failed: %s", action, exc)
        return error(UNREACHABLE, retry=True)
    return result if isinstance(result, dict) else error(UNREACHABLE, retry=True)


class PhoneRelayNamespace(Namespace):
    """``/audience`` on a phone worker."""

    def on_connect(self, auth: Any = None) -> None:
        answer = relay("connect", {"auth": auth if isinstance(auth, dict) else {}})
        if not answer.get("ok"):
            raise ConnectionRefusedError(answer.get("error") or UNREACHABLE)
        sid = request.sid  # type: ignore[attr-defined]
        device = str(answer["device"])
        _device[sid] = device
        if answer["welcome"].get("joined"):
            _joined[sid] = device
        join_room(device_room(device))
        emit("welcome", answer["welcome"])
        # No wait between choosing the state and sending it: a broadcast delivered while
        # the relay ran is never followed by an older state.
        queue = self.socketio.server.manager
        state = answer["state"]
        emit("state", queue.newest(state) if isinstance(queue, ShowQueue) else state)

    def on_disconnect(self, reason: Any = None) -> None:
        sid = request.sid  # type: ignore[attr-defined]
        _joined.pop(sid, None)
        _device.pop(sid, None)

    def on_join(self, data: Any = None) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        answer = relay("join", {"device": _device.get(sid), "data": data})
        if answer.get("ok") and sid in _device:
            _joined[sid] = _device[sid]
        return answer

    def on_submit(self, data: Any = None) -> dict[str, Any]:
        return self._relay("submit", data)

    def on_react(self, data: Any = None) -> dict[str, Any]:
        return self._relay("react", data)

    def on_withdraw(self, data: Any = None) -> dict[str, Any]:
        return self._relay("withdraw", data)

    def on_upvote(self, data: Any = None) -> dict[str, Any]:
        return self._relay("upvote", data)

    def on_questions(self, data: Any = None) -> dict[str, Any]:
        return self._relay("questions", data)

    def _relay(self, action: str, data: Any) -> dict[str, Any]:
        joined = _joined.get(request.sid)  # type: ignore[attr-defined]
        return relay(action, {"joined": joined, "data": data})


class ShowWorkerOnlyNamespace(Namespace):
    """The crew, displays and cameras belong on the show worker."""

    def on_connect(self, auth: Any = None) -> None:
        raise ConnectionRefusedError(
            "this worker holds phones only: the crew, displays and cameras connect to the "
            "show worker (through nginx, without the phone cookie)"
        )


def register(socketio: SocketIO) -> None:
    socketio.on_namespace(PhoneRelayNamespace(AUDIENCE))
    for namespace in ("/crew", "/display", "/camera"):
        socketio.on_namespace(ShowWorkerOnlyNamespace(namespace))
