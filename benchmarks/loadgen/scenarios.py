"""The scenarios: each starts a fresh server (liveshow or the Node reference), connects the
phones and measures one thing, returning a row of figures for ``report``."""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .clients import Clients
from .session import Session, flat, pct, start_target, summarise_gos
from .targets import VOTE_OPTIONS, Target

MB = 1024 * 1024


def idle_window(seconds: float, ctx: dict[str, Any]) -> float:
    """``seconds`` rounded up to whole Engine.IO ping intervals (the server's, from its open
    packet; Node is started with the same), so the idle rate counts every phone's pings
    the right number of times even when they come in bands after the ramp."""
    interval = float(ctx["sample"]["open"].get("pingInterval", 0)) / 1000
    if interval <= 0:
        return seconds
    return max(1, math.ceil(seconds / interval - 1e-9)) * interval


@contextlib.contextmanager
def sitting(
    name: str,
    phones: int,
    clients: Clients,
    folder: Path,
    ctx: dict[str, Any],
    args: argparse.Namespace,
) -> Iterator[tuple[Session, dict[str, Any]]]:
    """A fresh ``name`` server with ``phones`` phones connected at ``args.rate`` a second.
    ``ctx`` carries the state sample from liveshow to Node between sittings. Yields the
    session and the row so far: the ramp's figures and the server's memory."""
    env = {"LIVESHOW_ASYNC_MODE": args.async_mode} if args.async_mode else {}
    target, ctx["sample"] = start_target(
        name,
        folder / f"{name}-{phones}-{time.monotonic_ns()}",
        ctx.get("sample"),
        env,
        ctx["source"],
    )
    session = None
    try:
        session = Session(target, phones, clients)
        time.sleep(0.5)
        rss_empty = target.group.rss_bytes()
        ramp = session.connect(args.rate)
        time.sleep(args.settle)
        row: dict[str, Any] = {
            "server": name,
            "phones": phones,
            "connected": ramp["ok"],
            "ramp_s": ramp["wall"],
            "connect_p99": ramp["connect_p99"],
            "connect_errors": ramp["errors"],
            "rss_mb": target.group.rss_bytes() / MB,
            "rss_empty_mb": rss_empty / MB,
            "processes": target.group.processes(),
            "state_bytes": len(str(ctx["sample"]["state"])),
            "ping_interval_s": float(ctx["sample"]["open"].get("pingInterval", 0)) / 1000,
        }
        row["kb_per_phone"] = (row["rss_mb"] - row["rss_empty_mb"]) * 1024 / max(1, ramp["ok"])
        print(
            f"  {name}: {ramp['ok']}/{phones} phones connected in {ramp['wall']:.1f} s, "
            f"RSS {row['rss_mb']:.0f} MB",
            flush=True,
        )
        yield session, row
    finally:
        if session is not None:
            session.close()
        target.stop()


