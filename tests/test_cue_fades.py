"""A cue's fade in, fade out and level: a bad value fails the show file naming the cue and
the field, a good one travels to the displays and survives export and a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveshow.media.library import MediaLibrary
from liveshow.show.engine import ShowEngine
from liveshow.show.showfile import ShowFileError, dump, parse
from liveshow.state import public_state
from liveshow.store.database import Store

GOOD_CUE = "{id: a, kind: title, title: A}"


def with_cue_b(fields: str) -> str:
    """A show whose second cue, ``b``, has ``fields`` (YAML flow mapping items)."""
    return f"title: T\ncues:\n  - {GOOD_CUE}\n  - {{id: b, kind: title, title: B, {fields}}}\n"


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("fade_in", "-1", "'fade_in' must be between 0 and 30 seconds"),
        ("fade_in", "31", "'fade_in' must be between 0 and 30 seconds"),
        ("fade_in", "1.0e+300", "'fade_in' must be between 0 and 30"),
        ("fade_in", ".nan", "'fade_in' must be a number of seconds"),
        ("fade_in", ".inf", "'fade_in' must be a number of seconds"),
        ("fade_in", "slowly", "'fade_in' must be a number of seconds, got 'slowly'"),
        ("fade_in", "'2'", "'fade_in' must be a number of seconds, got '2'"),
        ("fade_in", "true", "'fade_in' must be a number of seconds, got True"),
        ("fade_in", "[1]", "'fade_in' must be a number of seconds"),
        ("fade_out", "-0.5", "'fade_out' must be between 0 and 30 seconds"),
        ("fade_out", "3600", "'fade_out' must be between 0 and 30 seconds"),
        ("fade_out", ".nan", "'fade_out' must be a number of seconds"),
        ("fade_out", "null", "'fade_out' must be a number of seconds"),
        ("level", "6", "'level' must be between -60 and 0 dB"),
        ("level", "-61", "'level' must be between -60 and 0 dB"),
        ("level", "-.inf", "'level' must be a number of dB"),
        ("level", ".nan", "'level' must be a number of dB"),
        ("level", "loud", "'level' must be a number of dB (e.g. -6), got 'loud'"),
        ("level", "-6dB", "'level' must be a number of dB"),
        ("level", "false", "'level' must be a number of dB"),
    ],
)
def test_a_bad_fade_or_level_names_the_cue_and_the_field(
    field: str, value: str, expected: str
) -> None:
    with pytest.raises(ShowFileError) as caught:
        parse(with_cue_b(f"{field}: {value}"), name="s.yaml")
    message = str(caught.value)
    assert message.startswith("s.yaml: cue 2 (b): "), message
    assert expected in message


def test_fades_and_level_are_read_and_default_to_nothing() -> None:
    show = parse(with_cue_b("fade_in: 1.5, fade_out: 30, level: -6"))
    plain, faded = show.cues
    assert (plain.fade_in, plain.fade_out, plain.level) == (0.0, 0.0, 0.0)
    assert (faded.fade_in, faded.fade_out, faded.level) == (1.5, 30.0, -6.0)
    assert parse(with_cue_b("level: -60, fade_in: 0")).cues[1].level == -60


def test_an_exported_show_keeps_them_and_a_plain_cue_stays_plain() -> None:
    text = with_cue_b("fade_in: 2, fade_out: 0.5, level: -12")
    exported = dump(parse(text))
    assert "fade_in: 2" in exported and "fade_out: 0.5" in exported and "level: -12" in exported
    again = parse(exported).cues
    assert (again[1].fade_in, again[1].fade_out, again[1].level) == (2.0, 0.5, -12.0)
    assert "fade" not in dump(parse(with_cue_b("")))


def make_engine(folder: Path, text: str | None = None) -> ShowEngine:
    store = Store(folder / "show.db")
    engine = ShowEngine(store, MediaLibrary(store, folder / "media"))
    if text is not None:
        engine.load(parse(text, base_dir=folder), None, None)
    else:
        assert engine.restore()
    return engine


def test_displays_get_them_and_a_restart_keeps_them(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, with_cue_b("fade_in: 1, fade_out: 3, level: -6"))
    engine.goto("b")
    cue = public_state(engine)["cue"]
    assert (cue["fade_in"], cue["fade_out"], cue["level"]) == (1.0, 3.0, -6.0)
    engine.store.close()

    restarted = make_engine(tmp_path)
    b = restarted.cue("b")
    assert b is not None and (b.fade_in, b.fade_out, b.level) == (1.0, 3.0, -6.0)
    restarted.store.close()
