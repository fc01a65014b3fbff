"""Which rooms each client is in, kept as clients enter and leave them.

python-socketio (5.18) answers "which rooms is this client in?" by looking through every room
of the namespace: on every disconnect (to leave them) and on ``rooms()``. Every client has a
room of its own, and every phone a device room too, so with 3,000 phones each disconnect
looked through 6,000 rooms (a reconnect storm: quadratic, 28% of the server's CPU in py-spy)
and each ``join`` did the same to find its device. This index makes both a lookup.
Mixed into the manager the server uses (``IndexedManager``, and the Redis one past one
process).
"""

from __future__ import annotations

from typing import Any

import socketio


class RoomIndex:
    """A mixin for a python-socketio manager (before it in the bases)."""

    rooms: dict[str, dict[Any, Any]]
    callbacks: dict[str, Any]
    pending_connect: dict[str, list[str]]
    pending_disconnect: dict[str, list[str]]

    def _index(self) -> dict[tuple[str, str], set[Any]]:
        index = self.__dict__.get("_rooms_of")
        if index is None:
            index = self.__dict__["_rooms_of"] = {}
        return index  # type: ignore[no-any-return]

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self._index().setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        index = self._index()
        held = index.get((namespace, sid))
        if held is not None:
            held.discard(room)
            if not held:
                del index[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """As python-socketio's, with the client's rooms from the index."""
        if namespace not in self.rooms:
            return
        for room in list(self._index().get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self._index().pop((namespace, sid), None)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [room for room in self._index().get((namespace, sid), ()) if room is not None]


class IndexedManager(RoomIndex, socketio.Manager):  # type: ignore[misc]
    """python-socketio's in-process manager with the room index."""
