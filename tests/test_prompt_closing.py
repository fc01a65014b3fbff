"""Prompts close on their own (issue 13): a cue's ``close_prompt``, a poll's reveal (the vote
freezes) and the end of the show — so phones stop asking, and revealed bars never move."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from liveshow.show.cue_rows import cue_from_row, cue_to_row
from liveshow.show.showfile import ShowFileError, dump, load_file, parse
from tests.helpers.crew import goto
from tests.helpers.phone import Phone
from tests.helpers.shows import PROMPT_SHOW, write_show

CLOSING_SHOW = """\
title: Closing
cues:
  - {id: ask-text, kind: prompt, prompt: {kind: text, question: "A tiny story"}}
  - {id: hush, kind: title, title: Hush, close_prompt: ask-text}
  - {id: ask-vote, kind: prompt, prompt: {kind: vote, question: "Which?", options: [A, B]}}
  - {id: between, kind: title, title: Counting}
  - {id: results, kind: poll, source: ask-vote}
  - {id: ask-again, kind: prompt, prompt: {kind: text, question: "Last words"}}
  - {id: bye, kind: title, title: Goodnight}
"""


def open_prompt(app: Any) -> Any:
    return app.test_client().get("/api/state").get_json()["prompt"]


def vote(phone: Phone, sub_id: str, option: str) -> Any:
    return phone.emit(
        "submit", {"id": sub_id, "prompt": "ask-vote", "kind": "vote", "option": option}
    )


@pytest.mark.show(CLOSING_SHOW)
def test_a_cue_with_close_prompt_closes_that_prompt_as_it_starts(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    assert open_prompt(app)["id"] == "ask-text"
    goto(crew, "hush")
    assert open_prompt(app) is None


@pytest.mark.show(CLOSING_SHOW)
def test_a_revealed_poll_freezes_its_vote(app: Any, crew: Any) -> None:
    goto(crew, "ask-vote")
    a, b = Phone(app, "phone-device-000a"), Phone(app, "phone-device-000b")
    a.join("A")
    b.join("B")
    assert vote(a, "vote-a-00001", "A")["ok"]
    goto(crew, "between")  # a title leaves the vote open
    assert open_prompt(app)["id"] == "ask-vote"
    assert vote(b, "vote-b-00001", "B")["ok"]
    goto(crew, "results")
    assert open_prompt(app) is None
    revealed = app.test_client().get("/api/state").get_json()["cue"]["poll"]
    # no grace for votes: neither a new vote nor a change moves the bars the room has seen
    late = vote(b, "vote-b-00002", "A")
    assert late["ok"] is False and "closed" in late["error"]
    c = Phone(app, "phone-device-000c")
    c.join("C")
    assert vote(c, "vote-c-00001", "A")["ok"] is False
    assert app.test_client().get("/api/state").get_json()["cue"]["poll"] == revealed


@pytest.mark.show(CLOSING_SHOW)
def test_the_last_cue_closes_every_prompt(app: Any, crew: Any) -> None:
    goto(crew, "ask-again")
    assert open_prompt(app)["id"] == "ask-again"
    goto(crew, "bye")
    assert open_prompt(app) is None


@pytest.mark.show(PROMPT_SHOW)
def test_the_credits_close_every_prompt(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    goto(crew, "roll")
    assert open_prompt(app) is None


def test_close_prompt_survives_the_database(tmp_path: Path) -> None:
    """On resume the cue list is read back from the database: close_prompt must come too."""
    show = load_file(write_show(tmp_path, CLOSING_SHOW))
    rows = [cue_to_row(c, i, None) for i, c in enumerate(show.cues)]
    assert [cue_from_row(r) for r in rows] == show.cues


def test_close_prompt_round_trips_through_the_show_file(tmp_path: Path) -> None:
    show = load_file(write_show(tmp_path, CLOSING_SHOW))
    assert show.cues[1].close_prompt == "ask-text"
    assert parse(dump(show), "again.yaml").cues[1].close_prompt == "ask-text"


@pytest.mark.parametrize(
    ("cue", "words"),
    [
        ("{id: x, kind: title, title: X, close_prompt: nope}", "'nope' is not a prompt cue"),
        ("{id: x, kind: title, title: X, close_prompt: bye}", "'bye' is not a prompt cue"),
        ("{id: x, kind: title, title: X, close_prompt: 5}", "must be the id of a prompt cue"),
        (
            "{id: x, kind: prompt, close_prompt: ask-text, prompt: {kind: text, question: Q}}",
            "belongs on other cues",
        ),
    ],
)
def test_a_bad_close_prompt_is_refused_naming_the_cue(cue: str, words: str) -> None:
    with pytest.raises(ShowFileError) as err:
        parse(CLOSING_SHOW + f"  - {cue}\n", "bad.yaml")
    assert words in str(err.value) and "(x)" in str(err.value)
