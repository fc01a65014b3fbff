"""Room attacks: what the crew and the projector see while one address attacks the server.

Starts a real `liveshow serve` (eventlet, default limits) on 127.0.0.1 and measures, from
the crew's own address (127.0.0.2, another loopback address):

1. idle half-requests (issue 12, H1): one address opens N connections that each send half
   a request line and then nothing; then the crew logs in and loads the dashboard R times.
   Reported: crew login + dashboard load time (max, median), how many of the N connections
   the server kept, and /api/state latency meanwhile.
2. oversized joins (H2): J joins with a 990 KB handle from one address (3 per phone), sent
   all at once while a crew socket and a display socket are connected and /api/state is
   polled from the crew's address. Reported: /api/state latency (max, p50) during the
   flood, whether the crew and display sockets stayed connected, flood duration.

Results are appended to benchmarks/results/room_attacks.md with the machine.

    .venv/bin/python benchmarks/room_attacks.py [--half-requests 5100] [--joins 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_server import start_server  # noqa: E402

from liveshow.audience.terms import TERMS_VERSION  # noqa: E402

SHOW = "title: Bench\ncues:\n  - {id: a, kind: title, title: A}\n"
CREW_ADDRESS = "127.0.0.2"
RESULTS = ROOT / "benchmarks" / "results" / "room_attacks.md"


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{platform.node()}, {os.cpu_count()} cores ({cpu}), {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def from_crew_address() -> requests.Session:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter()
    adapter.init_poolmanager(1, 1, source_address=(CREW_ADDRESS, 0))
    session.mount("http://", adapter)
    return session


def crew_load(url: str) -> float:
    """Seconds for a crew laptop to log in and load the dashboard (a new connection)."""
    started = time.perf_counter()
    crew = from_crew_address()
    login = crew.post(url + "/crew/login", data={"password": "bench"}, timeout=30)
    assert login.ok and "crew" in login.url, login.status_code
    page = crew.get(url + "/crew", timeout=30)
    assert page.status_code == 200
    crew.close()
    return time.perf_counter() - started


def state_latency(url: str) -> float:
    """Seconds for /api/state, asked from the crew's address (a new connection)."""
    started = time.perf_counter()
    with from_crew_address() as http:
        assert http.get(url + "/api/state", timeout=30).ok
    return time.perf_counter() - started


def half_request(port: int) -> socket.socket | None:
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /crew/lo")
    except OSError:
        s.close()
        return None
    return s


def still_open(s: socket.socket) -> bool:
    try:
        s.setblocking(False)
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def idle_half_requests(url: str, port: int, count: int, rounds: int) -> dict[str, Any]:
    opened = time.perf_counter()
    sockets = [s for s in (half_request(port) for _ in range(count)) if s is not None]
    opened = time.perf_counter() - opened
    loads = [crew_load(url) for _ in range(rounds)]
    states = [state_latency(url) for _ in range(rounds)]
    kept = sum(still_open(s) for s in sockets)
    for s in sockets:
        s.close()
    return {
        "half-requests sent": count,
        "kept open by the server": kept,
        "seconds to open them": round(opened, 2),
        "crew login + dashboard, max s": round(max(loads), 3),
        "crew login + dashboard, median s": round(statistics.median(loads), 3),
        "/api/state max s": round(max(states), 3),
    }


def oversized_joins(url: str, joins: int) -> dict[str, Any]:
    crew = socketio.Client(reconnection=False)
    crew.connect(url, namespaces=["/crew"], auth={"password": "bench"}, transports=["websocket"])
    display = socketio.Client(reconnection=False)
    display.connect(
        url,
        namespaces=["/display"],
        auth={"key": "bench", "name": "main"},
        transports=["websocket"],
    )
    phones = []
    for n in range((joins + 2) // 3):
        phone = socketio.Client(reconnection=False)
        phone.connect(
            url,
            namespaces=["/audience"],
            auth={"code": "bench", "device": f"bench-attacker-{n:06d}"},
            transports=["websocket"],
        )
        phones.append(phone)
    huge = {"handle": "a" * 990_000, "consent": {"accepted": True, "terms_version": TERMS_VERSION}}
    latencies: list[float] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            latencies.append(state_latency(url))
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    started = time.perf_counter()

    def join(i: int) -> Any:
        return phones[i // 3].call("join", huge, namespace="/audience", timeout=120)

    with ThreadPoolExecutor(len(phones)) as pool:
        acks = list(pool.map(join, range(joins)))
    flood = time.perf_counter() - started
    time.sleep(1)
    done.set()
    poller.join()
    result = {
        "oversized joins": joins,
        "refused": sum(1 for a in acks if not a["ok"]),
        "flood s": round(flood, 2),
        "/api/state polls": len(latencies),
        "/api/state max s": round(max(latencies), 3),
        "/api/state p50 s": round(statistics.median(latencies), 3),
        "crew socket connected": crew.connected,
        "display socket connected": display.connected,
    }
    for client in [crew, display, *phones]:
        client.disconnect()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--half-requests", type=int, default=5100)
    parser.add_argument("--joins", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--port", type=int, default=5091)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.half_requests + 1000), hard))
    load = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        # the server's own limits (not bench_server's lifted per-address cap)
        server = start_server(
            Path(folder), SHOW, args.port, LIVESHOW_MAX_CONNECTIONS_PER_ADDRESS="300"
        )
        url = f"http://127.0.0.1:{args.port}"
        try:
            results.append(
                (
                    "idle half-requests from one address (H1)",
                    idle_half_requests(url, args.port, args.half_requests, args.rounds),
                )
            )
            results.append(
                ("oversized joins from one address (H2)", oversized_joins(url, args.joins))
            )
        finally:
            server.terminate()
            server.wait(10)
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')}",
        f"Machine: {machine()}",
        f"Command: `python benchmarks/room_attacks.py --half-requests {args.half_requests} "
        f"--joins {args.joins} --rounds {args.rounds}`",
        f"Load average (1 min) when the run started: {load:.1f}",
        "",
    ]
    for title, figures in results:
        lines += [f"### {title}", "", "| measure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in figures.items()]
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Room attacks results\n\nWhat the crew and the projector see while one address "
            "attacks the server (issue 12: H1, H2). Written by `benchmarks/room_attacks.py`.\n"
        )
    with RESULTS.open("a") as out:
        out.write(text)


if __name__ == "__main__":
    main()
