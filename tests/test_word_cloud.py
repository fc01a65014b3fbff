"""The word cloud cue: the same answer counted once however it was typed, only approved work,
the most said first, and a show file that points it at a text prompt."""

from __future__ import annotations

from typing import Any

import pytest

from liveshow.show.showfile import ShowFileError, parse
from tests.helpers.crew import goto
from tests.helpers.phone import Phone
from tests.helpers.shows import PROMPT_SHOW

CLOUD_SHOW = PROMPT_SHOW + "  - {id: cloud, kind: cloud, source: ask-text}\n"


def cloud_now(app: Any) -> dict[str, Any]:
    return app.test_client().get("/api/state").get_json()["cue"]["cloud"]  # type: ignore[no-any-return]


@pytest.mark.show(CLOUD_SHOW)
def test_the_cloud_counts_the_same_answer_however_typed_and_only_approved(
    app: Any, crew: Any
) -> None:
    goto(crew, "ask-text")
    said = {}
    for n, words in enumerate(["Sea", "moon", "  SEA.", "“Sea”", "rude word", "moon!"]):
        phone = Phone(app, f"phone-device-{n:04d}")
        phone.join(f"P{n}")
        sub = f"cloud-answer-{n:04d}"
        assert phone.emit(
            "submit", {"id": sub, "prompt": "ask-text", "kind": "text", "text": words}
        )["ok"]
        said[words] = sub
    for words, sub in said.items():
        action = "reject" if words == "rude word" else "approve"
        crew.emit(
            "moderate", {"submission": sub, "action": action}, namespace="/crew", callback=True
        )
    goto(crew, "cloud")
    assert cloud_now(app) == {
        "words": [{"word": "sea", "count": 3}, {"word": "moon", "count": 2}],
        "answers": 5,
    }


@pytest.mark.parametrize(
    ("cue", "words"),
    [
        ("{id: c, kind: cloud, source: ask-vote}", "a cloud shows a text prompt's answers"),
        ("{id: c, kind: cloud}", "a cloud cue needs 'source'"),
        ("{id: c, kind: cloud, source: hello}", "'hello' is not a prompt cue"),
    ],
)
def test_a_cloud_must_show_a_text_prompt(cue: str, words: str) -> None:
    with pytest.raises(ShowFileError) as err:
        parse(PROMPT_SHOW + f"  - {cue}\n", "bad.yaml")
    assert words in str(err.value)
