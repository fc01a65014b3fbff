"""The night in numbers: the report's tables, read from a snapshot of the show database.

Each table is what one figure draws and what its CSV file holds, so the picture and the
numbers never disagree. Times are UTC; minutes are ``YYYY-MM-DD HH:MM``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..show.cues import SubmissionStatus

DECIDED = (
    SubmissionStatus.APPROVED.value,
    SubmissionStatus.FEATURED.value,
    SubmissionStatus.REJECTED.value,
)
ON_SCREEN = (SubmissionStatus.APPROVED.value, SubmissionStatus.FEATURED.value)


@dataclass
class Table:
    """One figure's data: a name (its files are ``<name>.csv`` and ``<name>.png``)."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Night:
    title: str
    started_at: float | None
    ended_at: float | None
    joined: int
    contributors: int
    submissions: int
    on_screen: int
    rejected: int
    pending: int
    screened: int
    tables: dict[str, Table]


def minute(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M")


def stamp(at: float | None) -> str:
    if at is None:
        return ""
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


def rows(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    return list(conn.execute(sql, args))


def scalar(conn: sqlite3.Connection, sql: str) -> Any:
    found = conn.execute(sql).fetchone()
    return found[0] if found else None


def read_night(conn: sqlite3.Connection) -> Night:
    """Everything the report shows, from one read-only connection."""
    show = rows(conn, "select title from show where id = 1")
    started = scalar(
        conn,
        "select min(at) from (select min(joined_at) as at from devices union all "
        "select min(started_at) from play_log union all select min(created_at) from submissions)",
    )
    ended = scalar(
        conn,
        "select max(at) from (select max(at) as at from events union all "
        "select max(coalesce(ended_at, started_at)) from play_log union all "
        "select max(coalesce(moderated_at, created_at)) from submissions)",
    )
    work = "kind != 'vote'"
    count = {
        status: scalar(
            conn, f"select count(*) from submissions where {work} and status = '{status}'"
        )
        for status in ("approved", "featured", "rejected", "pending")
    }
    tables = [
        joins_per_minute(conn),
        submissions_per_minute(conn),
        approval(conn),
        decision_times(conn),
        screenings(conn, ended),
    ]
    return Night(
        title=show[0]["title"] if show else "liveshow",
        started_at=started,
        ended_at=ended,
        joined=scalar(conn, "select count(*) from devices"),
        contributors=scalar(
            conn, "select count(distinct device) from submissions where device not like 'camera:%'"
        ),
        submissions=scalar(conn, f"select count(*) from submissions where {work}"),
        on_screen=count["approved"] + count["featured"],
        rejected=count["rejected"],
        pending=count["pending"],
        # A group's own row is not a cue the room saw: its cues each have theirs.
        screened=scalar(conn, "select count(*) from play_log where kind != 'group'"),
        tables={t.name: t for t in tables},
    )


def joins_per_minute(conn: sqlite3.Connection) -> Table:
    """Phones joining, and phones sending something, minute by minute."""
    joins = Counter(
        minute(r["joined_at"])
        for r in rows(conn, "select joined_at from devices where joined_at is not null")
    )
    senders: dict[str, set[str]] = defaultdict(set)
    for r in rows(
        conn,
        "select device, created_at from submissions "
        "where created_at is not null and device not like 'camera:%'",
    ):
        senders[minute(r["created_at"])].add(r["device"])
    table = Table(
        "joins",
        "Phones joining and contributing, per minute",
        ["minute_utc", "joins", "joined_so_far", "contributing_phones"],
    )
    total = 0
    for at in every_minute(set(joins) | set(senders)):
        total += joins[at]
        table.rows.append([at, joins[at], total, len(senders[at])])
    return table


def every_minute(minutes: set[str]) -> list[str]:
    """From the first to the last, quiet minutes included (a gap is a zero, not a line); a
    data directory used over days (rehearsals) lists only the minutes something happened."""
    if not minutes:
        return []
    first, last = (
        datetime.strptime(m, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp()
        for m in (min(minutes), max(minutes))
    )
    count = int((last - first) // 60) + 1
    if count > 24 * 60:
        return sorted(minutes)
    return [minute(first + 60 * n) for n in range(count)]


def submissions_per_minute(conn: sqlite3.Connection) -> Table:
    table = Table(
        "submissions",
        "Submissions per minute, per prompt (votes included)",
        ["minute_utc", "prompt", "kind", "submissions"],
    )
    per: Counter[tuple[str, str, str]] = Counter()
    for r in rows(
        conn, "select prompt, kind, created_at from submissions where created_at is not null"
    ):
        per[(minute(r["created_at"]), r["prompt"] or "", r["kind"] or "")] += 1
    for (at, prompt, kind), n in sorted(per.items()):
        table.rows.append([at, prompt, kind, n])
    return table


def approval(conn: sqlite3.Connection) -> Table:
    """Per prompt (votes are counted, never moderated, so they are left out)."""
    table = Table(
        "approval",
        "Moderation per prompt: approval rate of decided work",
        [
            "prompt",
            "kind",
            "question",
            "submitted",
            "approved",
            "featured",
            "rejected",
            "pending",
            "approval_rate",
        ],
    )
    for r in rows(
        conn,
        "select s.prompt, s.kind, coalesce(p.question, '') as question, count(*) as submitted, "
        "sum(s.status = 'approved') as approved, sum(s.status = 'featured') as featured, "
        "sum(s.status = 'rejected') as rejected, sum(s.status = 'pending') as pending "
        "from submissions s left join prompts p on p.id = s.prompt "
        "where s.kind != 'vote' group by s.prompt, s.kind order by min(s.created_at)",
    ):
        decided = r["approved"] + r["featured"] + r["rejected"]
        rate = round((r["approved"] + r["featured"]) / decided, 4) if decided else ""
        table.rows.append([*(r[c] for c in table.columns[:-1]), rate])
    return table


def decision_times(conn: sqlite3.Connection) -> Table:
    """Seconds from a submission arriving to the crew's (latest) decision on it."""
    table = Table(
        "decisions",
        "Time from submission to the crew's decision",
        ["submission", "prompt", "kind", "status", "submitted_utc", "decided_utc", "seconds"],
    )
    marks = ",".join("?" * len(DECIDED))
    for r in rows(
        conn,
        "select id, prompt, kind, status, created_at, moderated_at from submissions "
        f"where status in ({marks}) and moderated_at is not null and created_at is not null "
        "order by created_at",
        DECIDED,
    ):
        seconds = round(max(0.0, r["moderated_at"] - r["created_at"]), 3)
        table.rows.append(
            [
                r["id"],
                r["prompt"],
                r["kind"],
                r["status"],
                stamp(r["created_at"]),
                stamp(r["moderated_at"]),
                seconds,
            ]
        )
    return table


def screenings(conn: sqlite3.Connection, night_end: float | None) -> Table:
    """What screened when, from the play log (a cue still on stage runs to the night's end)."""
    table = Table(
        "screenings",
        "What screened when",
        ["started_utc", "ended_utc", "seconds", "cue", "kind", "title", "started_at", "ended_at"],
    )
    for r in rows(conn, "select * from play_log where started_at is not null order by id"):
        end = r["ended_at"] if r["ended_at"] is not None else max(night_end or 0, r["started_at"])
        table.rows.append(
            [
                stamp(r["started_at"]),
                stamp(end),
                round(end - r["started_at"], 3),
                r["cue_id"],
                r["kind"],
                r["title"] or "",
                r["started_at"],
                end,
            ]
        )
    return table
