"""Stopping one cue on stage without moving the playhead, and the play log of what screened.

The crew stops the sound under a picture, or the picture while its sound plays on, as QLab's
stop does for one cue: the cue list does not advance, the stopped cue fades out with its own
``fade_out`` on every display and stays stopped when a display reloads or the server
restarts. Stopping every cue of a group, or the group itself, leaves the stage black until
the next GO. The stopped cues belong to one showing: the next cue to start clears them."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from .cue_groups import all_cues
from .cues import Cue, CueKind, CueState


class StopError(ValueError):
    """A stop the show cannot do; the message is shown to the crew."""


def find(cues: Iterable[Cue], cue_id: str | None) -> Cue | None:
    """Any cue of the list, a cue inside a group too."""
    return next((c for c in all_cues(cues) if c.id == cue_id), None)


def group_of(cues: Iterable[Cue], cue_id: str | None) -> Cue | None:
    """The group a cue is inside, or None for a cue of the list itself."""
    return next((g for g in cues if any(c.id == cue_id for c in g.children)), None)


def stopped_on_stage(current: Cue | None, stopped: Iterable[str]) -> list[str]:
    """What displays stop: the stopped cues, and the cue on stage itself once nothing of it
    plays (every cue of its group stopped)."""
    out = list(stopped)
    if current is not None and current.children and current.id not in out:
        if all(c.id in out for c in current.children):
            out.append(current.id)
    return out


def inner_state(group: CueState, stopped: bool) -> CueState:
    """A cue inside a group shares its group's state, unless the crew stopped it on stage."""
    on_stage = group in (CueState.RUNNING, CueState.PAUSED, CueState.STOPPED)
    return CueState.STOPPED if on_stage and stopped else group


def stop_target(cue_id: object) -> str:
    """The cue a stop names; StopError, with the one message every surface gives, when it
    names none (the control API checks it first, to answer 400 for bad input)."""
    if not isinstance(cue_id, str):
        raise StopError('stop_cue needs {"cue": "<the id of a running cue>"}')
    return cue_id


def plan_stop(
    cues: list[Cue], current: Cue | None, stopped: tuple[str, ...], cue_id: object
) -> tuple[str, ...]:
    """The stopped cues after stopping ``cue_id``; StopError when it is not running."""
    cue_id = stop_target(cue_id)
    cue = find(cues, cue_id)
    if cue is None:
        raise StopError(f"no cue with id {cue_id!r}")
    if current is None:
        raise StopError(f"cue {cue_id!r} is not running: nothing is on stage")
    on_stage = [c.id for c in all_cues([current])]
    if cue_id not in on_stage:
        raise StopError(f"cue {cue_id!r} is not running (on stage: {current.id!r})")
    if cue.kind is CueKind.BLACKOUT:  # on stage: only now is the stage dark
        raise StopError(f"cue {cue_id!r} is a blackout: the stage is dark already; GO moves on")
    if cue_id in stopped_on_stage(current, stopped):
        raise StopError(f"cue {cue_id!r} is already stopped")
    ids = [cue_id] + [c.id for c in cue.children]
    return tuple(stopped) + tuple(i for i in ids if i not in stopped)


def log_stop(db: sqlite_utils.Database, cue_ids: Iterable[str], at: float) -> None:
    """The stopped cues' play-log rows end now (the rest of the showing plays on)."""
    ids = list(cue_ids)
    if ids:  # a group and its cues: a handful of ids, one statement
        db.execute(
            "update play_log set ended_at = ? where ended_at is null "
            f"and cue_id in ({', '.join('?' * len(ids))})",
            [at, *ids],
        )


def log_play(
    db: sqlite_utils.Database, cue: Cue, shown: list[Cue], media_of: dict[str, str], at: float
) -> None:
    """A cue went on stage: what played before ends; a row per cue screened (``shown``: the
    cue and, for a group, each cue inside it, as displays see them)."""
    db.execute("update play_log set ended_at = ? where ended_at is null", [at])
    if cue.kind is CueKind.BLACKOUT:
        return
    for item in shown:
        db.table("play_log").insert(
            {
                "cue_id": item.id,
                "kind": item.kind.value,
                "title": item.title,
                "media_sha256": media_of.get(item.id),
                "credits": json.dumps([c.to_dict() for c in item.credits]),
                "started_at": at,
                "ended_at": None,
            }
        )
