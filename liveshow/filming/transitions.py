"""The crew picks how a camera cue comes on (cut, or a fade of so many seconds) from the
Cameras view, in any mode, as OBS's transition picker: a camera's transition is chosen at
the desk during the show, not only while editing. It is the cue's own ``transition`` and
``fade_in``, so it is saved with the cue list, exported, and reaches every display."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..events import EventKind, ShowChanged
from ..show.cue_sound import fade_seconds
from ..show.cues import CueKind, Transition
from ..show.editing import change_cues
from ..show.engine import CueError, ShowEngine


def set_transition(
    engine: ShowEngine, cue_id: Any, transition: Any, seconds: Any = 0, actor: str = "crew"
) -> dict[str, Any]:
    """Set camera cue ``cue_id`` to ``cut`` or ``fade`` over ``seconds`` (0 to 30; 0: the
    usual short dissolve). Bad input raises CueError and changes nothing."""
    try:
        kind = Transition(transition)
    except ValueError:
        raise CueError("'transition' must be cut or fade") from None
    try:
        fade = fade_seconds(seconds, "seconds")
    except ValueError as exc:
        raise CueError(str(exc)) from None
    if kind is Transition.CUT and fade:
        raise CueError("a cut has no fade time: send seconds 0, or use fade")
    with engine.lock:
        at = engine.index_of(cue_id) if isinstance(cue_id, str) else None
        if at is None:
            raise CueError(f"no cue with id {cue_id!r}")
        cue = engine.cues[at]
        if cue.kind is not CueKind.CAMERA:
            raise CueError(f"cue {cue_id!r} is a {cue.kind.value} cue, not a camera cue")
        changed = replace(cue, transition=kind, fade_in=fade)
        # as every cue edit (so a failed write changes nothing), but in any mode
        change_cues(
            engine,
            engine.cues[:at] + [changed] + engine.cues[at + 1 :],
            ShowChanged(
                EventKind.CUE_UPDATE, {"cue": cue.id, "fields": ["fade_in", "transition"]}, actor
            ),
        )
    return {"cue": cue.id, "transition": kind.value, "seconds": fade}
