"""Cue fan-out: how long a GO takes to reach N connected displays.

Starts a real `liveshow serve` (eventlet by default) on 127.0.0.1, connects N display clients
(python-socketio AsyncClient, all in this process, websocket transport), and has a crew client
GO back and forth between two cues. For each GO it records, per display, the time from the
crew emit to that display receiving the new `state`. Reports median/p99/max per N, and the
ratio of each N's median to the N=1 baseline measured in the same run.

    .venv/bin/python benchmarks/cue_fanout.py [--clients 1,50,200,500] [--gos 30]

Results are appended to benchmarks/results/cue_fanout.md with the machine they ran on.
The clients share this process (and its 1 core) with nothing else, and the server has its
own process; on a 2-core machine both compete with whatever else the machine runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import socketio
from bench_server import start_server

ROOT = Path(__file__).resolve().parent.parent
SHOW = """\
title: Fan-out bench
cues:
  - {id: a, kind: title, title: A}
  - {id: b, kind: title, title: B}
"""


async def run_round(url: str, clients: int, gos: int) -> list[float]:
    arrivals: dict[int, list[float]] = {}
    displays = []

    def handler(state: dict) -> None:
        arrivals.setdefault(state["rev"], []).append(time.perf_counter())

    for i in range(clients):
        c = socketio.AsyncClient(reconnection=False)
        c.on("state", handler, namespace="/display")
        await c.connect(
            url,
            namespaces=["/display"],
            transports=["websocket"],
            auth={"key": "bench", "name": f"d{i}", "rev": 0},
            wait_timeout=30,
        )
        displays.append(c)
    crew = socketio.AsyncClient(reconnection=False)
    await crew.connect(
        url, namespaces=["/crew"], transports=["websocket"], auth={"password": "bench"}
    )
    await asyncio.sleep(1.0)
    latencies: list[float] = []
    for n in range(gos):
        sent = time.perf_counter()
        ack = await crew.call("goto", {"cue": "a" if n % 2 else "b"}, namespace="/crew")
        assert ack["ok"], ack
        rev = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = [
                r
                for r, times in arrivals.items()
                if times and min(times) >= sent and len(times) >= clients
            ]
            if done:
                rev = max(done)
                break
            await asyncio.sleep(0.002)
        if rev is None:
            raise SystemExit(f"GO {n}: not every display got the state within 30 s")
        latencies.extend(t - sent for t in arrivals[rev])
        await asyncio.sleep(0.2)
    await crew.disconnect()
    for c in displays:
        await c.disconnect()
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1,50,200,500")
    parser.add_argument("--gos", type=int, default=30)
    parser.add_argument("--async-mode", default="eventlet")
    parser.add_argument("--port", type=int, default=5099)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(Path(tmp), SHOW, args.port, LIVESHOW_ASYNC_MODE=args.async_mode)
        try:
            baseline = None
            for n in [int(x) for x in args.clients.split(",")]:
                lat = asyncio.run(run_round(f"http://127.0.0.1:{args.port}", n, args.gos))
                med = statistics.median(lat) * 1000
                baseline = baseline or med
                rows.append(
                    (n, len(lat), med, pct(lat, 0.99) * 1000, max(lat) * 1000, med / baseline)
                )
                print(
                    f"N={n:5d}  samples={len(lat):6d}  median={med:7.1f} ms  "
                    f"p99={rows[-1][3]:7.1f} ms  max={rows[-1][4]:7.1f} ms  "
                    f"x baseline={rows[-1][5]:.1f}",
                    flush=True,
                )
        finally:
            proc.terminate()
            proc.wait(10)
    write_results(args, rows)


def write_results(args: argparse.Namespace, rows: list[tuple]) -> None:
    out = ROOT / "benchmarks" / "results" / "cue_fanout.md"
    out.parent.mkdir(exist_ok=True)
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')} — {args.async_mode}, {args.gos} GOs per N",
        f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.platform()}",
        f"Command: `python benchmarks/cue_fanout.py --clients {args.clients} "
        f"--gos {args.gos} --async-mode {args.async_mode}`",
        "",
        "| displays | samples | median ms | p99 ms | max ms | median vs N=first |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {n} | {s} | {m:.1f} | {p:.1f} | {x:.1f} | {r:.1f}x |" for n, s, m, p, x, r in rows
    ]
    with out.open("a") as handle:
        if out.stat().st_size == 0:
            handle.write(
                "# Cue fan-out results\n\nTime from a crew GO (emit) to each "
                "display receiving the new state, clients and server on one "
                "machine over 127.0.0.1.\n"
            )
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
