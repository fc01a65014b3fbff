"""The show clock: fires due waits and follows, writes the playback heartbeat, and looks at
the data folder's free space (the crew's Disk badge) when nothing else would."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask

from ..events import DiskChanged
from .fanout import tell

log = logging.getLogger("liveshow.clock")
DISK_LOOK = 10.0  # seconds between looks at the data folder's free space
DISK_STEP = 10 * 1024 * 1024  # bytes the free space must move (or cross the floor) to tell


def clock_loop(app: Flask, socketio: Any, rounds: int | None = None) -> None:
    """Runs as a Socket.IO background task for the life of the server."""
    rt = app.extensions["liveshow"]
    tick = float(rt.settings["tick_interval"])
    every = float(rt.settings["heartbeat_interval"])
    last_beat = last_look = 0.0
    told: dict[str, int] | None = rt.disk()
    done = 0
    while rounds is None or done < rounds:
        done += 1
        socketio.sleep(tick)
        with app.app_context():
            try:
                rt.engine.tick()
                now = time.monotonic()
                if (
                    rt.engine.state.current
                    and not rt.engine.state.paused
                    and now - last_beat >= every
                ):
                    rt.engine.heartbeat()
                    last_beat = now
                if now - last_look >= DISK_LOOK:
                    last_look = now
                    told = look_at_disk(rt.disk(), told)
            except Exception:  # the clock must keep running whatever one cue does
                log.exception("show clock tick failed")


def look_at_disk(disk: dict[str, int] | None, told: dict[str, int] | None) -> dict[str, int] | None:
    """Tells the crew (a ``stats`` with ``disk``) when the free space has moved DISK_STEP or
    crossed the floor since it was last told; returns what the crew now knows."""
    if disk is None:
        return told
    if told is not None:
        crossed = (disk["free"] < disk["floor"]) != (told["free"] < told["floor"])
        if not crossed and abs(disk["free"] - told["free"]) < DISK_STEP:
            return told
    tell(DiskChanged())
    return disk
