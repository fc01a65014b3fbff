"""The show state each surface renders: public (displays, /api/state), the phones' small
slice of it, and the crew's (cue list, displays, counts). Built from the domain packages;
sent by ``realtime/fanout.py``."""

from __future__ import annotations

import json
from typing import Any

from .audience.cloud import word_cloud
from .audience.questions import Questions
from .audience.submissions import Submissions
from .events import EventKind
from .filming.takes import Takes
from .show.cues import Cue, CueKind, CueState, PromptKind
from .show.engine import ShowEngine
from .show.stopping import stopped_on_stage


def cue_public(
    engine: ShowEngine,
    cue: Cue | None,
    submissions: Submissions | None = None,
    takes: Takes | None = None,
) -> dict[str, Any] | None:
    """A cue as a display sees it: never the crew's notes."""
    if cue is None:
        return None
    cue = engine.screened(cue)  # a catalogue record's text, type and credits, as pulled
    data: dict[str, Any] = {
        "id": cue.id,
        "kind": cue.kind.value,
        "title": cue.title,
        "subtitle": cue.subtitle,
        "type": cue.type.value if cue.type else None,
        "text": cue.text,
        "credits": [c.to_dict() for c in cue.credits],
        "duration": engine.duration(cue),
        "media": engine.media.public(engine.media_of.get(cue.id)),
        # the display fades the cue's picture and sound, and plays it at its level (dB)
        "fade_in": cue.fade_in,
        "fade_out": cue.fade_out,
        "level": cue.level,
    }
    if cue.children:  # a group: its cues start together, each as a display plays it
        data["children"] = [cue_public(engine, c, submissions, takes) for c in cue.children]
    if cue.kind is CueKind.CREDITS:
        data["roll"] = credits_roll(engine)
        data["audience"] = submissions.contributors() if submissions else []
    if cue.prompt is not None:
        data["prompt"] = {"id": cue.id, **cue.prompt.to_dict()}
        if cue.prompt.kind is PromptKind.QUESTION and submissions is not None:
            data["questions"] = Questions(submissions).board(cue.id)  # most upvoted first
    if cue.kind is CueKind.CAMERA and cue.camera:
        data["camera"] = {
            "name": cue.camera,
            "keyed": cue.keyed,
            "live_url": f"/camera/{cue.camera}/live.mjpg",
            # how the picture comes on: a fade over the picture before, or a cut
            "transition": cue.transition.value,
        }
    if cue.kind is CueKind.REPLAY and takes is not None:
        if cue.camera:
            data["camera"] = {"name": cue.camera}
        # On stage, the take chosen at GO; a take recorded meanwhile waits for the next GO.
        pinned = takes.pinned.get(cue.id) if cue.id == engine.state.current else None
        take = takes.get(cue.take or pinned) if (cue.take or pinned) else takes.latest(cue.camera)
        data["take"] = takes.public(take) if take else None
        data["media"] = data["take"]["media"] if take else None
        data["duration"] = take["duration"] if take else None
    source = engine.cue(cue.source) if cue.source else None
    if submissions is not None and source is not None and source.prompt is not None:
        data["question"] = source.prompt.question
        data["source"] = source.id
        if cue.kind is CueKind.WALL:
            data["wall"] = submissions.wall(source.id)
        elif cue.kind is CueKind.POLL:
            data["poll"] = submissions.poll(source.id, source.prompt.options)
        elif cue.kind is CueKind.CLOUD:
            data["cloud"] = word_cloud(engine.store.db, source.id)
    return data


def credits_roll(engine: ShowEngine) -> list[dict[str, Any]]:
    """Every record that actually screened tonight, in first-screened order, with its credits."""
    seen: set[tuple[str, str | None]] = set()
    roll = []
    for row in engine.store.db.query(
        "select cue_id, title, credits, media_sha256 from play_log where kind in "
        "('record', 'replay') order by id"
    ):
        work = (row["cue_id"], row["media_sha256"])  # a replay of a new take is new work
        if work in seen:
            continue
        seen.add(work)
        roll.append(
            {"cue": row["cue_id"], "title": row["title"], "credits": json.loads(row["credits"])}
        )
    return roll


