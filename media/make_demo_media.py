#!/usr/bin/env python3
"""Generate the sample media of the bundled demo show, offline.

Usage::

    python media/make_demo_media.py [--out media/demo] [--force]

or, from Python::

    from make_demo_media import generate
    generate(Path("media/demo"))

Everything is drawn with numpy/OpenCV (no fonts needed) and encoded with the ffmpeg that
ships with the ``imageio-ffmpeg`` wheel (libx264, aac, libvpx, libopus).  The output is
deterministic and small (about 1.6 MB), and a re-run is instant: a marker file
(``.demo-media.json``) records the generator version and the size of every file made, and a
file is only made again when it is missing, its size changed, or ``GENERATOR_VERSION`` was
bumped.  Files are written to a temporary name and renamed, so an interrupted run never
leaves a half-written file that looks finished.

The videos burn in a large running timecode (MM:SS:FF at 25 fps) and a frame counter, and
their sound has a short beep on every whole second, so a person (or a test) can check the
playback position and the audio/video sync.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import numpy.typing as npt

GENERATOR_VERSION = 1
MARKER_NAME = ".demo-media.json"

W, H = 640, 360  # video frame size
FPS = 25
IMG_W, IMG_H = 1280, 720  # still images
AUDIO_RATE = 48000

Frame = npt.NDArray[np.uint8]
Signal = npt.NDArray[np.float64]

FONT = cv2.FONT_HERSHEY_DUPLEX
FONT_TITLE = cv2.FONT_HERSHEY_TRIPLEX

# BGR colours
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg  # imported late so that `--help` works without it

    return str(imageio_ffmpeg.get_ffmpeg_exe())


# Options that keep the output free of version strings / timestamps (deterministic files).
BITEXACT = [
    "-map_metadata",
    "-1",
    "-fflags",
    "+bitexact",
    "-flags:v",
    "+bitexact",
    "-flags:a",
    "+bitexact",
]


# ----------------------------------------------------------------------------------------
# drawing helpers
# ----------------------------------------------------------------------------------------


def vertical_gradient(
    w: int, h: int, top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Frame:
    """An h x w BGR image fading from `top` to `bottom` (rows are constant)."""
    t = np.linspace(0.0, 1.0, h)[:, None]
    col = (1 - t) * np.array(top, float) + t * np.array(bottom, float)  # h x 3
    return np.repeat(col[:, None, :], w, axis=1).round().astype(np.uint8)


def text(
    img: Frame,
    s: str,
    org: tuple[int, int],
    scale: float,
    color: tuple[int, int, int],
    thickness: int = 2,
    font: int = FONT,
    outline: int = 0,
    outline_color: tuple[int, int, int] = BLACK,
) -> None:
    """putText with an optional outline so it reads on any background.

    The outline is the text drawn in `outline_color` at 8 offsets around `org`: OpenCV 5
    renders the HERSHEY font constants with a built-in outline font where `thickness` only
    picks regular (1) or bold (>= 2), so a thicker stroke cannot make the outline.
    """
    x, y = org
    for r in range(outline, 0, -max(1, outline // 2)):
        for dx, dy in ((-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)):
            cv2.putText(
                img, s, (x + dx * r, y + dy * r), font, scale, outline_color, thickness, cv2.LINE_AA
            )
    cv2.putText(img, s, org, font, scale, color, thickness, cv2.LINE_AA)


def text_centered(
    img: Frame,
    s: str,
    cx: int,
    baseline_y: int,
    scale: float,
    color: tuple[int, int, int],
    thickness: int = 2,
    font: int = FONT,
    outline: int = 0,
) -> None:
    (tw, _th), _ = cv2.getTextSize(s, font, scale, thickness)
    text(img, s, (cx - tw // 2, baseline_y), scale, color, thickness, font, outline)


def timecode(frame_no: int) -> str:
    secs, ff = divmod(frame_no, FPS)
    mm, ss = divmod(secs, 60)
    return f"{mm:02d}:{ss:02d}:{ff:02d}"


def draw_timecode(
    img: Frame, frame_no: int, n_frames: int, color: tuple[int, int, int], title: str
) -> None:
    """The burnt-in overlay every demo video shares: title, big timecode, frame counter,
    progress bar."""
    text(img, title, (18, 40), 1.0, WHITE, 2, FONT, outline=3)
    # translucent band behind the timecode so it is legible on busy backgrounds
    y0, y1 = 140, 240
    band = img[y0:y1]
    band[:] = (band.astype(np.uint16) * 2 // 5).astype(np.uint8)
    text_centered(img, timecode(frame_no), W // 2, 218, 2.6, color, 5, FONT)
    text(img, f"frame {frame_no:03d} / {n_frames}", (18, H - 28), 0.8, WHITE, 2, FONT, outline=3)
    text(img, f"{frame_no / FPS:5.2f} s", (W - 150, H - 28), 0.8, WHITE, 2, FONT, outline=3)
    # progress bar along the bottom edge
    cv2.rectangle(img, (0, H - 10), (W - 1, H - 1), (40, 40, 40), -1)
    cv2.rectangle(img, (0, H - 10), (int((frame_no + 1) / n_frames * (W - 1)), H - 1), color, -1)


# ----------------------------------------------------------------------------------------
# video frame generators
# ----------------------------------------------------------------------------------------


def tide_pools_frames(n: int) -> Iterator[Frame]:
    """Teal water with moving caustics, pebbles and anemones."""
    sw, sh = W // 4, H // 4
    ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float64)
    base = vertical_gradient(W, H, (150, 140, 20), (90, 50, 10)).astype(np.float64)
    rng = np.random.default_rng(11)
    pebbles = [
        (
            int(rng.integers(0, W)),
            int(rng.integers(250, H)),
            int(rng.integers(10, 30)),
            tuple(int(c) for c in rng.integers(60, 160, 3)),
        )
        for _ in range(14)
    ]
    anemones = [
        (
            int(rng.integers(40, W - 40)),
            int(rng.integers(270, H - 30)),
            tuple(int(c) for c in rng.integers(0, 255, 3)),
        )
        for _ in range(5)
    ]
    for i in range(n):
        t = i / FPS
        c = (
            np.sin(xs * 0.21 + t * 2.1)
            + np.sin(ys * 0.29 - t * 1.7)
            + np.sin((xs + ys) * 0.13 + t * 1.1)
        )
        c = np.clip((c + 1.0) / 4.0, 0, 1) ** 3  # bright thin lines
        caustic = cv2.resize(c, (W, H), interpolation=cv2.INTER_LINEAR)[..., None]
        img = np.clip(base + caustic * np.array([120.0, 110.0, 60.0]), 0, 255).astype(np.uint8)
        for px, py, r, col in pebbles:
            cv2.circle(img, (px, py), r, col, -1, cv2.LINE_AA)
        for k, (ax, ay, col) in enumerate(anemones):
            for a in range(10):  # waving tentacles
                ang = a / 10 * math.pi + math.sin(t * 2 + k + a) * 0.2
                tip = (int(ax + 28 * math.cos(ang)), int(ay - 28 * math.sin(ang)))
                cv2.line(img, (ax, ay), tip, col, 4, cv2.LINE_AA)
            cv2.circle(img, (ax, ay), 8, (40, 40, 200), -1, cv2.LINE_AA)
        draw_timecode(img, i, n, (120, 255, 255), "TIDE POOLS")
        yield img


def night_market_frames(n: int) -> Iterator[Frame]:
    """Dark purple night, drifting bokeh lights, swinging lanterns, stall awnings."""
    base = vertical_gradient(W, H, (60, 10, 30), (25, 5, 15))
    for x in range(0, W, 80):  # stall awnings with stripes
        for s in range(4):
            stripe = (40, 40, 200) if s % 2 == 0 else (220, 220, 230)
            cv2.rectangle(base, (x + s * 20, 250), (x + s * 20 + 19, 275), stripe, -1)
        cv2.rectangle(base, (x + 4, 275), (x + 76, H), (30, 40, 60), -1)
    rng = np.random.default_rng(22)
    bokeh = [
        (
            float(rng.uniform(0, W)),
            float(rng.uniform(0, 240)),
            float(rng.uniform(-12, 12)),
            int(rng.integers(6, 22)),
            tuple(int(c) for c in rng.integers(80, 255, 3)),
        )
        for _ in range(26)
    ]
    for i in range(n):
        t = i / FPS
        glow = np.zeros((H, W, 3), np.uint8)
        for bx, by, vx, r, col in bokeh:
            x = int((bx + vx * t) % W)
            cv2.circle(glow, (x, int(by + 6 * math.sin(t + bx))), r, col, -1, cv2.LINE_AA)
        img = np.asarray(cv2.add(base, glow // 2), dtype=np.uint8)
        cv2.line(img, (0, 60), (W, 60), (90, 90, 90), 2, cv2.LINE_AA)
        for k in range(7):  # lanterns on a wire, swinging
            cx = 45 + k * 92
            ang = math.sin(t * 2.2 + k * 0.7) * 0.35
            lx, ly = int(cx + 45 * math.sin(ang)), int(60 + 45 * math.cos(ang))
            cv2.line(img, (cx, 60), (lx, ly), (120, 120, 120), 1, cv2.LINE_AA)
            cv2.ellipse(img, (lx, ly + 16), (20, 26), 0, 0, 360, (40, 120, 255), -1, cv2.LINE_AA)
            cv2.ellipse(img, (lx, ly + 16), (10, 26), 0, 0, 360, (90, 190, 255), -1, cv2.LINE_AA)
        draw_timecode(img, i, n, (80, 200, 255), "NIGHT MARKET")
        yield img


def paper_boats_frames(n: int) -> Iterator[Frame]:
    """Cream paper sky, blue waves, white paper boats bobbing across."""
    base = vertical_gradient(W, H, (215, 235, 245), (190, 215, 235))
    xs = np.arange(0, W + 8, 8)
    for i in range(n):
        t = i / FPS
        img = base.copy()
        waves = [((190, 140, 70), 10, 250), ((160, 100, 40), 14, 285), ((130, 70, 20), 12, 320)]
        for layer, (col, amp, y0) in enumerate(waves):
            ys = y0 + amp * np.sin(xs * 0.025 + t * (1.5 + layer * 0.6) + layer)
            pts = np.column_stack(
                [np.concatenate([xs, [W, 0]]), np.concatenate([ys, [H, H]])]
            ).astype(np.int32)
            cv2.fillPoly(img, [pts], col, cv2.LINE_AA)
            if layer < 2:  # one boat riding each of the two back waves
                bx = int((60 + layer * 260 + t * (55 - layer * 20)) % (W + 120)) - 60
                by = int(y0 + amp * math.sin(bx * 0.025 + t * (1.5 + layer * 0.6) + layer)) - 6
                hull = np.array(
                    [[bx - 40, by - 18], [bx + 40, by - 18], [bx + 26, by], [bx - 26, by]], np.int32
                )
                sail = np.array(
                    [[bx - 4, by - 20], [bx - 4, by - 70], [bx + 30, by - 20]], np.int32
                )
                cv2.fillPoly(img, [hull], (250, 250, 250), cv2.LINE_AA)
                cv2.fillPoly(img, [sail], (235, 245, 255), cv2.LINE_AA)
                cv2.polylines(img, [hull, sail], True, (120, 120, 120), 1, cv2.LINE_AA)
        draw_timecode(img, i, n, (255, 255, 255), "PAPER BOATS")
        yield img


# ----------------------------------------------------------------------------------------
# sound
# ----------------------------------------------------------------------------------------


def envelope(n: int, rate: int, attack: float, release: float) -> Signal:
    env = np.ones(n)
    a, r = max(1, int(attack * rate)), max(1, int(release * rate))
    env[:a] = np.linspace(0, 1, a)
    env[-r:] *= np.linspace(1, 0, r)
    return env


def tone_bed(
    duration: float, freqs: tuple[float, float], beep: float, rate: int = AUDIO_RATE
) -> Signal:
    """A soft two-note drone plus an 80 ms beep on every whole second (sync check)."""
    n = int(round(duration * rate))
    t = np.arange(n) / rate
    bed = 0.12 * np.sin(2 * np.pi * freqs[0] * t) + 0.08 * np.sin(2 * np.pi * freqs[1] * t)
    bed *= 0.8 + 0.2 * np.sin(2 * np.pi * 0.25 * t)  # slow swell
    blen = int(0.08 * rate)
    benv = envelope(blen, rate, 0.005, 0.03)
    for s in range(int(duration) + 1):
        start = s * rate
        seg = min(blen, n - start)
        if seg <= 0:
            break
        f = beep * (2 if s == 0 else 1)  # an octave higher at 0 s
        bed[start : start + seg] += 0.35 * benv[:seg] * np.sin(2 * np.pi * f * t[:seg])
    bed *= envelope(n, rate, 0.02, 0.2)
    stereo: Signal = np.column_stack([bed, bed])
    return stereo


def melody(duration: float = 10.0, rate: int = AUDIO_RATE) -> Signal:
    """'Gull Song': an Am-F-C-G arpeggio with a bass line and two gull cries."""
    n = int(round(duration * rate))
    out = np.zeros((n, 2))

    def note(freq: float, start: float, length: float, gain: float, pan: float) -> None:
        i0 = int(start * rate)
        m = min(int(length * rate), n - i0)
        if m <= 0:
            return
        t = np.arange(m) / rate
        wave_ = (
            np.sin(2 * np.pi * freq * t)
            + 0.35 * np.sin(4 * np.pi * freq * t)
            + 0.12 * np.sin(6 * np.pi * freq * t)
        )
        env = np.exp(-t * 3.0) * envelope(m, rate, 0.008, 0.05)
        s = gain * wave_ * env
        out[i0 : i0 + m, 0] += s * (1 - pan)
        out[i0 : i0 + m, 1] += s * pan

    def midi(k: int) -> float:
        return 440.0 * 2 ** ((k - 69) / 12)

    chords = [
        (57, [69, 72, 76, 81]),
        (53, [65, 69, 72, 77]),
        (48, [64, 67, 72, 76]),
        (55, [62, 67, 71, 74]),
    ]  # Am F C G (bass, arpeggio notes)
    step = 0.25
    for c, (bass, notes) in enumerate(chords):
        t0 = c * 2.5
        note(midi(bass - 12), t0, 2.4, 0.22, 0.5)
        pattern = notes + notes[-2:0:-1] + notes[:2]  # up, down, up: 10 steps of 0.25 s
        for k, m in enumerate(pattern[:10]):
            note(midi(m), t0 + k * step, 0.6, 0.13, 0.3 if k % 2 else 0.7)
    for start in (3.1, 7.2):  # gull cries: falling glides with vibrato
        m = int(0.45 * rate)
        t = np.arange(m) / rate
        f = 1900 - 900 * t / 0.45 + 40 * np.sin(2 * np.pi * 14 * t)
        phase = 2 * np.pi * np.cumsum(f) / rate
        s = 0.07 * np.sin(phase) * envelope(m, rate, 0.03, 0.2)
        i0 = int(start * rate)
        out[i0 : i0 + m, 0] += s * 0.8
        out[i0 : i0 + m, 1] += s * 0.4
    out *= envelope(n, rate, 0.01, 0.6)[:, None]
    peak = float(np.abs(out).max())
    result: Signal = out * (0.8 / peak)
    return result


def write_wav(path: Path, samples: Signal, rate: int = AUDIO_RATE) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


# ----------------------------------------------------------------------------------------
# still images
# ----------------------------------------------------------------------------------------


def draw_title(img: Frame, title: str, subtitle: str) -> None:
    h = img.shape[0]
    text(img, title, (60, h - 110), 3.2, WHITE, 6, FONT_TITLE, outline=4)
    text(img, subtitle, (66, h - 55), 1.2, (230, 230, 230), 2, FONT, outline=3)


def harbour_image() -> Frame:
    img = vertical_gradient(IMG_W, 420, (120, 60, 90), (90, 170, 255))  # purple -> orange sky
    sea = vertical_gradient(IMG_W, IMG_H - 420, (110, 90, 60), (70, 40, 20))
    img = np.vstack([img, sea])
    cv2.circle(img, (900, 400), 90, (120, 210, 255), -1, cv2.LINE_AA)  # setting sun
    img[420:] = sea  # the horizon cuts the sun
    rng = np.random.default_rng(33)
    for _ in range(70):  # sun glitter on the water
        y = int(rng.integers(425, 640))
        x = int(900 + rng.normal(0, 40 + (y - 420) * 0.4))
        half = int(rng.integers(10, 45))
        cv2.line(img, (x - half, y), (x + half, y), (140, 215, 255), 2, cv2.LINE_AA)
    cv2.rectangle(img, (0, 380), (260, 440), (40, 30, 30), -1)  # pier
    for x in range(10, 260, 40):
        cv2.rectangle(img, (x, 440), (x + 10, 520), (35, 25, 25), -1)
    for bx, by, s in [(380, 500, 1.0), (620, 470, 0.7), (1120, 520, 1.2)]:  # boats
        hull = np.array(
            [
                [bx - 90 * s, by],
                [bx + 90 * s, by],
                [bx + 60 * s, by + 30 * s],
                [bx - 60 * s, by + 30 * s],
            ],
            np.int32,
        )
        cv2.fillPoly(img, [hull], (40, 30, 35), cv2.LINE_AA)
        cv2.line(
            img, (bx, by), (bx, int(by - 150 * s)), (40, 30, 35), max(2, int(5 * s)), cv2.LINE_AA
        )
        sail = np.array(
            [[bx + 6, by - 12 * s], [bx + 6, by - 140 * s], [bx + 80 * s, by - 12 * s]], np.int32
        )
        cv2.fillPoly(img, [sail], (70, 60, 80), cv2.LINE_AA)
    draw_title(img, "Harbour", "liveshow demo - still image (JPEG)")
    return img


def kites_image() -> Frame:
    img = vertical_gradient(IMG_W, IMG_H, (235, 170, 70), (250, 225, 180))  # blue sky
    for cx, cy, r in [
        (200, 140, 60),
        (260, 120, 70),
        (330, 150, 50),
        (950, 100, 55),
        (1010, 90, 65),
    ]:  # clouds
        cv2.circle(img, (cx, cy), r, (250, 250, 250), -1, cv2.LINE_AA)
    cv2.ellipse(img, (640, 900), (1000, 330), 0, 180, 360, (70, 170, 90), -1, cv2.LINE_AA)
    palette = [(60, 60, 230), (40, 200, 250), (200, 90, 40), (160, 60, 170), (60, 180, 60)]
    for k, (kx, ky, size, tilt) in enumerate(
        [
            (300, 300, 90, -0.3),
            (560, 200, 70, 0.2),
            (820, 330, 100, 0.15),
            (1050, 240, 60, -0.2),
            (700, 450, 55, 0.4),
        ]
    ):
        c, s_ = math.cos(tilt), math.sin(tilt)

        def rot(
            dx: float, dy: float, kx: float = kx, ky: float = ky, c: float = c, s_: float = s_
        ) -> tuple[int, int]:
            return (int(kx + dx * c - dy * s_), int(ky + dx * s_ + dy * c))

        top, bottom = rot(0, -size), rot(0, size * 1.3)
        left, right = rot(-size * 0.7, -size * 0.2), rot(size * 0.7, -size * 0.2)
        centre = rot(0, -size * 0.2)
        for q, (a, b) in enumerate([(top, right), (right, bottom), (bottom, left), (left, top)]):
            col = palette[(k + q) % len(palette)]
            cv2.fillPoly(img, [np.array([a, b, centre], np.int32)], col, cv2.LINE_AA)
        cv2.line(img, top, bottom, (60, 60, 60), 2, cv2.LINE_AA)
        cv2.line(img, left, right, (60, 60, 60), 2, cv2.LINE_AA)
        tail = [
            (bottom[0] + int(18 * math.sin(j * 0.9)) + j * 4, bottom[1] + j * 22) for j in range(9)
        ]
        cv2.polylines(img, [np.array(tail, np.int32)], False, (80, 80, 80), 2, cv2.LINE_AA)
        for j in range(2, 9, 2):  # bows on the tail
            x, y = tail[j]
            col = palette[(k + j) % len(palette)]
            cv2.fillPoly(
                img,
                [np.array([[x - 12, y - 7], [x, y], [x - 12, y + 7]], np.int32)],
                col,
                cv2.LINE_AA,
            )
            cv2.fillPoly(
                img,
                [np.array([[x + 12, y - 7], [x, y], [x + 12, y + 7]], np.int32)],
                col,
                cv2.LINE_AA,
            )
        cv2.line(img, bottom, (640 + (kx - 640) // 6, IMG_H), (90, 90, 90), 1, cv2.LINE_AA)
    draw_title(img, "Kites", "liveshow demo - still image (PNG)")
    return img


def lanterns_image() -> Frame:
    img = vertical_gradient(IMG_W, IMG_H, (50, 15, 10), (90, 40, 30))  # night
    rng = np.random.default_rng(44)
    for _ in range(160):  # stars
        x, y = int(rng.integers(0, IMG_W)), int(rng.integers(0, 420))
        v = int(rng.integers(120, 255))
        cv2.circle(img, (x, y), int(rng.integers(1, 3)), (v, v, v), -1, cv2.LINE_AA)
    glow = np.zeros_like(img)
    bodies = []
    for _ in range(16):
        x, y = int(rng.integers(60, IMG_W - 60)), int(rng.integers(80, 520))
        s = float(rng.uniform(0.5, 1.3))
        hue = (int(rng.integers(20, 90)), int(rng.integers(120, 200)), 255)
        cv2.circle(glow, (x, y), int(70 * s), hue, -1, cv2.LINE_AA)
        bodies.append((x, y, s, hue))
    glow = np.asarray(cv2.GaussianBlur(glow, (0, 0), 25), dtype=np.uint8)
    img = np.asarray(cv2.add(img, glow), dtype=np.uint8)
    for x, y, s, hue in bodies:
        cv2.ellipse(img, (x, y), (int(26 * s), int(34 * s)), 0, 0, 360, hue, -1, cv2.LINE_AA)
        cv2.ellipse(
            img, (x, y), (int(12 * s), int(34 * s)), 0, 0, 360, (160, 235, 255), -1, cv2.LINE_AA
        )
        cv2.rectangle(
            img,
            (x - int(14 * s), y - int(38 * s)),
            (x + int(14 * s), y - int(32 * s)),
            (40, 60, 90),
            -1,
        )
    draw_title(img, "Lanterns", "liveshow demo - still image (JPEG)")
    return img


# ----------------------------------------------------------------------------------------
# encoders
# ----------------------------------------------------------------------------------------


def run_ffmpeg(args: list[str], stdin_frames: Iterator[Frame] | None = None) -> None:
    """Run ffmpeg; with `stdin_frames`, pipe raw BGR frames to it.  Raises on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    if stdin_frames is None:
        cmd.insert(1, "-nostdin")
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if stdin_frames is not None else None,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            if stdin_frames is not None:
                assert proc.stdin is not None
                try:
                    for frame in stdin_frames:
                        proc.stdin.write(frame.tobytes())
                finally:
                    proc.stdin.close()
            rc = proc.wait(timeout=120)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if rc != 0:
            err.seek(0)
            msg = err.read().decode("utf-8", "replace").strip()
            raise RuntimeError(f"ffmpeg failed ({rc}): {' '.join(cmd)}\n{msg}")


