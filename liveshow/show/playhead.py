"""The playhead: where the show is (the cue on stage, since when, paused, blacked out...),
and its row in ``show_state``, written in the same transaction as each event."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..store.database import Store
from .cues import ShowMode


@dataclass(frozen=True)
class Playhead:
    rev: int = 0
    mode: ShowMode = ShowMode.EDIT
    current: str | None = None  # the cue on stage
    started_at: float | None = None  # server time the current cue started (after pre-wait)
    paused: bool = False
    paused_position: float = 0.0
    blackout: bool = False
    last_go_at: float | None = None
    pending: str | None = None  # a cue in its pre-wait
    pending_at: float | None = None  # when the pending cue starts
    followed: bool = False  # the current cue's auto-continue/follow has fired
    volume: float = 1.0  # the crew's master volume, 0..1, on every display
    stopped: tuple[str, ...] = ()  # cues of the showing on stage the crew stopped (stop_cue)


def save_playhead(store: Store, st: Playhead, now: float) -> None:
    """The playhead's row of ``show_state`` (inside the caller's transaction)."""
    store.db.table("show_state").upsert(
        {
            "id": 1,
            "rev": st.rev,
            "mode": st.mode.value,
            "current_cue": st.current,
            "cue_started_at": st.started_at,
            "paused": int(st.paused),
            "paused_position": st.paused_position,
            "blackout": int(st.blackout),
            "volume": st.volume,
            "stopped_cues": json.dumps(list(st.stopped)),
            "last_go_at": st.last_go_at,
            "heartbeat_at": now,
        },
        pk="id",
    )
