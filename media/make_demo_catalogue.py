#!/usr/bin/env python3
"""Generate the bundled demo community of the reference catalogue, offline.

Usage::

    python media/make_demo_catalogue.py [--out media/demo/catalogue] [--force]

It writes small media files (drawn with numpy/OpenCV, encoded with the ffmpeg of the
``imageio-ffmpeg`` wheel, a few seconds each) and ``community.json``: the collaborations,
artists, records, credits, consent, lineage and a performance with screenings that
``liveshow catalogue serve`` loads into a new, empty data directory. It reuses the drawing,
sound and encoding helpers of ``make_demo_media.py`` beside it, and, like it, is
deterministic, quick to re-run (files are only made again when missing or when
``GENERATOR_VERSION`` changes) and writes each file under a temporary name first.

The heart of it is one full remix chain, so lineage several levels deep exists from the
start: a story (text) -> a voice-over -> music -> a green-screen take at a show (with an
audience drawing and a photo as its backgrounds, with time ranges) -> visuals -> an animation.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

GENERATOR_VERSION = 1
HERE = Path(__file__).resolve().parent
MANIFEST = "community.json"
SECONDS = 3.0
TERMS = "2026-1"
AGREED = "2026-11-01T19:30:00+00:00"


def _helpers() -> Any:
    """make_demo_media.py, loaded by path (it is a script beside this one, not a package)."""
    name = "make_demo_media"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "make_demo_media.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("media/make_demo_media.py not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # @dataclass in a loaded script needs this on 3.11
    spec.loader.exec_module(module)
    return module


dm = _helpers()
W, H, FPS = dm.W, dm.H, dm.FPS


# ----------------------------------------------------------------------------------------
# pictures
# ----------------------------------------------------------------------------------------


def cat_drawing() -> Any:
    """An audience member's drawing: a black cat on rocks under a lighthouse beam."""
    img = np.full((360, 480, 3), 245, np.uint8)
    cv2.rectangle(img, (0, 260), (480, 360), (90, 110, 120), -1)
    cv2.fillPoly(
        img, [np.array([[330, 260], [370, 60], [400, 60], [440, 260]], np.int32)], (60, 60, 200)
    )
    cv2.line(img, (385, 70), (60, 20), (90, 220, 250), 10, cv2.LINE_AA)
    cv2.ellipse(img, (170, 230), (60, 34), 0, 0, 360, (30, 30, 30), -1, cv2.LINE_AA)
    cv2.circle(img, (225, 190), 26, (30, 30, 30), -1, cv2.LINE_AA)
    for dx in (-14, 12):
        cv2.fillPoly(
            img,
            [np.array([[225 + dx - 8, 175], [225 + dx, 150], [225 + dx + 8, 175]], np.int32)],
            (30, 30, 30),
        )
        cv2.circle(img, (225 + dx // 2 + 2, 188), 4, (40, 220, 240), -1, cv2.LINE_AA)
    cv2.ellipse(img, (110, 220), (40, 12), 30, 0, 180, (30, 30, 30), 6, cv2.LINE_AA)
    return img


def boat_drawing() -> Any:
    img = np.full((360, 480, 3), 240, np.uint8)
    cv2.rectangle(img, (0, 250), (480, 360), (200, 150, 80), -1)
    hull = np.array([[120, 230], [360, 230], [320, 270], [160, 270]], np.int32)
    cv2.fillPoly(img, [hull], (250, 250, 250), cv2.LINE_AA)
    cv2.fillPoly(img, [np.array([[240, 225], [240, 80], [330, 225]], np.int32)], (230, 240, 255))
    cv2.polylines(img, [hull], True, (80, 80, 80), 3, cv2.LINE_AA)
    return img


# ----------------------------------------------------------------------------------------
# sound
# ----------------------------------------------------------------------------------------


def voice(duration: float = 4.0, rate: int = 48000) -> Any:
    """Speech-like babble: a gliding voiced pitch shaped into syllables."""
    t = np.arange(int(duration * rate)) / rate
    pitch = 140 + 25 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * 3.1 * t), 0, 1) ** 0.6
    mono = 0.25 * voiced * syllables * dm.envelope(len(t), rate, 0.05, 0.3)
    return np.column_stack([mono, mono])


def _melody(seconds: float, rate: int = 48000) -> Any:
    """The demo show's 10 s melody, cut short and faded out (its notes are timed for 10 s)."""
    cut = dm.melody(10.0)[: int(seconds * rate)].copy()
    return cut * dm.envelope(len(cut), rate, 0.01, 0.3)[:, None]


