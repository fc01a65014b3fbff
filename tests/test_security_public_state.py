"""L3: an unauthenticated GET /api/state is told what a phone is told: not the join URL
(the room's door), the next cue or the wall. Displays (their key) and the crew get it all."""

from __future__ import annotations

import requests

from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.server import ServerProcess


def test_anyone_gets_only_the_phones_slice_of_the_state(
    prompt_server: ServerProcess, prompt_crew: Crew
) -> None:
    prompt_crew.goto("ask-text")
    phone = LivePhone(prompt_server, "Ana")
    try:
        story = phone.text("ask-text", "A secret story")["id"]
        prompt_crew.moderate(story, "approve")
        prompt_crew.goto("text-wall")
        anyone = requests.get(prompt_server.url + "/api/state", timeout=10)
        assert anyone.ok
        state = anyone.json()
        assert state["cue"]["id"] == "text-wall"
        for secret in ("join_url", "next", "pending_cue"):
            assert secret not in state, secret
        assert "A secret story" not in anyone.text and "wall" not in state["cue"]
        full = prompt_server.state()  # with the display key
        assert full["join_url"] and full["cue"]["wall"]["items"]
        crew = requests.Session()
        crew.post(prompt_server.url + "/crew/login", data={"password": prompt_server.password})
        assert "join_url" in crew.get(prompt_server.url + "/api/state", timeout=10).json()
    finally:
        phone.close()
