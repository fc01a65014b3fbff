"""A server's CPU and memory from /proc, summed over its process group (the server we start
leads its own session, so its image workers and any other children are counted too).

CPU time is utime+stime from /proc/<pid>/stat, which counts in clock ticks (10 ms here);
for a per-GO figure we read the same quantity at nanosecond resolution from
/proc/<pid>/task/<tid>/schedstat (time on CPU per thread), and fall back to ticks where
schedstat is missing. Both count the threads of a process; neither counts children that
already exited."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICK = 1.0 / os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid: int | str) -> list[str]:
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def group_pids(pgid: int) -> list[int]:
    """Every live process whose process group is ``pgid``."""
    pids = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat_fields(entry.name)[2]) == pgid:  # field 5: pgrp
                pids.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def _schedstat_seconds(pid: int) -> float | None:
    try:
        total = 0
        for task in (PROC / str(pid) / "task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        return None


def _ticks_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) * TICK  # fields 14, 15: utime, stime


@dataclass
class Group:
    """The process group led by ``pgid`` (the server we started)."""

    pgid: int

    def cpu_seconds(self) -> float:
        """CPU time used so far by every process in the group (ns resolution if we can)."""
        total = 0.0
        for pid in group_pids(self.pgid):
            try:
                fine = _schedstat_seconds(pid)
                total += fine if fine is not None else _ticks_seconds(pid)
            except OSError:
                continue  # exited between the listing and the read
        return total

    def cpu_ticks_seconds(self) -> float:
        """The same from /proc/<pid>/stat utime+stime only (10 ms steps)."""
        total = 0.0
        for pid in group_pids(self.pgid):
            try:
                total += _ticks_seconds(pid)
            except OSError:
                continue
        return total

    def rss_bytes(self) -> int:
        """Resident memory summed over the group (shared pages counted in each process)."""
        total = 0
        for pid in group_pids(self.pgid):
            try:
                total += int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE
            except (OSError, ValueError, IndexError):
                continue
        return total

    def processes(self) -> int:
        return len(group_pids(self.pgid))
