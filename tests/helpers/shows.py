"""Show files the tests run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

TEXT_SHOW = """\
title: Test show
min_go_interval: 1.0
cues:
  - {id: welcome, kind: title, title: Welcome}
  - {id: story, kind: record, title: Story, text: "Once upon a time", duration: 2,
     credits: [{name: Ana, role: writer}]}
  - {id: dark, kind: blackout}
  - {id: roll, kind: credits, title: Thanks}
"""

# A prompt of every kind, a wall and a poll.
PROMPT_SHOW = """\
title: Audience test
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: ask-text, kind: prompt, prompt: {kind: text, question: "A tiny story", max_length: 50}}
  - {id: text-wall, kind: wall, source: ask-text}
  - {id: ask-photo, kind: prompt, prompt: {kind: photo, question: "Something blue"}}
  - {id: photo-wall, kind: wall, source: ask-photo}
  - {id: ask-drawing, kind: prompt, prompt: {kind: drawing, question: "The moon"}}
  - {id: ask-sound, kind: prompt, prompt: {kind: audio, question: "A sound", max_seconds: 5}}
  - {id: ask-vote, kind: prompt, prompt: {kind: vote, question: "Which?", options: [A, B, C]}}
  - {id: results, kind: poll, source: ask-vote}
  - {id: roll, kind: credits, title: Thanks}
"""

# One camera cue: cam1 live on the projector (the camera agents' fault tests).
CAMERA_SHOW = "title: Filming\ncues:\n  - {id: live, kind: camera, camera: cam1}\n"

# One title cue: the quickest show a server can load.
ONE_CUE_SHOW = "title: T\ncues:\n  - {id: a, kind: title, title: A}\n"


def write_show(folder: Path, text: str, name: str = "show.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def write_prompt_show(folder: Path) -> Path:
    return write_show(folder, PROMPT_SHOW, "prompts.yaml")


def long_video(folder: Path, seconds: int = 40) -> Path:
    """A small H.264 mp4 that Chromium plays, longer than the demo's (a test that starts a
    video part-way needs one): a moving test pattern, 160x90 at 10 fps."""
    path = folder / f"long-{seconds}s.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", f"testsrc2=s=160x90:r=10:d={seconds}", "-c:v", "libx264", "-preset",
         "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path