def encode_video(
    dest: Path, frames: Iterator[Frame], duration: float, audio: Signal, webm: bool = False
) -> None:
    with tempfile.TemporaryDirectory() as td:
        wav = Path(td) / "audio.wav"
        write_wav(wav, audio)
        raw_in = [
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgr24",
            "-s",
            f"{W}x{H}",
            "-r",
            str(FPS),
            "-i",
            "-",
            "-i",
            str(wav),
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
            "-t",
            f"{duration:.3f}",
        ]
        if webm:
            codecs = [
                "-c:v",
                "libvpx",
                "-b:v",
                "450k",
                "-deadline",
                "good",
                "-cpu-used",
                "4",
                "-auto-alt-ref",
                "0",
                "-g",
                str(FPS * 2),
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "libopus",
                "-b:a",
                "64k",
                "-f",
                "webm",
            ]
        else:
            codecs = [
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-crf",
                "27",
                "-maxrate",
                "900k",
                "-bufsize",
                "1800k",
                "-g",
                str(FPS * 2),
                "-pix_fmt",
                "yuv420p",
                "-profile:v",
                "high",
                "-c:a",
                "aac",
                "-b:a",
                "96k",
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
            ]
        run_ffmpeg([*raw_in, *codecs, *BITEXACT, str(dest)], stdin_frames=frames)


