"""The command line: one scenario, one or more phone counts, against liveshow, Node or both."""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import report
from .clients import Clients
from .scenarios import SCENARIOS
from .targets import ROOT, export_commit, resolve


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="full_house.py",
        description="Simulated phones against liveshow and the Node socket.io reference.",
    )
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    p.add_argument("--phones", default="1000", help="phone counts, comma-separated")
    p.add_argument("--against", choices=["liveshow", "node", "both"], default="liveshow")
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--rate", type=float, default=500.0, help="new phones a second (ramp)")
    p.add_argument("--gos", type=int, default=30, help="GOs measured (fanout, burst)")
    p.add_argument("--gap", type=float, default=0.5, help="seconds between GOs")
    p.add_argument(
        "--idle",
        type=float,
        default=10.0,
        help="seconds of idle CPU measure (rounded up to whole ping intervals)",
    )
    p.add_argument("--settle", type=float, default=3.0, help="seconds after connecting")
    p.add_argument("--timeout", type=float, default=30.0, help="per GO / storm, seconds")
    p.add_argument("--photos", type=int, default=200, help="photos in the burst")
    p.add_argument("--storm-rate", type=float, default=100000.0, help="reconnects a second (storm)")
    p.add_argument("--async-mode", default=None, help="LIVESHOW_ASYNC_MODE for liveshow")
    p.add_argument(
        "--server-commit",
        default=None,
        help="run liveshow as at this commit (exported from git), not the working tree",
    )
    p.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        help="record liveshow with py-spy during the GOs (fanout) or the joins (votes), here",
    )
    p.add_argument("--results", type=Path, default=report.RESULTS, help="file to append to")
    p.add_argument("--no-results", action="store_true", help="print only")
    return p


def _raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Runs the scenario for every phone count and server; the rows of figures."""
    _raise_file_limit()
    servers = ["liveshow", "node"] if args.against == "both" else [args.against]
    if args.scenario == "burst" and "node" in servers:
        print("burst: the Node reference has no upload route; liveshow only", file=sys.stderr)
        servers = ["liveshow"]
    counts = [int(n) for n in str(args.phones).split(",") if n.strip()]
    clients = Clients(args.processes)
    rows: list[dict[str, Any]] = []
    ctx: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="full-house-") as tmp:
            ctx["source"] = ROOT
            if args.server_commit:  # pinned now: HEAD may move while we run
                args.server_commit = resolve(args.server_commit)
                ctx["source"] = export_commit(args.server_commit, Path(tmp) / "source")
            for phones in counts:
                for name in servers:
                    print(f"{args.scenario}: {name}, {phones} phones", flush=True)
                    started = time.monotonic()
                    try:
                        row = SCENARIOS[args.scenario](name, phones, clients, Path(tmp), ctx, args)
                    except Exception as exc:  # a server that falls over is a result too
                        print(f"  {name}, {phones} phones: {exc!r}", file=sys.stderr)
                        row = {"server": name, "phones": phones, "failed": repr(exc)[:300]}
                    row["seconds"] = time.monotonic() - started
                    rows.append(row)
    finally:
        clients.close()
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    args = parser().parse_args(argv)
    load = report.load_average()
    rows = run(args)
    if args.no_results:
        extra = report.ratios(rows) if args.scenario == "fanout" else []
        print("\n".join(report.table(args.scenario, rows) + extra + report.problems(rows)))
    else:
        report.write(args.scenario, rows, load, args.results, args.server_commit)
    return rows
