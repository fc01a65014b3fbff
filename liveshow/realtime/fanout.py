"""Who is told about what: the one table from each event to the namespaces and rooms that
hear it (``ROUTES`` at the bottom). Domain code returns or logs typed events
(``liveshow.events``); namespaces and views hand them to :func:`tell` and never emit
broadcasts themselves. Replies to the one client that asked (an ack, a welcome) are not
fan-out and stay in the namespaces."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from ..audience.answers import crew_item
from ..audience.questions import Questions
from ..events import (
    AudienceJoined,
    CameraKeyPreview,
    CameraPreview,
    CamerasChanged,
    CameraWatched,
    CueStarted,
    DiskChanged,
    DisplayReported,
    DisplaysChanged,
    Event,
    EventKind,
    KeyPreviewChanged,
    QuestionsChanged,
    Reacted,
    ShowChanged,
    SnapshotAdded,
    SubmissionModerated,
    SubmissionReceived,
    SyncChanged,
    TakesChanged,
)
from ..extensions import Runtime, socketio
from ..filming.tally import on_air
from ..show.cues import CueKind, PromptKind, SubmissionStatus
from ..state import audience_state

CREW, DISPLAY, AUDIENCE, CAMERA = "/crew", "/display", "/audience", "/camera"
REFRESH_DELAY = 0.25  # seconds: a burst of votes or joins becomes one update

Delivery = Callable[[Any, Flask], None]


def device_room(device: str) -> str:
    """Every connection of one phone joins this room (several tabs, reconnects)."""
    return f"device:{device}"


def tell(event: Event, app: Flask | None = None) -> None:
    """Deliver ``event`` to everyone ``ROUTES`` names for its type."""
    if app is None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    for deliver in routes_for(type(event)):
        deliver(event, app)


def routes_for(kind: type[Event]) -> tuple[Delivery, ...]:
    for cls in kind.__mro__:  # a subclass without its own row gets its parent's
        if cls in ROUTES:
            return ROUTES[cls]
    raise KeyError(f"no route for {kind.__name__}: add it to realtime.fanout.ROUTES")


def _rt(app: Flask) -> Runtime:
    return app.extensions["liveshow"]  # type: ignore[no-any-return]


# ---- deliveries -------------------------------------------------------------------------


def state_to_everyone(event: Event, app: Flask) -> None:
    """Build the public state once; displays get it whole, phones their slice, the crew
    theirs on top of it."""
    rt = _rt(app)
    public = rt.public_state()
    socketio.emit("state", public, namespace=DISPLAY)
    socketio.emit("state", audience_state(public), namespace=AUDIENCE)
    socketio.emit("state", rt.crew_state(public), namespace=CREW)


def state_to_crew(event: Event, app: Flask) -> None:
    socketio.emit("state", _rt(app).crew_state(), namespace=CREW)


def state_to_crew_soon(event: Event, app: Flask) -> None:
    """Display reports come in bursts (and each rebuilt the whole crew state): the first
    goes out at once, the rest of a burst as one update REFRESH_DELAY later."""
    key = (id(_rt(app)), "crew-state")
    now = time.monotonic()
    if (
        now - _last_sent.get(key, 0.0) >= REFRESH_DELAY
        and "crew-state" not in _rt(app).pending_refresh
    ):
        _last_sent[key] = now
        state_to_crew(event, app)
        return

    def trailing(app: Flask, rt: Runtime) -> None:
        _last_sent[key] = time.monotonic()
        state_to_crew(event, app)

    _soon(app, "crew-state", trailing)


_last_sent: dict[tuple[int, str], float] = {}


def featured_to_phone(event: SubmissionModerated, app: Flask) -> None:
    """The crew chose this phone's work: its list marks it, quietly. "You're on screen"
    waits for the work to be up on a display (``shown`` with ``featured``)."""
    if event.status == SubmissionStatus.FEATURED.value:
        socketio.emit(
            "featured",
            {"submission": event.submission, "prompt": event.prompt},
            to=device_room(event.device),
            namespace=AUDIENCE,
        )


def shown_to_phones(event: ShowChanged, app: Flask) -> None:
    """Work up on the projector's wall tells the phone that made it, when the room can see
    it: as a wall cue starts (each phone on it), and when the crew approves or features work
    onto the wall on stage. ``featured``: it is the wall's spotlight (the phone's "You're on
    screen!"); featuring while a prompt slide is up, or in a blackout, says nothing until
    the wall comes up (or the light comes back on it)."""
    rt = _rt(app)
    st = rt.engine.state
    cue = rt.engine.cue(st.current)
    if cue is None or cue.kind is not CueKind.WALL or cue.source is None:
        return
    if cue.id in st.stopped or st.blackout:
        return  # the crew stopped the wall (it faded out), or the stage is dark
    lifted = event.kind is EventKind.BLACKOUT and event.data.get("was") is True
    if isinstance(event, CueStarted) or lifted:
        if isinstance(event, CueStarted) and event.cue != cue.id:
            return
        shown = rt.submissions.wall_makers(cue.source)
    elif isinstance(event, SubmissionModerated):
        if event.prompt != cue.source or event.status not in ON_WALL:
            return
        shown = rt.submissions.wall_makers(cue.source, only=event.submission)
    else:
        return
    spot = rt.submissions.wall(cue.source)["featured"] if shown else None
    for submission, device in shown:
        socketio.emit(
            "shown",
            {
                "submission": submission,
                "prompt": cue.source,
                "featured": spot is not None and spot["id"] == submission,
            },
            to=device_room(device),
            namespace=AUDIENCE,
        )


ON_WALL = (SubmissionStatus.APPROVED.value, SubmissionStatus.FEATURED.value)


def reaction_to_displays(event: Reacted, app: Flask) -> None:
    """Reactions reach the projectors in batches (counts per kind, every REFRESH_DELAY):
    a room clapping at once is one message, not hundreds."""
    counts = app.extensions.setdefault("liveshow.reactions", {})
    counts[event.kind] = counts.get(event.kind, 0) + 1

    def send(app: Flask, rt: Runtime) -> None:
        batch = dict(app.extensions["liveshow.reactions"])
        app.extensions["liveshow.reactions"].clear()
        if batch:
            socketio.emit("reactions", batch, namespace=DISPLAY)

    _soon(app, "reactions", send)


def questions_to_phones(event: SubmissionModerated | QuestionsChanged, app: Flask) -> None:
    """The Q&A board (approved questions, most upvoted first) to every phone, once per burst
    of upvotes or decisions; the projector and the crew have it in their state."""
    rt = _rt(app)
    prompt = rt.prompts.get(event.prompt)
    if prompt is None or prompt["kind"] != PromptKind.QUESTION.value:
        return
    prompt_id = str(prompt["id"])

    def send(app: Flask, rt: Runtime) -> None:
        board = Questions(rt.submissions).board(prompt_id)
        socketio.emit("questions", {"prompt": prompt_id, "questions": board}, namespace=AUDIENCE)

    _soon(app, f"questions:{prompt_id}", send)


def upvoted_to_everyone(event: QuestionsChanged, app: Flask) -> None:
    """An upvote reorders the board: the projector and crew (state), the phones (board)."""
    _soon(app, "state", _poll_refresh)
    questions_to_phones(event, app)


def moderated_to_crew(event: SubmissionModerated, app: Flask) -> None:
    """Every moderator's queue shows the decision (a ban moves several items)."""
    _items_to_crew(app, event.changed)