def encode_audio(dest: Path, samples: Signal) -> None:
    with tempfile.TemporaryDirectory() as td:
        wav = Path(td) / "melody.wav"
        write_wav(wav, samples)
        run_ffmpeg(
            [
                "-i",
                str(wav),
                "-c:a",
                "aac",
                "-b:a",
                "112k",
                "-movflags",
                "+faststart",
                *BITEXACT,
                "-f",
                "ipod",
                str(dest),
            ]
        )


def encode_image(dest: Path, img: Frame, ext: str) -> None:
    params = [cv2.IMWRITE_JPEG_QUALITY, 88] if ext == ".jpg" else [cv2.IMWRITE_PNG_COMPRESSION, 9]
    ok, buf = cv2.imencode(ext, img, params)
    if not ok:
        raise RuntimeError(f"OpenCV could not encode {dest.name}")
    dest.write_bytes(buf.tobytes())


# ----------------------------------------------------------------------------------------
# the catalogue and the driver
# ----------------------------------------------------------------------------------------


class Item(NamedTuple):
    # (a NamedTuple, not a dataclass: liveshow/demo.py loads this file with
    # importlib.util.spec_from_file_location without adding it to sys.modules, and
    # @dataclass with string annotations fails then on Python 3.11)
    name: str
    make: Callable[[Path], None]


