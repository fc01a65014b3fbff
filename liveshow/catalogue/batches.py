"""What a sync batch says, parsed from JSON into plain dataclasses (or refused whole).

``POST /contributions`` carries ``{"items": [contribution…]}`` and ``POST /performances``
carries ``{"items": [performance…]}``; docs/catalogue.md shows both. Parsing checks shape
and values only; whether hashes, parents and collaborations exist is decided by
:mod:`.writing` inside the batch's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from . import validation as v
from .validation import BadInput

MAX_TEXT = 20_000
MAX_TITLE = 200
MAX_NAME = 100
MAX_PARENTS = 1_000
MAX_CREDITS = 200
MAX_SCREENINGS = 10_000
MAX_PURPOSES = 10


class Kind(StrEnum):
    TEXT = "text"
    PICTURE = "picture"
    DRAWING = "drawing"
    SOUND = "sound"
    VIDEO = "video"
    TAKE = "take"


# the usual roles; any lowercase word(s) are accepted, so a community can add its own
KNOWN_ROLES = (
    "writer",
    "voice",
    "music",
    "performer",
    "camera",
    "photographer",
    "illustrator",
    "animator",
    "audience contributor",
    "editor",
    "director",
)


@dataclass(frozen=True)
class Origin:
    """The show-side ids an item came from; (performance, source, id, part) is its identity."""

    performance: str
    show: str = ""
    cue: str = ""
    prompt: str = ""
    submission: str = ""
    take: str = ""
    part: str = ""
    camera: str = ""
    made_at: str = ""

    @property
    def key(self) -> str:
        source, ident = ("take", self.take) if self.take else ("submission", self.submission)
        return json.dumps([self.performance, source, ident, self.part], separators=(",", ":"))

    def as_json(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in ORIGIN_ORDER if getattr(self, f)}


# An origin's fields, in the order the API and the record table's origin_* columns use.
ORIGIN_ORDER = (
    "performance",
    "show",
    "cue",
    "prompt",
    "submission",
    "take",
    "part",
    "camera",
    "made_at",
)


@dataclass(frozen=True)
class RecordRef:
    """A parent or screened record: a catalogue id, or the origin of an item sent earlier."""

    record: int | None
    origin: Origin | None


@dataclass(frozen=True)
class ParentLink:
    ref: RecordRef
    role: str
    start: float | None
    end: float | None


@dataclass(frozen=True)
class Credit:
    handle: str
    name: str
    role: str
    claim_sha256: str = ""  # SHA-256 of the phone's private claim token (never the token)


@dataclass(frozen=True)
class Consent:
    handle: str
    terms_version: str
    accepted_at: str
    terms_sha256: str = ""  # the hash of the terms' text, as shown to the person
    purposes: tuple[str, ...] = ()  # what the work may be used for, e.g. ("screening", "remix")


@dataclass(frozen=True)
class CollaborationRef:
    slug: str
    title: str  # "" = must exist already
    description: str


@dataclass(frozen=True)
class MediaRef:
    sha256: str
    mime: str
    duration: float | None


@dataclass(frozen=True)
class Contribution:
    origin: Origin | None  # None only for work made online (the API always requires one)
    collaboration: CollaborationRef
    kind: Kind
    title: str
    text: str
    media: MediaRef | None
    credits: tuple[Credit, ...]
    consent: tuple[Consent, ...]
    parents: tuple[ParentLink, ...]


@dataclass(frozen=True)
class Screening:
    ref: RecordRef
    at: str
    cue: str


@dataclass(frozen=True)
class Performance:
    id: str
    show: str
    title: str
    venue: str
    started_at: str
    ended_at: str
    screenings: tuple[Screening, ...]


ORIGIN_FIELDS = frozenset(ORIGIN_ORDER)


def parse_origin(raw: Any, where: str) -> Origin:
    d = v.obj(raw, where)
    v.only_keys(d, ORIGIN_FIELDS, where)
    ids = {
        f: v.show_id(d.get(f), f"{where}.{f}")
        for f in ("show", "cue", "prompt", "submission", "take", "part", "camera")
    }
    if bool(ids["submission"]) == bool(ids["take"]):
        raise BadInput(f"{where} must name exactly one of submission or take")
    return Origin(
        performance=v.show_id(d.get("performance"), f"{where}.performance", True),
        made_at=v.timestamp(d.get("made_at"), f"{where}.made_at"),
        **ids,
    )


def parse_ref(d: dict[str, Any], where: str) -> RecordRef:
    if ("record" in d) == ("origin" in d):
        raise BadInput(f"{where} must have either record (a catalogue id) or origin")
    if "record" in d:
        return RecordRef(v.record_id(d["record"], f"{where}.record"), None)
    return RecordRef(None, parse_origin(d["origin"], f"{where}.origin"))


def parse_parent(raw: Any, where: str) -> ParentLink:
    d = v.obj(raw, where)
    v.only_keys(d, {"record", "origin", "role", "start", "end"}, where)
    start = v.number(d.get("start"), f"{where}.start", 0.0, 1e7)
    end = v.number(d.get("end"), f"{where}.end", 0.0, 1e7)
    if start is not None and end is not None and end < start:
        raise BadInput(f"{where}.end must not be before start")
    role = v.text(d.get("role"), f"{where}.role", 40)
    return ParentLink(parse_ref(d, where), role, start, end)


def parse_credit(raw: Any, where: str) -> Credit:
    d = v.obj(raw, where)
    v.only_keys(d, {"handle", "name", "role", "claim"}, where)
    handle = v.handle(d.get("handle"), f"{where}.handle")
    name = v.text(d.get("name"), f"{where}.name", MAX_NAME) or handle
    role = v.pattern(d.get("role"), f"{where}.role", v.ROLE_RE, "a role such as writer")
    claim = v.sha256(d["claim"], f"{where}.claim") if "claim" in d else ""
    return Credit(handle, name, role, claim)


def parse_consent(raw: Any, where: str) -> Consent:
    d = v.obj(raw, where)
    v.only_keys(d, {"artist", "terms_version", "accepted_at", "terms_sha256", "purposes"}, where)
    purposes = v.array(d.get("purposes", []), f"{where}.purposes", MAX_PURPOSES)
    return Consent(
        v.handle(d.get("artist"), f"{where}.artist"),
        v.text(d.get("terms_version"), f"{where}.terms_version", 40, True),
        v.timestamp(d.get("accepted_at"), f"{where}.accepted_at", True),
        v.sha256(d["terms_sha256"], f"{where}.terms_sha256") if "terms_sha256" in d else "",
        tuple(
            v.pattern(p, f"{where}.purposes[{i}]", v.ROLE_RE, "a purpose such as remix")
            for i, p in enumerate(purposes)
        ),
    )


def parse_collaboration(raw: Any, where: str) -> CollaborationRef:
    if isinstance(raw, str):
        return CollaborationRef(v.slug(raw, where), "", "")
    d = v.obj(raw, where)
    v.only_keys(d, {"slug", "title", "description"}, where)
    return CollaborationRef(
        v.slug(d.get("slug"), f"{where}.slug"),
        v.text(d.get("title"), f"{where}.title", MAX_TITLE, True),
        v.text(d.get("description"), f"{where}.description", MAX_TEXT),
    )


def parse_media(raw: Any, where: str) -> MediaRef | None:
    if raw is None:
        return None
    d = v.obj(raw, where)
    v.only_keys(d, {"sha256", "mime", "duration"}, where)
    return MediaRef(
        v.sha256(d.get("sha256"), f"{where}.sha256"),
        v.pattern(d.get("mime"), f"{where}.mime", v.MIME_RE, "a MIME type"),
        v.number(d.get("duration"), f"{where}.duration", 0.0, 1e7),
    )


CONTRIBUTION_FIELDS = {
    "origin",
    "collaboration",
    "kind",
    "title",
    "text",
    "media",
    "contributors",
    "consent",
    "parents",
}


def parse_contribution(raw: Any, where: str) -> Contribution:
    d = v.obj(raw, where)
    v.only_keys(d, CONTRIBUTION_FIELDS, where)
    kind_raw = d.get("kind")
    if kind_raw not in {k.value for k in Kind}:
        raise BadInput(f"{where}.kind must be one of {', '.join(k.value for k in Kind)}")
    kind = Kind(kind_raw)
    text = v.text(d.get("text"), f"{where}.text", MAX_TEXT, required=kind is Kind.TEXT)
    media = parse_media(d.get("media"), f"{where}.media")
    if media is None and kind is not Kind.TEXT:
        raise BadInput(f"{where}.media is required for a {kind.value}")
    return Contribution(
        origin=parse_origin(d.get("origin"), f"{where}.origin"),
        collaboration=parse_collaboration(d.get("collaboration"), f"{where}.collaboration"),
        kind=kind,
        title=v.text(d.get("title"), f"{where}.title", MAX_TITLE),
        text=text,
        media=media,
        credits=tuple(
            parse_credit(c, f"{where}.contributors[{i}]")
            for i, c in enumerate(
                v.array(d.get("contributors"), f"{where}.contributors", MAX_CREDITS, 1)
            )
        ),
        consent=tuple(
            parse_consent(c, f"{where}.consent[{i}]")
            for i, c in enumerate(v.array(d.get("consent", []), f"{where}.consent", MAX_CREDITS))
        ),
        parents=tuple(
            parse_parent(p, f"{where}.parents[{i}]")
            for i, p in enumerate(v.array(d.get("parents", []), f"{where}.parents", MAX_PARENTS))
        ),
    )


def parse_screening(raw: Any, where: str) -> Screening:
    d = v.obj(raw, where)
    v.only_keys(d, {"record", "origin", "at", "cue"}, where)
    return Screening(
        parse_ref(d, where),
        v.timestamp(d.get("at"), f"{where}.at", True),
        v.show_id(d.get("cue"), f"{where}.cue"),
    )


def parse_performance(raw: Any, where: str) -> Performance:
    d = v.obj(raw, where)
    v.only_keys(d, {"id", "show", "title", "venue", "started_at", "ended_at", "screenings"}, where)
    return Performance(
        id=v.show_id(d.get("id"), f"{where}.id", True),
        show=v.show_id(d.get("show"), f"{where}.show"),
        title=v.text(d.get("title"), f"{where}.title", MAX_TITLE),
        venue=v.text(d.get("venue"), f"{where}.venue", MAX_TITLE),
        started_at=v.timestamp(d.get("started_at"), f"{where}.started_at"),
        ended_at=v.timestamp(d.get("ended_at"), f"{where}.ended_at"),
        screenings=tuple(
            parse_screening(s, f"{where}.screenings[{i}]")
            for i, s in enumerate(
                v.array(d.get("screenings", []), f"{where}.screenings", MAX_SCREENINGS)
            )
        ),
    )


def parse_batch(body: Any, max_items: int) -> list[Any]:
    d = v.obj(body, "the body")
    v.only_keys(d, {"items"}, "the body")
    return v.array(d.get("items"), "items", max_items, 1)


def parse_contributions(body: Any, max_items: int) -> list[Contribution]:
    items = [
        parse_contribution(raw, f"items[{i}]") for i, raw in enumerate(parse_batch(body, max_items))
    ]
    keys = [item.origin.key for item in items if item.origin]
    if len(set(keys)) != len(keys):
        raise BadInput("two items in the batch have the same origin")
    return items


def parse_performances(body: Any, max_items: int) -> list[Performance]:
    return [
        parse_performance(raw, f"items[{i}]") for i, raw in enumerate(parse_batch(body, max_items))
    ]
