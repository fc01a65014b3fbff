"""Q&A as people see it, in real browsers against a real server: phones ask (kept on the
phone until acknowledged, moderated like text), the crew sees a question as a question in its
queue and the approved ones by their upvotes, and a phone upvotes someone else's question
(never its own), sees the count and the order move live, keeps its upvotes after a reload,
and hears a refusal in words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.helpers.crew import Crew, crew_login
from tests.helpers.phone_page import PHONE, UI_TIMEOUT_MS, join
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.waiting import never_within

QA_SHOW = """\
title: Q&A in the browser
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: ask, kind: prompt, prompt: {kind: question, question: "Ask the cast", max_length: 80}}
  - {id: bye, kind: title, title: Bye}
"""
ANA_ASKS = "Who wrote the songs?"
BEN_ASKS = "Was the storm real?"


@pytest.fixture
def qa_server(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    return server_factory(write_show(tmp_path, QA_SHOW, "qa.yaml"))


@pytest.fixture
def phones(
    browser: Any, qa_server: ServerProcess
) -> Iterator[Callable[[], tuple[Page, BrowserContext]]]:
    """Opens phone-sized pages on the join link, each in its own context (its own storage);
    a script error on any fails the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []
    expect.set_options(timeout=UI_TIMEOUT_MS)

    def open_phone() -> tuple[Page, BrowserContext]:
        context = browser.new_context(**PHONE)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{qa_server.url}/join/{qa_server.join_code}")
        return page, context

    yield open_phone
    expect.set_options(timeout=None)
    for context in contexts:
        context.close()
    assert not errors, errors


def ask(phone: Page, text: str) -> None:
    phone.fill("#question-text", text)
    phone.click("#send-question")


def board(phone: Page) -> Any:
    return phone.locator("#question-list .qa-text")


def row(phone: Page, text: str) -> Any:
    return phone.locator("#question-list .qa-item", has_text=text)


def dashboard(page: Page, srv: ServerProcess) -> Page:
    crew_login(page, srv)
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    page.click('#view-switch [data-view="moderation"]')
    expect(page.locator("#moderation")).to_be_visible()
    return page


