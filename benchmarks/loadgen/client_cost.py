"""Why the light phone: the client side's own CPU for N phones, python-socketio's AsyncClient
against ``phones.Phone``, each kind in one process against the Node reference server.

    cd benchmarks && ../.venv/bin/python -m loadgen.client_cost [--phones 1000] [--gos 10]

Reports, per kind: CPU to connect every phone, CPU per second holding them (answering
pings), CPU per GO received by all of them, and this process's memory growth. Appended to
benchmarks/results/full_house.md."""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import socketio

from . import report
from .phones import Fleet, Phone
from .targets import start_node

SAMPLE = {
    "open": {"pingInterval": 5000},
    "welcome": {"joined": False, "handle": None, "featured": []},
    "state": {
        "rev": 1,
        "show": {"title": "Full house bench"},
        "blackout": False,
        "server_time": 0.0,
        "prompt": None,
        "claim_base": None,
        "cue": {"id": "a", "kind": "title", "title": "Act one", "subtitle": "The house is full"},
    },
}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


class Kind:
    """One way of being N phones: connect them all, and count who has which cue."""

    name = ""
    cues: dict[int, str]

    async def connect(self, url: str, port: int, n: int) -> int:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class Light(Kind):
    name = "light phone (loadgen.phones)"

    async def connect(self, url: str, port: int, n: int) -> int:
        self.fleet = Fleet("127.0.0.1", port)
        self.fleet.phones = [Phone(self.fleet, i) for i in range(n)]
        phones = self.fleet.phones
        ok = await asyncio.gather(
            *(p.connect({"code": "bench", "device": p.device, "rev": 0}) for p in phones)
        )
        return sum(ok)

    def on_cue(self, cue: str) -> int:
        return sum(p.cue == cue for p in self.fleet.phones)

    async def close(self) -> None:
        for p in self.fleet.phones:
            p.drop()


class Heavy(Kind):
    name = "python-socketio AsyncClient"

    async def connect(self, url: str, port: int, n: int) -> int:
        self.clients: list[socketio.AsyncClient] = []
        self.cue_of: dict[int, str] = {}

        async def one(i: int) -> bool:
            client = socketio.AsyncClient(reconnection=False)

            async def state(data: dict[str, Any]) -> None:
                self.cue_of[i] = (data.get("cue") or {}).get("id")

            client.on("state", state, namespace="/audience")
            try:
                await client.connect(
                    url,
                    namespaces=["/audience"],
                    transports=["websocket"],
                    auth={"code": "bench", "device": f"heavy-{i:08d}", "rev": 0},
                    wait_timeout=60,
                )
            except socketio.exceptions.ConnectionError:
                return False
            self.clients.append(client)
            return True

        return sum(await asyncio.gather(*(one(i) for i in range(n))))

    def on_cue(self, cue: str) -> int:
        return sum(c == cue for c in self.cue_of.values())

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients))


async def measure(kind: Kind, url: str, port: int, n: int, gos: int, hold: float) -> dict:
    gc.collect()
    m0, c0 = rss_mb(), cpu()
    connected = await kind.connect(url, port, n)
    c1 = cpu()
    await asyncio.sleep(hold)
    c2 = cpu()
    crew = socketio.AsyncClient(reconnection=False)
    await crew.connect(url, namespaces=["/crew"], transports=["websocket"])
    per_go = []
    cue = "a"
    for _ in range(gos):
        cue = "b" if cue == "a" else "a"
        before = cpu()
        await crew.call("goto", {"cue": cue}, namespace="/crew")
        deadline = time.monotonic() + 30
        while kind.on_cue(cue) < connected and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        per_go.append(cpu() - before)
        await asyncio.sleep(0.3)
    await crew.disconnect()
    row = {
        "client": kind.name,
        "phones": connected,
        "connect_cpu_s": c1 - c0,
        "hold_ms_per_s": (c2 - c1) / hold * 1000,
        "go_cpu_ms": sorted(per_go)[len(per_go) // 2] * 1000,
        "rss_growth_mb": rss_mb() - m0,
    }
    await kind.close()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--gos", type=int, default=10)
    parser.add_argument("--hold", type=float, default=10.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in (Light(), Heavy()):
            node = start_node(Path(tmp) / kind.__class__.__name__, SAMPLE, 5000)
            try:
                rows.append(
                    asyncio.run(
                        measure(kind, node.url, node.port, args.phones, args.gos, args.hold)
                    )
                )
            finally:
                node.stop()
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')}: client cost ({args.phones} phones, "
        "one client process, against the Node reference)",
        "",
        f"Machine: {report.machine()}",
        f"Command: `cd benchmarks && python -m loadgen.client_cost --phones {args.phones} "
        f"--gos {args.gos} --hold {args.hold:g}`",
        "",
        "| client | phones | CPU to connect all, s | CPU holding them, ms/s | CPU per GO, ms "
        "| memory growth, MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['client']} | {r['phones']} | {r['connect_cpu_s']:.2f} | "
            f"{r['hold_ms_per_s']:.1f} | {r['go_cpu_ms']:.1f} | {r['rss_growth_mb']:.0f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    report.append(text)


if __name__ == "__main__":
    main()
