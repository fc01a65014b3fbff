"""The crew's key preview: the camera's own frames keyed with trial settings over trial
backgrounds, beside the programme and never instead of it, so a key can be tuned without
the projector seeing it (OBS's studio mode, for the keyer).

It keys with its own `ChromaKeyer` (the real one: the same code the programme and the
composite take use) at the preview's size and rate, in the preview feed's thread, so the
capture loop pays nothing for it.
"""

from __future__ import annotations

import threading

import numpy as np

from .keying import ChromaKeyer, KeySettings, cover
from .take import BackgroundCycle

__all__ = ["KeyPreview"]


class KeyPreview:
    """Trial settings and backgrounds; `render()` keys one frame with them. Thread-safe:
    set from the command thread, rendered from the feed thread (and for the first still)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keying = threading.Lock()  # a ChromaKeyer is not thread-safe
        self._keyer: ChromaKeyer | None = None
        self._settings: KeySettings | None = None
        self._backgrounds = BackgroundCycle()
        self._own_backgrounds = False

    @property
    def on(self) -> bool:
        return self._settings is not None

    def set(
        self,
        settings: KeySettings | None,
        backgrounds: list[tuple[str, np.ndarray]] | None = None,
        period: float = 0.0,
        now: float = 0.0,
    ) -> None:
        """Start (or retune) the preview; ``settings`` None stops it. ``backgrounds`` None:
        key over whatever the programme keys over."""
        with self._lock:
            self._settings = settings
            # a new keyer per change of settings: its table is built once, on its first frame
            self._keyer = ChromaKeyer(settings) if settings is not None else None
            self._own_backgrounds = backgrounds is not None
            self._backgrounds.set(list(backgrounds or []), period, now)

    def render(
        self, image: np.ndarray, programme_background: np.ndarray | None, now: float
    ) -> np.ndarray | None:
        """``image`` keyed over the preview's background (or the programme's, or black);
        None when the preview is off."""
        with self._lock:
            keyer = self._keyer
            background = (
                self._backgrounds.current(now)[1] if self._own_backgrounds else programme_background
            )
        if keyer is None:
            return None
        h, w = image.shape[:2]
        if background is None:
            background = np.zeros_like(image)
        elif background.shape[:2] != (h, w):
            background = cover(background, w, h)
        with self._keying:
            return keyer.key(image, background)[1]
