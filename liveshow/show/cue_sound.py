"""A cue's fades and level (``fade_in``, ``fade_out``, ``level`` in the show file), as QLab
gives every cue: checked as the show loads, so a typo names its cue at load time.

``level`` is in dB relative to the file's own level, -60 to 0: a display plays media
through the browser's ``volume`` (0..1), which cannot make a file louder than it is."""

from __future__ import annotations

import math
from typing import Any

MAX_FADE = 30.0  # seconds
MIN_LEVEL = -60.0  # dB: as good as silent
MAX_LEVEL = 0.0  # dB: the file as it is


def fade_seconds(value: Any, field: str) -> float:
    """A fade time, 0 to 30 s; ValueError names the field and says what is wrong."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"'{field}' must be a number of seconds, got {value!r}")
    if not 0 <= value <= MAX_FADE:
        raise ValueError(f"'{field}' must be between 0 and {MAX_FADE:.0f} seconds, got {value!r}")
    return float(value)


def level_db(value: Any) -> float:
    """A cue's audio level in dB, -60 to 0 (0 plays the file as it is)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"'level' must be a number of dB (e.g. -6), got {value!r}")
    if not MIN_LEVEL <= value <= MAX_LEVEL:
        raise ValueError(
            f"'level' must be between {MIN_LEVEL:.0f} and {MAX_LEVEL:.0f} dB, got {value!r}"
        )
    return float(value)


def parse_sound(raw: dict[str, Any]) -> tuple[float, float, float]:
    """``(fade_in, fade_out, level)`` of a cue mapping, each 0 when left out."""
    return (
        fade_seconds(raw.get("fade_in", 0), "fade_in"),
        fade_seconds(raw.get("fade_out", 0), "fade_out"),
        level_db(raw.get("level", 0)),
    )
