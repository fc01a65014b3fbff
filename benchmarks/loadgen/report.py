"""Tables of a run's figures, printed and appended to benchmarks/results/full_house.md with
the machine, the date, the commit and the command."""

from __future__ import annotations

import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .targets import ROOT

RESULTS = ROOT / "benchmarks" / "results" / "full_house.md"

# per scenario: (column title, row key, format); "ms" formats seconds as milliseconds
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "fanout": [
        ("server", "server", "s"),
        ("phones", "phones", "d"),
        ("connected", "connected", "d"),
        ("CPU per GO, median ms", "cpu_median", "ms"),
        ("CPU per GO, mean ms", "cpu_mean", "ms"),
        ("CPU per GO, whole phase ms", "cpu_phase", "ms"),
        ("last phone p50 ms", "last_p50", "ms"),
        ("last phone p99 ms", "last_p99", "ms"),
        ("GOs every phone got", "all_received", "d"),
        ("still connected", "still_connected", "d"),
        ("idle CPU ms/s", "idle_ms_per_s", ".1f"),
        ("idle before / after GOs", "idle_before_after", "s"),
        ("ping interval s", "ping_interval_s", "g"),
        ("RSS MB", "rss_mb", ".0f"),
        ("KB per phone", "kb_per_phone", ".0f"),
    ],
    "ramp": [
        ("server", "server", "s"),
        ("phones", "phones", "d"),
        ("connected", "connected", "d"),
        ("ramp s", "ramp_s", ".1f"),
        ("connect p99 ms", "connect_p99", "ms"),
        ("still connected", "still_connected", "d"),
        ("idle CPU ms/s", "idle_ms_per_s", ".1f"),
        ("RSS MB", "rss_mb", ".0f"),
        ("KB per phone", "kb_per_phone", ".0f"),
    ],
    "votes": [
        ("server", "server", "s"),
        ("phones", "phones", "d"),
        ("joined", "joined", "d"),
        ("join storm s", "join_s", ".1f"),
        ("votes acked ok", "votes_ok", "d"),
        ("storm s", "storm_s", ".2f"),
        ("ack p50 ms", "vote_ack_p50", "ms"),
        ("ack p99 ms", "vote_ack_p99", "ms"),
        ("server CPU s", "storm_cpu_s", ".2f"),
        ("CPU ms per vote", "cpu_ms_per_vote", ".2f"),
    ],
    "burst": [
        ("server", "server", "s"),
        ("phones", "phones", "d"),
        ("photos ok", "photos_ok", "d"),
        ("photos/s", "photos_per_s", ".1f"),
        ("photo ack p50 ms", "photo_ack_p50", "ms"),
        ("photo ack p99 ms", "photo_ack_p99", "ms"),
        ("fan-out idle p50 ms", "idle_last_p50", "ms"),
        ("fan-out idle p99 ms", "idle_last_p99", "ms"),
        ("fan-out burst p50 ms", "burst_last_p50", "ms"),
        ("fan-out burst p99 ms", "burst_last_p99", "ms"),
    ],
    "reconnect": [
        ("server", "server", "s"),
        ("phones", "phones", "d"),
        ("reconnected", "reconnected", "d"),
        ("on current rev", "on_rev", "d"),
        ("settle p50 ms", "settle_p50", "ms"),
        ("settle p99 ms", "settle_p99", "ms"),
        ("all settled ms", "settle_all", "ms"),
        ("server CPU s", "storm_cpu_s", ".2f"),
    ],
}


def cell(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if fmt == "ms":
        return f"{value * 1000:.1f}"
    return format(value, fmt)


def table(scenario: str, rows: list[dict[str, Any]]) -> list[str]:
    columns = COLUMNS[scenario]
    lines = [
        "| " + " | ".join(title for title, _, _ in columns) + " |",
        "|" + "|".join("---" if fmt == "s" else "---:" for _, _, fmt in columns) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(cell(row.get(k), f) for _, k, f in columns) + " |")
    return lines


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    """liveshow / Node for each phone count measured against both."""
    pairs = []
    for ours in rows:
        node = next(
            (r for r in rows if r["server"] == "node" and r["phones"] == ours["phones"]), None
        )
        if ours["server"] == "liveshow" and node:
            pairs.append((ours, node))
    if not pairs:
        return []
    keys = [
        ("CPU per GO (median)", "cpu_median"),
        ("CPU per GO (mean)", "cpu_mean"),
        ("last phone p50", "last_p50"),
        ("last phone p99", "last_p99"),
        ("idle CPU", "idle_ms_per_s"),
        ("RSS", "rss_mb"),
    ]
    lines = [
        "",
        "liveshow ÷ Node (the headline: CPU per GO):",
        "",
        "| phones | " + " | ".join(title for title, _ in keys) + " |",
        "|---:|" + "---:|" * len(keys),
    ]
    for ours, node in pairs:
        cells = []
        for _, key in keys:
            a, b = ours.get(key), node.get(key)
            cells.append(f"{a / b:.2f}x" if a and b and b > 0 else "-")
        lines.append(f"| {ours['phones']} | " + " | ".join(cells) + " |")
    return lines


def problems(rows: list[dict[str, Any]]) -> list[str]:
    notes = []
    for row in rows:
        keys = ("failed", "connect_errors", "join_errors", "vote_errors", "reconnect_errors")
        for key in keys:
            if row.get(key):
                notes.append(f"- {row['server']} {row['phones']}: {key}: {row[key]}")
    return notes


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = "none"  # a Python-only benchmark runs without Node too
    if shutil.which("node"):
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{platform.node()}, {os.cpu_count()} cores ({model}), {platform.machine()}, "
        f"{platform.platform()}, Python {platform.python_version()}, Node {node}"
    )


def commit(server_commit: str | None = None) -> str:
    """The liveshow that ran: a commit exported from git, or the working tree (and whether
    its server code had uncommitted changes)."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return run.stdout.strip()

    if server_commit:
        return f"liveshow at {git('rev-parse', '--short', server_commit)} (exported from git)"
    dirty = git("status", "--porcelain", "--", "liveshow")
    head = git("rev-parse", "--short", "HEAD") or "?"
    return f"working tree at {head}" + (" with uncommitted server changes" if dirty else "")


def write(
    scenario: str,
    rows: list[dict[str, Any]],
    load_before: str,
    out: Path = RESULTS,
    server_commit: str | None = None,
) -> str:
    """Prints the tables and appends them to ``out``; returns the text written."""
    command = "python benchmarks/full_house.py " + shlex.join(sys.argv[1:])
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')}: {scenario}",
        "",
        f"Machine: {machine()}",
        f"Server: {commit(server_commit)} · load average before: {load_before}",
        f"Command: `{command}`",
        "",
        *table(scenario, rows),
        *(ratios(rows) if scenario == "fanout" else []),
        *problems(rows),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    append(text, out)
    return text


HEADER = (
    "# A full house: results\n\nSimulated phones (benchmarks/loadgen: a light "
    "Engine.IO/Socket.IO client, each phone from its own 127/8 address, in client "
    "processes beside the server) against liveshow and the Node.js socket.io 4 "
    "reference, on one machine. CPU and memory are the server's whole process "
    "group, from /proc. See BENCHMARKS.md, 'A full house'.\n"
)


def append(text: str, out: Path = RESULTS, header: str = HEADER) -> None:
    """Appends ``text`` to the results file ``out``, starting it with ``header`` if it is
    new."""
    out.parent.mkdir(exist_ok=True)
    with out.open("a") as handle:
        if out.stat().st_size == 0:
            handle.write(header)
        handle.write(text)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
