"""Pre-flight finds missing or unplayable media and missing displays before doors open."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from liveshow.extensions import socketio
from tests.helpers import DISPLAY_KEY
from tests.helpers.app import make_app
from tests.helpers.crew import Crew
from tests.helpers.shows import ONE_CUE_SHOW, write_show


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


def test_preflight_says_when_the_data_folder_is_short_of_space(
    server_factory: Any, tmp_path: Path
) -> None:
    """No disk has a petabyte free: with that as the floor, the server's pre-flight and the
    command's both name the data folder and what it has; with 1 MB, neither says a word."""
    show = write_show(tmp_path, ONE_CUE_SHOW)
    srv = server_factory(show, extra_env={"LIVESHOW_MIN_FREE_MB": str(10**9)})
    crew = Crew(srv)
    try:
        problems = crew.call("preflight")["problems"]
    finally:
        crew.close()
    (short,) = [p for p in problems if "free" in p["message"]]
    assert short["severity"] == "error" and short["cue"] is None, short
    assert re.fullmatch(
        rf"the data folder {re.escape(str(srv.data))} has only \d+ MB free \(at least "
        r"1000000000 MB wanted: .*\)",
        short["message"],
    ), short

    def command(floor_mb: int) -> subprocess.CompletedProcess[str]:
        args = ["preflight", "--show", str(show), "--data", str(srv.data)]
        env = {**os.environ, "LIVESHOW_MIN_FREE_MB": str(floor_mb)}
        return subprocess.run(
            [sys.executable, "-m", "liveshow", *args], capture_output=True, text=True, env=env
        )

    short_of_space = command(10**9)
    assert short_of_space.returncode == 1 and "MB free" in short_of_space.stdout
    roomy = command(1)
    assert roomy.returncode == 0 and "free" not in roomy.stdout, roomy.stdout
