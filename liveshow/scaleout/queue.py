"""The message queue: Flask-SocketIO's Redis manager, remembering the newest phone state.

A phone worker answers a connecting phone with the show worker's state, fetched over HTTP;
a broadcast may overtake that answer on the way. Each worker keeps the newest ``state``
broadcast to ``/audience`` it has delivered, and a connecting phone is sent whichever is
newer, so no phone ever sees ``rev`` go back.
"""

from __future__ import annotations

from typing import Any

import socketio

from ..realtime.rooms import RoomIndex

AUDIENCE = "/audience"
CHANNEL_PREFIX = "liveshow"


class ShowQueue(RoomIndex, socketio.RedisManager):  # type: ignore[misc]
    """RedisManager that keeps the newest audience ``state`` it delivered (by ``rev``)."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel=channel)
        self.phone_state: dict[str, Any] | None = None

    def _handle_emit(self, message: dict[str, Any]) -> None:
        if (
            message.get("event") == "state"
            and message.get("namespace") == AUDIENCE
            and message.get("room") is None
            and not message.get("binary")
        ):
            self.remember(message["data"][0] if message["data"] else None)
        super()._handle_emit(message)

    def remember(self, state: Any) -> None:
        """Keep ``state`` if it is newer than the one kept (never go back)."""
        if isinstance(state, dict) and isinstance(state.get("rev"), int):
            if self.phone_state is None or state["rev"] > self.phone_state["rev"]:
                self.phone_state = state

    def newest(self, state: dict[str, Any]) -> dict[str, Any]:
        """``state`` (fresh from the show worker), or the kept one if a broadcast overtook it."""
        kept = self.phone_state
        if kept is not None and kept["rev"] > state.get("rev", -1):
            return kept
        self.remember(state)
        return state


def socketio_options(values: dict[str, Any], channel: str) -> dict[str, Any]:
    """Extra ``SocketIO.init_app`` options: the queue when ``LIVESHOW_MESSAGE_QUEUE`` is set.
    Workers of one show share ``channel`` (from its data directory), so two shows on one
    Redis never hear each other."""
    url = values.get("message_queue")
    if not url:
        return {}
    return {"client_manager": ShowQueue(url, f"{CHANNEL_PREFIX}:{channel}")}
