"""The outbox's sender as a background task of the running server, and the crew's Retry."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..events import SyncChanged
from ..extensions import runtime
from .acks import ok
from .fanout import tell


def sync_loop(app: Flask, socketio: Any, rounds: int | None = None) -> None:
    """Runs for the life of the server: drains the outbox whenever the catalogue answers
    (``liveshow.sync.service``); the crew's dashboard hears of every change of state."""
    service = app.extensions["liveshow"].sync

    def notify() -> None:
        with app.app_context():
            tell(SyncChanged(), app)

    service.sleep = socketio.sleep
    service.notify = notify
    service.run(rounds)


def crew_sync_retry(data: Any = None) -> dict[str, Any]:
    """``sync_retry``: failed rows back to pending; the sender tries at once."""
    service = runtime().sync
    if service.sender is None:
        return {"ok": False, "error": "no catalogue is configured (LIVESHOW_CATALOGUE_URL)"}
    requeued = service.retry()
    tell(SyncChanged())
    return ok(requeued=requeued)
