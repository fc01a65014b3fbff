"""Camera programme feed, end to end: what a projector's camera cue actually receives.

Starts a real `liveshow serve` and a real `liveshow camera` agent (synthetic source, keying
on) on 127.0.0.1, opens the camera's MJPEG stream the way a display does, and counts the
frames that arrive over a window. Reports frames per second received, frame size, and the
agent's own capture fps. Results are appended to benchmarks/results/camera_program.md.

    .venv/bin/python benchmarks/camera_program.py [--width 1280 --height 720 --fps 30]
        [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import socketio
from bench_server import start_server

ROOT = Path(__file__).resolve().parent.parent
SHOW = "title: Programme bench\ncues:\n  - {id: live, kind: camera, camera: cam1, keyed: true}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=5097)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = start_server(folder, SHOW, args.port)
        agent = None
        try:
            agent = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "liveshow",
                    "camera",
                    "--server",
                    url,
                    "--key",
                    "bench",
                    "--name",
                    "cam1",
                    "--source",
                    "synthetic",
                    "--width",
                    str(args.width),
                    "--height",
                    str(args.height),
                    "--fps",
                    str(args.fps),
                    "--takes",
                    str(folder / "takes"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            crew = socketio.Client()
            crew.connect(url, namespaces=["/crew"], auth={"password": "bench"})
            for _ in range(100):
                if crew.call(
                    "camera",
                    {"camera": "cam1", "action": "key", "on": True},
                    namespace="/crew",
                    timeout=10,
                ).get("ok"):
                    break
                time.sleep(0.2)
            result = measure(url, args.seconds)
            crew.disconnect()
        finally:
            for proc in (agent, server):
                if proc is not None:
                    proc.terminate()
                    proc.wait(30)
    report(args, result)


def measure(url: str, seconds: float) -> dict[str, float]:
    stream = requests.get(f"{url}/camera/cam1/live.mjpg?key=bench", stream=True, timeout=30)
    sizes: list[int] = []
    buffer = b""
    started = None
    for chunk in stream.iter_content(65536):
        buffer += chunk
        while True:
            start = buffer.find(b"\xff\xd8")
            end = buffer.find(b"\xff\xd9", start + 2)
            if start < 0 or end < 0:
                break
            if started is None:
                started = time.perf_counter()  # count from the first frame
            else:
                sizes.append(end + 2 - start)
            buffer = buffer[end + 2 :]
        if started is not None and time.perf_counter() - started >= seconds:
            break
    elapsed = time.perf_counter() - (started or time.perf_counter())
    stream.close()
    return {
        "fps": len(sizes) / elapsed if elapsed else 0.0,
        "frames": len(sizes),
        "seconds": elapsed,
        "kb": statistics.median(sizes) / 1024 if sizes else 0.0,
    }


def report(args: argparse.Namespace, r: dict[str, float]) -> None:
    line = (
        f"{args.width}x{args.height} @ {args.fps:g} fps keyed: received {r['frames']:.0f} "
        f"frames in {r['seconds']:.1f} s = {r['fps']:.1f} fps, median frame "
        f"{r['kb']:.0f} KiB"
    )
    print(line)
    out = ROOT / "benchmarks" / "results" / "camera_program.md"
    header = (
        ""
        if out.exists()
        else (
            "# Camera programme feed results\n\nFrames per second a "
            "projector receives over MJPEG from a real agent "
            "(synthetic source, keying on), via the server.\n"
        )
    )
    load = os.getloadavg()[0]
    with out.open("a") as handle:
        handle.write(
            header + f"\n## {time.strftime('%Y-%m-%d %H:%M')}\nMachine: "
            f"{platform.node()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; load average at the end {load:.1f}\n"
            f"Command: `python benchmarks/camera_program.py --width {args.width} "
            f"--height {args.height} --fps {args.fps:g} --seconds {args.seconds:g}`\n\n"
            f"- {line}\n"
        )


if __name__ == "__main__":
    main()
