"""Camera pipeline: can one machine capture, key, preview and record a camera in real time?

For each resolution, runs the whole capture loop of one camera on the synthetic source
(a performer on a lit, noisy green screen, paced to real time) with everything on: keying
over a cycle of three backgrounds, the 10 fps crew preview, and a take recording both the
raw plate and the composite to H.264 (two ffmpeg encoders). Reports:

- frames per second achieved (frames through the loop / wall time) against the target;
- frames dropped: skipped by the source because the loop fell behind, and dropped by the
  recorders because an encoder fell behind (both count as lost);
- CPU share of one core: this process (capture, keying, preview, writer threads) from its
  CPU time / wall time, and the two ffmpeg encoders from their CPU time (children's rusage);
- the keyer alone on one core (cv2.setNumThreads(1)), frames per second at that resolution.

Results are appended to benchmarks/results/camera_pipeline.md with the machine.

    .venv/bin/python benchmarks/camera_pipeline.py [--duration 60] [--sizes 720p,1080p]
        [--fps 30] [--preset veryfast]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from liveshow.agent.capture import (  # noqa: E402
    CameraPipeline,
    ChromaKeyer,
    KeySettings,
    PipelineConfig,
    SyntheticSource,
    TakeRecorder,
)
from liveshow.agent.capture.pipeline import auto_preset  # noqa: E402
from liveshow.agent.capture.synthetic import Scene  # noqa: E402
from liveshow.media.probe import ffmpeg_exe  # noqa: E402

SIZES = {"480p": (854, 480), "720p": (1280, 720), "1080p": (1920, 1080)}
RESULTS = ROOT / "benchmarks" / "results" / "camera_pipeline.md"


def backgrounds() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(1)
    return [
        (
            f"submission-{n}",
            cv2.resize(
                rng.integers(0, 255, (9, 16, 3), np.uint8),
                (1600, 900),
                interpolation=cv2.INTER_CUBIC,
            ),
        )
        for n in range(3)
    ]


def keyer_alone(width: int, height: int, seconds: float = 3.0) -> float:
    """Frames per second of matte + despill + composite on one core."""
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        scene = Scene(width, height, 30)
        frames = [scene.render(n).image for n in range(0, 60, 6)]
        background = np.zeros_like(frames[0])
        keyer = ChromaKeyer()
        keyer.key(frames[0], background)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            keyer.key(frames[count % len(frames)], background)
            count += 1
        return count / (time.perf_counter() - start)
    finally:
        cv2.setNumThreads(threads)


def encoder_alone(width: int, height: int, fps: float, preset: str, frames: int = 90) -> float:
    """CPU milliseconds per frame of one take encoder (ffmpeg) at this size and preset,
    measured from its CPU time, which other load on the machine barely changes (finalising
    the file is included: a few ms per frame at most over 90 frames)."""
    scene = Scene(width, height, fps)
    images = [scene.render(n).image for n in range(0, 30)]
    with tempfile.TemporaryDirectory(prefix="bench-encoder-") as folder:
        recorder = TakeRecorder(Path(folder) / "enc.mp4", width, height, fps, preset=preset)
        before = children_cpu()
        for n in range(frames):
            recorder.write(images[n % len(images)], wait=True)
        recorder.finish()
        return (children_cpu() - before) / frames * 1000


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start_pipeline(
    source: SyntheticSource, folder: Path, preset: str | None, previews: list[int]
) -> CameraPipeline:
    """The pipeline as a show uses it: keying over a cycle of backgrounds, with preview."""
    pipeline = CameraPipeline(
        source,
        PipelineConfig(takes_dir=folder, preset=preset),
        on_preview=lambda _jpeg: previews.append(1),
    )
    pipeline.set_backgrounds(backgrounds(), period=2.0)
    pipeline.set_keying(True, KeySettings())
    pipeline.start()
    time.sleep(1.0)  # let the first frames (key sampling, lookup table) settle
    return pipeline


def run_pipeline(name: str, fps: float, duration: float, preset: str | None) -> dict[str, object]:
    width, height = SIZES[name]
    encoder_ms = encoder_alone(width, height, fps, preset or auto_preset(width, height, fps))
    previews: list[int] = []
    source = SyntheticSource(width, height, fps)
    with tempfile.TemporaryDirectory(prefix="bench-camera-") as folder:
        pipeline = start_pipeline(source, Path(folder), preset, previews)
        frames0, skipped0, previews0 = pipeline.stats().frames_in, source.skipped, len(previews)
        cpu0, kids0, wall0 = time.process_time(), children_cpu(), time.monotonic()
        pipeline.start_take("bench")
        time.sleep(duration)
        stats = pipeline.stats()
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
        sent = len(previews) - previews0
        take = pipeline.stop()
        finishing = time.monotonic() - wall0 - wall
        kids = children_cpu() - kids0  # the encoders, waited for by stop(), plus remux/probe
    assert take is not None and take.raw is not None and take.composite is not None
    return {
        "size": f"{name} ({width}x{height})",
        "fps_target": fps,
        "seconds": wall,
        "preset": preset or auto_preset(width, height, fps),
        "load": os.getloadavg()[0],
        "fps": (stats.frames_in - frames0) / wall,
        "skipped": source.skipped - skipped0,
        "dropped": take.dropped,
        "repeated": take.raw.repeated + take.composite.repeated,
        "cpu_self": cpu / wall,
        "cpu_encoders": kids / wall,
        # CPU per frame is steadier than fps when other work shares the machine: the cores
        # this pipeline would need to run at the target rate.
        "cores_needed": (cpu + kids) / max(stats.frames_in - frames0, 1) * fps,
        "loop_ms": stats.cpu_ms_per_frame,
        "key_ms": stats.key_ms_per_frame,
        "encoder_ms": encoder_ms,
        # What the pipeline would use alone: the loop, plus two encoders, from per-frame CPU
        # costs (wall-clock figures above suffer when other work shares the machine).
        "idle_cores": (stats.cpu_ms_per_frame + 2 * encoder_ms) * fps / 1000,
        "previews": sent / wall,
        "take_s": take.raw.duration,
        "playable": take.raw.playable and take.composite.playable,
        "finish_s": finishing,
        "raw_mb": take.raw.size / 1e6,
        "composite_mb": take.composite.size / 1e6,
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run(
        [ffmpeg_exe(), "-version"], capture_output=True, text=True, check=False
    ).stdout.split("\n", 1)[0]
    return (
        f"{platform.node()}, {os.cpu_count()} cores ({cpu}), {platform.machine()}, "
        f"Python {platform.python_version()}, OpenCV {cv2.__version__}, "
        f"numpy {np.__version__}, {version}"
    )


COLUMNS: list[tuple[str, str]] = [  # (header, format of the row's value)
    ("size", "{size}"),
    ("x264 preset", "{preset}"),
    ("target fps", "{fps_target:g}"),
    ("ran s", "{seconds:.0f}"),
    ("fps achieved", "{fps:.1f}"),
    ("skipped by source", "{skipped}"),
    ("dropped by encoders", "{dropped}"),
    ("repeated", "{repeated}"),
    ("CPU this process", "{cpu_self:.0%}"),
    ("CPU encoders", "{cpu_encoders:.0%}"),
    ("cores needed at target fps", "{cores_needed:.2f}"),
    ("loop ms/frame", "{loop_ms:.1f}"),
    ("key ms/frame", "{key_ms:.1f}"),
    ("one encoder alone ms/frame", "{encoder_ms:.1f}"),
    ("cores for loop + 2 encoders at target fps", "{idle_cores:.2f}"),
    ("previews/s", "{previews:.1f}"),
    ("take s", "{take_s:.1f}"),
    ("finalise s", "{finish_s:.1f}"),
    ("raw MB", "{raw_mb:.1f}"),
    ("composite MB", "{composite_mb:.1f}"),
    ("load avg at end", "{load:.1f}"),
]


def report(
    rows: list[dict[str, object]], keyer: dict[str, float], command: str, start_load: float
) -> str:
    sizes = ", ".join(str(r["size"]) for r in rows)
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M')}: {sizes}",
        f"Machine: {machine()}",
        f"Command: `{command}`",
        f"Load average (1 min) when the run started: {start_load:.1f}",
        "",
        "| " + " | ".join(header for header, _ in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in rows:
        lines.append("| " + " | ".join(fmt.format(**row) for _, fmt in COLUMNS) + " |")
    lines += [
        "",
        "Keyer alone (matte + despill + composite), one core: "
        + ", ".join(f"{name} {fps:.0f} fps" for name, fps in keyer.items()),
        "",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per size")
    parser.add_argument("--sizes", default="720p,1080p", help=",".join(SIZES))
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument(
        "--preset",
        default=None,
        help="libx264 preset (default: the pipeline's choice by frame size)",
    )
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    names = [n.strip() for n in args.sizes.split(",") if n.strip()]
    start_load = os.getloadavg()[0]
    keyer = {name: keyer_alone(*SIZES[name]) for name in names}
    rows = []
    for name in names:
        print(f"{name}: running {args.duration:g} s ...", flush=True)
        rows.append(run_pipeline(name, args.fps, args.duration, args.preset))
    command = "python benchmarks/camera_pipeline.py " + " ".join(sys.argv[1:])
    text = report(rows, keyer, command.strip(), start_load)
    print(text)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        new = not RESULTS.exists()
        with RESULTS.open("a") as out:
            if new:
                out.write(
                    "# Camera pipeline results\n\nOne camera's whole capture loop on the "
                    "synthetic source: capture, keying over a background cycle, 10 fps "
                    "preview, and a take recording raw plate + composite (H.264).\n\n"
                )
            out.write(text)


if __name__ == "__main__":
    main()