def snapshot_to_crew(event: SnapshotAdded, app: Flask) -> None:
    _items_to_crew(app, (event.submission,))


def _items_to_crew(app: Flask, ids: tuple[str, ...]) -> None:
    rt = _rt(app)
    for sub_id in ids:
        row = rt.submissions.get(sub_id)
        if row is not None:
            socketio.emit("submission", crew_item(row, rt.media), namespace=CREW)


def received_to_crew(event: SubmissionReceived, app: Flask) -> None:
    """New work joins the moderation queue; a vote instead moves the poll bars (once per
    burst)."""
    if event.vote:
        _soon(app, "state", _poll_refresh)
    else:
        _items_to_crew(app, (event.submission,))


def stats_to_crew(event: Event, app: Flask) -> None:
    _soon(app, "stats", _stats_refresh)


def takes_to_crew(event: Event, app: Flask) -> None:
    socketio.emit("takes", {"takes": _rt(app).takes.listing()}, namespace=CREW)


def cameras_to_crew(event: Event, app: Flask) -> None:
    socketio.emit("cameras", {"cameras": _rt(app).cameras.listing()}, namespace=CREW)


def preview_to_crew(event: CameraPreview, app: Flask) -> None:
    socketio.emit("preview", {"camera": event.camera, "jpeg": event.jpeg}, namespace=CREW)


def key_preview_to_crew(event: CameraKeyPreview, app: Flask) -> None:
    """Only to the dashboard tuning the key (it is big, and nobody else asked)."""
    socketio.emit(
        "key_preview", {"camera": event.camera, "jpeg": event.jpeg}, to=event.crew, namespace=CREW
    )


