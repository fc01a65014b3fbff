"""A synthetic studio: a performer moving in front of a lit green (or blue) screen.

It stands in for a camera in tests, benchmarks and rehearsals without hardware, and it knows
the truth: every frame comes with the performer's mask, so keying quality can be measured.

The scene is built to be about as hard as a decently lit real screen, not a flat colour:
the screen has a lighting falloff (hot centre, darker corners), a vertical gradient, soft
folds in the cloth and sensor noise; the performer has skin, dark hair with thin anti-aliased
strands, clothes in colours that are not the screen's (including a yellow stripe, the
nearest a costume usually gets to green), and the screen's light spilling onto their edges.

Everything expensive (the lit plate, the performer sprite, noise) is made once; a frame is
a copy of one of a few noisy plates plus one alpha blend of the sprite, so 1080p30 costs
a few milliseconds per frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["SCREEN_COLOURS", "Scene", "SceneFrame"]

# Typical screen paint under stage light (BGR): far from a pure primary.
SCREEN_COLOURS: dict[str, tuple[int, int, int]] = {"green": (70, 175, 60), "blue": (185, 95, 40)}
_NOISE_VARIANTS = 3  # distinct noise fields cycled so the noise moves like a sensor's
_NOISE_SIGMA = 3.0
_SPILL_WIDTH = 0.012  # of the frame height: how far the screen's light reaches inwards
_SPILL_STRENGTH = 0.45
_LENS_BLUR = 0.001  # of the frame height: the optics' softness (sigma) at the outline

_SKIN = (120, 160, 215)
_HAIR = (30, 45, 70)
_SHIRT = (45, 50, 185)
_STRIPE = (40, 200, 225)
# Costumes avoid the screen's colour, as they must in a real studio.
_TROUSERS = {"green": (110, 65, 45), "blue": (60, 95, 125)}  # denim / brown corduroy
_SHOES = (35, 35, 40)


@dataclass(frozen=True)
class SceneFrame:
    image: np.ndarray  # BGR uint8, height x width x 3
    mask: np.ndarray  # uint8, 255 where the performer is (sprite alpha >= 0.5), else 0


def _noise(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.normal(0.0, _NOISE_SIGMA, shape).astype(np.float32)


def _plate(width: int, height: int, colour: tuple[int, int, int]) -> np.ndarray:
    """The lit screen without noise, float32 BGR."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    nx, ny = xs / width - 0.5, ys / height - 0.5
    falloff = 1.0 - 0.55 * (nx * nx + ny * ny)  # corners about 25 % darker than the centre
    gradient = 1.05 - 0.12 * (ys / height)  # lights hung high
    folds = 1.0 + 0.04 * np.sin(xs / width * 2 * math.pi * 3.3 + 0.6 * np.sin(ys / height * 5))
    light = (falloff * gradient * folds)[..., None]
    return np.asarray(colour, np.float32)[None, None, :] * light


def _draw_figure(h: int, screen: str) -> tuple[np.ndarray, np.ndarray]:
    """The performer on a transparent canvas (colour, alpha in 0..1), `h` pixels tall."""
    w = int(h * 0.5)
    colour = np.zeros((h, w, 3), np.uint8)
    alpha = np.zeros((h, w), np.uint8)
    cx = w // 2

    def part(fill: tuple[int, int, int], draw: Callable[[np.ndarray], object]) -> None:
        layer = np.zeros((h, w), np.uint8)
        draw(layer)
        colour[layer > 0] = fill
        np.maximum(alpha, layer, out=alpha)

    s = h / 100.0  # drawing unit: a hundredth of the figure's height

    def ell(
        c: tuple[float, float], axes: tuple[float, float], angle: float = 0
    ) -> Callable[[np.ndarray], object]:
        centre = (int(c[0]), int(c[1]))
        size = (max(1, int(axes[0])), max(1, int(axes[1])))
        return lambda m: cv2.ellipse(m, centre, size, angle, 0, 360, 255, -1, cv2.LINE_AA)

    part(_SHOES, ell((cx - 6 * s, 97 * s), (5 * s, 2.5 * s)))
    part(_SHOES, ell((cx + 6 * s, 97 * s), (5 * s, 2.5 * s)))
    part(_TROUSERS[screen], ell((cx - 5 * s, 75 * s), (4.5 * s, 22 * s), 3))
    part(_TROUSERS[screen], ell((cx + 5 * s, 75 * s), (4.5 * s, 22 * s), -3))
    part(_SKIN, ell((cx - 17 * s, 38 * s), (3.2 * s, 17 * s), -25))  # arms, raised a little
    part(_SKIN, ell((cx + 17 * s, 38 * s), (3.2 * s, 17 * s), 25))
    part(_SHIRT, ell((cx, 38 * s), (12 * s, 20 * s)))
    part(
        _STRIPE,
        lambda m: cv2.rectangle(
            m, (int(cx - 11 * s), int(36 * s)), (int(cx + 11 * s), int(40 * s)), 255, -1
        ),
    )
    colour[alpha == 0] = 0
    part(_SKIN, ell((cx, 12 * s), (6.5 * s, 8.5 * s)))  # head
    part(_HAIR, ell((cx, 8 * s), (7 * s, 5 * s)))
    _draw_strands(colour, alpha, cx, s)
    return colour, alpha.astype(np.float32) / 255.0


