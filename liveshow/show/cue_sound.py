"""A cue's fades and level (``fade_in``, ``fade_out``, ``level`` in the show file), as QLab
gives every cue: checked as the show loads, so a typo names its cue at load time.

``level`` is in dB relative to the file's own level, -60 to 0: a display plays media
through the browser's ``volume`` (0..1), which cannot make a file louder than it is."""

from __future__ import annotations

from typing import Any

from .cues import CueKind, Transition
from .finite import is_finite

MAX_FADE = 30.0  # seconds
MIN_LEVEL = -60.0  # dB: as good as silent
MAX_LEVEL = 0.0  # dB: the file as it is


def fade_seconds(value: Any, field: str) -> float:
    """A fade time, 0 to 30 s; ValueError names the field and says what is wrong."""
    if not is_finite(value):
        raise ValueError(f"'{field}' must be a number of seconds, got {value!r}")
    if not 0 <= value <= MAX_FADE:
        raise ValueError(f"'{field}' must be between 0 and {MAX_FADE:.0f} seconds, got {value!r}")
    return float(value)


def level_db(value: Any) -> float:
    """A cue's audio level in dB, -60 to 0 (0 plays the file as it is)."""
    if not is_finite(value):
        raise ValueError(f"'level' must be a number of dB (e.g. -6), got {value!r}")
    if not MIN_LEVEL <= value <= MAX_LEVEL:
        raise ValueError(
            f"'level' must be between {MIN_LEVEL:.0f} and {MAX_LEVEL:.0f} dB, got {value!r}"
        )
    return float(value)


def parse_transition(value: Any, kind: CueKind, fade_in: float) -> Transition:
    """A camera cue's ``transition``: fade (over its fade_in) or cut (so no fade_in)."""
    if value is None:
        return Transition.FADE
    if kind is not CueKind.CAMERA:
        raise ValueError("'transition' belongs on camera cues")
    try:
        transition = Transition(value)
    except ValueError:
        raise ValueError(f"'transition' must be fade or cut, got {value!r}") from None
    if transition is Transition.CUT and fade_in:
        raise ValueError("a cut has no fade: leave out 'fade_in' or use fade")
    return transition


def parse_sound(raw: dict[str, Any]) -> tuple[float, float, float]:
    """``(fade_in, fade_out, level)`` of a cue mapping, each 0 when left out."""
    return (
        fade_seconds(raw.get("fade_in", 0), "fade_in"),
        fade_seconds(raw.get("fade_out", 0), "fade_out"),
        level_db(raw.get("level", 0)),
    )
