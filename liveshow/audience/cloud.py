"""A word cloud of a text prompt's approved answers (as Slido and Mentimeter draw one): each
answer is one entry, counted with the answers that say the same (ignoring case, spaces and
trailing punctuation), so "Sea", "sea." and " SEA" grow one word."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

import sqlite_utils

MAX_ENTRIES = 50  # the biggest words; a cloud of hundreds reads as noise
MAX_CHARS = 40  # longer answers are cut: a cloud is for short answers
TRIM = re.compile(r"^[\s\"'“”‘’«»]+|[\s.,;:!?…\"'“”‘’«»]+$")


def entry(text: str) -> str:
    """The form answers are counted by."""
    folded = " ".join(unicodedata.normalize("NFC", text).split())
    return TRIM.sub("", folded).casefold()[:MAX_CHARS].strip()


def word_cloud(db: sqlite_utils.Database, prompt: str) -> dict[str, Any]:
    """``{"words": [{"word", "count"}], "answers": n}``: the most said first, ties by the
    first said (a word keeps its place as the cloud grows)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    answers = 0
    for row in db.query(
        "select text from submissions where prompt = ? and kind = 'text' "
        "and status in ('approved', 'featured') order by seq",
        [prompt],
    ):
        word = entry(row["text"] or "")
        if not word:
            continue
        answers += 1
        counts[word] += 1
        first.setdefault(word, len(first))
    top = sorted(counts, key=lambda w: (-counts[w], first[w]))[:MAX_ENTRIES]
    return {"words": [{"word": w, "count": counts[w]} for w in top], "answers": answers}
