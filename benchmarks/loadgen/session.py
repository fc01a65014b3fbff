"""One measured sitting: a server under test, the client processes holding its phones, and the
crew's socket; the measures every scenario shares (a GO's fan-out and CPU, idle CPU, RSS)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio

from . import wire
from .clients import JOIN_CODE, Clients
from .targets import ROOT, SHOW, Target, start_liveshow, start_node


def flat(lists: list[list[Any]]) -> list[Any]:
    return [x for part in lists for x in part]


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``; NaN if there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _probe(port: int, timeout: float = 10.0) -> dict[str, Any]:
    """What a phone is told on connecting: the Engine.IO open packet, ``welcome`` and
    ``state`` (the sample the Node reference copies)."""
    reader, writer = await wire.open_stream("127.0.0.1", port, None, timeout)
    try:
        await wire.websocket_upgrade(
            reader, writer, "127.0.0.1", port, "/socket.io/?EIO=4&transport=websocket"
        )
        got: dict[str, Any] = {}
        auth = {"code": JOIN_CODE, "device": "loadgen-probe-00000000", "rev": 0}
        deadline = time.monotonic() + timeout
        while not {"open", "welcome", "state"} <= got.keys():
            _, payload = await asyncio.wait_for(
                wire.read_message(reader), max(0.1, deadline - time.monotonic())
            )
            text = payload.decode()
            if text.startswith("0{"):
                got["open"] = json.loads(text[1:])
                writer.write(wire.frame(f"40/audience,{json.dumps(auth)}".encode()))
            elif text.startswith("42/audience,"):
                event, *args = json.loads(text[len("42/audience,") :])
                got[event] = args[0] if args else None
        return got
    finally:
        writer.close()


def probe(port: int) -> dict[str, Any]:
    """In a thread of its own: the caller's thread may already run an event loop (a test
    process where Playwright's sync API has run one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _probe(port)).result()


@dataclass
class Session:
    """A server with ``phones`` phones over ``processes`` client processes, and the crew."""

    target: Target
    phones: int
    clients: Clients
    crew: socketio.Client = field(init=False)
    idle_rate: float = 0.0  # server CPU seconds per second with every phone connected
    cue: str = "a"

    def __post_init__(self) -> None:
        self.clients.setup(self.target.port, self.phones)
        self.crew = socketio.Client(reconnection=False)
        auth = {"password": "bench"} if self.target.name == "liveshow" else {}
        self.crew.connect(
            self.target.url,
            namespaces=["/crew"],
            transports=["websocket"],
            auth=auth,
            wait_timeout=30,
        )
        ack = self.command("goto", {"cue": "a"})
        assert ack.get("ok"), ack

    def command(self, event: str, data: Any = None) -> dict[str, Any]:
        answer = self.crew.call(event, data, namespace="/crew", timeout=60)
        return answer if isinstance(answer, dict) else {"ok": False, "answer": answer}

    def connect(self, rate: float, timeout: float = 120.0) -> dict[str, Any]:
        """Connects every phone not connected, ``rate`` a second in all: the ramp's figures."""
        started = time.monotonic()
        answers = self.clients.ask("connect", rate=rate / len(self.clients.conns), timeout=timeout)
        seconds = flat([a["seconds"] for a in answers])
        return {
            "phones": self.phones,
            "ok": sum(a["ok"] for a in answers),
            "tried": sum(a["tried"] for a in answers),
            "wall": time.monotonic() - started,
            "connect_p50": pct(seconds, 0.5),
            "connect_p99": pct(seconds, 0.99),
            "errors": flat([a["errors"] for a in answers])[:5],
        }

    def connected(self) -> int:
        return sum(a["connected"] for a in self.clients.ask("count"))

    def measure_idle(self, seconds: float) -> float:
        """Server CPU (s per s) while every phone is connected and nothing happens."""
        group = self.target.group
        c0, t0 = group.cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        self.idle_rate = (group.cpu_seconds() - c0) / (time.monotonic() - t0)
        return self.idle_rate

    def go(self, cue: str, timeout: float = 30.0, tail: float = 0.2) -> dict[str, Any]:
        """GOes to ``cue`` and waits for every phone to have it: the last phone's latency
        (crew send -> its new state), the median phone's, and the server's CPU for the GO
        (CPU over a window from just before the send to ``tail`` after the last phone,
        minus the idle rate over the same window)."""
        group = self.target.group
        c0, t0 = group.cpu_seconds(), time.monotonic()
        tickets = self.clients.send("wait_cue", cue=cue, since=t0, timeout=timeout)
        sent = time.monotonic()
        ack = self.command("goto", {"cue": cue})
        acked = time.monotonic()
        stamps = flat(self.clients.collect(tickets, timeout + 60))
        got = [s - sent for s in stamps if s is not None]
        end = (sent + max(got) if got else acked) + tail
        time.sleep(max(0.0, end - time.monotonic()))
        c1, t1 = group.cpu_seconds(), time.monotonic()
        self.cue = cue
        return {
            "ok": bool(ack.get("ok")),
            "received": len(got),
            "phones": len(stamps),
            "last": max(got) if got else float("nan"),
            "median": statistics.median(got) if got else float("nan"),
            "ack": acked - sent,
            "cpu": (c1 - c0) - self.idle_rate * (t1 - t0),
            "cpu_raw": c1 - c0,
            "window": t1 - t0,
        }

    def gos(self, count: int, gap: float, timeout: float = 30.0) -> list[dict[str, Any]]:
        """``count`` GOs back and forth between the title cues a and b."""
        results = []
        group = self.target.group
        c0, t0 = group.cpu_seconds(), time.monotonic()
        for _ in range(count):
            results.append(self.go("b" if self.cue == "a" else "a", timeout))
            time.sleep(gap)
        # the cross-check: everything the server did from the first GO to after the last,
        # gaps and all, minus idle, shared out (catches work a GO's window would miss)
        raw, window = (group.cpu_seconds() - c0) / count, (time.monotonic() - t0) / count
        for result in results:
            result.update(
                cpu_phase=raw - self.idle_rate * window, phase_raw=raw, phase_window=window
            )
        return results

    def close(self) -> None:
        try:
            self.crew.disconnect()
        finally:
            self.clients.ask("setup", host="127.0.0.1", port=0, first=0, count=0)


