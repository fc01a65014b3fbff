"""/display: projector pages. They receive state; they cannot change the show."""

from __future__ import annotations

import hmac
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, emit

from ..events import DisplayReported, DisplaysChanged
from ..extensions import runtime
from ..show.cues import ID_PATTERN
from .acks import error, ok
from .fanout import tell


class DisplayNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        key, name = auth.get("key"), auth.get("name")
        expected = runtime().settings["display_key"]
        if not isinstance(key, str) or not hmac.compare_digest(key.encode(), expected.encode()):
            raise ConnectionRefusedError("wrong display key")
        if not isinstance(name, str) or not ID_PATTERN.match(name):
            raise ConnectionRefusedError("display name must be letters, digits, - and _")
        runtime().displays.add(request.sid, name, request.remote_addr or "?")  # type: ignore
        # How this server fades: settings, the same for the life of the server.
        emit("config", {"panic_fade": runtime().settings["panic_fade"]})
        # A reconnecting display says which rev it saw; a snapshot always brings it up to date.
        emit("state", runtime().public_state())
        tell(DisplaysChanged())

    def on_disconnect(self, reason: Any = None) -> None:
        if runtime().displays.remove(request.sid) is not None:  # type: ignore[attr-defined]
            tell(DisplaysChanged())

    def on_clock(self, data: Any = None) -> dict[str, Any]:
        """Clock sync: the display measures the round trip and our clock's offset."""
        return ok(
            server_time=runtime().engine.clock(),
            t=data.get("t") if isinstance(data, dict) else None,
        )

    def on_status(self, data: Any = None) -> dict[str, Any]:
        """The display reports what it shows and what it has preloaded."""
        info = runtime().displays.get(request.sid)  # type: ignore[attr-defined]
        if info is None:
            return error("not connected")
        if not isinstance(data, dict):
            return error("status needs an object")
        for field in ("showing", "preloaded", "problem"):
            value = data.get(field)
            if value is not None and (not isinstance(value, str) or len(value) > 300):
                return error(f"'{field}' must be a short text")
            setattr(info, field, value)
        rev = data.get("rev")
        if isinstance(rev, int) and not isinstance(rev, bool):
            info.rev = rev
        tell(DisplayReported())
        return ok()
