"""Editing the cue list: only in edit mode, validated like the show file, saved atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from liveshow.show import editing
from liveshow.show.engine import CueError
from tests.helpers.app import make_app


@pytest.fixture
def engine(app: Any) -> Any:
    return app.extensions["liveshow"].engine


def ids(engine: Any) -> list[str]:
    return [c.id for c in engine.cues]


def test_add_update_move_delete_in_edit_mode(engine: Any) -> None:
    new = editing.add_cue(engine, {"kind": "title", "title": "Interval"}, after="story")
    assert ids(engine) == ["welcome", "story", "interval", "dark", "roll"]
    editing.update_cue(engine, "interval", {"title": "Short interval", "duration": 30})
    assert engine.cue("interval").title == "Short interval"
    editing.move_cue(engine, "interval", 0)
    assert ids(engine)[0] == new
    editing.delete_cue(engine, "interval")
    assert ids(engine) == ["welcome", "story", "dark", "roll"]


def test_edits_are_stored_and_survive_a_restart(tmp_path: Path, text_show: Path) -> None:
    app = make_app(tmp_path / "data", text_show)
    engine = app.extensions["liveshow"].engine
    editing.add_cue(engine, {"id": "extra", "kind": "title", "title": "Extra"})
    engine.store.close()
    again = make_app(tmp_path / "data", text_show).extensions["liveshow"].engine
    assert ids(again)[-1] == "extra"


@pytest.mark.parametrize("mode", ["rehearsal", "show"])
def test_editing_is_locked_outside_edit_mode(engine: Any, mode: str) -> None:
    engine.set_mode(mode)
    before = [c.to_showfile() for c in engine.cues]
    for attempt in (
        lambda: editing.add_cue(engine, {"kind": "blackout"}),
        lambda: editing.update_cue(engine, "welcome", {"title": "x"}),
        lambda: editing.move_cue(engine, "welcome", 2),
        lambda: editing.delete_cue(engine, "dark"),
        lambda: editing.import_show(engine, "title: X\ncues: [{kind: blackout}]"),
    ):
        with pytest.raises(CueError, match="locked"):
            attempt()
    assert [c.to_showfile() for c in engine.cues] == before


def test_the_cue_on_stage_cannot_be_deleted(engine: Any) -> None:
    engine.go()
    with pytest.raises(CueError, match="on stage"):
        editing.delete_cue(engine, "welcome")


def test_changing_a_record_from_text_to_missing_media_is_refused(engine: Any) -> None:
    with pytest.raises(CueError, match="not found"):
        editing.update_cue(engine, "story", {"media": "nowhere.mp4"})
    assert engine.cue("story").text == "Once upon a time"


def test_changing_a_cue_kind_drops_record_fields(engine: Any) -> None:
    editing.update_cue(engine, "story", {"kind": "title"})
    cue = engine.cue("story")
    assert cue.kind.value == "title" and cue.text is None and cue.type is None


def test_save_writes_the_show_file_atomically_and_a_restart_resumes(
    tmp_path: Path, text_show: Path
) -> None:
    app = make_app(tmp_path / "data", text_show)
    engine = app.extensions["liveshow"].engine
    editing.update_cue(engine, "welcome", {"title": "Bienvenue"})
    path = editing.save_show(engine, tmp_path / "fallback.yaml")
    assert path == text_show.resolve()
    saved = yaml.safe_load(text_show.read_text())
    assert saved["cues"][0]["title"] == "Bienvenue"
    assert [p.name for p in text_show.parent.iterdir() if p.name.startswith(".show")] == []
    engine.goto("story")
    engine.store.close()
    # same file (now with the saved edits) -> the stored state is resumed, not reloaded
    again = make_app(tmp_path / "data", text_show).extensions["liveshow"].engine
    assert again.state.current == "story" and again.state.paused


def test_export_to_another_folder_keeps_media_paths_working(
    tmp_path: Path, demo_show: Path
) -> None:
    app = make_app(tmp_path / "data", demo_show)
    engine = app.extensions["liveshow"].engine
    out = tmp_path / "elsewhere" / "copy.yaml"
    out.parent.mkdir()
    out.write_text(editing.export_text(engine, out.parent))
    from liveshow.show.showfile import load_file

    copy = load_file(out)  # media paths resolve from the new folder
    assert [c.id for c in copy.cues] == ids(engine)


def test_import_replaces_the_cue_list(engine: Any) -> None:
    editing.import_show(engine, "title: Imported\ncues:\n  - {id: only, kind: blackout}\n")
    assert ids(engine) == ["only"] and engine.show.title == "Imported"
    assert engine.state.current is None


def test_save_after_an_import_does_not_overwrite_the_started_file(
    tmp_path: Path, text_show: Path
) -> None:
    app = make_app(tmp_path / "data", text_show)
    engine = app.extensions["liveshow"].engine
    before = text_show.read_text()
    editing.import_show(engine, "title: Imported\ncues:\n  - {id: only, kind: blackout}\n")
    path = editing.save_show(engine, tmp_path / "data" / "show.yaml")
    assert path == tmp_path / "data" / "show.yaml"
    assert text_show.read_text() == before


def test_save_never_rewrites_the_bundled_demo(tmp_path: Path, demo_show: Path) -> None:
    app = make_app(tmp_path / "data", demo_show)
    engine = app.extensions["liveshow"].engine
    before = demo_show.read_text()
    path = editing.save_show(engine, tmp_path / "data" / "show.yaml")
    assert path == tmp_path / "data" / "show.yaml" and demo_show.read_text() == before
    from liveshow.show.showfile import load_file

    assert [c.id for c in load_file(path).cues] == [c.id for c in engine.cues]
