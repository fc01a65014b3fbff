"""Where a camera's frames come from: a USB device, a video file, a network stream, or the
built-in synthetic studio.

Every source delivers frames of exactly the size it was opened with (cover-cropped if the
device or file has another shape), so the recorders and the keyer downstream are set up once.
Every source reports loss instead of raising: `read()` returns None and `lost` says why
(the file ended, the stream stopped, the device was unplugged). A `ReconnectingSource`
wraps an opener and keeps trying, with capped backoff, reporting live/lost/retrying.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from ...filming.cameras import CameraState
from .synthetic import Scene

__all__ = [
    "Frame",
    "FrameSource",
    "SourceError",
    "SourceState",
    "CaptureSource",
    "SyntheticSource",
    "ReconnectingSource",
    "open_source",
    "cover",
]

log = logging.getLogger(__name__)

STREAM_TIMEOUT_MS = 5000  # a network stream silent this long counts as stopped (and the
# longest a read() of a stream can block)
LIVE_FAILURES_BEFORE_LOST = 3  # a device may drop one read; three in a row is an unplug
SCHEDULE_SLACK = 2  # frames behind before a paced source skips (a camera's few buffers)


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR uint8, exactly the source's height x width
    timestamp: float  # time.monotonic() when it was captured
    index: int  # frame number since the source opened (gaps = frames the source skipped)
    mask: np.ndarray | None = None  # ground-truth performer mask (synthetic source only)


class SourceError(Exception):
    """A source cannot be opened; the message says which and why."""


# A source is live, lost or retrying: the camera states the agent reports, defined once.
SourceState = CameraState


class FrameSource(Protocol):
    width: int
    height: int
    fps: float
    lost: str | None  # why frames stopped coming, or None while they come

    @property
    def is_live(self) -> bool:
        """True while frames are coming (not lost, not waiting to reconnect)."""

    @property
    def finished(self) -> bool:
        """True when no frame will ever come again (a lost source that will not retry)."""

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...

    def describe(self) -> str: ...


def cover(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale `image` to fill width x height, cropping the overflow (CSS object-fit: cover)."""
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    scale = max(width / w, height / h)
    sw, sh = max(width, round(w * scale)), max(height, round(h * scale))
    shrink = scale < 1
    resized = cv2.resize(
        image, (sw, sh), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    )
    x0, y0 = (sw - width) // 2, (sh - height) // 2
    return np.ascontiguousarray(resized[y0 : y0 + height, x0 : x0 + width])


class _Pacer:
    """Holds a non-live source to its frame rate; skips ahead rather than bursting."""

    def __init__(self, fps: float, enabled: bool) -> None:
        self.period = 1.0 / fps
        self.enabled = enabled
        self.start = time.monotonic()
        self.ticks = 0

    def wait(self) -> int:
        """Sleep until the next frame is due; return how many frame slots were missed."""
        self.ticks += 1
        if not self.enabled:
            return 0
        due = self.start + self.ticks * self.period
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
            return 0
        missed = int((now - due) / self.period)
        if missed >= SCHEDULE_SLACK:  # a slow consumer: drop frames like a camera would
            self.ticks += missed
            return missed
        return 0