@contextlib.contextmanager
def profiled(target: Target, folder: Path | None, label: str) -> Iterator[None]:
    """py-spy (if asked, and installed: it is not a project dependency) sampling the server
    group without pausing it, on-CPU stacks only; collapsed stacks to FOLDER/LABEL.txt. It
    takes CPU of its own, so figures from a profiled run are not the run's figures."""
    spy = Path(sys.executable).parent / "py-spy"
    if folder is None or target.name != "liveshow" or not spy.exists():
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{label}.txt"
    args = [str(spy), "record", "--pid", str(target.proc.pid), "--nonblocking"]
    args += ["--subprocesses", "--rate", "200", "--format", "raw", "--output", str(out)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # it attaches
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        print(f"  py-spy: {out}", flush=True)


def fanout(
    name: str,
    phones: int,
    clients: Clients,
    folder: Path,
    ctx: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Idle CPU with every phone connected, then ``args.gos`` GOs: latency and CPU per GO,
    then idle CPU again. The GOs' CPU has the mean of the two idle rates taken off (right
    after the ramp a server may still be tidying up: garbage collection, buffers)."""
    with sitting(name, phones, clients, folder, ctx, args) as (session, row):
        window = idle_window(args.idle, ctx)
        before = session.measure_idle(window)
        with profiled(session.target, args.py_spy, f"{name}-{phones}"):
            gos = session.gos(args.gos, args.gap, args.timeout)
        after = session.measure_idle(window)
        rate = (before + after) / 2
        for go in gos:
            go["cpu"] = go["cpu_raw"] - rate * go["window"]
            go["cpu_phase"] = go["phase_raw"] - rate * go["phase_window"]
        row.update(summarise_gos(gos))
        row["idle_ms_per_s"] = rate * 1000
        row["idle_before_after"] = f"{before * 1000:.1f} / {after * 1000:.1f}"
        row["still_connected"] = session.connected()
    return row


def ramp(
    name: str,
    phones: int,
    clients: Clients,
    folder: Path,
    ctx: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Only the connect ramp (and memory, and idle CPU once everyone is in)."""
    with sitting(name, phones, clients, folder, ctx, args) as (session, row):
        row["idle_ms_per_s"] = session.measure_idle(idle_window(args.idle, ctx)) * 1000
        row["still_connected"] = session.connected()
    return row


def _join(session: Session, ctx: dict[str, Any]) -> dict[str, Any]:
    started = time.monotonic()
    terms = (ctx["sample"].get("welcome") or {}).get("terms") or {}
    answers = session.clients.ask("join", terms_version=terms.get("version", ""))
    joined = {
        "joined": sum(a["ok"] for a in answers),
        "join_s": time.monotonic() - started,
        "join_errors": flat([a["errors"] for a in answers])[:3],
    }
    print(f"  {joined['joined']} joined in {joined['join_s']:.1f} s", flush=True)
    return joined


def votes(
    name: str,
    phones: int,
    clients: Clients,
    folder: Path,
    ctx: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Every phone joins, the crew opens a poll, every phone votes at the same moment."""
    with sitting(name, phones, clients, folder, ctx, args) as (session, row):
        with profiled(session.target, args.py_spy, f"join-{name}-{phones}"):
            row.update(_join(session, ctx))
        session.go("ask-vote", args.timeout)
        time.sleep(args.settle)
        session.measure_idle(idle_window(min(args.idle, 5.0), ctx))
        group = session.target.group
        c0, t0 = group.cpu_seconds(), time.monotonic()
        answers = flat(
            session.clients.ask(
                "vote", prompt="ask-vote", options=VOTE_OPTIONS, timeout=args.timeout
            )
        )
        t1 = time.monotonic()
        cpu = group.cpu_seconds() - c0 - session.idle_rate * (t1 - t0)
        acked = [a[1] - a[0] for a in answers if a[1] is not None]
        row.update(
            {
                "votes": len(answers),
                "votes_ok": sum(a[2] for a in answers),
                "vote_errors": sorted({a[3] for a in answers if a[3]})[:3],
                "storm_s": t1 - t0,
                "vote_ack_p50": pct(acked, 0.5),
                "vote_ack_p99": pct(acked, 0.99),
                "storm_cpu_s": cpu,
                "cpu_ms_per_vote": cpu * 1000 / max(1, len(answers)),
            }
        )
    return row


def _photo(seed: int) -> bytes:
    """A 1920x1440 JPEG that compresses like a photo (as benchmarks/photo_burst.py)."""
    rng = np.random.default_rng(seed)
    image = cv2.resize(
        rng.integers(0, 255, (90, 120, 3), dtype=np.uint8),
        (1920, 1440),
        interpolation=cv2.INTER_CUBIC,
    )
    return bytes(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())


def burst(
    name: str,
    phones: int,
    clients: Clients,
    folder: Path,
    ctx: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Phones join, the crew opens a photo prompt; fan-out to every phone idle, then while
    ``args.photos`` phones POST a photo at once (liveshow only: Node has no upload route)."""
    photos = [_photo(i) for i in range(4)]
    with sitting(name, phones, clients, folder, ctx, args) as (session, row):
        row.update(_join(session, ctx))
        session.go("ask-photo", args.timeout)
        time.sleep(args.settle)
        session.measure_idle(idle_window(min(args.idle, 5.0), ctx))
        idle = session.gos(args.gos, args.gap, args.timeout)
        per_process = -(-args.photos // len(clients.conns))
        started = time.monotonic()
        tickets = clients.send(
            "upload", count=per_process, prompt="ask-photo", photos=photos, timeout=600.0
        )
        during = session.gos(args.gos, args.gap, args.timeout)
        uploads = flat(clients.collect(tickets, 700.0))
        ended = max((u[1] for u in uploads), default=time.monotonic())
        took = [u[1] - u[0] for u in uploads]
        ok = sum(u[2] == 201 for u in uploads)
        row.update(
            {
                "photos": len(uploads),
                "photos_ok": ok,
                "photo_statuses": sorted({u[2] for u in uploads}),
                "photos_per_s": ok / max(1e-9, ended - started),
                "photo_ack_p50": pct(took, 0.5),
                "photo_ack_p99": pct(took, 0.99),
                "idle_last_p50": pct([g["last"] for g in idle], 0.5),
                "idle_last_p99": pct([g["last"] for g in idle], 0.99),
                "burst_last_p50": pct([g["last"] for g in during], 0.5),
                "burst_last_p99": pct([g["last"] for g in during], 0.99),
                "burst_all_received": sum(g["received"] == g["phones"] for g in during),
                "gos": len(during),
            }
        )
    return row


def reconnect(
    name: str,
    phones: int,
    clients: Clients,
    folder: Path,
    ctx: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Every phone drops at once and comes straight back (sending its last rev): how long
    until every phone holds the current rev again, and how many could not."""
    with sitting(name, phones, clients, folder, ctx, args) as (session, row):
        session.gos(2, args.gap, args.timeout)  # a rev or two past the one they joined on
        time.sleep(args.settle)
        rev = max(a["rev"] for a in clients.ask("count"))
        group = session.target.group
        c0 = group.cpu_seconds()
        dropped = min(clients.ask("drop"))
        tickets = clients.send("wait_rev", rev=rev, since=dropped, timeout=args.timeout)
        again = clients.ask(
            "connect", rate=args.storm_rate / len(clients.conns), timeout=args.timeout
        )
        stamps = flat(clients.collect(tickets, args.timeout + 60))
        back = [s - dropped for s in stamps if s is not None]
        row.update(
            {
                "rev": rev,
                "reconnected": sum(a["ok"] for a in again),
                "reconnect_errors": flat([a["errors"] for a in again])[:3],
                "on_rev": len(back),
                "settle_p50": pct(back, 0.5),
                "settle_p99": pct(back, 0.99),
                "settle_all": max(back) if len(back) == phones else float("nan"),
                "storm_cpu_s": group.cpu_seconds() - c0,
            }
        )
    return row


SCENARIOS = {
    "fanout": fanout,
    "ramp": ramp,
    "votes": votes,
    "burst": burst,
    "reconnect": reconnect,
}
