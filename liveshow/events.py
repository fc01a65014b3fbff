"""What happens during a show, as typed events.

Domain calls return (or log) these; nothing below ``realtime/`` decides who hears about
them. Two sorts:

* **Logged** events change the show. The engine writes each to the ``events`` table with a
  rising ``rev``, in the same transaction as the change, before anyone is told (DESIGN.md,
  principle 1). Their ``kind`` is what the log calls them.
* **Notices** are news about things outside the show state (a camera's status, a new item
  in the moderation queue). They are not logged and carry no ``rev``.

``realtime/fanout.py`` holds the one table that maps each event type to the namespaces and
rooms that hear it. Standard library only: every layer may import this module.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


class EventKind(str, enum.Enum):
    """The ``kind`` column of the event log."""

    GO = "go"
    BACK = "back"
    GOTO = "goto"
    START = "start"  # a pre-wait ran out
    FOLLOW = "follow"  # auto-continue / auto-follow fired
    FOLLOW_END = "follow-end"  # ... with no cue left to fire
    BLACKOUT = "blackout"
    PANIC = "panic"
    VOLUME = "volume"  # the crew's master volume
    STOP_CUE = "stop-cue"  # the crew stopped one cue on stage (the playhead stays)
    PAUSE = "pause"
    RESUME = "resume"
    MODE = "mode"
    SHOW_LOADED = "show-loaded"
    SHOW_SAVED = "show-saved"
    RESTORED = "restored"
    CUE_ADD = "cue-add"
    CUE_UPDATE = "cue-update"
    CUE_MOVE = "cue-move"
    CUE_DELETE = "cue-delete"
    MODERATE = "moderate"
    PROMPT_CLOSE = "prompt-close"
    JOIN_CODE_ROTATED = "join-code-rotated"
    TAKE = "take"
    TAKE_CREDIT = "take-credit"
    SNAPSHOT = "snapshot"  # a camera still sent to a photo prompt's wall
    WITHDRAW = "withdraw"  # a contributor took their work back


class Actor(str, enum.Enum):
    """Who caused a logged event."""

    CREW = "crew"
    CLOCK = "clock"  # waits and follows firing by themselves
    SERVER = "server"  # loading and restoring
    CAMERA = "camera"
    AUDIENCE = "audience"  # a phone, for its own work


@dataclass(frozen=True)
class Event:
    """Base of every event. ``logged`` events go through the engine's log."""

    logged: ClassVar[bool] = False


@dataclass(frozen=True)
class ShowChanged(Event):
    """The playhead, the mode or the cue list changed (GO, blackout, an edit...)."""

    logged: ClassVar[bool] = True
    kind: EventKind
    data: dict[str, Any] = field(default_factory=dict)
    actor: str = Actor.CREW.value


@dataclass(frozen=True)
class CueStarted(ShowChanged):
    """A cue went live (after its pre-wait). Cameras may need telling (keying)."""

    cue: str = ""
    cue_kind: str = ""
    camera: str | None = None
    keyed: bool = False


@dataclass(frozen=True)
class SubmissionModerated(ShowChanged):
    """The crew approved, featured, rejected or banned. ``changed`` lists every submission
    whose status moved (a ban rejects the device's other work too)."""

    submission: str = ""
    status: str = ""
    device: str = ""
    prompt: str = ""
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class TakesChanged(ShowChanged):
    """A take was registered or its credits changed: displays may be screening it."""


@dataclass(frozen=True)
class SnapshotAdded(ShowChanged):
    """A camera still went to a photo prompt's wall (approved by the crew's own action)."""

    submission: str = ""


# ---- notices (not logged) -------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionReceived(Event):
    """New audience work: the moderation queue grows (votes move the poll bars instead)."""

    submission: str
    vote: bool = False


@dataclass(frozen=True)
class AudienceJoined(Event):
    """A phone joined (the crew's head count)."""


@dataclass(frozen=True)
class DisplaysChanged(Event):
    """A projector connected, left or reported what it shows and has preloaded."""


@dataclass(frozen=True)
class DisplayReported(DisplaysChanged):
    """A projector reported what it shows (these come in bursts: coalesced for the crew)."""


@dataclass(frozen=True)
class CamerasChanged(Event):
    """A camera agent connected, left or reported its state."""


@dataclass(frozen=True)
class CameraPreview(Event):
    """A small preview frame for the dashboard (about 10 a second per camera)."""

    camera: str
    jpeg: bytes


@dataclass(frozen=True)
class CameraKeyPreview(Event):
    """A frame of the crew's key preview: trial key settings, not on air (to the crew
    socket that asked for it)."""

    camera: str
    jpeg: bytes
    crew: str  # the socket id of the dashboard previewing


@dataclass(frozen=True)
class KeyPreviewChanged(Event):
    """The crew started or stopped a key preview: tally lights may change."""


@dataclass(frozen=True)
class CameraWatched(Event):
    """A projector started or stopped watching a camera's programme feed."""

    camera: str


@dataclass(frozen=True)
class Reacted(Event):
    """A phone sent a reaction (applause, a heart): it floats up the projector. Not logged:
    a room's applause would flood the event log, and nothing depends on having seen it."""

    kind: str


@dataclass(frozen=True)
class QuestionsChanged(Event):
    """A Q&A question was upvoted (or the upvote taken back): the board's order may move.
    Not logged, like a vote: the upvotes table is the record."""

    prompt: str


@dataclass(frozen=True)
class SyncChanged(Event):
    """The outbox's sender started or finished a round, or the catalogue stopped answering."""


@dataclass(frozen=True)
class DiskChanged(Event):
    """The data folder's free space moved (something other than the show may be filling it:
    takes, logs, another program), seen by the clock's look every DISK_LOOK seconds."""


class Recorder(Protocol):
    """The engine's ``record``: log ``event`` (running ``change`` in the same transaction),
    then tell the listeners. Injected into the domain classes that change the show."""

    def __call__(self, event: ShowChanged, change: Callable[[], None] | None = None) -> None: ...