def tally_to_cameras(event: Event, app: Flask) -> None:
    """Tally lights: each camera whose light changed is told (the `tally` event), and the
    dashboards' camera tiles follow."""
    changed = _rt(app).cameras.retally(on_air(_rt(app).engine))
    for info, message in changed:
        socketio.emit("tally", message, to=info.sid, namespace=CAMERA)
    if changed:
        cameras_to_crew(event, app)


def osc_to_targets(event: ShowChanged, app: Flask) -> None:
    """OSC out (QLab, a lighting desk, Companion): cue starts with a cue's own messages,
    prompts, blackout, panic. UDP after the commit; a failure here never fails the GO."""
    out = app.extensions.get("liveshow.osc")  # set by `liveshow serve` (realtime/osc_listener)
    if out is not None:
        try:
            out.show_changed(event, _rt(app).engine, _rt(app).prompts)
        except Exception:
            logging.getLogger("liveshow.osc").exception("OSC out failed")


def keying_to_camera(event: CueStarted, app: Flask) -> None:
    """A camera cue going live sets that camera's keying to the cue's ``keyed`` (no wait:
    this runs inside the GO)."""
    if event.cue_kind == CueKind.CAMERA.value and event.camera:
        _camera_command(app, event.camera, {"action": "key", "on": event.keyed})


def programme_to_camera(event: CameraWatched, app: Flask) -> None:
    """Programme frames flow only while a projector watches (they are full size)."""
    watched = _rt(app).cameras.viewers.get(event.camera, 0) > 0
    _camera_command(app, event.camera, {"action": "program", "on": watched})


def _camera_command(app: Flask, camera: str, command: dict[str, Any]) -> None:
    info = _rt(app).cameras.get(camera)
    if info is not None and info.sid is not None:
        socketio.emit("command", command, to=info.sid, namespace=CAMERA)


# ---- coalescing -------------------------------------------------------------------------


def _poll_refresh(app: Flask, rt: Runtime) -> None:
    public = rt.public_state()
    socketio.emit("state", public, namespace=DISPLAY)
    socketio.emit("state", rt.crew_state(public), namespace=CREW)


def _stats_refresh(app: Flask, rt: Runtime) -> None:
    # with the data folder's free space: phones' photos and sounds are what fills it
    socketio.emit("stats", {**rt.submissions.stats(), "disk": rt.disk()}, namespace=CREW)


def _soon(app: Flask, name: str, send: Callable[[Flask, Runtime], None]) -> None:
    """Run ``send`` once, REFRESH_DELAY from now, however often this is called meanwhile."""
    rt = _rt(app)
    if name in rt.pending_refresh:
        return
    rt.pending_refresh.add(name)

    def later() -> None:
        socketio.sleep(REFRESH_DELAY)
        rt.pending_refresh.discard(name)
        with app.app_context():
            send(app, rt)

    socketio.start_background_task(later)


# ---- the table --------------------------------------------------------------------------

ROUTES: dict[type[Event], tuple[Delivery, ...]] = {
    ShowChanged: (osc_to_targets, state_to_everyone, tally_to_cameras, shown_to_phones),
    CueStarted: (
        osc_to_targets,
        state_to_everyone,
        keying_to_camera,
        tally_to_cameras,
        shown_to_phones,
    ),
    SubmissionModerated: (
        state_to_everyone,
        featured_to_phone,
        shown_to_phones,
        questions_to_phones,
        moderated_to_crew,
        stats_to_crew,
    ),
    SnapshotAdded: (state_to_everyone, snapshot_to_crew, stats_to_crew),
    TakesChanged: (state_to_everyone, takes_to_crew),
    SubmissionReceived: (received_to_crew, stats_to_crew),
    AudienceJoined: (stats_to_crew,),
    DiskChanged: (stats_to_crew,),
    DisplaysChanged: (state_to_crew,),
    DisplayReported: (state_to_crew_soon,),
    CamerasChanged: (cameras_to_crew,),
    CameraPreview: (preview_to_crew,),
    CameraKeyPreview: (key_preview_to_crew,),
    KeyPreviewChanged: (tally_to_cameras,),
    CameraWatched: (programme_to_camera, cameras_to_crew),  # the tiles show viewers
    SyncChanged: (state_to_crew,),
    Reacted: (reaction_to_displays,),
    QuestionsChanged: (upvoted_to_everyone,),
}
