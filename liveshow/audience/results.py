"""The night's answers as a spreadsheet (as Slido and Mentimeter export them): every text,
picture, drawing and sound with its moderation status, and every vote that counts.

People's words go into cells a spreadsheet might run: a cell that starts like a formula
(``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'`` so it stays
text (OWASP's CSV injection advice)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

COLUMNS = ("prompt", "question", "kind", "submission", "handle", "status", "answer", "media", "at")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every answer but superseded votes (a phone's later vote replaces its earlier one)."""
    found = db.query(
        "select s.*, p.question from submissions s left join prompts p on p.id = s.prompt "
        "where s.kind != 'vote' or s.id in (select submission from votes) order by s.seq"
    )
    return [
        {
            "prompt": r["prompt"],
            "question": r["question"] or "",
            "kind": r["kind"],
            "submission": r["id"],
            "handle": r["handle"] or "",
            "status": "counted" if r["kind"] == "vote" else r["status"],
            "answer": (r["option"] if r["kind"] == "vote" else r["text"]) or "",
            "media": f"/media/{r['media_sha256']}" if r["media_sha256"] else "",
            "at": datetime.fromtimestamp(r["created_at"], UTC).isoformat(),
        }
        for r in found
    ]


def safe_cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def as_csv(db: sqlite_utils.Database) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows(db):
        writer.writerow([safe_cell(row[c]) for c in COLUMNS])
    return out.getvalue()