def _video(
    seconds: float,
    frames: Callable[[int], Iterator[Frame]],
    freqs: tuple[float, float],
    beep: float,
    webm: bool = False,
) -> Callable[[Path], None]:
    def make(dest: Path) -> None:
        n = int(round(seconds * FPS))
        encode_video(dest, frames(n), seconds, tone_bed(seconds, freqs, beep), webm=webm)

    return make


def _image(draw: Callable[[], Frame], ext: str) -> Callable[[Path], None]:
    return lambda dest: encode_image(dest, draw(), ext)


ITEMS: tuple[Item, ...] = (
    Item("tide-pools.mp4", _video(8.0, tide_pools_frames, (220.0, 330.0), 880.0)),
    Item("night-market.mp4", _video(12.0, night_market_frames, (196.0, 294.0), 988.0)),
    Item("paper-boats.webm", _video(6.0, paper_boats_frames, (262.0, 392.0), 1047.0, webm=True)),
    Item("harbour.jpg", _image(harbour_image, ".jpg")),
    Item("kites.png", _image(kites_image, ".png")),
    Item("lanterns.jpg", _image(lanterns_image, ".jpg")),
    Item("gull-song.m4a", lambda dest: encode_audio(dest, melody(10.0))),
)

FILE_NAMES: tuple[str, ...] = tuple(item.name for item in ITEMS)


