"""Names claimed on the catalogue since the show, for the book's credits (``--claims``).

A contributor claims their night on the catalogue, after the sync, under a handle and a name
of their choosing (docs/catalogue.md, "Claims and withdrawals"); the show never hears of it.
The show does keep, per sent submission, the catalogue record ids it became
(``outbox.catalogue_ids``), so the book can ask the catalogue's public read API what each
record is credited to now. That is optional and never required: asked only with ``--claims``,
each request has a short timeout, the whole lookup a time budget, and whatever does not
answer keeps its handle as typed.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .night import IN_THE_BOOK, open_read_only

PSEUDONYM = "aud-"  # the show's pseudonymous handles; a claim replaces them


@dataclass
class Claims:
    names: dict[str, str] = field(default_factory=dict)  # handle as typed -> as credited now
    asked: int = 0
    problem: str | None = None  # the first failure, when the catalogue did not answer


def sent_records(data: Path) -> list[tuple[str, int]]:
    """(handle as typed, catalogue record id) of every book-worthy submission that was sent."""
    marks = ",".join("?" * len(IN_THE_BOOK))
    with open_read_only(data) as conn:
        rows = conn.execute(
            "SELECT s.handle, o.catalogue_ids FROM submissions s JOIN outbox o"
            " ON o.kind = 'submission' AND o.ref = s.id"
            f" WHERE s.status IN ({marks}) AND o.status = 'sent' AND o.catalogue_ids IS NOT NULL"
            " ORDER BY s.seq",
            IN_THE_BOOK,
        ).fetchall()
    out = []
    for row in rows:
        try:
            ids = json.loads(row["catalogue_ids"])
        except ValueError:
            continue
        if row["handle"] and isinstance(ids, list) and ids and isinstance(ids[0], int):
            out.append((row["handle"], ids[0]))
    return out


def credited_name(record: object) -> str | None:
    """The claimed name a record is credited under, or None while it is still a pseudonym."""
    credits = record.get("credits") if isinstance(record, dict) else None
    for credit in credits if isinstance(credits, list) else []:
        artist = credit.get("artist") if isinstance(credit, dict) else None
        if isinstance(artist, str) and artist and not artist.startswith(PSEUDONYM):
            name = credit.get("name")
            return name if isinstance(name, str) and name.strip() else artist
    return None


def claimed_names(
    data: Path, catalogue_url: str, timeout: float = 3.0, budget: float = 20.0
) -> Claims:
    """Ask the catalogue at ``catalogue_url`` about each sent record, within ``budget`` s."""
    found = Claims()
    deadline = time.monotonic() + budget
    base = catalogue_url.rstrip("/")
    for handle, record_id in sent_records(data):
        if handle in found.names:
            continue
        if time.monotonic() > deadline:
            found.problem = found.problem or f"no answer within {budget:.0f} s"
            break
        found.asked += 1
        try:
            with urllib.request.urlopen(
                f"{base}/api/v1/records/{record_id}", timeout=timeout
            ) as answer:
                record = json.load(answer)
        except urllib.error.HTTPError:
            continue  # e.g. 410: withdrawn since; it is not in the book either way
        except (OSError, ValueError) as exc:
            found.problem = f"{base}: {exc}"
            break  # unreachable: the rest would fail the same way
        name = credited_name(record)
        if name:
            found.names[handle] = name
    return found
