"""The theatre's nouns: cue kinds, continue modes, show modes, and the cue itself."""

from __future__ import annotations

import enum
import re
from dataclasses import asdict, dataclass, field
from typing import Any


class CueKind(str, enum.Enum):
    RECORD = "record"
    TITLE = "title"
    JOIN = "join"
    BLACKOUT = "blackout"
    CREDITS = "credits"
    PROMPT = "prompt"  # opens a prompt to the audience
    WALL = "wall"  # approved submissions to a prompt, live
    POLL = "poll"  # live results of a vote prompt
    CLOUD = "cloud"  # a word cloud of a text prompt's approved answers, live
    CAMERA = "camera"  # a stage camera's live picture (optionally the keyed composite)
    REPLAY = "replay"  # screens a take: the latest, or a chosen one
    GROUP = "group"  # its cues (a picture, a sound under it, a title over it) start together


class Transition(str, enum.Enum):
    """How a camera cue's picture comes on, as OBS's transitions: ``fade`` dissolves it in
    over the picture before (over the cue's ``fade_in``, or the usual 0.4 s), ``cut``
    switches at once; either waits for the camera's first frame."""

    FADE = "fade"
    CUT = "cut"


class PromptKind(str, enum.Enum):
    TEXT = "text"
    PHOTO = "photo"
    DRAWING = "drawing"
    AUDIO = "audio"
    VOTE = "vote"
    QUESTION = "question"  # Q&A: phones ask, the room upvotes the approved questions


class SubmissionStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    FEATURED = "featured"
    REJECTED = "rejected"
    COUNTED = "counted"  # a vote: counted, never moderated
    WITHDRAWN = "withdrawn"  # taken back by the person who made it


class ModerationAction(str, enum.Enum):
    APPROVE = "approve"
    REJECT = "reject"
    FEATURE = "feature"
    BAN = "ban"


class RecordType(str, enum.Enum):
    VIDEO = "video"
    IMAGE = "image"
    AUDIO = "audio"
    TEXT = "text"


class ContinueMode(str, enum.Enum):
    NONE = "none"
    AUTO_CONTINUE = "auto-continue"
    AUTO_FOLLOW = "auto-follow"


class ShowMode(str, enum.Enum):
    EDIT = "edit"
    REHEARSAL = "rehearsal"
    SHOW = "show"


class CueState(str, enum.Enum):
    """Where a cue is in its life, as the dashboard marks it."""

    IDLE = "idle"
    STANDBY = "standby"
    PRE_WAIT = "pre-wait"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"  # the crew stopped it (one cue of a group, or the cue on stage)
    DONE = "done"


ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
TEXT_LIMIT = 4000
TITLE_LIMIT = 200


@dataclass
class Credit:
    name: str
    role: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role}


@dataclass
class PromptSpec:
    kind: PromptKind
    question: str
    options: list[str] = field(default_factory=list)  # vote
    max_length: int = 280  # text: characters
    max_seconds: float = 30.0  # audio: seconds

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PromptSpec:
        return cls(
            kind=PromptKind(data["kind"]),
            question=data["question"],
            options=list(data.get("options", [])),
            max_length=int(data.get("max_length", 280)),
            max_seconds=float(data.get("max_seconds", 30.0)),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "question": self.question}
        if self.kind is PromptKind.VOTE:
            out["options"] = list(self.options)
        if self.kind in (PromptKind.TEXT, PromptKind.QUESTION):
            out["max_length"] = self.max_length
        if self.kind is PromptKind.AUDIO:
            out["max_seconds"] = self.max_seconds
        return out


OscArg = str | int | float | bool


@dataclass
class OscSend:
    """An OSC message a cue sends as it starts, like a QLab network cue: ``target`` is
    ``host:port``."""

    target: str
    address: str
    args: list[OscArg] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"target": self.target, "address": self.address}
        if self.args:
            out["args"] = list(self.args)
        return out


@dataclass
class Cue:
    id: str
    kind: CueKind
    title: str = ""
    subtitle: str = ""
    type: RecordType | None = None
    media: str | None = None  # path as written in the show file
    text: str | None = None
    credits: list[Credit] = field(default_factory=list)
    duration: float | None = None
    pre_wait: float = 0.0
    post_wait: float = 0.0
    continue_mode: ContinueMode = ContinueMode.NONE
    notes: str = ""
    prompt: PromptSpec | None = None  # prompt cues
    source: str | None = None  # wall and poll cues: the prompt cue they show
    camera: str | None = None  # camera cues (and replay cues: only this camera's takes)
    keyed: bool = False  # camera cues: show the keyed composite
    transition: Transition = Transition.FADE  # camera cues: how the picture comes on
    take: str | None = None  # replay cues: a take id, or None for the latest
    catalogue_record: int | None = None  # record cues: a record pulled from the catalogue
    close_prompt: str | None = None  # any cue but a prompt: the prompt it closes as it starts
    osc: list[OscSend] = field(default_factory=list)  # sent as the cue starts
    fade_in: float = 0.0  # seconds: picture and sound fade in as the cue starts
    fade_out: float = 0.0  # seconds: ... and out as the next cue replaces it
    level: float = 0.0  # dB, -60..0: the cue's audio level (before the master volume)
    number: str | None = None  # the cue number the crew sees and types ("4.5"), not the id
    children: list[Cue] = field(default_factory=list)  # group cues: the cues it runs together

    def to_showfile(self) -> dict[str, Any]:
        """The cue as a show file writes it: only fields that say something."""
        out: dict[str, Any] = {"id": self.id}
        if self.number is not None:
            out["number"] = self.number
        out["kind"] = self.kind.value
        if self.title:
            out["title"] = self.title
        if self.subtitle:
            out["subtitle"] = self.subtitle
        if self.type is not None:
            out["type"] = self.type.value
        if self.media:
            out["media"] = self.media
        if self.text is not None:
            out["text"] = self.text
        if self.credits:
            out["credits"] = [c.to_dict() for c in self.credits]
        if self.duration is not None:
            out["duration"] = self.duration
        if self.pre_wait:
            out["pre_wait"] = self.pre_wait
        if self.post_wait:
            out["post_wait"] = self.post_wait
        if self.continue_mode is not ContinueMode.NONE:
            out["continue"] = self.continue_mode.value
        if self.notes:
            out["notes"] = self.notes
        if self.prompt is not None:
            out["prompt"] = self.prompt.to_dict()
        if self.source:
            out["source"] = self.source
        if self.camera:
            out["camera"] = self.camera
        if self.keyed:
            out["keyed"] = True
        if self.transition is not Transition.FADE:
            out["transition"] = self.transition.value
        if self.take:
            out["take"] = self.take
        if self.catalogue_record is not None:
            out["record"] = self.catalogue_record
        if self.close_prompt:
            out["close_prompt"] = self.close_prompt
        if self.osc:
            out["osc"] = [m.to_dict() for m in self.osc]
        for key in ("fade_in", "fade_out", "level"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.children:
            out["cues"] = [c.to_showfile() for c in self.children]
        return out

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["type"] = self.type.value if self.type else None
        data["continue"] = data.pop("continue_mode").value
        data["transition"] = self.transition.value
        data["prompt"] = self.prompt.to_dict() if self.prompt else None
        data.pop("children")  # a group's cues: state.crew_state lists them with their states
        return data


def slug(text: str) -> str:
    made = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48]
    return made or "cue"