def test_phones_ask_the_crew_approves_and_an_upvote_reorders_every_list(
    qa_server: ServerProcess,
    crew_of: Callable[[ServerProcess], Crew],
    phones: Callable[[], tuple[Page, BrowserContext]],
    page: Page,
) -> None:
    crew = crew_of(qa_server)
    crew.goto("ask")
    desk = dashboard(page, qa_server)
    ana, _ = phones()
    ben, _ = phones()
    join(ana, "Ana")
    join(ben, "Ben")
    expect(ana.locator(".prompt[data-kind=question] h2")).to_have_text("Ask the cast")
    expect(ana.locator("#question-empty")).to_be_visible()  # nothing approved yet

    ask(ana, ANA_ASKS)
    expect(ana.locator("#history-list .sub[data-kind=question]")).to_have_attribute(
        "data-state", "sent"
    )
    ask(ben, BEN_ASKS)
    expect(ben.locator("#history-list .sub[data-kind=question]")).to_have_attribute(
        "data-state", "sent"
    )
    expect(ana.locator(".prompt .note").first).to_contain_text("once approved")
    # pending questions are the crew's alone
    never_within(lambda: board(ana).count() > 0, 0.5, "an unapproved question on a phone")

    # the crew's queue shows each as a question: its text, a "question" label and glyph
    queued = desk.locator("#mod-queue li[data-kind=question]")
    expect(queued).to_have_count(2)
    mine = desk.locator("#mod-queue li", has_text=ANA_ASKS)
    expect(mine.locator(".mod-text")).to_have_text(ANA_ASKS)
    expect(mine.locator(".mod-kind")).to_have_text("question")
    expect(mine.locator(".mod-glyph")).to_have_text("?")
    expect(mine.locator(".mod-handle")).to_have_text("Ana")
    for text in (ANA_ASKS, BEN_ASKS):
        desk.locator("#mod-queue li", has_text=text).locator(".mod-act-approve").click()
        expect(desk.locator("#mod-queue li", has_text=text)).to_have_attribute(
            "data-status", "approved"
        )

    # both phones list both, the earliest first on a tie; no upvote on one's own question
    for phone in (ana, ben):
        expect(board(phone)).to_have_text([ANA_ASKS, BEN_ASKS])
    expect(row(ana, ANA_ASKS)).to_have_attribute("data-mine", "true")
    expect(row(ana, ANA_ASKS).locator("button")).to_have_count(0)
    expect(row(ana, ANA_ASKS).locator(".qa-who")).to_have_text("Your question · 0 upvotes")
    expect(row(ana, BEN_ASKS).locator(".qa-who")).to_have_text("Asked by Ben")
    expect(row(ben, BEN_ASKS).locator("button")).to_have_count(0)
    upvote = row(ana, BEN_ASKS).locator("button.qa-upvote")
    expect(upvote).to_have_attribute("aria-pressed", "false")
    box = upvote.bounding_box()
    assert box and box["width"] >= 48 and box["height"] >= 48  # a thumb's target

    # Ana upvotes Ben's question: the count moves and it goes to the top, on every screen
    upvote.click()
    expect(upvote).to_have_attribute("aria-pressed", "true")
    expect(row(ana, BEN_ASKS).locator(".qa-votes")).to_have_text("1")
    expect(board(ana)).to_have_text([BEN_ASKS, ANA_ASKS])
    expect(board(ben)).to_have_text([BEN_ASKS, ANA_ASKS])
    expect(row(ben, BEN_ASKS).locator(".qa-who")).to_have_text("Your question · 1 upvote")
    assert [(q["text"], q["votes"]) for q in qa_server.state()["cue"]["questions"]] == [
        (BEN_ASKS, 1),
        (ANA_ASKS, 0),
    ]
    # the crew's list, by votes, under the open question prompt
    listed = desk.locator("#mod-prompts .mod-question")
    expect(listed.locator(".mod-question-text")).to_have_text([BEN_ASKS, ANA_ASKS])
    expect(listed.locator(".mod-question-votes")).to_have_text(["▲ 1", "▲ 0"])
    expect(listed.locator(".mod-question-handle")).to_have_text(["Ben", "Ana"])
    # and beside the open prompt in the cue list's view
    desk.click('#view-switch [data-view="cues"]')
    expect(desk.locator("#prompt-open")).to_contain_text(f"2 approved; top: “{BEN_ASKS}” ▲ 1")

    # a reload keeps Ana's upvote (the phone asks the server on connect) and her own question
    ana.reload()
    expect(board(ana)).to_have_text([BEN_ASKS, ANA_ASKS])
    expect(row(ana, BEN_ASKS).locator("button.qa-upvote")).to_have_attribute("aria-pressed", "true")
    expect(row(ana, ANA_ASKS).locator("button")).to_have_count(0)

    # tapped again, the upvote is taken back: the earlier question leads again
    row(ana, BEN_ASKS).locator("button.qa-upvote").click()
    expect(row(ana, BEN_ASKS).locator("button.qa-upvote")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(board(ben)).to_have_text([ANA_ASKS, BEN_ASKS])
    expect(row(ben, BEN_ASKS).locator(".qa-votes")).to_have_text("0")
    assert qa_server.rows("select * from question_upvotes") == []


def test_a_question_asked_offline_waits_on_the_phone_and_an_upvote_after_closing_is_refused(
    qa_server: ServerProcess,
    crew_of: Callable[[ServerProcess], Crew],
    phones: Callable[[], tuple[Page, BrowserContext]],
) -> None:
    crew = crew_of(qa_server)
    crew.goto("ask")
    ana, ana_context = phones()
    ben, _ = phones()
    join(ana, "Ana")
    join(ben, "Ben")

    ana_context.set_offline(True)  # Ana's phone loses the Wi-Fi as she asks
    expect(ana.locator("#conn")).to_have_attribute("data-state", "offline")
    ask(ana, ANA_ASKS)
    expect(ana.locator("#history-list .sub[data-kind=question]")).to_have_attribute(
        "data-state", "pending"
    )
    never_within(
        lambda: qa_server.rows("select count(*) from submissions")[0][0],
        1.0,
        "a question stored while the phone was offline",
    )
    ana_context.set_offline(False)
    expect(ana.locator("#history-list .sub[data-kind=question]")).to_have_attribute(
        "data-state", "sent"
    )
    (stored,) = qa_server.rows("select id, kind, text, status from submissions")
    assert (stored["kind"], stored["text"], stored["status"]) == ("question", ANA_ASKS, "pending")
    crew.moderate(stored["id"])
    expect(board(ben)).to_have_text([ANA_ASKS])

    # Ben is typing a question as the crew closes the Q&A: his screen stays a moment, and an
    # upvote now is refused in words, not silently
    ben.fill("#question-text", "One more thing")
    crew.command("prompt_close", {})
    expect(ben.locator(".closing")).to_contain_text("just closed")
    row(ben, ANA_ASKS).locator("button.qa-upvote").click()
    expect(row(ben, ANA_ASKS).locator(".qa-refused")).to_have_text(
        "Couldn't upvote: the questions have closed."
    )
    expect(row(ben, ANA_ASKS).locator("button.qa-upvote")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert qa_server.rows("select * from question_upvotes") == []
