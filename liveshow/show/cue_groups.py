"""Cue groups, as QLab has them: one GO starts every cue of the group at the same instant (a
picture with a sound under it, a title over a video). The group is one cue of the cue list
(standby, BACK and GOTO land on it); the cues inside it are listed under it in the show file
(``cues: [...]``) and run on the group's clock.

What a projector can show at once decides what a group may hold: record and title cues, at
most one picture (a video, image or text record) and one title (over the picture), and any
number of sounds. Waits, continue modes, OSC and ``close_prompt`` belong on the group; fades
and levels on the cues inside it (each sound has its own)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .cues import Cue, CueKind, RecordType

MAX_CHILDREN = 16
CHILD_KINDS = (CueKind.RECORD, CueKind.TITLE)
GROUP_FIELDS = ("pre_wait", "post_wait", "continue", "close_prompt", "osc")
CHILD_FIELDS = ("fade_in", "fade_out", "level")

ParseCue = Callable[[Any, str, "Path | None", set[str]], Cue]


def parse_children(
    raw: dict[str, Any],
    kind: CueKind,
    label: str,
    base_dir: Path | None,
    taken: set[str],
    parse_cue: ParseCue,
) -> list[Cue]:
    """The cues of a group cue mapping, checked; ValueError names the group (and the cue
    inside it) and says what is wrong. ``taken`` holds every id used so far, the group's too."""
    children = raw.get("cues")
    if kind is not CueKind.GROUP:
        if children is not None:
            raise ValueError(f"{label}: 'cues' belongs on group cues, not {kind.value}")
        return []
    if not isinstance(children, list) or not children:
        raise ValueError(f"{label}: a group needs 'cues': a list of the cues it runs together")
    if len(children) > MAX_CHILDREN:
        raise ValueError(f"{label}: a group holds at most {MAX_CHILDREN} cues")
    for key in CHILD_FIELDS:
        if raw.get(key) is not None:
            raise ValueError(
                f"{label}: '{key}' belongs on the cues inside the group (each plays at its own)"
            )
    used = set(taken)
    parsed: list[Cue] = []
    for number, item in enumerate(children, start=1):
        where = f"{label}: cue {number}"
        if isinstance(item, dict):
            _check_child_fields(item, where)
        cue = parse_cue(item, where, base_dir, used)
        used.add(cue.id)
        parsed.append(cue)
    _check_pictures(parsed, label)
    return parsed


def _check_child_fields(item: dict[str, Any], where: str) -> None:
    name = f"{where} ({item['id']})" if isinstance(item.get("id"), str) else where
    if item.get("kind") == CueKind.GROUP.value:
        raise ValueError(f"{name}: a group cannot hold another group")
    if item.get("kind") not in [k.value for k in CHILD_KINDS]:
        raise ValueError(
            f"{name}: a group holds record and title cues, not {item.get('kind')!r} "
            "(give it a cue of its own)"
        )
    for key in GROUP_FIELDS:
        if item.get(key) is not None:
            raise ValueError(f"{name}: '{key}' belongs on the group: its cues all start together")


def _check_pictures(children: list[Cue], label: str) -> None:
    pictures = [c.id for c in children if is_picture(c)]
    if len(pictures) > 1:
        raise ValueError(
            f"{label}: a group shows one picture at a time; {' and '.join(pictures)} are both "
            "pictures (give one a cue of its own)"
        )
    titles = [c.id for c in children if c.kind is CueKind.TITLE]
    if len(titles) > 1:
        raise ValueError(
            f"{label}: a group shows one title (over its picture); {' and '.join(titles)} "
            "are both titles"
        )


def is_picture(cue: Cue) -> bool:
    """A cue that fills the screen: a video, image or text record (a catalogue record of
    unknown type counts as one)."""
    return cue.kind is CueKind.RECORD and cue.type is not RecordType.AUDIO


def group_length(lengths: Iterable[float | None]) -> float | None:
    """A group lasts as long as its longest cue (None: no cue of it has a known length)."""
    return max((d for d in lengths if d is not None), default=None)


def all_cues(cues: Iterable[Cue]) -> Iterator[Cue]:
    """Every cue of a cue list, the cues inside each group after the group."""
    for cue in cues:
        yield cue
        yield from cue.children
