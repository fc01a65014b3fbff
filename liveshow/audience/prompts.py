"""Prompts to the audience: a prompt cue's GO opens its prompt (closing any other). A prompt
closes when the crew closes it, when a cue names it in ``close_prompt``, when its poll is
revealed, and when the show ends (a credits cue, or the last cue, starts). Answers still
arrive for a short grace period after closing, so work a phone queued while offline is not
lost the moment the prompt closes; votes have no grace: a closed vote is frozen, so the bars
the room saw revealed never move."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..events import Actor, EventKind, Recorder, ShowChanged
from ..show.cues import Cue, CueKind, PromptKind, PromptSpec
from ..store.database import Store

GRACE_SECONDS = 30.0


class PromptClosed(Exception):
    pass


class Prompts:
    def __init__(self, store: Store, clock: Callable[[], float], record: Recorder) -> None:
        self.store = store
        self.clock = clock
        self.record = record

    def open(self, cue: Cue, at: float) -> None:
        """Called inside the engine's transaction when a prompt cue starts."""
        assert cue.prompt is not None
        db = self.store.db
        db.execute(
            "update prompts set closed_at = ? where closed_at is null and id != ?", [at, cue.id]
        )
        db.table("prompts").upsert(
            {
                "id": cue.id,
                "kind": cue.prompt.kind.value,
                "question": cue.prompt.question,
                "spec": json.dumps(cue.prompt.to_dict()),
                "opened_at": at,
                "closed_at": None,
            },
            pk="id",
        )

    def on_cue_start(self, cue: Cue, at: float, last: bool) -> None:
        """Called inside the engine's transaction when ``cue`` starts (after ``open``): the
        prompts this cue closes. ``last``: the show's last cue."""
        db = self.store.db
        if cue.kind is CueKind.PROMPT:
            return  # opening it already closed any other
        if cue.kind is CueKind.CREDITS or last:  # the end of the show: every prompt
            db.execute("update prompts set closed_at = ? where closed_at is null", [at])
            return
        for prompt_id in (cue.close_prompt, cue.source if cue.kind is CueKind.POLL else None):
            if prompt_id is not None:
                db.execute(
                    "update prompts set closed_at = ? where id = ? and closed_at is null",
                    [at, prompt_id],
                )

    def close(self, actor: str = Actor.CREW.value) -> str | None:
        """Close the open prompt and log it; its id, or None when none was open."""
        current = self.current()
        if current is None:
            return None
        prompt_id = str(current["id"])

        def apply() -> None:
            self.store.db.table("prompts").update(prompt_id, {"closed_at": self.clock()})

        self.record(ShowChanged(EventKind.PROMPT_CLOSE, {"prompt": prompt_id}, actor), change=apply)
        return prompt_id

    def current(self) -> dict[str, Any] | None:
        rows = list(
            self.store.db.query(
                "select * from prompts where closed_at is null order by opened_at desc limit 1"
            )
        )
        return rows[0] if rows else None

    def get(self, prompt_id: str) -> dict[str, Any] | None:
        rows = list(self.store.db.query("select * from prompts where id = ?", [prompt_id]))
        return rows[0] if rows else None

    def accepting(self, prompt_id: Any, kind: PromptKind) -> PromptSpec:
        """The spec of a prompt that takes answers now, or PromptClosed saying why not."""
        row = self.get(prompt_id) if isinstance(prompt_id, str) else None
        if row is None or row["opened_at"] is None:
            raise PromptClosed("that prompt is not open")
        spec = PromptSpec.from_dict(json.loads(row["spec"]))
        if row["closed_at"] is not None and spec.kind is PromptKind.VOTE:
            raise PromptClosed("the vote has closed")
        if row["closed_at"] is not None and self.clock() - row["closed_at"] > GRACE_SECONDS:
            raise PromptClosed("that prompt has closed")
        if spec.kind is not kind:
            raise PromptClosed(f"that prompt asks for {spec.kind.value}, not {kind.value}")
        return spec

    def public(self) -> dict[str, Any] | None:
        """The open prompt, as phones and displays see it."""
        row = self.current()
        if row is None:
            return None
        return {"id": row["id"], **json.loads(row["spec"]), "opened_at": row["opened_at"]}
