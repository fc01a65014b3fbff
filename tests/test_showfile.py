"""Bad show files give a clear error naming the file, the cue and the problem; saving is atomic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from liveshow.show.showfile import ShowFileError, dump, load_file, parse, write_atomic

GOOD_CUE = "{id: a, kind: title, title: A}"


def show_with(cue: str) -> str:
    return f"title: T\ncues:\n  - {GOOD_CUE}\n  - {cue}\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("title: T\ncues: [\n", "not valid YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
        ("cues:\n  - " + GOOD_CUE + "\n", "'title' is required"),
        ("title: T\n", "'cues' must be a list with at least one cue"),
        ("title: T\ncues: []\n", "at least one cue"),
        ("title: T\ncolour: red\ncues:\n  - " + GOOD_CUE + "\n", "unknown field(s) colour"),
        (show_with("{id: b, kind: movie}"), "cue 2 (b): 'kind' is 'movie'; expected one of record"),
        (show_with("{id: a, kind: title}"), "cue 2 (a): id 'a' is used by another cue"),
        (show_with("{id: 'bad id!', kind: title}"), "'id' must be 1-64 letters"),
        (
            show_with("{id: b, kind: title, pre_wait: soon}"),
            "cue 2 (b): 'pre_wait' must be a number of seconds",
        ),
        (show_with("{id: b, kind: title, post_wait: -1}"), "'post_wait' must be between 0"),
        (show_with("{id: b, kind: title, continue: sometimes}"), "'continue' is 'sometimes'"),
        (show_with("{id: b, kind: title, duration: 0}"), "'duration' must be more than 0"),
        (show_with("{id: b, kind: record, title: R}"), "needs exactly one of 'media'"),
        (show_with("{id: b, kind: record, text: x, media: y.mp4}"), "needs exactly one of"),
        (
            show_with("{id: b, kind: record, media: missing.mp4}"),
            "cue 2 (b): media file 'missing.mp4' not found",
        ),
        (show_with("{id: b, kind: record, media: clip.xyz}"), "cannot tell the type of 'clip.xyz'"),
        (show_with("{id: b, kind: title, media: x.mp4}"), "'media' belongs on record cues"),
        (show_with("{id: b, kind: record, text: hi, credits: Ana}"), "'credits' must be a list"),
        (
            show_with("{id: b, kind: record, text: hi, credits: [{name: Ana}]}"),
            "credit 1 'role' is required",
        ),
        (show_with("{id: b, kind: title, title: " + "x" * 300 + "}"), "limit is 200"),
    ],
)
def test_bad_show_file_names_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ShowFileError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert expected in message, message


def test_missing_show_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ShowFileError, match="show file not found"):
        load_file(tmp_path / "nope.yaml")


def test_ids_are_made_from_titles_when_absent(tmp_path: Path) -> None:
    show = parse(
        "title: T\ncues:\n  - {kind: title, title: Hello World}\n"
        "  - {kind: title, title: Hello World}\n  - {kind: blackout}\n"
    )
    assert [c.id for c in show.cues] == ["hello-world", "hello-world-2", "blackout"]


def test_dump_then_parse_round_trips(demo_show: Path) -> None:
    show = load_file(demo_show)
    again = parse(dump(show), base_dir=demo_show.parent)
    assert [c.to_showfile() for c in again.cues] == [c.to_showfile() for c in show.cues]


def test_bad_show_file_on_the_command_line_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(show_with("{id: b, kind: record, media: gone.mp4}"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "liveshow",
            "serve",
            "--show",
            str(path),
            "--data",
            str(tmp_path / "data"),
            "--port",
            "1",
        ],
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "media file 'gone.mp4' not found" in result.stderr


def test_atomic_write_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "show.yaml"
    target.write_text("old")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomic(target, "new" * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["show.yaml"]  # no temp file left behind


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "show.yaml"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new"


# What a join slide may promise, and the prompt kind that keeps each promise (None: nothing
# in liveshow does it, so a slide must never promise it).
PROMISES = {
    "vote": "vote",
    "write": "text",
    "stories": "text",
    "pictures": "photo",
    "photos": "photo",
    "draw": "drawing",
    "drawings": "drawing",
    "sounds": "audio",
    "record": "audio",
    "cheer": None,
    "clap": None,
    "applaud": None,
    "chat": None,
}


def test_the_demo_join_slide_promises_only_what_the_demo_asks_for(demo_show: Path) -> None:
    show = load_file(demo_show)
    asked = {c.prompt.kind.value for c in show.cues if c.prompt is not None}
    for cue in show.cues:
        if cue.kind.value != "join":
            continue
        words = {w.strip(",.!").lower() for w in f"{cue.title} {cue.subtitle}".split()}
        promised = words & PROMISES.keys()
        assert promised, f"the join slide {cue.id!r} says nothing of what phones do"
        broken = sorted(w for w in promised if PROMISES[w] not in asked)
        assert broken == [], f"the join slide {cue.id!r} promises {broken}"
