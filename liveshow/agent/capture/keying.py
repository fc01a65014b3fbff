"""Live chroma keying: a performer in front of a green or blue screen, over a background.

How it decides what is screen. Each pixel's chroma (Cr, Cb: colour without brightness) is
compared with the key colour's chroma, in units of the key's own chroma strength, so the
settings mean the same thing whatever shade the screen is painted and however it is lit:
0 is exactly the key, 1 is as far as neutral grey. Chroma that points the key's way and is
stronger than the key (a more saturated patch of screen) counts as the key itself, and a
darker, less saturated part of the screen is only a short way off, which is what uneven
lighting does to a real screen. Skin, hair and costume colours lie at 1 or beyond.

- `similarity`: up to this distance a pixel is screen (alpha 0).
- `smoothness`: over this further distance alpha ramps up to 1 (the soft edge).
- `spill`: 0..1, how much of the screen colour bounced onto the performer is removed:
  for green, G is pulled toward max(R, B) (for blue, B toward max(R, G)).

Speed. Alpha depends only on (Cr, Cb), so it is a 256x256 lookup table built when the
settings change; a frame costs one colour conversion, one table lookup, and (by default)
both at half resolution with the matte scaled back up, which also softens the chroma noise
of 4:2:0 video. Compositing is one `cv2.blendLinear` over the full frame.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

from .sources import cover

__all__ = ["KeySettings", "ChromaKeyer", "sample_key_colour", "cover"]

_BORDER = 0.04  # of the frame: the strip along the top and sides sampled for the key colour


@dataclass(frozen=True)
class KeySettings:
    screen: str = "green"  # "green" or "blue": which channel the spill clamp works on
    similarity: float = 0.45
    smoothness: float = 0.25
    spill: float = 0.8
    key_colour: tuple[int, int, int] | None = None  # BGR; None: sampled from the frame border
    matte_scale: float = 0.5  # matte resolution relative to the frame (1.0: full resolution)

    def __post_init__(self) -> None:
        if self.screen not in ("green", "blue"):
            raise ValueError("screen must be 'green' or 'blue'")
        if not 0 <= self.similarity <= 2 or not 0 < self.smoothness <= 2:
            raise ValueError("similarity must be within 0..2 and smoothness within (0, 2]")
        if not 0 <= self.spill <= 1:
            raise ValueError("spill must be within 0..1")
        if not 0.1 <= self.matte_scale <= 1:
            raise ValueError("matte_scale must be within 0.1..1")


def _chroma(bgr: tuple[float, float, float]) -> tuple[float, float]:
    """(Cr, Cb) of one BGR colour, as OpenCV's 8-bit YCrCb conversion computes them."""
    b, g, r = bgr
    y = 0.299 * r + 0.587 * g + 0.114 * b
    return 0.713 * (r - y) + 128.0, 0.564 * (b - y) + 128.0


def sample_key_colour(image: np.ndarray, screen: str = "green") -> tuple[int, int, int]:
    """The screen's colour, from the top and side borders of `image` (the performer's feet
    usually touch the bottom). Only pixels where the screen's channel leads are used, so a
    performer crossing the border does not drag the key off the screen's colour."""
    h, w = image.shape[:2]
    bh, bw = max(1, int(h * _BORDER)), max(1, int(w * _BORDER))
    strips = [
        image[:bh].reshape(-1, 3),
        image[:, :bw].reshape(-1, 3),
        image[:, w - bw :].reshape(-1, 3),
    ]
    pixels = np.concatenate(strips).astype(np.int16)
    lead = 1 if screen == "green" else 0
    others = [c for c in (0, 1, 2) if c != lead]
    leads = pixels[:, lead] > np.maximum(pixels[:, others[0]], pixels[:, others[1]]) + 10
    chosen = pixels[leads] if np.count_nonzero(leads) >= 0.05 * len(pixels) else pixels
    median = np.median(chosen, axis=0)
    return int(median[0]), int(median[1]), int(median[2])


