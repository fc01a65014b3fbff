"""One capture loop per camera, feeding everything from the same frames: the crew's preview,
the projector's program feed, keying, and the take being recorded.

The loop runs in its own thread and never waits on anything slow: recorders take frames
through bounded queues (see recorder.py), and previews are handed to feed threads that
keep only the newest picture, so a slow socket or a slow disk drops previews or take frames
(counted) instead of stalling capture. Commands (start/stop a take, keying on/off, new
backgrounds) may come from any thread.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .key_preview import KeyPreview
from .keying import ChromaKeyer, KeySettings, cover
from .sources import STREAM_TIMEOUT_MS, Frame, FrameSource
from .take import BackgroundCycle, Take, TakeResult

__all__ = [
    "CameraPipeline",
    "PipelineConfig",
    "PipelineStats",
    "TakeRefused",
    "auto_preset",
    "encode_jpeg",
]

log = logging.getLogger(__name__)

JpegCallback = Callable[[bytes], None]
TakeCallback = Callable[[TakeResult], None]
_EMA = 0.05  # weight of the newest frame in the per-frame cost averages (~20-frame memory)


class TakeRefused(RuntimeError):
    """A take cannot start now; the message says why (for the crew)."""


@dataclass(frozen=True)
class PipelineConfig:
    takes_dir: Path
    preview_fps: float = 10.0  # crew dashboard thumbnails
    preview_width: int = 640
    preview_quality: int = 70
    program_fps: float = 0.0  # full-size JPEGs of what the projector shows; 0: off
    program_quality: int = 80
    preset: str | None = None  # libx264 preset; None: chosen by frame size (auto_preset)
    crf: int = 23


def auto_preset(width: int, height: int, fps: float) -> str:
    """veryfast up to 720p30; ultrafast above, where a take's two encoders (plate and
    composite) at veryfast need more than the two cores of a small machine."""
    return "veryfast" if width * height * fps <= 1280 * 720 * 30 else "ultrafast"


@dataclass(frozen=True)
class PipelineStats:
    running: bool
    source_live: bool
    source_lost: str | None
    fps_in: float  # frames captured per second, over the last two seconds
    frames_in: int
    frames_dropped: int  # take frames lost because an encoder fell behind (all takes)
    frames_skipped: int  # frames the source skipped because the loop fell behind
    cpu_ms_per_frame: float  # capture-loop CPU time per frame (read + key + hand-off)
    key_ms_per_frame: float
    previews_sent: int
    keying: bool
    recording: str | None  # take id
    # seconds the take has recorded (monotonic clock: a duration the server can place on
    # its own clock, unlike a wall-clock time from this machine); None when not recording
    recording_for: float | None = None


def scale_down(image: np.ndarray, max_width: int | None) -> np.ndarray:
    """`image` scaled down (never up) to `max_width` pixels wide, its shape kept."""
    h, w = image.shape[:2]
    if max_width is None or w <= max_width:
        return image
    size = (max_width, max(1, round(h * max_width / w)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def encode_jpeg(image: np.ndarray, max_width: int | None = None, quality: int = 80) -> bytes:
    """JPEG of `image`, scaled down (never up) to `max_width` pixels wide."""
    image = scale_down(image, max_width)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()


class _LatestFeed:
    """Sends JPEGs of the newest frame to a callback at most `fps` times a second, encoding
    and calling back in its own thread; frames that arrive while it is busy replace each
    other, so a slow receiver costs previews, never capture time."""

    def __init__(
        self,
        name: str,
        fps: float,
        max_width: int | None,
        quality: int,
        callback: JpegCallback,
        render: Callable[[Any], np.ndarray | None] | None = None,
    ) -> None:
        self._period = 1.0 / fps
        self._max_width, self._quality, self._callback = max_width, quality, callback
        self._render = render  # what is offered -> the picture to send (in this thread)
        self._next_due = 0.0
        self._slot: Any = None
        self._wake = threading.Condition()
        self._stopping = False
        self.sent = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def offer(self, image: Any, now: float) -> None:
        if now < self._next_due:
            return
        # Keep the cadence, but never try to catch up after a stall.
        self._next_due = max(self._next_due + self._period, now + self._period * 0.5)
        with self._wake:
            self._slot = image
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._slot is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                image, self._slot = self._slot, None
            assert image is not None
            try:
                if self._render is not None:
                    image = self._render(image)
                    if image is None:
                        continue
                self._callback(encode_jpeg(image, self._max_width, self._quality))
                self.sent += 1
            except Exception:  # a broken receiver must not end the feed
                log.exception("preview callback failed")

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(2.0)


class CameraPipeline:
    """The capture loop of one camera. start() it, command it from any thread, stop() it."""

    def __init__(
        self,
        source: FrameSource,
        config: PipelineConfig,
        *,
        on_preview: JpegCallback | None = None,
        on_program: JpegCallback | None = None,
        on_take: TakeCallback | None = None,
        on_key_preview: JpegCallback | None = None,
    ) -> None:
        self.source, self.config = source, config
        self._on_take = on_take
        self._lock = threading.Lock()
        self._keyer = ChromaKeyer()
        self._pending: KeySettings | None = None
        self._keying = False
        self._backgrounds = BackgroundCycle()
        self._take: Take | None = None
        self._take_began = 0.0  # time.monotonic() as the take in progress started
        self._finishing: list[threading.Thread] = []
        self._latest: tuple[Frame, np.ndarray | None] | None = None
        self._blank: np.ndarray | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._feeds: list[_LatestFeed] = []
        if on_preview is not None and config.preview_fps > 0:
            self._feeds.append(
                _LatestFeed(
                    "preview",
                    config.preview_fps,
                    config.preview_width,
                    config.preview_quality,
                    on_preview,
                )
            )
        if on_program is not None and config.program_fps > 0:
            self._feeds.append(
                _LatestFeed("program", config.program_fps, None, config.program_quality, on_program)
            )
        # The crew's key preview: trial settings keyed at preview size, in its own feed.
        self.key_preview = KeyPreview()
        self._key_feed: _LatestFeed | None = None
        if on_key_preview is not None and config.preview_fps > 0:
            self._key_feed = _LatestFeed(
                "key-preview",
                config.preview_fps,
                None,
                config.preview_quality,
                on_key_preview,
                render=self._render_key_preview,
            )
            self._feeds.append(self._key_feed)
        self._times: collections.deque[float] = collections.deque(maxlen=240)
        self._frames_in = 0
        self._dropped_before = 0  # frames dropped by takes already finished
        self._cpu_ms = 0.0
        self._key_ms = 0.0

    # -- commands (any thread) -----------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)
        self._thread.start()

    def set_keying(self, on: bool, settings: KeySettings | None = None) -> None:
        """Keying on/off; new settings (if given) apply from the next frame."""
        with self._lock:
            self._keying = on
            if settings is not None:
                self._pending = settings

    def resample_key(self) -> None:
        """Sample the screen colour again from the next frame (after a lighting change)."""
        with self._lock:
            self._keyer.resample()

    def set_backgrounds(self, items: list[tuple[str, np.ndarray]], period: float = 0.0) -> None:
        """Backgrounds behind the performer, (id, BGR image); with a period (s) they take
        turns. Images are cover-fitted to the frame here, once, not per frame."""
        fitted = [
            (bid, cover(image, self.source.width, self.source.height)) for bid, image in items
        ]
        with self._lock:
            self._backgrounds.set(fitted, period, time.monotonic())

    def start_take(self, take_id: str | None = None) -> str:
        """Start recording (the composite too if keying is on); returns the take id.
        Raises TakeRefused if a take is already running or the camera is not live, and
        RecorderError if an encoder cannot start."""
        take_id = take_id or time.strftime("take-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        src = self.source
        if not src.is_live or not self.running:
            raise TakeRefused(f"the camera is not live ({src.lost or 'not started'})")
        if self._take is not None:
            raise TakeRefused(f"take {self._take.take_id} is still recording")
        # Starting two encoders takes tens of milliseconds: not while holding the loop's lock.
        preset = self.config.preset or auto_preset(src.width, src.height, src.fps)
        take = Take(
            take_id,
            self.config.takes_dir,
            src.width,
            src.height,
            src.fps,
            composite=self._keying,
            preset=preset,
            crf=self.config.crf,
        )
        with self._lock:
            running, self._take = self._take, self._take or take
            if running is None:
                self._take_began = time.monotonic()
        if running is not None:
            take.close("refused")
            raise TakeRefused(f"take {running.take_id} is still recording")
        return take_id

    def stop_take(self, reason: str = "stopped") -> TakeResult | None:
        """Stop and finalise the take in progress, in this thread (about a second)."""
        take = self._detach_take()
        return self._close(take, reason) if take is not None else None

    def snapshot(self, composite: bool = True, quality: int = 90) -> bytes | None:
        """The newest frame as JPEG (the composite when keying and `composite`)."""
        latest = self._latest
        if latest is None:
            return None
        frame, keyed = latest
        image = keyed if composite and keyed is not None else frame.image
        return encode_jpeg(image, None, quality)

    def key_preview_still(self) -> bytes | None:
        """The newest frame keyed as the key preview would key it, as JPEG (None: no
        frame yet, or the preview is off)."""
        latest = self._latest
        if latest is None:
            return None
        frame = latest[0]
        with self._lock:
            background = self._backgrounds.current(frame.timestamp)[1]
        image = self._render_key_preview((frame.image, background, frame.timestamp))
        return None if image is None else encode_jpeg(image, None, self.config.preview_quality)

    def _render_key_preview(self, offered: Any) -> np.ndarray | None:
        image, background, now = offered
        small = scale_down(image, self.config.preview_width)  # a tenth of the work of 1080p
        return self.key_preview.render(small, background, now)

    def stop(self, timeout: float = STREAM_TIMEOUT_MS / 1000 + 1) -> TakeResult | None:
        """Stop the loop, finalise any take in progress, close the source."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)  # a stream read can block up to its timeout
        result = self.stop_take("pipeline stopped")
        for finisher in self._finishing:
            finisher.join()
        for feed in self._feeds:
            feed.stop()
        if not self.running:  # never release a capture another thread is still reading
            self.source.close()
        return result

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stats(self) -> PipelineStats:
        times = list(self._times)
        recent = [t for t in times if t >= times[-1] - 2.0] if times else []
        fps = (
            (len(recent) - 1) / (recent[-1] - recent[0])
            if len(recent) > 1 and recent[-1] > recent[0]
            else 0.0
        )
        with self._lock:
            take, began = self._take, self._take_began
            dropped = self._dropped_before + (_take_dropped(take) if take else 0)
        return PipelineStats(
            running=self.running,
            source_live=self.source.is_live,
            source_lost=self.source.lost,
            fps_in=round(fps, 2),
            frames_in=self._frames_in,
            frames_dropped=dropped,
            frames_skipped=int(getattr(self.source, "skipped", 0)),
            cpu_ms_per_frame=round(self._cpu_ms, 2),
            key_ms_per_frame=round(self._key_ms, 2),
            previews_sent=sum(f.sent for f in self._feeds),
            keying=self._keying,
            recording=take.take_id if take else None,
            recording_for=max(0.0, time.monotonic() - began) if take else None,
        )

    # -- the loop (capture thread) -------------------------------------------------------

    def _run(self) -> None:
        log.info("capture loop started: %s", self.source.describe())
        while not self._stop.is_set():
            cpu0 = time.thread_time()
            frame = self.source.read()
            if frame is None:
                if self._lost():
                    break
                continue
            try:
                self._process(frame)
            except Exception:  # one bad frame must not take the camera off the show
                log.exception("frame %d could not be processed", frame.index)
            self._cpu_ms += _EMA * ((time.thread_time() - cpu0) * 1000 - self._cpu_ms)
        log.info("capture loop ended: %s", self.source.lost or "stopped")

    def _process(self, frame: Frame) -> None:
        with self._lock:
            keying, take = self._keying, self._take
            background_id, background = self._backgrounds.current(frame.timestamp)
            if self._pending is not None:
                self._keyer = ChromaKeyer(replace(self._pending))
                self._pending = None
        shown: np.ndarray | None = None
        if keying:
            start = time.thread_time()
            if background is None:  # keyed before the crew picked one: black
                background = self._black(frame.image)
            shown = self._keyer.key(frame.image, background)[1]
            self._key_ms += _EMA * ((time.thread_time() - start) * 1000 - self._key_ms)
        else:
            background_id = None
        if take is not None:
            take.feed(frame.image, shown, background_id, frame.timestamp)
        self._latest = (frame, shown)
        for feed in self._feeds:
            if feed is self._key_feed:
                if self.key_preview.on:
                    feed.offer((frame.image, background, frame.timestamp), frame.timestamp)
                continue
            feed.offer(shown if shown is not None else frame.image, frame.timestamp)
        self._frames_in += 1
        self._times.append(frame.timestamp)

    def _black(self, like: np.ndarray) -> np.ndarray:
        if self._blank is None or self._blank.shape != like.shape:
            self._blank = np.zeros_like(like)
        return self._blank

    def _lost(self) -> bool:
        """No frame: end the take if the source is down; True if the loop should end."""
        if not self.source.is_live:
            self.stop_take_soon(f"source lost: {self.source.lost}")
        return self.source.finished

    def stop_take_soon(self, reason: str) -> str | None:
        """Stop the take in progress now and finish it in a thread of its own (finishing
        takes seconds); returns its id, or None if none was recording."""
        take = self._detach_take()
        if take is None:
            return None
        finisher = threading.Thread(
            target=self._close, args=(take, reason), name=f"finish-{take.take_id}"
        )
        self._finishing.append(finisher)
        finisher.start()
        return take.take_id

    def _detach_take(self) -> Take | None:
        with self._lock:
            take, self._take = self._take, None
            if take is not None:
                self._dropped_before += _take_dropped(take)
        return take

    def _close(self, take: Take, reason: str) -> TakeResult:
        result = take.close(reason)
        if self._on_take is not None:
            try:
                self._on_take(result)
            except Exception:
                log.exception("take callback failed")
        return result


def _take_dropped(take: Take) -> int:
    return take.raw.dropped + (take.composite.dropped if take.composite else 0)
