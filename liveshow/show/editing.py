"""Editing the cue list from the dashboard (edit mode only), and import/export of show files."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..events import EventKind, ShowChanged
from ..media import probe
from . import showfile
from .cues import ShowMode
from .demo import DEMO_SHOW
from .engine import CueError, ShowEngine


def _require_edit(engine: ShowEngine) -> None:
    if engine.state.mode is not ShowMode.EDIT:
        raise CueError(
            f"the cue list is locked in {engine.state.mode.value} mode: "
            "switch to edit mode to change it"
        )


def _validated(engine: ShowEngine, raw: Any, where: str, taken: set[str]) -> Any:
    try:
        cue = showfile.parse_cue(raw, where, engine.show.base_dir, taken)
    except showfile.ShowFileError as exc:
        raise CueError(str(exc)) from None
    media_sha = None
    if cue.media:
        try:
            media_sha = engine.media.ingest(engine.show.base_dir / cue.media)["sha256"]
        except probe.ProbeError as exc:
            raise CueError(f"{where}: {exc}") from None
    return cue, media_sha


def add_cue(engine: ShowEngine, raw: Any, after: Any = None, actor: str = "crew") -> str:
    with engine.lock:
        _require_edit(engine)
        if after is not None and engine.index_of(after) is None:
            raise CueError(f"no cue with id {after!r} to add after")
        cue, sha = _validated(engine, raw, "new cue", {c.id for c in engine.cues})
        at = len(engine.cues) if after is None else engine.index_of(after) + 1  # type: ignore
        _apply(engine, engine.cues[:at] + [cue] + engine.cues[at:])
        if sha:
            engine.media_of[cue.id] = sha
        _commit_edit(engine, EventKind.CUE_ADD, {"cue": cue.id, "position": at}, actor)
        return cue.id


def update_cue(engine: ShowEngine, cue_id: Any, changes: Any, actor: str = "crew") -> None:
    with engine.lock:
        _require_edit(engine)
        i = engine.index_of(cue_id)
        if i is None:
            raise CueError(f"no cue with id {cue_id!r}")
        if not isinstance(changes, dict):
            raise CueError('cue_update needs {"id", "cue": {fields to change}}')
        if "id" in changes and changes["id"] != cue_id:
            raise CueError("a cue's id cannot be changed; add a new cue instead")
        merged = {**engine.cues[i].to_showfile(), **changes}
        if "text" in changes:
            merged.pop("media", None)
        if "media" in changes:
            merged.pop("text", None)
            if "type" not in changes:
                merged.pop("type", None)
        if merged.get("kind") != "record":
            for key in ("type", "media", "text"):
                merged.pop(key, None)
        merged = {k: v for k, v in merged.items() if v is not None}
        taken = {c.id for c in engine.cues} - {cue_id}
        cue, sha = _validated(engine, merged, f"cue {i + 1} ({cue_id})", taken)
        _apply(engine, engine.cues[:i] + [cue] + engine.cues[i + 1 :])
        engine.media_of.pop(cue.id, None)
        if sha:
            engine.media_of[cue.id] = sha
        _commit_edit(
            engine, EventKind.CUE_UPDATE, {"cue": cue_id, "fields": sorted(changes)}, actor
        )


def move_cue(engine: ShowEngine, cue_id: Any, to: Any, actor: str = "crew") -> None:
    with engine.lock:
        _require_edit(engine)
        i = engine.index_of(cue_id)
        if i is None:
            raise CueError(f"no cue with id {cue_id!r}")
        if isinstance(to, bool) or not isinstance(to, int) or not 0 <= to < len(engine.cues):
            raise CueError(f"'to' must be a position from 0 to {len(engine.cues) - 1}")
        moved = engine.cues[:i] + engine.cues[i + 1 :]
        _apply(engine, moved[:to] + [engine.cues[i]] + moved[to:])
        _commit_edit(engine, EventKind.CUE_MOVE, {"cue": cue_id, "from": i, "to": to}, actor)


def delete_cue(engine: ShowEngine, cue_id: Any, actor: str = "crew") -> None:
    with engine.lock:
        _require_edit(engine)
        i = engine.index_of(cue_id)
        if i is None:
            raise CueError(f"no cue with id {cue_id!r}")
        if cue_id in (engine.state.current, engine.state.pending):
            raise CueError(f"cue {cue_id!r} is on stage: GO to another cue first")
        if len(engine.cues) == 1:
            raise CueError("a show needs at least one cue")
        _apply(engine, engine.cues[:i] + engine.cues[i + 1 :])
        engine.media_of.pop(cue_id, None)
        _commit_edit(engine, EventKind.CUE_DELETE, {"cue": cue_id}, actor)


def _apply(engine: ShowEngine, cues: list[Any]) -> None:
    """Swap in an edited cue list, once it is valid as a whole (walls name prompts...)."""
    try:
        showfile.check_sources(cues, "cue list")
    except showfile.ShowFileError as exc:
        raise CueError(str(exc)) from None
    engine.show.cues = cues


def _commit_edit(engine: ShowEngine, kind: EventKind, data: dict[str, Any], actor: str) -> None:
    engine.record(ShowChanged(kind, data, actor), change=engine.save_cues)


def import_show(engine: ShowEngine, text: Any, actor: str = "crew") -> None:
    """Replace the cue list with a show file's text; media paths resolve as for the current show."""
    if not isinstance(text, str) or not text.strip():
        raise CueError("import needs the show file's text")
    _require_edit(engine)
    try:
        show = showfile.parse(text, name="imported show", base_dir=engine.show.base_dir)
        # An imported show has no file of its own yet: saving it must not overwrite the file
        # the server was started with.
        engine.load(show, None, None, actor)
    except (showfile.ShowFileError, probe.ProbeError) as exc:
        raise CueError(str(exc)) from None


def export_text(engine: ShowEngine, folder: Path | None = None) -> str:
    """The show file text; media paths are written relative to ``folder`` (default: as loaded)."""
    return showfile.dump(engine.show, relative_to=folder)


def save_show(engine: ShowEngine, fallback: Path, actor: str = "crew") -> Path:
    """Write the cue list back to its show file (atomically), or to ``fallback`` if it has none."""
    with engine.lock:
        target = Path(engine.source_path) if engine.source_path else fallback
        if target.resolve() == DEMO_SHOW.resolve():
            target = fallback  # never rewrite the bundled demo (and its comments)
        text = export_text(engine, target.parent)
        try:
            showfile.write_atomic(target, text)
        except OSError as exc:
            raise CueError(f"could not write {target}: {exc.strerror or exc}") from None
        digest = hashlib.sha256(text.encode()).hexdigest()
        with engine.store.write() as db:
            db.table("show").update(1, {"source_path": str(target), "source_sha256": digest})
            engine.source_path = str(target)
            engine.record(ShowChanged(EventKind.SHOW_SAVED, {"path": str(target)}, actor))
        return target
