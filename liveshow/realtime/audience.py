"""/audience: phones. They receive the public state; they cannot change the show."""
from __future__ import annotations

import hmac
from typing import Any

from flask_socketio import Namespace, emit

from ..app import runtime
from . import error


class AudienceNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        code = auth.get("code") if isinstance(auth, dict) else None
        expected = runtime().settings["join_code"]
        if not isinstance(code, str) or not hmac.compare_digest(code.encode(),
                                                                 expected.encode()):
            raise ConnectionRefusedError("this join code is not valid: scan the QR code again")
        emit("state", runtime().public_state())

    def on_join(self, data: Any = None) -> dict[str, Any]:
        return error("joining opens with the first audience prompt; none is set up yet")

    def on_submit(self, data: Any = None) -> dict[str, Any]:
        return error("no prompt is open")
