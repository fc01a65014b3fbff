"""Photo burst: N phones upload a photo at once while the crew keeps GOing.

Starts a real `liveshow serve` (eventlet) on 127.0.0.1 with a photo prompt open, joins N
phones (Socket.IO /audience, each gets a token), connects D display clients, then:

1. idle: the crew GOes between two cues K times; fan-out latency = crew emit -> each
   display receiving the new state;
2. burst: all N phones POST a JPEG (1920x1440 unless --photo says otherwise) to
   /api/submissions at the same moment (or spread evenly over --over seconds) while the crew
   keeps GOing (at least K times, and until the last upload is answered; same measure).

Phones join from their own loopback addresses (127.0.1.x, --per-address phones each), as
phones on a venue LAN would, so the per-address join and upload limits are not what is
measured. Reports photos processed per second (N / time from the first request to the last
ack), acknowledgement latency p50/p99, and fan-out p50/p99 during the burst against idle, in
the same run; with --runs R, R runs (a fresh server each) and their medians. Results are
appended to benchmarks/results/photo_burst.md with the machine.

    .venv/bin/python benchmarks/photo_burst.py [--phones 200] [--displays 20] [--gos 10]
        [--photo 1920x1440] [--over 0] [--runs 1]

The goal of issue 10 (1,000 photos in 10 s):
    .venv/bin/python benchmarks/photo_burst.py --phones 1000 --over 10
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
from collections import Counter
from pathlib import Path
from typing import Any

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
  - {id: end, kind: title, title: End}
"""  # the show's last cue closes every prompt: the GOs stay off it (a, b), the prompt open


def photo(seed: int, width: int = 1920, height: int = 1440) -> bytes:
    rng = np.random.default_rng(seed)
    image = cv2.resize(
        rng.integers(0, 255, (90, 120, 3), dtype=np.uint8),
        (width, height),
        interpolation=cv2.INTER_CUBIC,
    )
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


LOST = 60.0  # seconds: a GO not answered, or not on every display, by then


class Fanout:
    def __init__(self) -> None:
        self.arrivals: dict[int, list[float]] = {}
        self.lost = 0

    def on_state(self, state: dict) -> None:
        self.arrivals.setdefault(state["rev"], []).append(time.perf_counter())

    async def measure(
        self,
        crew: socketio.AsyncClient,
        displays: int,
        gos: int,
        gap: float,
        until: asyncio.Future | None = None,
    ) -> list[float]:
        """GO ``gos`` times, and on while ``until`` is not done (bounded: 2,000 GOs)."""
        latencies: list[float] = []
        for n in range(2000):
            if n >= gos and (until is None or until.done()):
                break
            sent = time.perf_counter()
            try:
                ack = await crew.call(
                    "goto", {"cue": "a" if n % 2 else "b"}, namespace="/crew", timeout=LOST
                )
            except socketio.exceptions.TimeoutError:
                ack = {"ok": False}
            deadline = time.monotonic() + LOST
            while ack["ok"] and time.monotonic() < deadline:
                done = [
                    r for r, t in self.arrivals.items() if min(t) >= sent and len(t) >= displays
                ]
                if done:
                    latencies.extend(x - sent for x in self.arrivals[max(done)])
                    break
                await asyncio.sleep(0.002)
            else:  # no answer, or not every display got it: counted as LOST seconds each
                self.lost += 1
                latencies.extend([LOST] * displays)
            await asyncio.sleep(gap)
        return latencies


def source(i: int, per_address: int) -> str:
    """Phone ``i``'s own loopback address (all of 127.0.0.0/8 reaches the server)."""
    n = i // per_address
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def connector(address: str) -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=0, local_addr=(address, 0))


async def join(url: str, i: int, address: str) -> tuple[socketio.AsyncClient, str]:
    phone = socketio.AsyncClient(
        reconnection=False, http_session=aiohttp.ClientSession(connector=connector(address))
    )
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
    session: aiohttp.ClientSession, url: str, token: str, i: int, data: bytes, at: float
) -> tuple[float, int]:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
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


