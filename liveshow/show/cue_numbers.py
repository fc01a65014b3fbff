"""Cue numbers, as QLab gives them: a label apart from the cue's id ("1", "4.5", "12.5.1"),
shown in the cue list, typed to jump to a cue, and chosen to slot a cue in between two
others without renumbering the rest.

A number is whole numbers joined by dots (up to four parts). It is text, compared as
written: "4.5" and "4.50" are two numbers, as in QLab. YAML reads an unquoted ``4.50`` as the
float 4.5, so a number whose trailing zero matters is written quoted (``number: "4.50"``)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from .cue_groups import all_cues
from .cues import Cue

NUMBER_PATTERN = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}\Z")
EXAMPLES = "like 12, 4.5 or 12.5.1"


def cue_number(value: Any) -> str:
    """A cue number as text; ValueError says what is wrong. A YAML or JSON number is read as
    it prints (4.5 -> "4.5")."""
    text = value
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float) and math.isfinite(value):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    if not isinstance(text, str) or not NUMBER_PATTERN.match(text):
        raise ValueError(f"'number' must be a cue number {EXAMPLES}, got {value!r:.80}")
    return text


def duplicate(cues: Iterable[Cue]) -> tuple[Cue, Cue] | None:
    """The first two cues that share a number, if any (a number names one cue)."""
    seen: dict[str, Cue] = {}
    for cue in all_cues(cues):
        if cue.number is None:
            continue
        if cue.number in seen:
            return seen[cue.number], cue
        seen[cue.number] = cue
    return None


def numbered(cues: Iterable[Cue], number: str) -> Cue | None:
    """The cue with this number, if one has it."""
    return next((cue for cue in all_cues(cues) if cue.number == number), None)
