"""Pre-flight: everything that would go wrong in front of the audience, found before doors."""

from __future__ import annotations

import enum
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..media import probe
from ..media.library import MediaLibrary
from ..store.database import Store
from . import loading, showfile
from .cue_groups import group_length
from .cues import ContinueMode, Cue, CueKind, RecordType
from .engine import ShowEngine

MB = 1024 * 1024


class Severity(str, enum.Enum):
    ERROR = "error"  # the show will visibly fail
    WARNING = "warning"  # probably not what you meant


@dataclass(frozen=True)
class Problem:
    severity: Severity
    cue: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity.value, "cue": self.cue, "message": self.message}

    def __str__(self) -> str:
        where = f"cue {self.cue}: " if self.cue else ""
        return f"{self.severity.value}: {where}{self.message}"


def _media_problems(cue: Cue, found: dict[str, Any] | None) -> Iterable[Problem]:
    what = f"media {cue.media!r}" if cue.media else f"the media of record {cue.catalogue_record}"
    if found is None:
        yield Problem(Severity.ERROR, cue.id, f"{what} is missing")
        return
    if not found["playable"]:
        for text in found["problems"] or ["does not play in the browser"]:
            yield Problem(Severity.ERROR, cue.id, f"{what}: {text}")
    kind = found["media_type"]
    if cue.type and kind != cue.type.value:
        yield Problem(
            Severity.ERROR,
            cue.id,
            f"{what} is {kind}, but the cue says type {cue.type.value}",
        )
    if kind in ("video", "audio") and not found["duration"]:
        yield Problem(Severity.WARNING, cue.id, f"{what} has no known length")


def _not_pulled(cue: Cue) -> Problem:
    return Problem(
        Severity.ERROR, cue.id, f"record {cue.catalogue_record} not pulled: run liveshow pull"
    )


def check_cues(
    cues: list[Cue], media: dict[str, dict[str, Any] | None], duration: dict[str, float | None]
) -> list[Problem]:
    """``media`` maps a cue id to its probed media (None: the file is missing)."""
    problems: list[Problem] = []
    for i, cue in enumerate(cues):
        if cue.id in media:
            problems.extend(_media_problems(cue, media.get(cue.id)))
        if cue.continue_mode is ContinueMode.AUTO_FOLLOW and not duration.get(cue.id):
            problems.append(
                Problem(
                    Severity.WARNING,
                    cue.id,
                    "auto-follow never fires: the cue has no length (set 'duration')",
                )
            )
        if cue.continue_mode is not ContinueMode.NONE and i == len(cues) - 1:
            problems.append(
                Problem(
                    Severity.WARNING,
                    cue.id,
                    f"{cue.continue_mode.value} on the last cue: there is no next cue",
                )
            )
        # (a catalogue record's credits come from the catalogue, which requires them)
        if cue.kind is CueKind.RECORD and not cue.credits and cue.catalogue_record is None:
            problems.append(Problem(Severity.WARNING, cue.id, "record has no credits"))
    return problems


def preflight(
    engine: ShowEngine, connected: set[str], cameras: set[str] | frozenset[str] = frozenset()
) -> list[Problem]:
    """Checks for the loaded show: media, continue modes, missing displays and cameras,
    catalogue records not pulled."""
    with engine.lock:
        engine.resolve_records()  # a `liveshow pull` run while the server was up counts
        cues = [engine.screened(c) for c in engine.cues]
        inner = [engine.screened(c) for group in engine.cues for c in group.children]
    media: dict[str, dict[str, Any] | None] = {}
    problems: list[Problem] = []
    rows = engine.media.infos(engine.media_of.values())  # one query, not one a cue
    for cue in cues + inner:
        if cue.catalogue_record is not None and cue.id not in engine.pulled:
            problems.append(_not_pulled(cue))
        elif cue.media or cue.catalogue_record is not None and cue.type is not RecordType.TEXT:
            row = rows.get(engine.media_of.get(cue.id) or "")
            media[cue.id] = {**row, "problems": json.loads(row["problems"])} if row else None
    durations = {c.id: engine.duration(c) for c in cues + inner}
    problems += check_cues(cues, media, durations) + check_cues(inner, media, durations)
    for name in engine.show.displays:
        if name not in connected:
            problems.append(Problem(Severity.ERROR, None, f"display {name!r} is not connected"))
    for cue in engine.cues:
        if cue.kind is CueKind.CAMERA and cue.camera not in cameras:
            problems.append(
                Problem(Severity.ERROR, cue.id, f"camera {cue.camera!r} is not connected")
            )
    return problems


def disk_problems(folder: Path, min_free_mb: int) -> list[Problem]:
    """The data folder short of space for the night's photos, sounds and takes."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        return [Problem(Severity.ERROR, None, f"cannot read the free space of {folder}: {exc}")]
    if free >= min_free_mb * MB:
        return []
    return [
        Problem(
            Severity.ERROR if free < min_free_mb * MB // 2 else Severity.WARNING,
            None,
            f"the data folder {folder} has only {free // MB} MB free (at least {min_free_mb} MB "
            "wanted: the night's photos, sounds and takes are stored there)",
        )
    ]


def preflight_file(path: Path, data: Path | None = None) -> list[Problem]:
    """Checks a show file on disk without a server: the file itself and every media file;
    with ``data`` (a data directory), that every catalogue record it names was pulled."""
    try:
        show = showfile.parse(
            path.read_text(encoding="utf-8"), str(path), path.parent, check_media=False
        )
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(Severity.ERROR, None, f"{path}: cannot read: {exc}")]
    except showfile.ShowFileError as exc:
        return [Problem(Severity.ERROR, None, str(exc))]
    media: dict[str, dict[str, Any] | None] = {}
    inner = [c for group in show.cues for c in group.children]
    durations: dict[str, float | None] = {c.id: c.duration for c in show.cues + inner}
    problems = _records_pulled(show.cues + inner, data)
    for cue in show.cues + inner:
        if not cue.media:
            continue
        try:
            found = probe.probe(path.parent / cue.media)
        except probe.ProbeError as exc:
            if (path.parent / cue.media).exists():
                problems.append(Problem(Severity.ERROR, cue.id, str(exc)))
            else:
                media[cue.id] = None
            continue
        media[cue.id] = {
            "playable": found.playable,
            "problems": list(found.problems),
            "media_type": found.media_type.value,
            "duration": found.duration,
        }
        durations[cue.id] = cue.duration or found.duration
    for group in show.cues:
        if group.children and group.duration is None:
            durations[group.id] = group_length(durations.get(c.id) for c in group.children)
    return problems + check_cues(show.cues, media, durations) + check_cues(inner, media, durations)


def _records_pulled(cues: list[Cue], data: Path | None) -> list[Problem]:
    named = [c for c in cues if c.catalogue_record is not None]
    if not named:
        return []
    if data is None:
        return [
            Problem(
                Severity.WARNING,
                c.id,
                f"record {c.catalogue_record} not checked: give --data to check it was pulled",
            )
            for c in named
        ]
    pulled: dict[int, loading.PulledRecord] = {}
    if (data / "show.db").is_file():
        store = Store(data / "show.db")
        try:
            media = MediaLibrary(store, data / "media")
            pulled = loading.pulled_records(store, media, (c.catalogue_record or 0 for c in named))
        finally:
            store.close()
    return [_not_pulled(c) for c in named if c.catalogue_record not in pulled]
