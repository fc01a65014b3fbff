"""Q&A with upvotes, against a real server with real python-socketio phones: questions are
moderated like text (phones see only approved ones), each phone upvotes another's question
once (and can take it back), the board orders questions by upvotes (on the projector too, in
a real browser), and hostile input gets a clear error and changes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show

QA_SHOW = """\
title: Q&A test
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: ask, kind: prompt, prompt: {kind: question, question: "Ask the cast", max_length: 60}}
  - {id: bye, kind: title, title: Bye}
"""


@pytest.fixture
def qa_server(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    return server_factory(write_show(tmp_path, QA_SHOW, "qa.yaml"))


@pytest.fixture
def qa_crew(qa_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]) -> Crew:
    """The crew of the Q&A show, standing on the open Q&A cue."""
    crew = crew_of(qa_server)
    crew.goto("ask")
    return crew


def ask(phone: LivePhone, text: str) -> str:
    ack = phone.submit("ask", "question", text=text)
    assert ack["ok"] and ack["status"] == "pending", ack
    return str(ack["id"])


def upvotes(srv: ServerProcess) -> list[tuple[str, str]]:
    return [
        (r["question"], r["device"])
        for r in srv.rows("select * from question_upvotes order by question, device")
    ]


def board(srv: ServerProcess) -> list[tuple[str, int]]:
    return [(q["text"], q["votes"]) for q in srv.state()["cue"]["questions"]]


def test_upvotes_count_once_per_phone_can_be_undone_and_order_the_board(
    qa_server: ServerProcess,
    qa_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    ana, ben, cy = (phone_of(qa_server, name) for name in ("Ana", "Ben", "Cy"))
    first = ask(ana, "Who wrote the songs?")
    second = ask(ben, "Was the storm real?")
    unseen = ask(cy, "Still waiting for the crew")
    # nothing approved yet: the phones see an empty board
    assert cy.call("questions", {"prompt": "ask"})["questions"] == []
    qa_crew.moderate(first)
    qa_crew.moderate(second)
    listed = cy.call("questions", {"prompt": "ask"})
    assert [q["id"] for q in listed["questions"]] == [first, second]  # ties: the earliest first
    assert unseen not in str(listed) and listed["upvoted"] == []

    # once per phone: a second upvote changes nothing
    assert cy.call("upvote", {"question": second}) == {
        "ok": True,
        "question": second,
        "votes": 1,
        "up": True,
    }
    assert cy.call("upvote", {"question": second, "up": True})["votes"] == 1
    assert ana.call("upvote", {"question": second})["votes"] == 2
    assert board(qa_server) == [("Was the storm real?", 2), ("Who wrote the songs?", 0)]
    assert cy.call("questions", {"prompt": "ask"})["upvoted"] == [second]
    # every phone hears the new order
    heard = ben.wait_for("questions", lambda d: d["questions"][0]["votes"] == 2)
    assert [q["id"] for q in heard["questions"]] == [second, first]

    # taken back (twice: still once), then given to the other question
    assert cy.call("upvote", {"question": second, "up": False})["votes"] == 1
    assert cy.call("upvote", {"question": second, "up": False})["votes"] == 1
    assert cy.call("upvote", {"question": first})["votes"] == 1
    assert ben.call("upvote", {"question": first})["votes"] == 2
    assert board(qa_server) == [("Who wrote the songs?", 2), ("Was the storm real?", 1)]
    assert sorted(upvotes(qa_server)) == sorted(
        [(first, cy.device), (first, ben.device), (second, ana.device)]
    )

    # the Q&A closes with the next cue: the board is frozen
    qa_crew.goto("bye")
    refused = cy.call("upvote", {"question": second})
    assert not refused["ok"] and "closed" in refused["error"]
    assert len(upvotes(qa_server)) == 3


def test_hostile_upvotes_and_questions_get_a_clear_error_and_change_nothing(
    qa_server: ServerProcess,
    qa_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    ana, ben = phone_of(qa_server, "Ana"), phone_of(qa_server, "Ben")
    pending = ask(ana, "Is this on?")
    rejected = ask(ana, "Something rude")
    mine = ask(ben, "Ben's own question")
    qa_crew.moderate(rejected, "reject")
    qa_crew.moderate(mine)

    cases = [
        ({"question": pending}, "not on the board"),  # not approved: not visible
        ({"question": rejected}, "not on the board"),
        ({"question": "no-such-question"}, "not on the board"),
        ({"question": mine}, "your own question"),
        ({"question": 5}, "'question' must be"),
        ({"question": ["x"]}, "'question' must be"),
        ({"question": "x" * 500}, "'question' must be"),
        ({"question": mine, "up": "yes"}, "'up' must be"),
        ({"question": mine, "up": 1}, "'up' must be"),
        ("upvote!", "upvote needs"),
        (None, "upvote needs"),
    ]
    for data, words in cases:
        time.sleep(0.5)  # within the rate limit (tested below)
        ack = ben.call("upvote", data)
        assert not ack["ok"] and words in ack["error"], (data, ack)
    assert upvotes(qa_server) == []

    # questions are checked like text: too long, not text, wrong kind of prompt
    too_long = ana.submit("ask", "question", text="x" * 61)
    assert not too_long["ok"] and "limit is 60" in too_long["error"]
    not_text = ana.submit("ask", "question", text={"a": 1})
    assert not not_text["ok"] and "must be text" in not_text["error"]
    as_text = ana.submit("ask", "text", text="a question sent as text")
    assert not as_text["ok"] and "asks for question" in as_text["error"]
    assert ben.call("questions", {"prompt": "hello"})["error"] == "that prompt takes no questions"
    assert len(qa_server.rows("select id from submissions")) == 3
    assert board(qa_server) == [("Ben's own question", 0)]


def test_upvotes_are_rate_limited_like_votes(
    qa_server: ServerProcess,
    qa_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    ana, ben = phone_of(qa_server, "Ana"), phone_of(qa_server, "Ben")
    question = ask(ana, "Why the fish?")
    qa_crew.moderate(question)
    acks = [ben.call("upvote", {"question": question, "up": i % 2 == 0}) for i in range(30)]
    refused = [a for a in acks if not a["ok"]]
    assert refused and all("slow down" in a["error"] and a["retry"] for a in refused)


def test_the_projector_lists_the_questions_most_upvoted_first(
    qa_server: ServerProcess,
    qa_crew: Crew,
    phone_of: Callable[..., LivePhone],
    open_display: Callable[..., Any],
) -> None:
    display = open_display(qa_server)
    ana, ben, cy = (phone_of(qa_server, name) for name in ("Ana", "Ben", "Cy"))
    early, late = ask(ana, "An early question"), ask(ben, "A later, better question")
    ask(cy, "Not approved")
    qa_crew.moderate(early)
    qa_crew.moderate(late)
    rows = display.locator("#questions .prompt-q-text")
    expect(rows).to_have_text(["An early question", "A later, better question"])
    assert cy.call("upvote", {"question": late})["ok"]
    assert ana.call("upvote", {"question": late})["ok"]
    expect(rows).to_have_text(["A later, better question", "An early question"])
    expect(display.locator("#questions .prompt-q-votes")).to_have_text(["▲ 2", "▲ 0"])
    assert "Not approved" not in display.locator("#questions").inner_text()