class CaptureSource:
    """An OpenCV VideoCapture: a V4L2 device, a file, or an rtsp/http(s) stream."""

    def __init__(
        self, spec: str, width: int, height: int, fps: float, *, realtime: bool = True
    ) -> None:
        self.spec, self.width, self.height = spec, width, height
        self.lost: str | None = None
        self.kind = _kind_of(spec)
        self._cap = self._open(fps)
        native_fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = native_fps if self.kind == "file" and 1 <= native_fps <= 240 else fps
        self._pacer = _Pacer(self.fps, realtime and self.kind == "file")
        self._index = 0
        self._failures = 0

    def _open(self, fps: float) -> cv2.VideoCapture:
        if self.kind == "device":
            cap = cv2.VideoCapture(int(self.spec), cv2.CAP_V4L2)
            # Without MJPG, USB webcams fall to 5-10 fps at 720p/1080p (raw YUYV over USB 2).
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            cap.set(cv2.CAP_PROP_FPS, fps)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones
        elif self.kind == "stream":
            cap = cv2.VideoCapture(
                self.spec,
                cv2.CAP_FFMPEG,
                [
                    cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                    STREAM_TIMEOUT_MS,
                    cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                    STREAM_TIMEOUT_MS,
                ],
            )
        else:
            if not Path(self.spec).is_file():
                raise SourceError(f"video file '{self.spec}' not found")
            cap = cv2.VideoCapture(self.spec, cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open {self.kind} '{self.spec}'")
        return cap

    @property
    def is_live(self) -> bool:
        return self.lost is None

    @property
    def finished(self) -> bool:
        return self.lost is not None

    def read(self) -> Frame | None:
        if self.lost is not None:
            return None
        while True:
            ok, image = self._cap.read()
            if ok and image is not None:
                break
            self._failures += 1
            # A stream's failed read already waited STREAM_TIMEOUT_MS: that is the loss.
            if self.kind != "device" or self._failures >= LIVE_FAILURES_BEFORE_LOST:
                self._mark_lost()
                return None
        self._failures = 0
        self._pacer.wait()  # a file read late just plays late: its index stays its frame number
        self._index += 1
        return Frame(cover(image, self.width, self.height), time.monotonic(), self._index - 1)

    def _mark_lost(self) -> None:
        self.lost = {
            "file": "the video file ended",
            "stream": "the stream stopped sending frames",
            "device": "the camera stopped sending frames (unplugged?)",
        }[self.kind]
        log.info("%s: %s", self.describe(), self.lost)
        self._cap.release()

    def close(self) -> None:
        self._cap.release()
        if self.lost is None:
            self.lost = "closed"

    def describe(self) -> str:
        return f"{self.kind} {self.spec} ({self.width}x{self.height} @ {self.fps:g} fps)"


def _kind_of(spec: str) -> str:
    if spec.isdigit():
        return "device"
    if spec.lower().startswith(
        ("rtsp://", "rtsps://", "http://", "https://", "udp://", "srt://", "rtmp://")
    ):
        return "stream"
    return "file"


class SyntheticSource:
    """The synthetic studio as a camera; each frame carries its ground-truth mask."""

    def __init__(
        self,
        width: int,
        height: int,
        fps: float,
        *,
        moving: bool = True,
        screen: str = "green",
        realtime: bool = True,
        max_frames: int | None = None,
    ) -> None:
        self.width, self.height, self.fps = width, height, fps
        self.moving, self.max_frames = moving, max_frames
        self.lost: str | None = None
        self.scene = Scene(width, height, fps, moving=moving, screen=screen)
        self.skipped = 0  # frames the consumer was too slow to take (as a camera drops them)
        self._pacer = _Pacer(fps, realtime)
        self._index = 0

    @property
    def is_live(self) -> bool:
        return self.lost is None

    @property
    def finished(self) -> bool:
        return self.lost is not None

    def read(self) -> Frame | None:
        if self.lost is not None:
            return None
        if self.max_frames is not None and self._index >= self.max_frames:
            self.lost = "the synthetic clip ended"
            return None
        missed = self._pacer.wait()
        exposed = time.monotonic()  # before rendering, as a sensor stamps its exposure
        self.skipped += missed
        self._index += missed
        shot = self.scene.render(self._index)
        self._index += 1
        return Frame(shot.image, exposed, self._index - 1, shot.mask)

    def close(self) -> None:
        if self.lost is None:
            self.lost = "closed"

    def describe(self) -> str:
        motion = "moving" if self.moving else "still"
        return f"synthetic:{motion} ({self.width}x{self.height} @ {self.fps:g} fps)"


def open_source(
    spec: str, width: int, height: int, fps: float, *, realtime: bool = True
) -> FrameSource:
    """Open a camera source. `spec`: a device index ("0"), a video file path, an
    rtsp:// or http(s):// URL, or "synthetic" / "synthetic:moving" / "synthetic:still" /
    "synthetic:blue". Raises SourceError if it cannot be opened."""
    if width <= 0 or height <= 0 or fps <= 0:
        raise SourceError(f"bad capture format {width}x{height} @ {fps} fps")
    if spec == "synthetic" or spec.startswith("synthetic:"):
        options = set(spec.split(":")[1:])
        unknown = options - {"moving", "still", "blue", "green"}
        if unknown:
            raise SourceError(f"unknown synthetic option(s): {', '.join(sorted(unknown))}")
        return SyntheticSource(
            width,
            height,
            fps,
            moving="still" not in options,
            screen="blue" if "blue" in options else "green",
            realtime=realtime,
        )
    return CaptureSource(spec, width, height, fps, realtime=realtime)


StateCallback = Callable[[SourceState, str], None]


class ReconnectingSource:
    """Keeps a source coming back: when it is lost, reopen it with capped exponential
    backoff. `on_state(state, detail)` hears every change (live, lost, retrying).
    `max_attempts` bounds the retries after each loss (None: keep trying, as a show camera
    may be replugged at any time). read() never sleeps longer than `poll` seconds, so the
    capture loop stays responsive to stop()."""

    def __init__(
        self,
        opener: Callable[[], FrameSource],
        width: int,
        height: int,
        fps: float,
        *,
        on_state: StateCallback | None = None,
        first_delay: float = 0.5,
        max_delay: float = 8.0,
        max_attempts: int | None = None,
        poll: float = 0.1,
    ) -> None:
        self.width, self.height, self.fps = width, height, fps
        self._opener, self._on_state = opener, on_state
        self._first_delay, self._max_delay = first_delay, max_delay
        self.max_attempts, self._poll = max_attempts, poll
        self.state: SourceState | None = None
        self.lost: str | None = "not opened yet"
        self.attempts = 0  # failed opens since the last loss
        self._inner: FrameSource | None = None
        self._next_attempt = 0.0
        self._gave_up = False

    @property
    def is_live(self) -> bool:
        return self.state is SourceState.LIVE

    @property
    def finished(self) -> bool:
        return self._gave_up

    def _set(self, state: SourceState, detail: str) -> None:
        if state is not self.state:
            self.state = state
            log.info("source %s: %s", state.value, detail)
            if self._on_state is not None:
                self._on_state(state, detail)

    def read(self) -> Frame | None:
        if self._inner is not None:
            frame = self._inner.read()
            if frame is not None:
                return frame
            self.lost = self._inner.lost or "lost"
            self._inner.close()
            self._inner = None
            self._next_attempt = time.monotonic() + self._first_delay
            self._set(SourceState.LOST, self.lost)
            return None
        if self._gave_up:
            return None
        wait = self._next_attempt - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, self._poll))
            return None
        self._attempt()
        return None

    def _attempt(self) -> None:
        if self.state is not None:
            self._set(SourceState.RETRYING, f"reopening after: {self.lost}")
        try:
            self._inner = self._opener()
        except SourceError as exc:
            self._failed(str(exc))
            return
        self.attempts = 0
        self.lost = None
        self._set(SourceState.LIVE, self._inner.describe())

    def _failed(self, reason: str) -> None:
        self.attempts += 1
        self.lost = reason
        if self.state is None:
            self._set(SourceState.LOST, reason)
        if self.max_attempts is not None and self.attempts >= self.max_attempts:
            self._gave_up = True
            self.lost = f"gave up after {self.attempts} attempts: {reason}"
            self._set(SourceState.LOST, self.lost)
            return
        delay = min(self._max_delay, self._first_delay * 2 ** (self.attempts - 1))
        self._next_attempt = time.monotonic() + delay

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
            self._inner = None
        self._gave_up = True
        self.lost = "closed"

    def describe(self) -> str:
        inner = self._inner.describe() if self._inner is not None else "not connected"
        return f"reconnecting {inner} [{self.state.value if self.state else 'opening'}]"
