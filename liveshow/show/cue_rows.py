"""A cue as a row of the ``cues`` table and back (JSON for its credits and prompt).

A cue that is not a prompt keeps its ``close_prompt`` in the ``prompt`` column as
``{"close_prompt": id}`` (what the cue does to prompts), until the table has a column of its
own: the schema belongs to ``store``."""

from __future__ import annotations

import json
from typing import Any

from .cues import (
    ContinueMode,
    Credit,
    Cue,
    CueKind,
    OscSend,
    PromptSpec,
    RecordType,
    Transition,
)


def cue_to_row(c: Cue, position: int, media_sha256: str | None) -> dict[str, Any]:
    return {
        "id": c.id,
        "position": position,
        "kind": c.kind.value,
        "title": c.title,
        "subtitle": c.subtitle,
        "type": c.type.value if c.type else None,
        "media": c.media,
        "media_sha256": media_sha256,
        "text": c.text,
        "credits": json.dumps([x.to_dict() for x in c.credits]),
        "duration": c.duration,
        "pre_wait": c.pre_wait,
        "post_wait": c.post_wait,
        "continue_mode": c.continue_mode.value,
        "notes": c.notes,
        "prompt": _prompt_column(c),
        "source": c.source,
        "camera": c.camera,
        "keyed": int(c.keyed),
        "transition": c.transition.value,
        "take": c.take,
        "catalogue_record": c.catalogue_record,
        "osc": json.dumps([m.to_dict() for m in c.osc]) if c.osc else None,
        "fade_in": c.fade_in,
        "fade_out": c.fade_out,
        "level": c.level,
        "number": c.number,
    }


def _prompt_column(c: Cue) -> str | None:
    if c.prompt is not None:
        return json.dumps(c.prompt.to_dict())
    return json.dumps({"close_prompt": c.close_prompt}) if c.close_prompt else None


def cue_from_row(row: dict[str, Any]) -> Cue:
    prompt = json.loads(row["prompt"]) if row["prompt"] else None
    return Cue(
        id=row["id"],
        kind=CueKind(row["kind"]),
        title=row["title"] or "",
        subtitle=row["subtitle"] or "",
        type=RecordType(row["type"]) if row["type"] else None,
        media=row["media"],
        text=row["text"],
        credits=[Credit(**c) for c in json.loads(row["credits"])],
        duration=row["duration"],
        pre_wait=row["pre_wait"],
        post_wait=row["post_wait"],
        continue_mode=ContinueMode(row["continue_mode"]),
        notes=row["notes"] or "",
        prompt=PromptSpec.from_dict(prompt) if prompt and "close_prompt" not in prompt else None,
        close_prompt=prompt.get("close_prompt") if prompt else None,
        source=row["source"],
        camera=row["camera"],
        keyed=bool(row["keyed"]),
        transition=Transition(row.get("transition") or Transition.FADE.value),
        take=row["take"],
        catalogue_record=row.get("catalogue_record"),
        osc=[OscSend(**m) for m in json.loads(row["osc"])] if row.get("osc") else [],
        fade_in=row.get("fade_in") or 0.0,
        fade_out=row.get("fade_out") or 0.0,
        level=row.get("level") or 0.0,
        number=row.get("number"),
    )
