"""A take in progress: the raw-plate recorder, the composite recorder when keyed, and the
record of which background was on screen when (the take's provenance).

Times in a take are seconds on the take's own timeline (0 = its first frame), the same
timeline the recorders place frames on, so a background span lines up with the video.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .recorder import RecorderError, TakeFile, TakeRecorder

__all__ = ["Take", "TakeResult", "BackgroundCycle"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TakeResult:
    take_id: str
    started_at: float  # wall clock (time.time()) of the first frame
    reason: str  # why it ended: "stopped", "source lost: …", "pipeline stopped"
    raw: TakeFile | None  # None only if the encoder failed outright (see errors)
    composite: TakeFile | None  # present when keying was on as the take started
    backgrounds: list[tuple[str, float, float]]  # (background id, start s, end s)
    frames: int  # frames captured during the take
    errors: list[str] = field(default_factory=list)

    @property
    def dropped(self) -> int:
        return sum(f.dropped for f in (self.raw, self.composite) if f is not None)


class BackgroundCycle:
    """Backgrounds for the keyer, already cover-fitted to the frame; with more than one and
    a period, they take turns on screen. Not thread-safe: the owner holds its own lock."""

    def __init__(self) -> None:
        self._items: list[tuple[str, np.ndarray]] = []
        self._period = 0.0
        self._since = 0.0

    def set(self, items: list[tuple[str, np.ndarray]], period: float, now: float) -> None:
        self._items, self._period, self._since = items, period, now

    def current(self, now: float) -> tuple[str | None, np.ndarray | None]:
        if not self._items:
            return None, None
        turn = 0
        if self._period > 0 and len(self._items) > 1:
            turn = int((now - self._since) / self._period) % len(self._items)
        return self._items[turn]


class Take:
    """One take being recorded. `feed()` from the capture loop; `close()` from anywhere,
    once: the loop may still be holding the take, so feeding after close is a no-op."""

    def __init__(
        self,
        take_id: str,
        folder: Path,
        width: int,
        height: int,
        fps: float,
        *,
        composite: bool,
        preset: str,
        crf: int,
    ) -> None:
        self.take_id = take_id
        self.fps = fps
        self.frames = 0
        self._lock = threading.Lock()
        self._closed = False
        self._origin: float | None = None
        self._started_at = time.time()
        self._last_offset = 0.0
        self._spans: list[tuple[str, float, float]] = []
        self._showing: tuple[str, float] | None = None  # background id, since
        folder.mkdir(parents=True, exist_ok=True)
        self.raw = TakeRecorder(
            folder / f"{take_id}.raw.mp4", width, height, fps, preset=preset, crf=crf
        )
        self.composite: TakeRecorder | None = None
        if composite:
            try:
                self.composite = TakeRecorder(
                    folder / f"{take_id}.composite.mp4", width, height, fps, preset=preset, crf=crf
                )
            except RecorderError:
                self.raw.discard()
                raise

    def feed(
        self, raw: np.ndarray, shown: np.ndarray | None, background: str | None, timestamp: float
    ) -> None:
        """One frame: the plate, what the projector shows (composite, or None when not
        keyed), and the id of the background behind the performer (None when not keyed)."""
        with self._lock:
            if self._closed:
                return
            if self._origin is None:
                self._origin = timestamp
                self._started_at = time.time()
            offset = timestamp - self._origin
            self._last_offset = offset
            self.frames += 1
            self._track(background, offset)
            self.raw.write(raw, timestamp)
            if self.composite is not None:
                self.composite.write(shown if shown is not None else raw, timestamp)

    def _track(self, background: str | None, offset: float) -> None:
        current = self._showing[0] if self._showing else None
        if background == current:
            return
        if self._showing is not None:
            self._spans.append((self._showing[0], self._showing[1], round(offset, 3)))
        self._showing = (background, round(offset, 3)) if background is not None else None

    def close(self, reason: str) -> TakeResult:
        """Finish both files (slow: encoder drain, remux, thumbnail): call it off the
        capture loop."""
        with self._lock:
            self._closed = True
            end = round(self._last_offset + 1.0 / self.fps, 3)
            if self._showing is not None:
                self._spans.append((self._showing[0], self._showing[1], end))
                self._showing = None
        errors: list[str] = []
        recorders = [r for r in (self.raw, self.composite) if r is not None]
        if self.frames == 0:  # nothing to keep: no empty files left behind for recover_all
            for recorder in recorders:
                recorder.discard()
            return TakeResult(
                self.take_id,
                self._started_at,
                reason,
                None,
                None,
                [],
                0,
                ["no frames were captured"],
            )
        raw = _finish(self.raw, errors)
        composite = _finish(self.composite, errors) if self.composite is not None else None
        log.info("take %s ended (%s): %d frames", self.take_id, reason, self.frames)
        return TakeResult(
            self.take_id,
            self._started_at,
            reason,
            raw,
            composite,
            list(self._spans),
            self.frames,
            errors,
        )


def _finish(recorder: TakeRecorder, errors: list[str]) -> TakeFile | None:
    try:
        return recorder.finish()
    except RecorderError as exc:
        errors.append(str(exc))
        log.error("take file %s: %s", recorder.final_path.name, exc)
        return None
