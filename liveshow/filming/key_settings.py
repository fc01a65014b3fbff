"""The crew's chroma-key settings, checked strictly (the key preview's): a bad field is
refused naming it, never dropped or clamped, so what the crew sees is what they asked for."""

from __future__ import annotations

import re
from typing import Any

from ..show.finite import finite_in

HEX = re.compile(r"^#[0-9a-f]{6}$")
RANGES = {"similarity": (0.0, 1.0), "smoothness": (0.01, 1.0), "spill": (0.0, 1.0)}
SCREENS = ("green", "blue")
FIELDS = {*RANGES, "screen", "key_colour"}


class KeySettingsError(ValueError):
    """A key setting the crew sent is wrong; the message says which and why."""


def checked_key_settings(raw: Any) -> dict[str, float | str | None]:
    """Settings for the agent's keyer: similarity, smoothness, spill (numbers in range),
    screen (green/blue), key_colour ("#rrggbb", or null: sampled from the frame)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise KeySettingsError("'settings' must be an object of key settings")
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise KeySettingsError(
            f"unknown key setting(s) {', '.join(map(repr, unknown))}: "
            f"use {', '.join(sorted(FIELDS))}"
        )
    out: dict[str, float | str | None] = {}
    for name, (low, high) in RANGES.items():
        if name not in raw:
            continue
        value = raw[name]
        if not finite_in(value, low, high):
            raise KeySettingsError(f"'{name}' must be a number from {low:g} to {high:g}")
        out[name] = float(value)
    if "screen" in raw:
        if raw["screen"] not in SCREENS:
            raise KeySettingsError("'screen' must be green or blue")
        out["screen"] = raw["screen"]
    if "key_colour" in raw:
        colour = raw["key_colour"]
        if colour is not None and not (isinstance(colour, str) and HEX.match(colour)):
            raise KeySettingsError(
                "'key_colour' must be a colour as #rrggbb (lower case), or null to sample it"
            )
        out["key_colour"] = colour
    return out