def summarise_gos(gos: list[dict[str, Any]]) -> dict[str, Any]:
    last = [g["last"] for g in gos if g["received"]]
    cpu = [g["cpu"] for g in gos]
    return {
        "gos": len(gos),
        "all_received": sum(g["received"] == g["phones"] for g in gos),
        "min_received": min((g["received"] for g in gos), default=0),
        "last_p50": pct(last, 0.5),
        "last_p99": pct(last, 0.99),
        "median_p50": pct([g["median"] for g in gos if g["received"]], 0.5),
        "cpu_median": pct(cpu, 0.5),
        "cpu_mean": statistics.fmean(cpu) if cpu else float("nan"),
        "cpu_phase": gos[0].get("cpu_phase", float("nan")) if gos else float("nan"),
    }


def _ready(target: Target) -> dict[str, Any]:
    """Stand the show on cue "a" and probe what a phone is told (the sample for Node)."""
    crew = socketio.Client(reconnection=False)
    try:
        crew.connect(
            target.url,
            namespaces=["/crew"],
            transports=["websocket"],
            auth={"password": "bench"},
            wait_timeout=30,
        )
        crew.call("goto", {"cue": "a"}, namespace="/crew", timeout=30)
    finally:
        crew.disconnect()
    return probe(target.port)


def start_target(
    name: str,
    folder: Path,
    sample: dict[str, Any] | None,
    extra_env: dict[str, str],
    source: Path = ROOT,
    show: str = SHOW,
) -> tuple[Target, dict[str, Any]]:
    """Starts ``name`` ("liveshow" or "node"); for liveshow, also probes what a phone is
    told (the sample for Node). Node needs that sample: it starts a liveshow to take one if
    it has none."""
    if name == "liveshow":
        target = start_liveshow(folder / "liveshow", source=source, show=show, **extra_env)
        try:
            return target, _ready(target)
        except BaseException:
            target.stop()  # the caller gets no target to stop when the probe fails
            raise
    if sample is None:
        target, sample = start_target("liveshow", folder / "sampling", None, extra_env, source)
        target.stop()
    opened = sample["open"]
    node = start_node(folder / "node", sample, int(opened["pingInterval"]))
    return node, sample
