"""Q&A: phones ask short questions at a ``question`` prompt (moderated like text answers:
only approved ones are seen) and upvote the approved questions of others, once per phone;
an upvote can be taken back. The board orders the approved questions by their upvotes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..show.cues import PromptKind, SubmissionStatus
from ..store.database import Store
from .devices import AudienceError
from .prompts import Prompts
from .submissions import ID_PATTERN, Submissions

BOARD_LIMIT = 30  # questions the room sees: a projector's worth
VISIBLE = (SubmissionStatus.APPROVED.value, SubmissionStatus.FEATURED.value)


@dataclass(frozen=True)
class Upvoted:
    """An upvote given or taken back: the question, its prompt, its upvotes now."""

    question: str
    prompt: str
    votes: int
    up: bool


class Questions:
    """A view over the submissions of question prompts and their upvotes (no state of its
    own: made where needed)."""

    def __init__(self, submissions: Submissions) -> None:
        self.store: Store = submissions.store
        self.prompts: Prompts = submissions.prompts
        self.submissions = submissions
        self.clock: Callable[[], float] = submissions.clock

    def upvote(self, device: dict[str, Any], data: Any) -> Upvoted:
        """``{"question": id, "up": true|false}``: upvote an approved question of someone
        else's while its prompt is open, or take the upvote back. Asking twice changes
        nothing. Returns the question, its prompt, its upvotes and whether this phone's
        counts (the question's row is read once)."""
        if device["banned"]:
            raise AudienceError("this phone can no longer take part tonight", 403)
        if not isinstance(data, dict):
            raise AudienceError('upvote needs {"question": "<id>", "up": true|false}')
        question, up = data.get("question"), data.get("up", True)
        if not isinstance(question, str) or not ID_PATTERN.match(question):
            raise AudienceError("'question' must be the id of a question on the board")
        if not isinstance(up, bool):
            raise AudienceError("'up' must be true (upvote) or false (take it back)")
        row = self.submissions.get(question)
        if row is None or row["kind"] != PromptKind.QUESTION.value or row["status"] not in VISIBLE:
            raise AudienceError("that question is not on the board", 404)
        if row["device"] == device["id"]:
            raise AudienceError("that is your own question: upvote someone else's")
        prompt = self.prompts.get(row["prompt"])
        if prompt is None or prompt["closed_at"] is not None:
            raise AudienceError("the questions have closed", 409)
        with self.store.write() as db:
            if up:
                db.execute(
                    "insert or ignore into question_upvotes (question, device, prompt, at) "
                    "values (?, ?, ?, ?)",
                    [question, device["id"], row["prompt"], self.clock()],
                )
            else:
                db.execute(
                    "delete from question_upvotes where question = ? and device = ?",
                    [question, device["id"]],
                )
        return Upvoted(question, str(row["prompt"]), self.votes(question), up)

    def votes(self, question: str) -> int:
        row = self.store.db.execute(
            "select count(*) from question_upvotes where question = ?", [question]
        ).fetchone()
        return int(row[0])

    def board(self, prompt: str, limit: int = BOARD_LIMIT) -> list[dict[str, Any]]:
        """The approved questions of ``prompt``, most upvoted first (then the earliest)."""
        rows = self.store.db.query(
            "select s.id, s.handle, s.text, s.status, count(u.device) as votes "
            "from submissions s left join question_upvotes u on u.question = s.id "
            "where s.prompt = ? and s.kind = ? and s.status in (?, ?) "
            "group by s.id order by votes desc, s.created_at, s.id limit ?",
            [prompt, PromptKind.QUESTION.value, *VISIBLE, limit],
        )
        return [
            {
                "id": r["id"],
                "handle": r["handle"],
                "text": r["text"],
                "votes": r["votes"],
                "featured": r["status"] == SubmissionStatus.FEATURED.value,
            }
            for r in rows
        ]

    def upvoted_by(self, device: str, prompt: str) -> list[str]:
        """The questions of ``prompt`` this phone upvotes (for its buttons after a reload)."""
        return [
            r["question"]
            for r in self.store.db.query(
                "select question from question_upvotes where device = ? and prompt = ?",
                [device, prompt],
            )
        ]
