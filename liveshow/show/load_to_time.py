"""Load to time, as QLab has it: the crew starts a cue part-way (a video at 1:30, to rehearse
its end). The cue's clock starts that far in, so a display's clock-synced media seeks there,
the cue's progress and remaining time read from there, and an auto-follow fires when the
rest of the cue has played."""

from __future__ import annotations

import re
from typing import Any

from .finite import finite_in

SECONDS = re.compile(r"^\d{1,6}(\.\d{1,3})?\Z")
WHOLE = re.compile(r"^\d{1,4}\Z")
MAX_AT = 24 * 3600.0  # a day, as a cue's waits
FORMS = 'seconds (90) or m:ss ("1:30", "1:02:03")'


def seconds_in(value: Any) -> float:
    """A start position in seconds, from a number or clock text ("90", "1:30", "1:02:03.5");
    ValueError otherwise."""
    if isinstance(value, str):
        value = _clock_text(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"'at' must be {FORMS}, got {value!r:.80}")
    if not finite_in(value, 0, MAX_AT):
        raise ValueError(f"'at' must be a time from 0 to {MAX_AT:.0f} seconds, got {value!r:.80}")
    return float(value)


def _clock_text(text: str) -> float:
    *leading, last = text.strip().split(":")
    ok = len(leading) <= 2 and all(WHOLE.match(p) for p in leading) and SECONDS.match(last)
    if not ok:
        raise ValueError(f"'at' must be {FORMS}, got {text!r:.80}")
    if any(int(p) >= 60 for p in leading[1:]) or (leading and float(last) >= 60):
        raise ValueError(f"'at' {text!r:.80}: minutes and seconds go up to 59")
    seconds = 0.0
    for part in leading:
        seconds = seconds * 60 + int(part)
    return seconds * 60 + float(last) if leading else float(last)


def start_offset(value: Any, duration: float | None, cue_id: str) -> float:
    """How far into ``cue_id`` to start it: a time before its end (when the length is known)."""
    at = seconds_in(value)
    if duration is not None and at >= duration:
        raise ValueError(
            f"'at' {at:g} s is not before the end of cue {cue_id!r}, which lasts {duration:g} s"
        )
    return at