def alpha_table(key: tuple[int, int, int], similarity: float, smoothness: float) -> np.ndarray:
    """uint8 alpha (255 = keep) for every (Cr, Cb) pair, indexed [Cr * 256 + Cb]."""
    kcr, kcb = _chroma((float(key[0]), float(key[1]), float(key[2])))
    kx, ky = kcr - 128.0, kcb - 128.0
    strength = max(float(np.hypot(kx, ky)), 8.0)  # a near-grey key would key everything
    ux, uy = kx / strength, ky / strength
    cr, cb = np.meshgrid(
        np.arange(256, dtype=np.float32) - 128.0,
        np.arange(256, dtype=np.float32) - 128.0,
        indexing="ij",
    )
    along = (cr * ux + cb * uy) / strength  # 1 at the key, 0 at grey
    across = (cr * -uy + cb * ux) / strength
    distance = np.hypot(np.minimum(along - 1.0, 0.0), across)
    alpha = np.clip((distance - similarity) / smoothness, 0.0, 1.0)
    alpha = alpha * alpha * (3 - 2 * alpha)  # smoothstep: no visible crease at either end
    return np.round(alpha * 255).astype(np.uint8).reshape(-1)


class ChromaKeyer:
    """Keys frames of one camera. Not thread-safe: one keyer per capture loop."""

    def __init__(self, settings: KeySettings | None = None) -> None:
        self._settings = settings or KeySettings()
        self._table: np.ndarray | None = None
        self._key: tuple[int, int, int] | None = self._settings.key_colour

    @property
    def settings(self) -> KeySettings:
        return self._settings

    @property
    def key_colour(self) -> tuple[int, int, int] | None:
        return self._key

    def update(self, **changes: Any) -> KeySettings:
        """Change settings (similarity=…, spill=…, key_colour=…); the table is rebuilt."""
        self._settings = replace(self._settings, **changes)
        self._key = self._settings.key_colour
        self._table = None
        return self._settings

    def resample(self) -> None:
        """Sample the key colour again from the next frame (after a lighting change)."""
        if self._settings.key_colour is None:
            self._key = None
            self._table = None

    def _lookup(self, image: np.ndarray) -> np.ndarray:
        if self._key is None:
            self._key = sample_key_colour(image, self._settings.screen)
        if self._table is None:
            s = self._settings
            self._table = alpha_table(self._key, s.similarity, s.smoothness)
        return self._table

    def matte(self, image: np.ndarray) -> np.ndarray:
        """uint8 alpha, frame-sized: 255 where the performer is, 0 where the screen is."""
        table = self._lookup(image)
        h, w = image.shape[:2]
        scale = self._settings.matte_scale
        small = image
        if scale < 1:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        ycrcb = cv2.cvtColor(small, cv2.COLOR_BGR2YCrCb)
        cr = ycrcb[:, :, 1].astype(np.uint16)
        index = np.bitwise_or(np.left_shift(cr, 8), ycrcb[:, :, 2], dtype=np.uint16)
        alpha = table[index]
        if scale < 1:
            alpha = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)
        return alpha

    def despill(self, image: np.ndarray) -> np.ndarray:
        """The frame with the screen's colour cast removed by `spill` (0: unchanged)."""
        strength = self._settings.spill
        if strength <= 0:
            return image
        b, g, r = cv2.split(image)
        if self._settings.screen == "green":
            excess = cv2.subtract(g, cv2.max(r, b))
            return cv2.merge([b, cv2.addWeighted(g, 1.0, excess, -strength, 0.0), r])
        excess = cv2.subtract(b, cv2.max(r, g))
        return cv2.merge([cv2.addWeighted(b, 1.0, excess, -strength, 0.0), g, r])

    def composite(
        self, image: np.ndarray, background: np.ndarray, alpha: np.ndarray | None = None
    ) -> np.ndarray:
        """The despilled performer over `background` (which must already be frame-sized:
        see `cover`). Returns a new BGR uint8 frame."""
        if alpha is None:
            alpha = self.matte(image)
        weight = alpha.astype(np.float32) * (1.0 / 255.0)
        return cv2.blendLinear(self.despill(image), background, weight, 1.0 - weight)

    def key(self, image: np.ndarray, background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(alpha, composite) for one frame."""
        alpha = self.matte(image)
        return alpha, self.composite(image, background, alpha)
