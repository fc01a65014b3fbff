"""Photo burst: N phones upload a photo at once while the crew keeps GOing.

Starts a real `liveshow serve` (eventlet) on 127.0.0.1 with a photo prompt open, joins N
phones (Socket.IO /audience, each gets a token), connects D display clients, then:

1. idle: the crew GOes between two cues K times; fan-out latency = crew emit -> each
   display receiving the new state;
2. burst: all N phones POST a 1920x1440 JPEG to /api/submissions at the same moment while
   the crew GOes K times again (same measure).

Reports photos processed per second (N / time from the first request to the last ack),
acknowledgement latency p50/p99, and fan-out p50/p99 during the burst against idle, in the
same run. Results are appended to benchmarks/results/photo_burst.md with the machine.

    .venv/bin/python benchmarks/photo_burst.py [--phones 200] [--displays 20] [--gos 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import cv2
import numpy as np
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_server import start_server  # noqa: E402

from liveshow.audience.terms import TERMS_VERSION  # noqa: E402

SHOW = """\
title: Photo burst bench
cues:
  - {id: ask-photo, kind: prompt, prompt: {kind: photo, question: "Something blue"}}
  - {id: a, kind: title, title: A}
  - {id: b, kind: title, title: B}
"""


def photo(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    image = cv2.resize(
        rng.integers(0, 255, (90, 120, 3), dtype=np.uint8),
        (1920, 1440),
        interpolation=cv2.INTER_CUBIC,
    )
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


class Fanout:
    def __init__(self) -> None:
        self.arrivals: dict[int, list[float]] = {}

    def on_state(self, state: dict) -> None:
        self.arrivals.setdefault(state["rev"], []).append(time.perf_counter())

    async def measure(
        self, crew: socketio.AsyncClient, displays: int, gos: int, gap: float
    ) -> list[float]:
        latencies: list[float] = []
        for n in range(gos):
            sent = time.perf_counter()
            ack = await crew.call(
                "goto", {"cue": "a" if n % 2 else "b"}, namespace="/crew", timeout=60
            )
            assert ack["ok"], ack
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                done = [
                    r for r, t in self.arrivals.items() if min(t) >= sent and len(t) >= displays
                ]
                if done:
                    latencies.extend(x - sent for x in self.arrivals[max(done)])
                    break
                await asyncio.sleep(0.002)
            await asyncio.sleep(gap)
        return latencies


async def join(url: str, i: int) -> tuple[socketio.AsyncClient, str]:
    phone = socketio.AsyncClient(reconnection=False)
    await phone.connect(
        url,
        namespaces=["/audience"],
        transports=["websocket"],
        auth={"code": "bench", "device": f"bench-phone-{i:08d}"},
    )
    ack = await phone.call(
        "join",
        {"handle": f"P{i}", "consent": {"accepted": True, "terms_version": TERMS_VERSION}},
        namespace="/audience",
    )
    assert ack["ok"], ack
    return phone, ack["token"]


async def upload(
    session: aiohttp.ClientSession, url: str, token: str, i: int, data: bytes
) -> tuple[float, int]:
    form = aiohttp.FormData()
    form.add_field("id", f"burst-{i:08d}")
    form.add_field("prompt", "ask-photo")
    form.add_field("kind", "photo")
    form.add_field("file", data, filename="p.jpg", content_type="image/jpeg")
    start = time.perf_counter()
    async with session.post(
        f"{url}/api/submissions", data=form, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        await response.read()
        return time.perf_counter() - start, response.status


async def run(url: str, phones: int, displays: int, gos: int) -> dict:
    fan = Fanout()
    screens = []
    for i in range(displays):
        c = socketio.AsyncClient(reconnection=False)
        c.on("state", fan.on_state, namespace="/display")
        await c.connect(
            url,
            namespaces=["/display"],
            transports=["websocket"],
            auth={"key": "bench", "name": f"d{i}"},
        )
        screens.append(c)
    crew = socketio.AsyncClient(reconnection=False)
    await crew.connect(
        url, namespaces=["/crew"], transports=["websocket"], auth={"password": "bench"}
    )
    assert (await crew.call("goto", {"cue": "ask-photo"}, namespace="/crew"))["ok"]
    joined = [await join(url, i) for i in range(phones)]
    photos = [photo(i % 8) for i in range(8)]
    await asyncio.sleep(1)
    idle = await fan.measure(crew, displays, gos, 0.3)

    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=0)
    ) as session:
        start = time.perf_counter()
        uploads = asyncio.gather(
            *(upload(session, url, token, i, photos[i % 8]) for i, (_, token) in enumerate(joined))
        )
        during = await fan.measure(crew, displays, gos, 0.3)
        results = await uploads
        elapsed = time.perf_counter() - start
    for c in [crew, *screens, *(p for p, _ in joined)]:
        await c.disconnect()
    acks = [r[0] for r in results]
    return {
        "ok": sum(r[1] == 201 for r in results),
        "elapsed": elapsed,
        "acks": acks,
        "idle": idle,
        "during": during,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--displays", type=int, default=20)
    parser.add_argument("--gos", type=int, default=10)
    parser.add_argument("--port", type=int, default=5098)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(Path(tmp), SHOW, args.port)
        try:
            r = asyncio.run(
                run(f"http://127.0.0.1:{args.port}", args.phones, args.displays, args.gos)
            )
        finally:
            proc.terminate()
            proc.wait(10)
    lines = [
        f"photos accepted: {r['ok']}/{args.phones} in {r['elapsed']:.1f} s "
        f"-> {r['ok'] / r['elapsed']:.1f} photos/s",
        f"ack latency: p50 {pct(r['acks'], 0.5):.0f} ms, p99 {pct(r['acks'], 0.99):.0f} ms",
        f"cue fan-out to {args.displays} displays, idle:  p50 {pct(r['idle'], 0.5):.1f} ms, "
        f"p99 {pct(r['idle'], 0.99):.1f} ms",
        f"cue fan-out during the burst: p50 {pct(r['during'], 0.5):.1f} ms, "
        f"p99 {pct(r['during'], 0.99):.1f} ms "
        f"(median x{statistics.median(r['during']) / statistics.median(r['idle']):.1f} idle)",
    ]
    print("\n".join(lines))
    out = ROOT / "benchmarks" / "results" / "photo_burst.md"
    out.parent.mkdir(exist_ok=True)
    header = (
        ""
        if out.exists()
        else (
            "# Photo burst results\n\nN phones upload a 1920x1440 "
            "JPEG at once while the crew GOes; server and clients "
            "on one machine over 127.0.0.1.\n"
        )
    )
    with out.open("a") as handle:
        handle.write(
            header + f"\n## {time.strftime('%Y-%m-%d %H:%M')}: {args.phones} phones, "
            f"{args.displays} displays, {args.gos} GOs\nMachine: {platform.node()}, "
            f"{os.cpu_count()} cores, {platform.machine()}, Python "
            f"{platform.python_version()}\nCommand: `python benchmarks/photo_burst.py "
            f"--phones {args.phones} --displays {args.displays} --gos {args.gos}`\n\n"
            + "\n".join(f"- {line}" for line in lines)
            + "\n"
        )


if __name__ == "__main__":
    main()
