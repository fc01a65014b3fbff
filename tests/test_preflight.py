"""Pre-flight finds missing or unplayable media and missing displays before doors open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from liveshow.extensions import socketio
from tests.helpers import DISPLAY_KEY
from tests.helpers.app import make_app


def run_preflight(show: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "liveshow", "preflight", "--show", str(show)],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )


def mp4v_clip(path: Path) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (160, 120))
    for i in range(25):
        writer.write(np.full((120, 160, 3), i * 10, np.uint8))
    writer.release()


def test_the_demo_show_passes_preflight(demo_show: Path) -> None:
    result = run_preflight(demo_show)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


def test_preflight_lists_missing_unplayable_and_mistyped_media(tmp_path: Path) -> None:
    mp4v_clip(tmp_path / "opencv.mp4")
    cv2.imwrite(str(tmp_path / "still.png"), np.zeros((10, 10, 3), np.uint8))
    show = tmp_path / "show.yaml"
    show.write_text("""\
title: Broken
cues:
  - {id: gone, kind: record, media: gone.mp4, credits: [{name: A, role: b}]}
  - {id: mp4v, kind: record, media: opencv.mp4, credits: [{name: A, role: b}]}
  - {id: liar, kind: record, type: video, media: still.png, credits: [{name: A, role: b}]}
  - {id: story, kind: record, text: hi, continue: auto-follow}
""")
    result = run_preflight(show)
    out = result.stdout
    assert result.returncode == 1, out
    assert "cue gone: media 'gone.mp4' is missing" in out
    assert "cue mp4v: media 'opencv.mp4'" in out and "does not play in Chromium" in out
    assert "cue liar: media 'still.png' is image, but the cue says type video" in out
    assert "cue story: auto-follow never fires" in out
    assert "cue story: record has no credits" in out


def test_preflight_of_a_broken_show_file_is_one_clear_error(tmp_path: Path) -> None:
    show = tmp_path / "show.yaml"
    show.write_text("title: X\ncues: {oops")
    result = run_preflight(show)
    assert result.returncode == 1 and "not valid YAML" in result.stdout
    assert "Traceback" not in result.stderr


def test_dashboard_preflight_reports_displays_that_are_not_connected(app: Any, crew: Any) -> None:
    ack = crew.emit("preflight", namespace="/crew", callback=True)
    assert {"severity": "error", "cue": None, "message": "display 'main' is not connected"} in ack[
        "problems"
    ]
    screen = socketio.test_client(
        app, namespace="/display", auth={"key": DISPLAY_KEY, "name": "main"}
    )
    ack = crew.emit("preflight", namespace="/crew", callback=True)
    assert not any("not connected" in p["message"] for p in ack["problems"])
    screen.disconnect(namespace="/display")


def test_dashboard_preflight_flags_unplayable_media_in_the_loaded_show(tmp_path: Path) -> None:
    mp4v_clip(tmp_path / "opencv.mp4")
    show = tmp_path / "show.yaml"
    show.write_text(
        "title: T\ncues:\n  - {id: v, kind: record, media: opencv.mp4, "
        "credits: [{name: A, role: b}]}\n"
    )
    app = make_app(tmp_path / "data", show)
    rt = app.extensions["liveshow"]
    from liveshow.show.preflight import preflight

    problems = [str(p) for p in preflight(rt.engine, {"main"})]
    assert any("cue v: media 'opencv.mp4'" in p and "Chromium" in p for p in problems)