async def run(url: str, args: argparse.Namespace) -> dict:
    phones, displays, gos = args.phones, args.displays, args.gos
    width, height = (int(x) for x in args.photo.split("x"))
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
    joined: list[tuple[socketio.AsyncClient, str]] = []
    for first in range(0, phones, 20):  # 20 at a time: a ramp, not a stampede
        joined += await asyncio.gather(
            *(
                join(url, i, source(i, args.per_address))
                for i in range(first, min(phones, first + 20))
            )
        )
    if args.hang_up:  # the burst without 1,000 sockets held by this one client process
        for p, _ in joined:
            await p.disconnect()
    photos = [photo(i % 8, width, height) for i in range(8)]
    await asyncio.sleep(1)
    idle = await fan.measure(crew, displays, gos, 0.3)

    timeout = aiohttp.ClientTimeout(total=600)
    addresses = sorted({source(i, args.per_address) for i in range(phones)})
    sessions = {
        a: aiohttp.ClientSession(timeout=timeout, connector=connector(a)) for a in addresses
    }
    start = time.perf_counter()
    uploads = asyncio.ensure_future(
        asyncio.gather(
            *(
                upload(
                    sessions[source(i, args.per_address)],
                    url,
                    token,
                    i,
                    photos[i % 8],
                    start + args.over * i / phones,
                )
                for i, (_, token) in enumerate(joined)
            )
        )
    )
    during = await fan.measure(crew, displays, gos, 0.3, until=uploads)
    results = await uploads
    elapsed = time.perf_counter() - start
    for session in sessions.values():
        await session.close()
    for c in [crew, *screens, *(p for p, _ in joined if not args.hang_up)]:
        await c.disconnect()
    for p, _ in joined:
        await p.eio.http.close()
    acks = [r[0] for r in results]
    return {
        "ok": sum(r[1] == 201 for r in results),
        "refused": dict(Counter(r[1] for r in results if r[1] != 201)),
        "elapsed": elapsed,
        "acks": acks,
        "idle": idle,
        "during": during,
        "lost": fan.lost,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def figures(r: dict) -> dict[str, Any]:
    return {
        "ok": r["ok"],
        "elapsed": r["elapsed"],
        "rate": r["ok"] / r["elapsed"],
        "ack50": pct(r["acks"], 0.5),
        "ack99": pct(r["acks"], 0.99),
        "idle50": pct(r["idle"], 0.5),
        "idle99": pct(r["idle"], 0.99),
        "burst50": pct(r["during"], 0.5),
        "burst99": pct(r["during"], 0.99),
        "ratio99": pct(r["during"], 0.99) / pct(r["idle"], 0.99),
        "lost": r["lost"],
        "refused": r["refused"],
    }


def describe(f: dict[str, Any], phones: int, displays: int) -> list[str]:
    return [
        f"photos accepted: {f['ok']:.0f}/{phones} in {f['elapsed']:.1f} s "
        f"-> {f['rate']:.1f} photos/s"
        + (f" (answers other than 201: {f['refused']})" if f.get("refused") else ""),
        f"ack latency: p50 {f['ack50']:.0f} ms, p99 {f['ack99']:.0f} ms",
        f"cue fan-out to {displays} displays, idle:  p50 {f['idle50']:.1f} ms, "
        f"p99 {f['idle99']:.1f} ms",
        f"cue fan-out during the burst: p50 {f['burst50']:.1f} ms, "
        f"p99 {f['burst99']:.1f} ms (p99 x{f['ratio99']:.2f} idle)"
        + (f"; {f['lost']:.0f} GOs lost (not everywhere in {LOST:.0f} s)" if f["lost"] else ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--displays", type=int, default=20)
    parser.add_argument("--gos", type=int, default=10)
    parser.add_argument("--photo", default="1920x1440", help="WIDTHxHEIGHT of the JPEG sent")
    parser.add_argument("--over", type=float, default=0.0, help="spread the uploads (seconds)")
    parser.add_argument("--per-address", type=int, default=100, help="phones per address")
    parser.add_argument(
        "--hang-up", action="store_true", help="phones close their socket after joining"
    )
    parser.add_argument("--runs", type=int, default=1, help="fresh server per run; medians")
    parser.add_argument("--port", type=int, default=5098)
    parser.add_argument("--note", default="", help="a line saying what was measured")
    args = parser.parse_args()
    runs = []
    for n in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            proc = start_server(Path(tmp), SHOW, args.port)
            try:
                r = asyncio.run(run(f"http://127.0.0.1:{args.port}", args))
            finally:
                proc.terminate()
                proc.wait(10)
        runs.append(figures(r))
        print(f"run {n + 1}: " + "; ".join(describe(runs[-1], args.phones, args.displays)))
    median: dict[str, Any] = {
        k: statistics.median(f[k] for f in runs) for k in runs[0] if k != "refused"
    }
    lines = describe(median, args.phones, args.displays)
    if args.runs > 1:
        lines = [f"median of {args.runs} runs (each figure its own median):", *lines] + [
            f"run {n + 1}: {f['ok']:.0f} accepted, {f['rate']:.1f} photos/s, "
            f"ack p99 {f['ack99']:.0f} ms, fan-out p99 idle {f['idle99']:.1f} / burst "
            f"{f['burst99']:.1f} ms" + (f", refused {f['refused']}" if f["refused"] else "")
            for n, f in enumerate(runs)
        ]
    print("\n".join(lines))
    out = ROOT / "benchmarks" / "results" / "photo_burst.md"
    out.parent.mkdir(exist_ok=True)
    header = (
        ""
        if out.exists()
        else (
            "# Photo burst results\n\nN phones upload a JPEG at once while the crew GOes; "
            "server and clients on one machine over 127.0.0.1.\n"
        )
    )
    command = (
        f"python benchmarks/photo_burst.py --phones {args.phones} --displays {args.displays} "
        f"--gos {args.gos} --photo {args.photo} --over {args.over:g} --runs {args.runs}"
        + (" --hang-up" if args.hang_up else "")
    )
    with out.open("a") as handle:
        handle.write(
            header + f"\n## {time.strftime('%Y-%m-%d %H:%M')}: {args.phones} phones "
            f"({args.photo}{f', over {args.over:g} s' if args.over else ', at once'}), "
            f"{args.displays} displays\n"
            + (f"{args.note}\n" if args.note else "")
            + f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.machine()}, "
            f"Python {platform.python_version()}\nCommand: `{command}`\n\n"
            + "\n".join(f"- {line}" for line in lines)
            + "\n"
        )


if __name__ == "__main__":
    main()
