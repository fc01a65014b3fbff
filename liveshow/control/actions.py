"""The actions an outside surface may take (OSC and HTTP share them), and the read-only
status a button panel shows. Each action runs as the named ``actor`` (``osc:10.0.0.5``,
``http:10.0.0.7``), so the event log says who moved the show, as for the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..audience.prompts import Prompts
from ..show import stopping
from ..show.cues import Cue
from ..show.engine import CueError, ShowEngine


class ControlError(ValueError):
    """Bad input from a control surface: a missing, unknown or wrongly typed argument."""


class UnknownAction(ControlError):
    pass


Action = Callable[[ShowEngine, Prompts, dict[str, Any], str], dict[str, Any]]


def _go(engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str) -> dict[str, Any]:
    return {"cue": engine.go(actor).id}


def _back(engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str) -> dict[str, Any]:
    return {"cue": engine.back(actor).id}


def _goto(engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str) -> dict[str, Any]:
    if not isinstance(args.get("cue"), str):
        raise ControlError('goto needs "cue": the id of a cue')
    return {"cue": engine.goto(args["cue"], actor, args.get("at")).id}


def _stop_cue(
    engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str
) -> dict[str, Any]:
    try:
        cue = stopping.stop_target(args.get("cue"))
    except stopping.StopError as exc:  # bad input (400), in the words the crew gets
        raise ControlError(str(exc)) from None
    return {"cue": cue, "stopped": engine.stop_cue(cue, actor)}


def _blackout(
    engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str
) -> dict[str, Any]:
    if not isinstance(args.get("on"), bool):
        raise ControlError('blackout needs "on": true or false')
    engine.set_blackout(args["on"], actor)
    return {"blackout": args["on"]}


def _panic(
    engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str
) -> dict[str, Any]:
    engine.panic(actor)
    return {}


def _pause(
    engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str
) -> dict[str, Any]:
    engine.pause(actor)
    return {}


def _resume(
    engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str
) -> dict[str, Any]:
    engine.resume(actor)
    return {}


def _prompt_close(
    engine: ShowEngine, prompts: Prompts, args: dict[str, Any], actor: str
) -> dict[str, Any]:
    """Closes the open prompt; with ``prompt``, only when that is the one open (a QLab cue
    written for one prompt must not close another)."""
    wanted = args.get("prompt")
    if wanted is not None and not isinstance(wanted, str):
        raise ControlError('prompt_close takes "prompt": the id of the open prompt')
    current = prompts.current()
    if current is None:
        raise CueError("no prompt is open")
    if wanted is not None and wanted != current["id"]:
        raise CueError(f"prompt {wanted!r} is not open (the open prompt is {current['id']!r})")
    return {"prompt": prompts.close(actor)}


ACTIONS: dict[str, Action] = {
    "go": _go,
    "back": _back,
    "goto": _goto,
    "stop_cue": _stop_cue,
    "blackout": _blackout,
    "panic": _panic,
    "pause": _pause,
    "resume": _resume,
    "prompt_close": _prompt_close,
}
ARGUMENTS: dict[str, set[str]] = {
    "goto": {"cue", "at"},  # at: load to time, seconds into the cue (90 or "1:30")
    "stop_cue": {"cue"},
    "blackout": {"on"},
    "prompt_close": {"prompt"},
}


def perform(
    engine: ShowEngine, prompts: Prompts, name: str, args: dict[str, Any], actor: str
) -> dict[str, Any]:
    """Run one action: ``{"action", …what it did, "rev"}``. UnknownAction or ControlError
    for bad input, CueError when the show refuses (end of the list, show mode's GO
    interval…); nothing changes on either."""
    action = ACTIONS.get(name)
    if action is None:
        raise UnknownAction(f"no action {name!r}; actions: {', '.join(ACTIONS)}")
    unknown = set(args) - ARGUMENTS.get(name, set())
    if unknown:
        raise ControlError(f"{name} takes no {', '.join(sorted(map(str, unknown)))}")
    with engine.lock:  # the rev answered is the one this action made
        done = action(engine, prompts, args, actor)
        return {"action": name, **done, "rev": engine.state.rev}


def status(engine: ShowEngine, prompts: Prompts) -> dict[str, Any]:
    """What a button panel shows: the cue on stage and the standby cue, with countdowns
    (seconds, and as m:ss text for a button face)."""
    with engine.lock:
        now = engine.clock()
        st = engine.state
        current = engine.cue(st.current)
        standby = engine.standby()
        follow = engine.follow_due()
        prompt = prompts.current()
        on_stage = None
        if current is not None:
            elapsed = engine.position(now) or 0.0
            length = engine.duration(current)
            remaining = None if length is None else max(0.0, length - elapsed)
            on_stage = {
                **_cue(engine, current),
                "state": engine.cue_state(current).value,
                "elapsed": round(elapsed, 2),
                "elapsed_text": _clock(elapsed),
                "remaining": None if remaining is None else round(remaining, 2),
                "remaining_text": None if remaining is None else "-" + _clock(remaining),
            }
        pending = None
        if st.pending is not None and st.pending_at is not None:
            pending = {"cue": st.pending, "starts_in": round(max(0.0, st.pending_at - now), 2)}
        return {
            "rev": st.rev,
            "mode": st.mode.value,
            "show": engine.show.title,
            "server_time": now,
            "current": on_stage,
            "standby": None if standby is None else _cue(engine, standby),
            "pending": pending,
            "follow_in": None if follow is None else round(max(0.0, follow - now), 2),
            "paused": st.paused,
            "blackout": st.blackout,
            "prompt": None
            if prompt is None
            else {"id": prompt["id"], "kind": prompt["kind"], "question": prompt["question"]},
        }


def _cue(engine: ShowEngine, cue: Cue) -> dict[str, Any]:
    number = engine.index_of(cue.id)
    return {
        "id": cue.id,
        "number": None if number is None else number + 1,
        "cue_number": cue.number,  # the cue number from the show file ("4.5"), if it has one
        "kind": cue.kind.value,
        "title": engine.screened(cue).title,
        "pre_wait": cue.pre_wait,
    }


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
