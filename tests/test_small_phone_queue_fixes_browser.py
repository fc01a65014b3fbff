"""Small things a run-through of the demo night found, in a real Chromium against a real
server: the phone's end-of-night count names each kind of work as what it is (a word-cloud
answer is a word, not a story), and a sound in the crew's queue shows its real length in one
place without loading the file before anyone plays it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.phone_page import PHONE, item, join, opened_phone, send_text
from tests.helpers.queue import item as queue_item
from tests.helpers.queue import queue_view
from tests.helpers.samples import wav
from tests.helpers.server import ServerProcess


@pytest.fixture
def phone_page(browser: Any, prompt_server: ServerProcess) -> Iterator[Page]:
    context = browser.new_context(**PHONE)
    yield from opened_phone(context, prompt_server)
    context.close()


def test_the_thank_you_counts_one_word_answers_as_words_not_stories(
    prompt_server: ServerProcess, prompt_crew: Crew, phone_page: Page
) -> None:
    phone = phone_page
    join(phone, "Ana")
    prompt_crew.goto("ask-text")
    send_text(phone, "The harbour hums at night")
    expect(item(phone, "text")).to_have_attribute("data-state", "sent")
    for word in ("Inky", "velvet"):  # what a word cloud's "one word for the sea" gets
        send_text(phone, word)
    expect(phone.locator("#history-list .sub[data-state=sent]")).to_have_count(3)
    prompt_crew.goto("roll")  # the show's last cue
    expect(phone.locator("#thanks-made")).to_have_text("Tonight you made a story and 2 words.")


def sound_requests(page: Page, url_part: str) -> list[str]:
    """The page's requests for a sound's file, as they happen."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if url_part in r.url else None)
    return seen


def test_a_queued_sound_shows_its_length_and_loads_nothing_until_played(
    page: Page,
    prompt_server: ServerProcess,
    prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    queue = queue_view(page, prompt_server)
    prompt_crew.goto("ask-sound")
    ana, ben = phone_of(prompt_server, "Ana"), phone_of(prompt_server, "Ben")
    requests_seen = sound_requests(queue, "/media/")
    first = ana.upload("ask-sound", "audio", wav(3.0), "a.wav", "audio/wav")
    second = ben.upload("ask-sound", "audio", wav(2.0), "b.wav", "audio/wav")
    row_a, row_b = queue_item(queue, first), queue_item(queue, second)
    expect(row_b).to_be_visible()

    # the length the server measured, once, where the sound is played; no native player
    # saying "0:00 / 0:00" because it has not read the file
    players_know_length = "r => [...r.querySelectorAll('audio')].every(a => isFinite(a.duration))"
    assert row_a.evaluate(players_know_length), "a player in the queue shows 0:00 / 0:00"
    play_a, play_b = row_a.locator(".mod-play"), row_b.locator(".mod-play")
    expect(play_a).to_have_text("▶ 3.0 s")
    expect(play_b).to_have_text("▶ 2.0 s")
    expect(play_a).to_have_attribute("aria-label", "Recording by Ana, 3.0 s")
    assert "0:00" not in row_a.inner_text()
    assert row_a.inner_text().count("3.0 s") == 1
    # a queue of many sounds fetches none of them until one is played
    assert requests_seen == []

    play_a.click()
    expect(play_a).to_have_attribute("aria-pressed", "true")
    expect(play_a).to_have_text(re.compile(r"^❚❚ \d\.\d s / 3\.0 s$"))
    assert requests_seen, "playing fetches the sound"
    # one player for the queue: the second sound stops the first
    play_b.click()
    expect(play_b).to_have_attribute("aria-pressed", "true")
    expect(play_a).to_have_attribute("aria-pressed", "false")
    expect(play_a).to_have_text("▶ 3.0 s")
    # Enter on the selected item plays or pauses it, as before
    queue.keyboard.press("Enter")
    expect(play_b).to_have_attribute("aria-pressed", "false")
    queue.keyboard.press("Enter")
    expect(play_b).to_have_attribute("aria-pressed", "true")
    # a sound that plays to its end is ready to play again, with its length
    expect(play_b).to_have_attribute("aria-pressed", "false")
    expect(play_b).to_have_text("▶ 2.0 s")
