"""OSC round trip: how long a desk's OSC command takes to move the show and to be heard.

Starts a real `liveshow serve` (eventlet by default) on 127.0.0.1 with OSC on, connects N
display clients (python-socketio AsyncClient, websocket), and sends `/liveshow/cue/<id>/start`
over UDP, back and forth between two cues, from a socket that is also the server's OSC
target. For each command it records the time from sending to the QLab-style reply, to the
`/liveshow/cue/started` the server tells its targets, and to the last display receiving the
new state. The OSC news is told first in the fan-out table, so it should not wait for the
displays.

    .venv/bin/python benchmarks/osc_go.py [--displays 0,200] [--gos 30]

Results are appended to benchmarks/results/osc_go.md with the machine they ran on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import tempfile
import time
from pathlib import Path

import socketio
from bench_server import start_server
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket

ROOT = Path(__file__).resolve().parent.parent
SHOW = """\
title: OSC bench
cues:
  - {id: a, kind: title, title: A}
  - {id: b, kind: title, title: B}
"""


def packet(address: str) -> bytes:
    return bytes(OscMessageBuilder(address=address).build().dgram)


async def run_round(url: str, desk: socket.socket, osc_port: int, displays: int, gos: int):
    arrivals: dict[int, list[float]] = {}

    def handler(state: dict) -> None:
        arrivals.setdefault(state["rev"], []).append(time.perf_counter())

    clients = []
    for i in range(displays):
        c = socketio.AsyncClient(reconnection=False)
        c.on("state", handler, namespace="/display")
        await c.connect(
            url,
            namespaces=["/display"],
            transports=["websocket"],
            auth={"key": "bench", "name": f"d{i}", "rev": 0},
            wait_timeout=30,
        )
        clients.append(c)
    await asyncio.sleep(1.0)
    reply, told, shown = [], [], []
    for n in range(gos):
        cue = "a" if n % 2 else "b"
        sent = time.perf_counter()
        desk.sendto(packet(f"/liveshow/cue/{cue}/start"), ("127.0.0.1", osc_port))
        got: dict[str, float] = {}
        rev = None
        deadline = time.monotonic() + 30
        while len(got) < 2 and time.monotonic() < deadline:
            try:
                data, _ = desk.recvfrom(65535)
            except BlockingIOError:
                await asyncio.sleep(0.0005)
                continue
            at = time.perf_counter()
            for timed in OscPacket(data).messages:
                got.setdefault(timed.message.address, at)
                if timed.message.address.startswith("/reply/"):
                    rev = json.loads(timed.message.params[0])["data"]["rev"]
        if len(got) < 2 or rev is None:
            raise SystemExit(f"command {n}: no reply or cue/started within 30 s: {got}")
        reply.append(got[f"/reply/liveshow/cue/{cue}/start"] - sent)
        told.append(got["/liveshow/cue/started"] - sent)
        while displays and len(arrivals.get(rev, [])) < displays and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        if displays:
            shown.append(max(arrivals[rev]) - sent)
        await asyncio.sleep(0.2)
    for c in clients:
        await c.disconnect()
    return reply, told, shown


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values: list[float]) -> str:
    if not values:
        return "— | —"
    return f"{statistics.median(values) * 1000:.1f} | {pct(values, 0.99) * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--displays", default="0,200")
    parser.add_argument("--gos", type=int, default=30)
    parser.add_argument("--async-mode", default="eventlet")
    parser.add_argument("--port", type=int, default=5098)
    parser.add_argument("--osc-port", type=int, default=53098)
    args = parser.parse_args()
    desk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    desk.bind(("127.0.0.1", 0))
    desk.setblocking(False)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(
            Path(tmp),
            SHOW,
            args.port,
            LIVESHOW_ASYNC_MODE=args.async_mode,
            LIVESHOW_OSC_PORT=str(args.osc_port),
            LIVESHOW_OSC_ALLOW="127.0.0.1",
            LIVESHOW_OSC_TARGETS=f"127.0.0.1:{desk.getsockname()[1]}",
        )
        try:
            for n in [int(x) for x in args.displays.split(",")]:
                url = f"http://127.0.0.1:{args.port}"
                reply, told, shown = asyncio.run(run_round(url, desk, args.osc_port, n, args.gos))
                rows.append((n, summary(reply), summary(told), summary(shown)))
                print(
                    f"displays={n:4d}  reply {rows[-1][1]}  told {rows[-1][2]}  "
                    f"last display {rows[-1][3]}  (median | p99 ms)",
                    flush=True,
                )
        finally:
            proc.terminate()
            proc.wait(10)
    write_results(args, rows)


def write_results(args: argparse.Namespace, rows: list[tuple]) -> None:
    out = ROOT / "benchmarks" / "results" / "osc_go.md"
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')} — {args.async_mode}, {args.gos} commands per N",
        f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.platform()}",
        f"Command: `python benchmarks/osc_go.py --displays {args.displays} --gos {args.gos} "
        f"--async-mode {args.async_mode}`",
        "",
        "| displays | reply median ms | reply p99 ms | cue/started median ms | cue/started p99 ms "
        "| last display median ms | last display p99 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {n} | {r} | {t} | {s} |" for n, r, t, s in rows]
    with out.open("a") as handle:
        if out.stat().st_size == 0:
            handle.write(
                "# OSC round-trip results\n\nTime from a desk sending "
                "`/liveshow/cue/<id>/start` over UDP to its reply, to the "
                "`/liveshow/cue/started` the server tells its targets, and to the last "
                "display receiving the new state; everything on one machine over 127.0.0.1.\n"
            )
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
