"""Tally lights: which cameras are on air, which are in the crew's key preview.

A camera is ON AIR while the cue on stage is a camera cue showing it (keyed or not), the
crew has not stopped that cue, and the stage is not blacked out: what the audience can
see. A replay of one of its takes is not: it is a recording, and the performer in front of
the camera is free to move. A camera the crew is previewing a key on (and that is not on
air) shows PREVIEW. Each agent is told its own tally (the `tally` event on /camera) when
it changes and whenever it connects.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Container
from typing import Any

from ..show.cues import CueKind
from ..show.engine import ShowEngine


class Tally(str, enum.Enum):
    ON_AIR = "on_air"  # red: the projector shows this camera now
    PREVIEW = "preview"  # green: the crew is tuning a key on it, not on air
    OFF = "off"


def on_air(engine: ShowEngine) -> dict[str, str]:
    """camera name -> the id of the cue putting it on air."""
    st = engine.state
    cue = engine.cue(st.current)
    if cue is None or st.blackout or cue.kind is not CueKind.CAMERA or not cue.camera:
        return {}
    if cue.id in st.stopped:  # stop_cue: the projector shows black
        return {}
    return {cue.camera: cue.id}


def tally_of(camera: str, live: dict[str, str], previewing: Container[str]) -> Tally:
    if camera in live:
        return Tally.ON_AIR
    return Tally.PREVIEW if camera in previewing else Tally.OFF


# Numbers each tally message, so an agent that handles two at once (python-socketio's client
# gives each message a thread of its own) keeps the later one, not whichever ran last.
_sequence = itertools.count(1)


def tally_message(camera: str, live: dict[str, str], previewing: Container[str]) -> dict[str, Any]:
    """What the agent is told (the `tally` event): its light, the cue that lit it, and its
    place in the order they were sent (``seq``, rising; it starts again with the server)."""
    return {
        "tally": tally_of(camera, live, previewing).value,
        "cue": live.get(camera),
        "seq": next(_sequence),
    }
