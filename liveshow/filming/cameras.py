"""Camera agents connected right now: their state, latest preview and programme frames.

Frames are held in memory only (the newest per camera). A projector showing a camera cue
reads them as an MJPEG stream; the agent sends full-size programme frames only while
someone is watching, and ~10 fps previews for the dashboard all the time.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from .tally import tally_message


class CameraState(str, enum.Enum):
    """A camera as the crew sees it. The agent reports the first four (its source's state);
    the server alone says ``disconnected``."""

    LIVE = "live"
    LOST = "lost"
    RETRYING = "retrying"
    STOPPED = "stopped"
    DISCONNECTED = "disconnected"


KEEPALIVE = 2.0  # seconds between repeats of the last frame while a camera is quiet


@dataclass
class CameraInfo:
    name: str
    sid: str | None
    address: str
    connected_at: float = field(default_factory=time.time)
    state: CameraState = CameraState.LIVE
    fps: float = 0.0
    dropped: int = 0
    recording: bool = False
    # server clock: when the take began (its status's recording_for ago; an older agent
    # sends none, and then it is when the take was first reported)
    recording_since: float | None = None
    keyed: bool = False
    source: str = ""
    problem: str | None = None
    disk_free: int | None = None  # bytes free for takes on the agent's machine
    backgrounds: list[str] = field(default_factory=list)  # submissions behind the performer
    background_period: float = 0.0  # seconds each stays up when they take turns
    tally: str = "off"  # the tally light it was last told: on_air, preview, off (tally.py)
    updated_at: float = field(default_factory=time.time)


class CameraRegistry:
    def __init__(self) -> None:
        self._cameras: dict[str, CameraInfo] = {}
        self._frames: dict[str, tuple[int, bytes]] = {}
        self.previews: dict[str, bytes] = {}
        self._changed = threading.Condition()
        self.viewers: dict[str, int] = {}
        self.previewing: dict[str, str] = {}  # camera -> the crew socket previewing its key
        # camera -> how many key preview commands (on or off) it has been sent: an "on" whose
        # answer comes back after a later command was sent does not own the preview
        self.preview_commands: dict[str, int] = {}

    def connect(self, name: str, sid: str, address: str) -> CameraInfo:
        info = CameraInfo(name=name, sid=sid, address=address)
        self._cameras[name] = info
        return info

    def disconnect(self, sid: str) -> CameraInfo | None:
        for info in self._cameras.values():
            if info.sid == sid:
                info.sid, info.state = None, CameraState.DISCONNECTED
                info.updated_at = time.time()
                return info
        return None

    def by_sid(self, sid: str) -> CameraInfo | None:
        return next((c for c in self._cameras.values() if c.sid == sid), None)

    def get(self, name: str) -> CameraInfo | None:
        return self._cameras.get(name)

    def connected(self) -> list[CameraInfo]:
        return [c for c in self._cameras.values() if c.sid is not None]

    def listing(self) -> list[dict[str, Any]]:
        return [
            {
                **asdict(c),
                "state": c.state.value,
                "sid": None,
                "viewers": self.viewers.get(c.name, 0),
            }
            for c in sorted(self._cameras.values(), key=lambda c: c.name)
        ]

    def retally(self, live: dict[str, str]) -> list[tuple[CameraInfo, dict[str, Any]]]:
        """Each connected camera whose tally light changed, with what to tell it (and it is
        taken as told). ``live``: camera -> the cue putting it on air (tally.on_air)."""
        changed = []
        for info in self.connected():
            message = tally_message(info.name, live, self.previewing)
            if message["tally"] != info.tally:
                info.tally = message["tally"]
                changed.append((info, message))
        return changed

    def put_frame(self, name: str, jpeg: bytes) -> None:
        with self._changed:
            seq = self._frames.get(name, (0, b""))[0] + 1
            self._frames[name] = (seq, jpeg)
            self._changed.notify_all()

    def frames(self, name: str, stop_after: float | None = None) -> Iterator[bytes]:
        """Yield each new programme frame of ``name`` (for an MJPEG response). While the
        camera sends nothing, the last frame is sent again every KEEPALIVE seconds: writing
        is the only way to notice that a viewer has gone (and to stop counting it)."""
        seen = 0
        started = last_sent = time.monotonic()
        while stop_after is None or time.monotonic() - started < stop_after:
            with self._changed:
                seq, jpeg = self._frames.get(name, (0, b""))
                if seq == seen:
                    self._changed.wait(1.0)
                    if not (jpeg and time.monotonic() - last_sent >= KEEPALIVE):
                        continue
            seen, last_sent = seq, time.monotonic()
            yield jpeg