def _read_marker(out_dir: Path) -> dict[str, int]:
    """File name -> size recorded by the last run of this generator version ({} if none)."""
    try:
        data = json.loads((out_dir / MARKER_NAME).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("generator_version") != GENERATOR_VERSION:
        return {}
    files = data.get("files")
    return {str(k): int(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _write_marker(out_dir: Path, files: dict[str, int]) -> None:
    tmp = out_dir / f"{MARKER_NAME}.{os.getpid()}.tmp"
    tmp.write_text(
        json.dumps(
            {"generator_version": GENERATOR_VERSION, "files": files}, indent=2, sort_keys=True
        )
        + "\n"
    )
    os.replace(tmp, out_dir / MARKER_NAME)


def generate(out_dir: Path, *, force: bool = False, verbose: bool = False) -> None:
    """Make every demo file in `out_dir` that is missing or out of date."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    recorded = {} if force else _read_marker(out_dir)
    sizes: dict[str, int] = {}
    for item in ITEMS:
        dest = out_dir / item.name
        if dest.is_file() and recorded.get(item.name) == dest.stat().st_size:
            sizes[item.name] = recorded[item.name]
            if verbose:
                print(f"  kept  {item.name}")
            continue
        t0 = time.monotonic()
        # unique per process, so two runs at once (e.g. parallel test workers) never share
        # a half-written file; the encoders are told the format, not guessing it from a name
        tmp = dest.with_name(f".{item.name}.{os.getpid()}.partial")
        try:
            item.make(tmp)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        sizes[item.name] = dest.stat().st_size
        _write_marker(out_dir, {**recorded, **sizes})  # progress survives an interruption
        if verbose:
            print(
                f"  made  {item.name:18s} {sizes[item.name] / 1024:7.0f} KiB"
                f"  {time.monotonic() - t0:5.1f} s"
            )
    _write_marker(out_dir, sizes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the demo show's sample media.")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "demo",
        help="output folder (default: media/demo next to this script)",
    )
    parser.add_argument("--force", action="store_true", help="make every file again")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    generate(args.out, force=args.force, verbose=not args.quiet)
    if not args.quiet:
        total = sum((args.out / n).stat().st_size for n in FILE_NAMES)
        print(
            f"{len(FILE_NAMES)} files in {args.out}, {total / 1e6:.2f} MB, "
            f"{time.monotonic() - t0:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
