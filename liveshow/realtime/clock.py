"""The show clock: fires due waits and follows, and writes the playback heartbeat."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask

log = logging.getLogger("liveshow.clock")


def clock_loop(app: Flask, socketio: Any, rounds: int | None = None) -> None:
    """Runs as a Socket.IO background task for the life of the server."""
    rt = app.extensions["liveshow"]
    tick = float(rt.settings["tick_interval"])
    every = float(rt.settings["heartbeat_interval"])
    last_beat = 0.0
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
            except Exception:  # the clock must keep running whatever one cue does
                log.exception("show clock tick failed")
