"""What goes into the night's book, read from the show's database.

Only work the crew approved or featured is read: a withdrawn, rejected or unmoderated piece
never reaches the book, because the queries below name the two statuses that may, rather than
leaving out the ones that may not (a status added later stays out until someone says so).
The database is opened read-only, so the book can be made while the show is still running.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..show.cues import PromptKind, SubmissionStatus

IN_THE_BOOK = (SubmissionStatus.APPROVED.value, SubmissionStatus.FEATURED.value)
PICTURES = (PromptKind.PHOTO.value, PromptKind.DRAWING.value)


class NoNight(Exception):
    """The data directory holds no show database."""


class Order(str, enum.Enum):
    WRITTEN = "written"  # as the room wrote them
    PROMPT = "prompt"  # grouped under their prompt, in cue-list order
    FEATURED = "featured"  # featured first, then as written


@dataclass(frozen=True)
class Story:
    id: str
    handle: str
    text: str
    prompt: str
    question: str
    featured: bool
    seq: int


@dataclass(frozen=True)
class Picture:
    id: str
    handle: str
    kind: PromptKind  # photo or drawing
    path: Path
    prompt: str
    featured: bool
    seq: int


@dataclass(frozen=True)
class Still:
    take: str
    path: Path
    performer: str
    operator: str
    seq: int


@dataclass
class Night:
    title: str
    date: datetime | None
    stories: list[Story] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    stills: list[Still] = field(default_factory=list)
    prompt_order: list[str] = field(default_factory=list)  # prompt ids as the cues run

    def contributors(self, with_stills: bool) -> list[str]:
        """Every handle whose work is in the book, in the order it first appears, as typed."""
        names = [s.handle for s in self.stories] + [p.handle for p in self.pictures]
        if with_stills:
            for still in self.stills:
                names += [still.performer, still.operator]
        return list(dict.fromkeys(n for n in names if n))


def open_read_only(data: Path) -> sqlite3.Connection:
    db = data / "show.db"
    if not db.is_file():
        raise NoNight(f"no show in {data} (no show.db): run the show first")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def read_night(data: Path) -> Night:
    """The night in ``data``: its title, date and everything the crew let into the book."""
    media = data / "media"
    with open_read_only(data) as conn:
        show = conn.execute("SELECT title, loaded_at FROM show ORDER BY id DESC LIMIT 1").fetchone()
        marks = ",".join("?" * len(IN_THE_BOOK))
        rows = conn.execute(
            "SELECT s.id, s.seq, s.handle, s.kind, s.status, s.text, s.prompt,"
            " s.media_sha256, s.created_at, coalesce(p.question, '') AS question"
            " FROM submissions s LEFT JOIN prompts p ON p.id = s.prompt"
            f" WHERE s.status IN ({marks}) ORDER BY s.seq",
            IN_THE_BOOK,
        ).fetchall()
        takes = conn.execute(
            "SELECT id, seq, thumb_sha256, coalesce(performer, '') AS performer,"
            " coalesce(operator, '') AS operator FROM takes"
            " WHERE complete = 1 AND thumb_sha256 IS NOT NULL ORDER BY seq"
        ).fetchall()
        cue_prompts = conn.execute(
            "SELECT prompt FROM cues WHERE prompt IS NOT NULL ORDER BY position"
        ).fetchall()
        first = conn.execute("SELECT min(created_at) FROM submissions").fetchone()[0]
    started = first or (show["loaded_at"] if show else None)
    night = Night(
        title=(show["title"] if show else "") or "Tonight",
        date=datetime.fromtimestamp(started, UTC) if started else None,
        prompt_order=list(dict.fromkeys(r["prompt"] for r in cue_prompts)),
    )
    for row in rows:
        featured = row["status"] == SubmissionStatus.FEATURED.value
        if row["kind"] == PromptKind.TEXT.value and (row["text"] or "").strip():
            night.stories.append(
                Story(
                    row["id"],
                    row["handle"] or "",
                    row["text"].strip(),
                    row["prompt"],
                    row["question"],
                    featured,
                    row["seq"],
                )
            )
        elif row["kind"] in PICTURES and row["media_sha256"]:
            path = media / row["media_sha256"]
            if path.is_file():
                night.pictures.append(
                    Picture(
                        row["id"],
                        row["handle"] or "",
                        PromptKind(row["kind"]),
                        path,
                        row["prompt"],
                        featured,
                        row["seq"],
                    )
                )
    for take in takes:
        path = media / take["thumb_sha256"]
        if path.is_file():
            night.stills.append(
                Still(take["id"], path, take["performer"], take["operator"], take["seq"])
            )
    return night


def ordered(night: Night, order: Order) -> list[Story]:
    """The stories in the order the crew chose."""
    stories = sorted(night.stories, key=lambda s: s.seq)
    if order is Order.FEATURED:
        return sorted(stories, key=lambda s: not s.featured)  # stable: written within each
    if order is Order.PROMPT:
        rank = {p: i for i, p in enumerate(night.prompt_order)}
        return sorted(stories, key=lambda s: rank.get(s.prompt, len(rank)))
    return stories
