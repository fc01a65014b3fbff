"""Editing the cue list from the dashboard (edit mode only), and import/export of show files."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..events import EventKind, ShowChanged
from ..media import probe
from . import showfile
from .cue_groups import all_cues
from .cues import Cue, ShowMode
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
    shas: dict[str, str] = {}  # cue id -> media sha256, a group's cues too
    for each in all_cues([cue]):
        if each.media:
            try:
                shas[each.id] = engine.media.ingest(engine.show.base_dir / each.media)["sha256"]
            except probe.ProbeError as exc:
                raise CueError(f"{where}: {exc}") from None
    return cue, shas


def add_cue(engine: ShowEngine, raw: Any, after: Any = None, actor: str = "crew") -> str:
    with engine.lock:
        _require_edit(engine)
        if after is not None and engine.index_of(after) is None:
            raise CueError(f"no cue with id {after!r} to add after")
        cue, shas = _validated(engine, raw, "new cue", {c.id for c in all_cues(engine.cues)})
        at = len(engine.cues) if after is None else engine.index_of(after) + 1  # type: ignore
        change_cues(
            engine,
            engine.cues[:at] + [cue] + engine.cues[at:],
            ShowChanged(EventKind.CUE_ADD, {"cue": cue.id, "position": at}, actor),
            shas,
        )
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
        old = [c.id for c in all_cues([engine.cues[i]])]  # a group keeps its cues' ids
        taken = {c.id for c in all_cues(engine.cues)} - set(old)
        where = f"cue {engine.cues[i].number or i + 1}"  # parse_cue adds the id
        cue, shas = _validated(engine, merged, where, taken)
        change_cues(
            engine,
            engine.cues[:i] + [cue] + engine.cues[i + 1 :],
            ShowChanged(EventKind.CUE_UPDATE, {"cue": cue_id, "fields": sorted(changes)}, actor),
            shas,
            old,
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
        change_cues(
            engine,
            moved[:to] + [engine.cues[i]] + moved[to:],
            ShowChanged(EventKind.CUE_MOVE, {"cue": cue_id, "from": i, "to": to}, actor),
        )


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
        gone = [c.id for c in all_cues([engine.cues[i]])]
        change_cues(
            engine,
            engine.cues[:i] + engine.cues[i + 1 :],
            ShowChanged(EventKind.CUE_DELETE, {"cue": cue_id}, actor),
            gone=gone,
        )


def change_cues(
    engine: ShowEngine,
    cues: list[Cue],
    event: ShowChanged,
    shas: dict[str, str] | None = None,
    gone: Iterable[str] = (),
) -> None:
    """Swap in a changed cue list, once it is valid as a whole (walls name prompts, cue
    numbers are all different...), and write it with its event. The one way a cue list
    changes (edits, and the desk's camera transitions in any mode): the caller holds the
    engine's lock and has checked the mode. A failed write changes nothing in memory either
    (the engine puts back what the transaction changed), so what the crew sees is what the
    database holds."""
    try:
        showfile.check_sources(cues, "cue list")
        showfile.check_numbers(cues, "cue list")
    except showfile.ShowFileError as exc:
        raise CueError(str(exc)) from None

    def change() -> None:  # in the event's transaction: undone with it (engine._commit)
        engine.show.cues = cues
        for each in gone:  # a removed or replaced cue's media (a group's cues too)
            engine.media_of.pop(each, None)
        engine.media_of.update(shas or {})
        engine.save_cues()

    rev = engine.state.rev
    try:
        engine.record(event, change=change)
    except sqlite3.Error as exc:
        if engine.state.rev != rev:
            raise  # written; a listener failed after
        raise CueError(f"the change was not saved (nothing changed): {exc}") from None


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
    except sqlite3.Error as exc:
        raise CueError(f"the show was not loaded (nothing changed): {exc}") from None


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

        def remember() -> None:
            engine.store.db.table("show").update(
                1, {"source_path": str(target), "source_sha256": digest}
            )
            engine.source_path = str(target)

        rev = engine.state.rev
        try:
            engine.record(ShowChanged(EventKind.SHOW_SAVED, {"path": str(target)}, actor), remember)
        except sqlite3.Error as exc:
            if engine.state.rev != rev:
                raise  # noted; a listener failed after
            raise CueError(f"{target} is written; the server did not note it: {exc}") from None
        return target