def _draw_strands(colour: np.ndarray, alpha: np.ndarray, cx: int, s: float) -> None:
    """Thin hair standing off the head: one-pixel anti-aliased lines, mostly half covered."""
    rng = np.random.default_rng(7)
    layer = np.zeros(alpha.shape, np.uint8)
    for _ in range(40):
        angle = rng.uniform(math.pi * 1.05, math.pi * 1.95)
        r0, r1 = 5.5 * s, rng.uniform(8.5, 12.0) * s
        p0 = (int(cx + r0 * math.cos(angle)), int(8 * s + r0 * 0.8 * math.sin(angle)))
        p1 = (int(cx + r1 * math.cos(angle)), int(8 * s + r1 * 0.8 * math.sin(angle)))
        cv2.line(layer, p0, p1, 255, 1, cv2.LINE_AA)
    fresh = layer > alpha
    colour[fresh] = _HAIR
    np.maximum(alpha, layer, out=alpha)


def _soften(colour: np.ndarray, alpha: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """A real lens never draws a one-pixel outline: blur the edge, and carry the outline's
    colours out into the newly covered margin so it does not turn dark."""
    grown = cv2.dilate(colour, np.ones((5, 5), np.uint8))
    colour = np.where((alpha > 0)[..., None], colour, grown)
    return colour, cv2.GaussianBlur(alpha, (0, 0), sigma)


def _spill(
    colour: np.ndarray, alpha: np.ndarray, screen: tuple[int, int, int], width_px: float
) -> np.ndarray:
    """Mix the screen's colour into the performer near their outline, as bounce light does."""
    inside = (alpha > 0).astype(np.uint8)
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    weight = (_SPILL_STRENGTH * np.exp(-depth / max(width_px, 1.0)))[..., None]
    mixed = colour.astype(np.float32) * (1 - weight) + np.asarray(screen, np.float32) * weight
    return mixed


class Scene:
    """Renders frame `n` of the studio at a given size; `moving` makes the performer walk."""

    def __init__(
        self,
        width: int,
        height: int,
        fps: float,
        *,
        moving: bool = True,
        screen: str = "green",
        seed: int = 0,
    ) -> None:
        if screen not in SCREEN_COLOURS:
            raise ValueError(f"screen must be one of {sorted(SCREEN_COLOURS)}")
        self.width, self.height, self.fps, self.moving = width, height, fps, moving
        rng = np.random.default_rng(seed)
        screen_bgr = SCREEN_COLOURS[screen]
        plate = _plate(width, height, screen_bgr)
        self._plates = [
            np.clip(plate + _noise(rng, plate.shape), 0, 255).astype(np.uint8)
            for _ in range(_NOISE_VARIANTS)
        ]
        fig_h = max(16, int(height * 0.8))
        colour, alpha = _draw_figure(fig_h, screen)
        colour, alpha = _soften(colour, alpha, max(0.5, _LENS_BLUR * height))
        lit = _spill(colour, alpha, screen_bgr, _SPILL_WIDTH * height)
        shade = np.linspace(1.08, 0.85, fig_h, dtype=np.float32)[:, None, None]
        self._sprites = [
            np.clip(lit * shade + _noise(rng, lit.shape), 0, 255).astype(np.uint8)
            for _ in range(_NOISE_VARIANTS)
        ]
        self._alpha = alpha
        self._inverse = 1.0 - alpha
        self._truth = np.where(alpha >= 0.5, 255, 0).astype(np.uint8)

    def position(self, n: int) -> tuple[int, int]:
        """Top-left corner of the performer's sprite in frame `n` (may be partly off frame)."""
        sh, sw = self._alpha.shape
        t = n / self.fps if self.moving else 0.0
        x = (self.width - sw) / 2 + 0.3 * self.width * math.sin(2 * math.pi * t / 6.0)
        y = self.height - sh - 0.02 * self.height * (1 + math.sin(2 * math.pi * t / 0.9))
        return int(round(x)), int(round(y))

    def render(self, n: int) -> SceneFrame:
        image = self._plates[n % _NOISE_VARIANTS].copy()
        mask = np.zeros((self.height, self.width), np.uint8)
        x, y = self.position(n)
        sh, sw = self._alpha.shape
        # Clip the sprite to the frame (the walk can take part of it off screen).
        fx0, fy0, fx1, fy1 = max(x, 0), max(y, 0), min(x + sw, self.width), min(y + sh, self.height)
        if fx0 >= fx1 or fy0 >= fy1:
            return SceneFrame(image, mask)
        sx0, sy0 = fx0 - x, fy0 - y
        sl = (slice(sy0, sy0 + fy1 - fy0), slice(sx0, sx0 + fx1 - fx0))
        roi = np.ascontiguousarray(image[fy0:fy1, fx0:fx1])  # blendLinear: 2x faster
        sprite = self._sprites[n % _NOISE_VARIANTS][sl]
        image[fy0:fy1, fx0:fx1] = cv2.blendLinear(sprite, roi, self._alpha[sl], self._inverse[sl])
        mask[fy0:fy1, fx0:fx1] = self._truth[sl]
        return SceneFrame(image, mask)