def public_state(
    engine: ShowEngine,
    join_url: str | None = None,
    submissions: Submissions | None = None,
    takes: Takes | None = None,
) -> dict[str, Any]:
    st = engine.state
    now = engine.clock()
    return {
        "rev": st.rev,
        "mode": st.mode.value,
        "show": {"title": engine.show.title},
        "cue": cue_public(engine, engine.cue(st.current), submissions, takes),
        "next": cue_public(engine, engine.standby(), submissions, takes),
        "cue_started_at": st.started_at,
        "server_time": now,
        "paused": st.paused,
        "position": engine.position(now),
        "pending": ({"cue": st.pending, "starts_at": st.pending_at} if st.pending else None),
        # the cue in its pre-wait, whole: a display that (re)loads now can still preload it
        "pending_cue": (
            cue_public(engine, engine.cue(st.pending), submissions, takes) if st.pending else None
        ),
        "blackout": st.blackout,
        # a display fades a panic's blackout at the panic_fade speed
        "panic": st.blackout and last_blackout_was_panic(engine),
        "volume": st.volume,  # the crew's master volume: every display plays at it
        # cues of the showing on stage the crew stopped: displays fade them out and keep them so
        "stopped": stopped_on_stage(engine.cue(st.current), st.stopped),
        "prompt": submissions.prompts.public() if submissions else None,
        "join_url": join_url,
        # the show's last cue has started: the end of the night (prompts closed with it)
        "ended": bool(engine.cues) and st.current == engine.cues[-1].id,
    }


def last_blackout_was_panic(engine: ShowEngine) -> bool:
    row = engine.store.db.execute(
        "select kind from events where kind in (?, ?) order by rev desc limit 1",
        [EventKind.BLACKOUT.value, EventKind.PANIC.value],
    ).fetchone()
    return row is not None and row[0] == EventKind.PANIC.value


def audience_state(public: dict[str, Any]) -> dict[str, Any]:
    """What phones need: the open prompt and a word on what is on stage. Small, because it
    goes to every phone in the room on every change."""
    cue = public["cue"]
    return {
        "rev": public["rev"],
        "show": public["show"],
        "blackout": public["blackout"],
        "server_time": public["server_time"],
        "prompt": public["prompt"],
        "claim_base": public.get("claim_base"),  # where this phone's claim link points
        "ended": public["ended"],  # phones say thank you and offer the claim link
        "cue": (
            {
                "id": cue["id"],
                "kind": cue["kind"],
                "title": cue["title"],
                "subtitle": cue["subtitle"],
                # the crew stopped it whole: nothing of it is on the projector any more
                "stopped": cue["id"] in public["stopped"],
            }
            if cue
            else None
        ),
    }


def crew_state(
    engine: ShowEngine,
    displays: list[dict[str, Any]],
    public: dict[str, Any],
    submissions: Submissions | None = None,
    sync: dict[str, Any] | None = None,
    disk: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The public state (built once per change and shared) plus what only the crew sees."""
    state = dict(public)
    # One cue list throughout: an edit swaps the list between two readings of it otherwise
    # (a connecting dashboard and the refresh poll build this outside any change).
    with engine.lock:
        standby = engine.standby()
        states, infos = engine.cue_states(), engine.media.infos(engine.media_of.values())
        cues = [crew_cue(engine, cue, states, infos) for cue in engine.cues]
        follow_at, last_go_at = engine.follow_due(), engine.state.last_go_at
    state.update(
        {
            "cues": cues,
            "standby": standby.id if standby else None,
            "follow_at": follow_at,
            "min_go_interval": engine.min_go_interval,
            "last_go_at": last_go_at,
            "source_path": engine.source_path,
            "displays": displays,
            "expected_displays": list(engine.show.displays),
            "stats": submissions.stats() if submissions else None,
            "sync": sync,
            "disk": disk,
            "tallies": vote_tallies(engine, submissions),
        }
    )
    return state


def crew_cue(
    engine: ShowEngine,
    cue: Cue,
    states: dict[str, CueState],
    infos: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """A row of the crew's cue list: the cue, its state and media; a group's cues under it.
    ``states`` and ``infos``: every cue's state and every media row, read once per list."""
    item = cue.to_json()
    item["state"] = states[cue.id].value
    item["effective_duration"] = engine.duration(cue, infos)
    info = infos.get(engine.media_of.get(cue.id) or "")
    item["media_info"] = (
        {
            "sha256": info["sha256"],
            "mime": info["mime"],
            "playable": bool(info["playable"]),
            "problems": json.loads(info["problems"]),
        }
        if info
        else None
    )
    if cue.catalogue_record is not None:  # what it screens: the pulled record's words
        shown = engine.screened(cue)
        item["screened"] = {
            "title": shown.title,
            "type": shown.type.value if shown.type else None,
            "credits": [c.to_dict() for c in shown.credits],
        }
    if cue.children:
        item["children"] = [crew_cue(engine, c, states, infos) for c in cue.children]
    return item


def vote_tallies(engine: ShowEngine, submissions: Submissions | None) -> dict[str, Any]:
    """Every vote prompt's count so far, by prompt id: the crew sees a vote before the poll
    cue reveals it."""
    if submissions is None:
        return {}
    return {
        cue.id: submissions.poll(cue.id, cue.prompt.options)
        for cue in engine.cues
        if cue.prompt is not None and cue.prompt.kind is PromptKind.VOTE
    }