# ----------------------------------------------------------------------------------------
# video frames
# ----------------------------------------------------------------------------------------


def _fit(img: Any) -> Any:
    return cv2.resize(img, (W, H), interpolation=cv2.INTER_AREA)


def take_frames(n: int) -> Iterator[Any]:
    """The keyed take: a performer (a simple figure) over the photo, then the drawing."""
    backgrounds = [_fit(dm.harbour_image()), _fit(cat_drawing())]
    for i in range(n):
        t = i / FPS
        img = backgrounds[0 if t < SECONDS / 2 else 1].copy()
        x = int(W * 0.3 + 120 * math.sin(t * 1.5))
        cv2.circle(img, (x, 150), 28, (60, 90, 160), -1, cv2.LINE_AA)
        cv2.rectangle(img, (x - 30, 180), (x + 30, 300), (90, 40, 40), -1)
        arm = int(40 * math.sin(t * 4))
        cv2.line(img, (x - 30, 200), (x - 80, 200 - arm), (90, 40, 40), 12, cv2.LINE_AA)
        dm.draw_timecode(img, i, n, (255, 255, 255), "TAKE 3 (KEYED)")
        yield img


def visuals_frames(n: int) -> Iterator[Any]:
    """Community visuals over the take: colour-cycled, with a kaleidoscope mirror."""
    for i, frame in enumerate(take_frames(n)):
        hsv = cv2.cvtColor(frame, cv2.COLOR_BGR2HSV)
        hsv[..., 0] = (hsv[..., 0].astype(int) + i * 3) % 180
        img = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
        img[:, W // 2 :] = img[:, : W // 2][:, ::-1]
        yield img


def animation_frames(n: int) -> Iterator[Any]:
    """The animation: the cat's lighthouse beam sweeping stars across the visuals."""
    for i, frame in enumerate(visuals_frames(n)):
        img = (frame * 0.6).astype(np.uint8)
        ang = i / n * 2 * math.pi
        tip = (int(W / 2 + 400 * math.cos(ang)), int(H / 2 + 400 * math.sin(ang)))
        cv2.line(img, (W // 2, H // 2), tip, (120, 240, 255), 18, cv2.LINE_AA)
        for k in range(12):
            sx = int((k * 97 + i * 4) % W)
            cv2.circle(img, (sx, 30 + (k * 53) % (H - 60)), 3 + k % 3, (255, 255, 255), -1)
        yield img


def lanterns_frames(n: int) -> Iterator[Any]:
    still = _fit(dm.lanterns_image())
    for i in range(n):
        zoom = 1 + 0.15 * i / n
        m = cv2.getRotationMatrix2D((W / 2, H / 2), 0, zoom)
        yield cv2.warpAffine(still, m, (W, H))


# ----------------------------------------------------------------------------------------
# files and the community
# ----------------------------------------------------------------------------------------


def _video(frames: Callable[[int], Iterator[Any]], freqs: tuple[float, float]) -> Callable:
    def make(dest: Path) -> None:
        n = int(SECONDS * FPS)
        dm.encode_video(dest, frames(n), SECONDS, dm.tone_bed(SECONDS, freqs, 880.0))

    return make


FILES: dict[str, Callable[[Path], None]] = {
    "voice-over.m4a": lambda d: dm.encode_audio(d, voice()),
    "lighthouse-theme.m4a": lambda d: dm.encode_audio(d, _melody(4.0)),
    "gull-song.m4a": lambda d: dm.encode_audio(d, _melody(3.0)),
    "harbour.jpg": lambda d: dm.encode_image(d, _fit(dm.harbour_image()), ".jpg"),
    "lanterns.jpg": lambda d: dm.encode_image(d, _fit(dm.lanterns_image()), ".jpg"),
    "cat-drawing.png": lambda d: dm.encode_image(d, cat_drawing(), ".png"),
    "boat-drawing.png": lambda d: dm.encode_image(d, boat_drawing(), ".png"),
    "take-3.mp4": _video(take_frames, (220.0, 330.0)),
    "visuals.mp4": _video(visuals_frames, (196.0, 294.0)),
    "animation.mp4": _video(animation_frames, (262.0, 392.0)),
    "lanterns-sung.mp4": _video(lanterns_frames, (175.0, 262.0)),
}

ARTISTS = {
    "mara": "Mara Quell",
    "teo": "Teo Brandt",
    "ines": "Inês Faria",
    "sol": "Sol Okafor",
    "jonas": "Jonas Lind",
    "kai": "Kai Moreno",
    "lea": "Léa Roux",
    "rui": "Rui Tanaka",
    "guest-ana": "Ana (audience)",
    "guest-bo": "Bo (audience)",
}

COLLABORATIONS = [
    {
        "slug": "the-lighthouse-cat",
        "title": "The Lighthouse Cat",
        "description": "A story that became a voice-over, music, a green-screen shoot at "
        "Harbour Nights, community visuals and finally an animation.",
    },
    {
        "slug": "harbour-songs",
        "title": "Harbour Songs",
        "description": "Songs and pictures of the harbour, remixed into a short film.",
    },
    {
        "slug": "paper-boats",
        "title": "Paper Boats",
        "description": "Tiny stories written by the audience, and the drawings they inspired.",
    },
]

STORY = (
    "Every night the lighthouse keeper's cat climbed the hundred steps before he did. "
    "She was not there for the light. She was there for the ships, who, she believed, "
    "came only to see her."
)

# the show the take was filmed at: its ids are what a show's sync would send as the origin
NIGHT = {"performance": "harbour-nights-2026-11-01", "show": "harbour-nights"}


def _credits(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"handle": h, "name": ARTISTS[h], "role": r} for h, r in pairs]


def _record(
    name: str,
    collab: str,
    kind: str,
    title: str,
    credits: list[dict[str, str]],
    file: str = "",
    mime: str = "",
    parents: tuple[dict[str, Any], ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    duration = (
        SECONDS if mime.startswith("video/") else (4.0 if mime.startswith("audio/") else None)
    )
    return {
        "name": name,
        "collaboration": collab,
        "kind": kind,
        "title": title,
        "contributors": credits,
        "file": file,
        "mime": mime,
        "duration": duration,
        "parents": list(parents),
        **extra,
    }


def _parent(
    ref: str, role: str, start: float | None = None, end: float | None = None
) -> dict[str, Any]:
    return {"ref": ref, "role": role, "start": start, "end": end}


RECORDS: list[dict[str, Any]] = [
    _record(
        "story",
        "the-lighthouse-cat",
        "text",
        "The Lighthouse Cat",
        _credits(("mara", "writer")),
        text=STORY,
    ),
    _record(
        "voice-over",
        "the-lighthouse-cat",
        "sound",
        "The Lighthouse Cat, read aloud",
        _credits(("teo", "voice")),
        "voice-over.m4a",
        "audio/mp4",
        (_parent("story", "script"),),
    ),
    _record(
        "theme",
        "the-lighthouse-cat",
        "sound",
        "Lighthouse theme",
        _credits(("ines", "music")),
        "lighthouse-theme.m4a",
        "audio/mp4",
        (_parent("voice-over", "voice-over"),),
    ),
    _record(
        "harbour",
        "harbour-songs",
        "picture",
        "Harbour at dusk",
        _credits(("sol", "photographer")),
        "harbour.jpg",
        "image/jpeg",
    ),
    _record(
        "cat-drawing",
        "the-lighthouse-cat",
        "drawing",
        "The cat on the rocks",
        _credits(("guest-ana", "audience contributor")),
        "cat-drawing.png",
        "image/png",
        origin={
            **NIGHT,
            "cue": "draw-the-cat",
            "prompt": "draw-the-cat",
            "submission": "s-7f3a9c",
            "made_at": "2026-11-01T20:12:40+00:00",
        },
    ),
    _record(
        "take",
        "the-lighthouse-cat",
        "take",
        "Green-screen take 3",
        _credits(("jonas", "performer"), ("kai", "camera")),
        "take-3.mp4",
        "video/mp4",
        (
            _parent("theme", "soundtrack"),
            _parent("harbour", "background", 0.0, 1.5),
            _parent("cat-drawing", "background", 1.5, 3.0),
        ),
        origin={
            **NIGHT,
            "cue": "shoot-the-cat",
            "take": "take-3",
            "camera": "cam1",
            "made_at": "2026-11-01T20:31:05+00:00",
        },
    ),
    _record(
        "visuals",
        "the-lighthouse-cat",
        "video",
        "Lighthouse visuals",
        _credits(("lea", "illustrator")),
        "visuals.mp4",
        "video/mp4",
        (_parent("take", "plate"), _parent("cat-drawing", "drawing")),
    ),
    _record(
        "animation",
        "the-lighthouse-cat",
        "video",
        "The Lighthouse Cat (animation)",
        _credits(("rui", "animator"), ("ines", "music")),
        "animation.mp4",
        "video/mp4",
        (_parent("visuals", "visuals"), _parent("theme", "music")),
    ),
    _record(
        "gull-song",
        "harbour-songs",
        "sound",
        "Gull song",
        _credits(("ines", "music")),
        "gull-song.m4a",
        "audio/mp4",
    ),
    _record(
        "lanterns",
        "harbour-songs",
        "picture",
        "Lanterns",
        _credits(("sol", "photographer")),
        "lanterns.jpg",
        "image/jpeg",
    ),
    _record(
        "lanterns-sung",
        "harbour-songs",
        "video",
        "Lanterns, sung",
        _credits(("mara", "editor")),
        "lanterns-sung.mp4",
        "video/mp4",
        (
            _parent("lanterns", "picture"),
            _parent("gull-song", "music"),
            _parent("harbour", "picture"),
        ),
    ),
    _record(
        "boat-story",
        "paper-boats",
        "text",
        "The boat that wanted to fly",
        _credits(("guest-bo", "audience contributor")),
        text="A paper boat folded wings from its sails and sailed the wind instead.",
        origin={
            **NIGHT,
            "cue": "tiny-stories",
            "prompt": "tiny-stories",
            "submission": "s-1b22e0",
            "made_at": "2026-11-01T19:58:10+00:00",
        },
    ),
    _record(
        "boat-drawing",
        "paper-boats",
        "drawing",
        "Paper boat",
        _credits(("guest-ana", "audience contributor")),
        "boat-drawing.png",
        "image/png",
        (_parent("boat-story", "illustrates"),),
    ),
]

PERFORMANCES = [
    {
        "id": NIGHT["performance"],
        "show": NIGHT["show"],
        "title": "Harbour Nights",
        "venue": "The Boathouse",
        "started_at": "2026-11-01T19:30:00+00:00",
        "ended_at": "2026-11-01T21:40:00+00:00",
        "screenings": [
            {"ref": "lanterns-sung", "at": "2026-11-01T19:41:00+00:00"},
            {"ref": "story", "at": "2026-11-01T19:50:00+00:00"},
        ],
    }
]


def community() -> dict[str, Any]:
    for rec in RECORDS:
        rec["consent"] = [
            {"artist": c["handle"], "terms_version": TERMS, "accepted_at": AGREED}
            for c in rec["contributors"]
        ]
    return {
        "generator_version": GENERATOR_VERSION,
        "collaborations": COLLABORATIONS,
        "records": RECORDS,
        "performances": PERFORMANCES,
    }


def _read_marker(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def generate(out_dir: Path, *, force: bool = False, verbose: bool = False) -> Path:
    """Make every missing or outdated file; return the path of ``community.json``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    old = {} if force else _read_marker(out_dir)
    sizes = old.get("sizes", {}) if old.get("generator_version") == GENERATOR_VERSION else {}
    for name, make in FILES.items():
        dest = out_dir / name
        if dest.is_file() and sizes.get(name) == dest.stat().st_size:
            continue
        t0 = time.monotonic()
        tmp = dest.with_name(f".{name}.{os.getpid()}.partial")
        try:
            make(tmp)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        sizes[name] = dest.stat().st_size
        if verbose:
            print(
                f"  made  {name:22s} {sizes[name] / 1024:6.0f} KiB  {time.monotonic() - t0:4.1f} s"
            )
    manifest = out_dir / MANIFEST
    tmp = manifest.with_name(f".{MANIFEST}.{os.getpid()}.partial")
    tmp.write_text(json.dumps({**community(), "sizes": sizes}, indent=1, ensure_ascii=False))
    os.replace(tmp, manifest)  # written last: its presence means every file is there
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the demo catalogue community.")
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / "demo" / "catalogue",
        help="output folder (default: media/demo/catalogue)",
    )
    parser.add_argument("--force", action="store_true", help="make every file again")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    manifest = generate(args.out, force=args.force, verbose=not args.quiet)
    if not args.quiet:
        total = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
        print(
            f"{manifest} and {len(FILES)} media files, {total / 1e6:.2f} MB, "
            f"{time.monotonic() - t0:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
