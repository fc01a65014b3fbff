"""A contributor takes their work back, from their phone.

Before the work was sent to the catalogue it leaves the wall and the outbox, and never leaves
the venue. After it was sent (or while it is being sent), a withdrawal is queued in the outbox
in the same transaction, and the sender asks the catalogue to hide it (docs/catalogue.md,
"Claims and withdrawals"). Either way the submission's status becomes ``withdrawn``, which the
wall, the credits and every later sync leave out. Only the phone that made it can withdraw it;
withdrawing twice answers the same.
"""

from __future__ import annotations

from typing import Any

from ..events import Actor, EventKind, SubmissionModerated
from ..show.cues import PromptKind, SubmissionStatus
from ..store import outbox
from ..store.outbox import OutboxKind
from .devices import AudienceError
from .submissions import Submissions

REASON = "withdrawn by its author"


def withdraw(submissions: Submissions, device: str, sub_id: Any) -> dict[str, Any]:
    """Withdraw ``sub_id`` for the phone ``device``; the updated row. Raises AudienceError."""
    row = submissions.get(sub_id)
    if row is None or row["device"] != device:
        raise AudienceError("there is no such submission from this phone", 404)
    if row["kind"] == PromptKind.VOTE.value:
        raise AudienceError("a vote is changed by voting again, not withdrawn")
    if row["status"] == SubmissionStatus.WITHDRAWN.value:
        return row
    db = submissions.store.db
    now = submissions.clock()

    def apply() -> None:
        db.table("submissions").update(
            row["id"],
            {"status": SubmissionStatus.WITHDRAWN.value, "reason": REASON, "moderated_at": now},
        )
        queued = db.execute(
            "select status, lease_until from outbox where kind = ? and ref = ?",
            [OutboxKind.SUBMISSION.value, row["id"]],
        ).fetchone()
        if queued is None:
            return  # never approved: it was never going anywhere
        status, lease_until = queued
        in_flight = status == "pending" and lease_until is not None and lease_until >= now
        if status == "sent" or in_flight:
            outbox.enqueue(db, OutboxKind.WITHDRAWAL, row["id"], now)
        else:
            outbox.drop(db, OutboxKind.SUBMISSION, row["id"], now, REASON)

    event = SubmissionModerated(
        EventKind.WITHDRAW,
        {"submission": row["id"], "action": "withdraw", "status": SubmissionStatus.WITHDRAWN.value},
        Actor.AUDIENCE.value,
        submission=row["id"],
        status=SubmissionStatus.WITHDRAWN.value,
        device=device,
        prompt=row["prompt"],
        changed=(row["id"],),
    )
    submissions.record(event, change=apply)
    return submissions.get(row["id"]) or row
