"""Past one process (issue 10): a GO to N phones on one liveshow process, then on
`liveshow serve --workers 2` (the show worker and a phone worker behind nginx, on a private
redis-server), the phones split across the workers by nginx. Server CPU per GO summed over
the workers (and, apart, nginx's and redis's), the last phone's latency, every phone served.

Phones, clients and measures are benchmarks/loadgen's (light websocket phones from their own
loopback addresses, in client processes; CPU from /proc). The phones send the cookie nginx
sets on the phone app's pages (``LOADGEN_COOKIE``), so nginx spreads them as it would a room.

    flock /tmp/rs/bench.lock .venv/bin/python benchmarks/scale_out.py --phones 3000 [--gos 20]

Idle CPU is measured over 30 s and the GOs span about as long: phones are pinged every 25 s,
so a shorter window over- or under-counts the pings that the per-GO figure subtracts.

Appends its table, with the machine, date and commit, to benchmarks/results/scale_out.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from loadgen.clients import Clients
from loadgen.procstat import _schedstat_seconds, _ticks_seconds, group_pids
from loadgen.session import Session, summarise_gos
from loadgen.targets import ROOT, SHOW, Target, free_port, start_liveshow

RESULTS = ROOT / "benchmarks" / "results" / "scale_out.md"
PHONE_COOKIE = "liveshow_phone=1"
ENV = {
    "LIVESHOW_CREW_PASSWORD": "bench",
    "LIVESHOW_DISPLAY_KEY": "bench",
    "LIVESHOW_JOIN_CODE": "bench",
    "LIVESHOW_CAMERA_KEY": "bench",
    "LIVESHOW_HOST": "127.0.0.1",
    "LIVESHOW_MAX_CONNECTIONS_PER_ADDRESS": "10000",
    "LIVESHOW_MAX_CONNECTIONS": "8000",
    "PYTHONUNBUFFERED": "1",
}


def start_cluster(folder: Path, workers: int) -> Target:
    """`liveshow serve --workers N` in its own session (nginx and redis-server are in its
    process group); returns once nginx answers for the show."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "show.yaml").write_text(SHOW)
    port = free_port()
    env = {
        **os.environ,
        **ENV,
        "LIVESHOW_DATA": str(folder / "data"),
        "LIVESHOW_PORT": str(port),
        "LIVESHOW_WORKERS": str(workers),
    }
    log = folder / f"cluster-{port}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "liveshow", "serve", "--show", str(folder / "show.yaml")],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    target = Target("liveshow", port, proc, log, {"workers": workers})
    deadline = time.monotonic() + 120
    while not (folder / "data" / "cluster.json").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            target.stop()
            raise RuntimeError(f"the cluster did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    target.wait_listening()
    target.info["cluster"] = json.loads((folder / "data" / "cluster.json").read_text())
    return target


def part_of(pid: int, leader: int) -> str:
    """Which part of the server a process is: a worker, nginx, redis, the supervisor."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        env = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return "gone"
    if "nginx" in cmd:
        return "nginx"
    if "redis-server" in cmd:
        return "redis"
    if pid == leader and b"LIVESHOW_WORKERS=" in env:
        return "supervisor"
    if "liveshow" in cmd:
        return "worker: phones" if b"LIVESHOW_SHOW_WORKER=" in env else "worker: show"
    return "other"


def cpu_by_part(leader: int) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for pid in group_pids(leader):
        try:
            fine = _schedstat_seconds(pid)
            totals[part_of(pid, leader)] += fine if fine is not None else _ticks_seconds(pid)
        except OSError:
            continue
    return dict(totals)


def phones_per_worker(target: Target) -> list[int]:
    held = []
    for worker in target.info.get("cluster", {}).get("workers", []):
        with urllib.request.urlopen(worker + "/internal/worker", timeout=5) as answer:
            held.append(int(json.loads(answer.read())["phones"]))
    return held


def sitting(target: Target, phones: int, clients: Clients, args: argparse.Namespace) -> dict:
    session = Session(target, phones, clients)
    try:
        ramp = session.connect(args.rate)
        time.sleep(args.settle)
        split = phones_per_worker(target)
        print(f"  {ramp['ok']}/{phones} phones in {ramp['wall']:.1f} s; per worker {split}")
        leader = target.proc.pid
        idle0, t0 = cpu_by_part(leader), time.monotonic()
        session.measure_idle(args.idle)
        idle1, t1 = cpu_by_part(leader), time.monotonic()
        idle = {k: (idle1.get(k, 0) - idle0.get(k, 0)) / (t1 - t0) for k in idle1}
        before, started = cpu_by_part(leader), time.monotonic()
        gos = session.gos(args.gos, args.gap, args.timeout)
        after, window = cpu_by_part(leader), time.monotonic() - started
        per_go = {
            part: ((after.get(part, 0) - before.get(part, 0)) - idle.get(part, 0) * window)
            / max(1, len(gos))
            for part in after
        }
        row = summarise_gos(gos)
        row.update(
            phones=phones,
            connected=ramp["ok"],
            split=split or [ramp["ok"]],
            parts_ms={k: round(v * 1000, 1) for k, v in sorted(per_go.items()) if k != "gone"},
            idle_ms_per_s={k: round(v * 1000, 1) for k, v in sorted(idle.items())},
            still_connected=session.connected(),
        )
        workers = [v for k, v in per_go.items() if k.startswith("worker")]
        row["workers_cpu_ms"] = sum(workers) * 1000
        row["cpu_median_ms"] = statistics.median([g["cpu"] for g in gos]) * 1000
        return row
    finally:
        session.close()


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    os.environ["LOADGEN_COOKIE"] = PHONE_COOKIE  # before the client processes are spawned
    folder = Path(
        tempfile.mkdtemp(prefix="scale-out-", dir="/tmp/rs" if Path("/tmp/rs").is_dir() else None)
    )
    clients = Clients(args.processes)
    rows = []
    try:
        for phones in args.phones:
            for label in ("one process", "2 workers"):
                print(f"{label}, {phones} phones:")
                if label == "one process":
                    target = start_liveshow(folder / f"one-{phones}")
                else:
                    target = start_cluster(folder / f"two-{phones}", 2)
                try:
                    row = sitting(target, phones, clients, args)
                finally:
                    target.stop()
                row["server"] = label
                print(f"  {json.dumps(row)}")
                rows.append(row)
    finally:
        clients.close()
    return rows


def table(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M')} — {platform.node()}, {os.cpu_count()} cores, "
        f"commit {commit} (+ working tree)",
        "",
        f"`{' '.join(sys.argv)}` — {args.gos} GOs, {args.gap} s apart, "
        f"{args.processes} client processes",
        "",
        "| server | phones | per worker | GOs every phone got | CPU per GO, workers summed |"
        " nginx | redis | last phone p50 / p99 | idle CPU, workers |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        parts = r["parts_ms"]
        idle = sum(v for k, v in r["idle_ms_per_s"].items() if k.startswith("worker"))
        each = ", ".join(f"{k[8:]} {v:.0f}" for k, v in parts.items() if k.startswith("worker"))
        lines.append(
            f"| {r['server']} | {r['connected']}/{r['phones']} | {r['split']} | "
            f"{r['all_received']}/{r['gos']} | {r['workers_cpu_ms']:.0f} ms "
            f"({each}) | "
            f"{parts.get('nginx', 0):.0f} ms | {parts.get('redis', 0):.1f} ms | "
            f"{r['last_p50'] * 1000:.0f} / {r['last_p99'] * 1000:.0f} ms | {idle:.0f} ms/s |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", default="3000", type=lambda t: [int(x) for x in t.split(",")])
    parser.add_argument("--gos", type=int, default=40)
    parser.add_argument("--gap", type=float, default=0.5)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    rows = run(args)
    text = table(rows, args)
    print(text)
    if not args.no_results:
        with RESULTS.open("a") as out:
            out.write(("\n" if RESULTS.exists() else "# Past one process: 2 workers\n\n") + text)


if __name__ == "__main__":
    main()
